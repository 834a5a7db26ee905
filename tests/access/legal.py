"""Who may use the legal pages: every legal step, the caseload and the register are the local authority's;
school attendance leads may read the legal page of their own school's cases, and nothing else here."""

from tests.access import CASEWORK, LA_CASEWORK

EXPECTED = {
    "legal.show": CASEWORK,
    "legal.new_notice_to_improve": LA_CASEWORK,
    "legal.notice_outcome": LA_CASEWORK,
    "legal.new_penalty_notices": LA_CASEWORK,
    "legal.notice_received": LA_CASEWORK,
    "legal.record_payment": LA_CASEWORK,
    "legal.withdraw_notice": LA_CASEWORK,
    "legal.new_eso": LA_CASEWORK,
    "legal.eso": LA_CASEWORK,
    "legal.eso_breach": LA_CASEWORK,
    "legal.eso_extension": LA_CASEWORK,
    "legal.prosecution": LA_CASEWORK,
    "legal.lay_prosecution": LA_CASEWORK,
    "legal.new_hearing": LA_CASEWORK,
    "legal.edit_hearing": LA_CASEWORK,
    "legal.outcome": LA_CASEWORK,
    "legal.caseload": LA_CASEWORK,
    "legal.register": LA_CASEWORK,
    "legal.register_csv": LA_CASEWORK,
}
