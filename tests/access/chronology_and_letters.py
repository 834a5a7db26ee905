"""Who may use the timeline, notes, letters and letter templates."""

from tests.access import ADMIN, CASEWORK, LA_CASEWORK

EXPECTED = {
    "chronology.index": CASEWORK,
    "chronology.print": CASEWORK,
    "chronology.new_note": CASEWORK,
    "chronology.correct_note": CASEWORK,
    "letters.index": CASEWORK,
    "letters.show": CASEWORK,
    "letters.pdf": CASEWORK,
    "letters.new": LA_CASEWORK,
    "letters.create": LA_CASEWORK,
    "letters.serve": LA_CASEWORK,
    "letter_templates.index": frozenset({ADMIN}),
    "letter_templates.edit": frozenset({ADMIN}),
}
