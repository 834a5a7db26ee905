"""Who may use the manager's oversight pages (caseloads, drift, outcomes) and the termly targeting support
meeting packs (officers for their patch, school leads for their school, managers for every school)."""

from tests.access import CASEWORK, MANAGER

EXPECTED = {
    "oversight.caseloads": frozenset({MANAGER}),
    "oversight.drift": frozenset({MANAGER}),
    "oversight.drift_csv": frozenset({MANAGER}),
    "oversight.outcomes": frozenset({MANAGER}),
    "targeting.index": CASEWORK,
    "targeting.pack": CASEWORK,
    "targeting.print": CASEWORK,
    "targeting.record": CASEWORK,
    "targeting.school_action": CASEWORK,
}
