"""Who may use a case's meetings, action plan and attendance contract pages."""

from tests.access import CASEWORK, LA_CASEWORK

EXPECTED = {
    "meetings.index": CASEWORK,
    "meetings.new": CASEWORK,
    "meetings.show": CASEWORK,
    "meetings.record": CASEWORK,
    "meetings.cancel": CASEWORK,
    "meetings.rearrange": CASEWORK,
    "meetings.correct": CASEWORK,
    "plans.show": CASEWORK,
    "plans.new": CASEWORK,
    "plans.edit": CASEWORK,
    "plans.new_action": CASEWORK,
    "plans.action": CASEWORK,
    "plans.revisions": CASEWORK,
    "plans.contract": CASEWORK,
    "plans.edit_contract": LA_CASEWORK,
    "plans.end_contract": LA_CASEWORK,
}
