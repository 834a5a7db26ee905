"""Who may search pupils and cases: everyone who works with children's records (as the pupil and case
lists), never an administrator, whose work is accounts and schools, not children."""

from tests.access import CASEWORK

EXPECTED = {
    "search.index": CASEWORK,
}
