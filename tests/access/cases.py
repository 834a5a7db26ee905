"""Who may use the case pages, approvals, referrals and the directory."""

from tests.access import ADMIN, CASEWORK, LA_CASEWORK, LEAD, MANAGER, OFFICER

EXPECTED = {
    "cases.index": CASEWORK,
    "cases.new": LA_CASEWORK,
    "cases.show": CASEWORK,
    "cases.act": LA_CASEWORK,
    "cases.reassign": frozenset({MANAGER}),
    "cases.reassign_case": frozenset({MANAGER}),
    "cases.new_record": LA_CASEWORK,
    "cases.withdraw_record": LA_CASEWORK,
    "cases.people": CASEWORK,
    "cases.add_participant": LA_CASEWORK,
    "cases.end_participant": LA_CASEWORK,
    "cases.change_role": LA_CASEWORK,
    "cases.make_lead": LA_CASEWORK,
    "cases.school_contact": LA_CASEWORK,
    "cases.audit": frozenset({MANAGER}),
    "approvals.index": LA_CASEWORK,
    "approvals.new": LA_CASEWORK,
    "approvals.show": LA_CASEWORK,
    "referrals.index": CASEWORK,
    "referrals.new": frozenset({LEAD}),
    "referrals.show": CASEWORK,
    "directory.index": CASEWORK | {ADMIN},
    "directory.agency": frozenset({OFFICER, ADMIN}),
    "directory.professional": frozenset({OFFICER, ADMIN}),
}
