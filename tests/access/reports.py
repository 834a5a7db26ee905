"""Who may open the governors' reports: a school's for everyone who works with its children; a trust's and
the whole authority's (every school by name) for the local authority's staff."""

from tests.access import CASEWORK, LA_CASEWORK

EXPECTED = {
    "reports.index": CASEWORK,
    "reports.school": CASEWORK,
    "reports.school_csv": CASEWORK,
    "reports.trust": LA_CASEWORK,
    "reports.trust_csv": LA_CASEWORK,
    "reports.authority": LA_CASEWORK,
    "reports.authority_csv": LA_CASEWORK,
}
