"""Who may use the foundation's and attendance pages."""

from tests.access import ADMIN, CASEWORK, EVERYONE, LEAD, PUBLIC

EXPECTED = {
    "static": PUBLIC,
    "favicon": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": EVERYONE,
    "home.index": EVERYONE,
    "home.accessibility": PUBLIC,
    "home.privacy": PUBLIC,
    "home.health": PUBLIC,
    "pupils.index": CASEWORK,
    "pupils.show": CASEWORK,
    "identification.index": CASEWORK,
    "identification.show": CASEWORK,
    "identification.export": CASEWORK,
    "imports.index": frozenset({ADMIN, LEAD}),
    "imports.show": frozenset({ADMIN, LEAD}),
    "users.index": frozenset({ADMIN}),
    "users.new": frozenset({ADMIN}),
    "users.edit": frozenset({ADMIN}),
    "users.set_password": frozenset({ADMIN}),
    "schools.index": EVERYONE,
    "schools.new": frozenset({ADMIN}),
    "schools.edit": frozenset({ADMIN}),
    "schools.new_trust": frozenset({ADMIN}),
    "schools.edit_trust": frozenset({ADMIN}),
}
