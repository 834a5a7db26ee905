"""``flask --app wsgi import carers FILE``: one Carer per adult, linked to each child; all-or-nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Carer, ImportKind, ImportOutcome, ImportRun, Pupil, PupilCarer, Role
from ewo_cases.services.imports import rows, run_import
from tests.factories import valid_upn
from tests.integration.statements import reads_by_key, selects_from

COLUMNS = (
    "upn",
    "carer_ref",
    "forename",
    "surname",
    "relationship",
    "parental_responsibility",
    "lives_with_pupil",
    "address",
    "phone",
    "email",
)
UPN_A, UPN_B, UPN_C = valid_upn(91001), valid_upn(91002), valid_upn(91003)
MOTHER = {
    "upn": UPN_A,
    "carer_ref": "C-001",
    "forename": "Jane",
    "surname": "Smith",
    "relationship": "Mother",
    "parental_responsibility": "Y",
    "lives_with_pupil": "Y",
    "address": "1 High Street, Northfield, NF1 1AA",
    "phone": "07700 900123",
    "email": "jane.smith@example.org",
}
#: The same adult, for the brother at another school: not living with him.
MOTHER_OF_B = {**MOTHER, "upn": UPN_B, "lives_with_pupil": "N"}
FATHER = {
    "upn": UPN_A,
    "carer_ref": "C-002",
    "forename": "John",
    "surname": "Smith",
    "relationship": "Father",
    "parental_responsibility": "Y",
    "lives_with_pupil": "N",
    "address": "2 Low Road, Southfield, SF2 2BB",
    "phone": "",
    "email": "",
}
GRAN = {
    "upn": UPN_C,
    "carer_ref": "C-003",
    "forename": "Edith",
    "surname": "Jones",
    "relationship": "Grandparent",
    "parental_responsibility": "N",
    "lives_with_pupil": "Y",
    "address": "3 Mill Lane",
    "phone": "01632 960000",
    "email": "",
}


def csv_text(*rows: dict[str, str], columns: tuple[str, ...] | list[str] = COLUMNS) -> str:
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(_quoted(row.get(column, "")) for column in columns))
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if "," in value or '"' in value else value


GOOD = csv_text(MOTHER, MOTHER_OF_B, FATHER, GRAN)


@pytest.fixture
def schools(make_school):
    return make_school(urn="100001"), make_school(urn="100002")


@pytest.fixture
def pupils(schools, make_pupil):
    """Pupil A and C at school 100001, A's brother B at school 100002."""
    first, second = schools
    return make_pupil(first, UPN_A), make_pupil(second, UPN_B), make_pupil(first, UPN_C)


@pytest.fixture
def import_file(runner, tmp_path: Path, pupils):
    def run(content: str | bytes):
        path = tmp_path / "carers.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return runner.invoke(args=["import", "carers", str(path)])

    return run


def carers() -> list[tuple]:
    db.session.expire_all()
    return [
        (c.carer_ref, c.forename, c.surname, c.address, c.phone, c.email)
        for c in db.session.scalars(sa.select(Carer).order_by(Carer.carer_ref))
    ]


def links() -> list[tuple]:
    db.session.expire_all()
    query = (
        sa.select(Pupil.upn, Carer.carer_ref, PupilCarer)
        .join(PupilCarer.pupil)
        .join(PupilCarer.carer)
        .order_by(Pupil.upn, Carer.carer_ref)
    )
    return [
        (upn, ref, link.relationship_to_pupil, link.parental_responsibility, link.lives_with_pupil)
        for upn, ref, link in db.session.execute(query)
    ]


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Carer, PupilCarer, Pupil)
    )


def last_run() -> ImportRun:
    return db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()


EXPECTED_CARERS = [
    ("C-001", "Jane", "Smith", "1 High Street, Northfield, NF1 1AA", "07700 900123", "jane.smith@example.org"),
    ("C-002", "John", "Smith", "2 Low Road, Southfield, SF2 2BB", None, None),
    ("C-003", "Edith", "Jones", "3 Mill Lane", "01632 960000", None),
]
EXPECTED_LINKS = sorted(
    [
        (UPN_A, "C-001", "Mother", True, True),
        (UPN_B, "C-001", "Mother", True, False),
        (UPN_A, "C-002", "Father", True, False),
        (UPN_C, "C-003", "Grandparent", False, True),
    ]
)


# Good files ---------------------------------------------------------------------------------------------


def test_a_good_file_stores_each_adult_once_and_links_them_to_each_child(import_file):
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert "Imported 4 rows" in result.output and "4 added or changed" in result.output
    assert carers() == EXPECTED_CARERS
    assert links() == EXPECTED_LINKS
    run = last_run()
    assert (run.kind, run.outcome, run.rows_read, run.rows_changed) == (
        ImportKind.CARERS,
        ImportOutcome.SUCCEEDED,
        4,
        4,
    )


def test_the_same_carer_ref_on_children_at_two_schools_is_one_adult_linking_the_siblings(import_file, pupils):
    import_file(GOOD)
    a, b, _c = pupils
    assert a.school_id != b.school_id
    mother = db.session.scalars(sa.select(Carer).where(Carer.carer_ref == "C-001")).one()
    assert sorted(link.pupil.upn for link in mother.pupil_links) == sorted([UPN_A, UPN_B])
    siblings = {link.pupil_id for carer_link in a.carer_links for link in carer_link.carer.pupil_links} - {a.id}
    assert siblings == {b.id}


def test_columns_in_any_order_with_a_bom_and_without_the_optional_columns(import_file):
    columns = [column for column in reversed(COLUMNS) if column not in ("phone", "email")]
    result = import_file(("\ufeff" + csv_text(MOTHER, GRAN, columns=columns)).encode())
    assert result.exit_code == 0, result.output
    assert carers() == [
        ("C-001", "Jane", "Smith", "1 High Street, Northfield, NF1 1AA", None, None),
        ("C-003", "Edith", "Jones", "3 Mill Lane", None, None),
    ]
    assert links() == sorted([(UPN_A, "C-001", "Mother", True, True), (UPN_C, "C-003", "Grandparent", False, True)])


def test_reimporting_the_same_file_changes_nothing(import_file):
    import_file(GOOD)
    before = {c.carer_ref: (c.id, c.version, c.updated_at) for c in db.session.scalars(sa.select(Carer))}
    link_times = {link.id: link.updated_at for link in db.session.scalars(sa.select(PupilCarer))}
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert "0 added or changed" in result.output and last_run().rows_changed == 0
    db.session.expire_all()
    assert {c.carer_ref: (c.id, c.version, c.updated_at) for c in db.session.scalars(sa.select(Carer))} == before
    assert {link.id: link.updated_at for link in db.session.scalars(sa.select(PupilCarer))} == link_times
    assert carers() == EXPECTED_CARERS and links() == EXPECTED_LINKS


def test_a_new_phone_number_replaces_the_stored_one_on_every_childs_row(import_file):
    import_file(GOOD)
    before = {c.carer_ref: (c.id, c.version) for c in db.session.scalars(sa.select(Carer))}
    new_phone = {"phone": "07700 900999"}
    result = import_file(csv_text({**MOTHER, **new_phone}, {**MOTHER_OF_B, **new_phone}, FATHER, GRAN))
    assert result.exit_code == 0, result.output
    assert "2 added or changed" in result.output  # both of her rows carry the change
    assert carers()[0][4] == "07700 900999"
    db.session.expire_all()
    after = {c.carer_ref: (c.id, c.version) for c in db.session.scalars(sa.select(Carer))}
    assert after["C-001"] == (before["C-001"][0], before["C-001"][1] + 1)
    assert after["C-002"] == before["C-002"] and after["C-003"] == before["C-003"]
    assert links() == EXPECTED_LINKS


def test_a_changed_tie_replaces_the_stored_one(import_file):
    import_file(GOOD)
    result = import_file(csv_text({**FATHER, "lives_with_pupil": "Y", "relationship": "Step-father"}))
    assert result.exit_code == 0, result.output
    assert "1 added or changed" in result.output
    assert (UPN_A, "C-002", "Step-father", True, True) in links()
    assert counts() == (3, 4, 3)


# Bad files ----------------------------------------------------------------------------------------------

HEADER = ",".join(COLUMNS)
BAD_CHECK_LETTER = ("A" if UPN_A[0] != "A" else "B") + UPN_A[1:]
UNKNOWN_UPN = valid_upn(91999)


def bad(**changes: str) -> str:
    """GOOD with its third row (line 4, the father) changed."""
    return csv_text(MOTHER, MOTHER_OF_B, {**FATHER, **changes}, GRAN)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("", ["line 1: The file is empty"], id="empty file"),
        pytest.param(HEADER + "\n", ["line 2: The file has a header row but no data rows"], id="header only"),
        pytest.param(
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U", ["line 1: The file is not UTF-8"], id="junk"
        ),
        pytest.param(
            bad(address="12 Rue de la Paix, Besançon").encode("cp1252"),
            ["line 4: The file is not UTF-8 text. Save or export it as CSV UTF-8"],
            id="wrong encoding",
        ),
        pytest.param(
            csv_text(MOTHER, columns=[c for c in COLUMNS if c != "address"]),
            ["line 1, column address: Required column is missing"],
            id="missing column",
        ),
        pytest.param(
            csv_text(MOTHER, columns=[*COLUMNS, "mobile"]),
            [
                "line 1, column mobile: 'mobile' Unknown column. The columns of this file are: upn, carer_ref, "
                "forename, surname, relationship, parental_responsibility, lives_with_pupil, address, phone, email"
            ],
            id="extra column",
        ),
        pytest.param(
            csv_text(MOTHER, columns=[c if c != "relationship" else "relation" for c in COLUMNS]),
            [
                "line 1, column relation: 'relation' Unknown column",
                "line 1, column relationship: Required column is missing",
            ],
            id="wrong column",
        ),
        pytest.param(
            csv_text(MOTHER, columns=[*COLUMNS, "phone"]),
            ["line 1, column phone: 'phone' Column appears more than once"],
            id="duplicate column",
        ),
        pytest.param(csv_text(MOTHER) + "x,y\n", ["line 3: Expected 10 values, found 2"], id="short row"),
        pytest.param(
            bad(upn=BAD_CHECK_LETTER),
            [f"line 4, column upn: '{BAD_CHECK_LETTER}' UPN check letter does not match the rest of the number"],
            id="bad check letter",
        ),
        pytest.param(
            bad(upn=UNKNOWN_UPN),
            [f"line 4, column upn: '{UNKNOWN_UPN}' No pupil has this UPN: import pupils.csv first"],
            id="unknown pupil",
        ),
        pytest.param(
            csv_text(MOTHER, MOTHER_OF_B, FATHER, {**MOTHER, "relationship": "Parent"}),
            ["line 5, column carer_ref: 'C-001' This carer is listed for this pupil on line 2 too"],
            id="duplicate key",
        ),
        pytest.param(
            csv_text(MOTHER, {**MOTHER_OF_B, "surname": "Smith-Jones"}),
            [
                "line 3, column carer_ref: 'C-001' This carer has different details on line 2: "
                "one carer_ref must be one adult"
            ],
            id="one ref, two names",
        ),
        pytest.param(
            csv_text(MOTHER, {**MOTHER_OF_B, "address": "9 Other Road"}),
            ["line 3, column carer_ref: 'C-001' This carer has different details on line 2"],
            id="one ref, two addresses",
        ),
        pytest.param(
            bad(email="john.smith@"),
            ["line 4, column email: 'john.smith@' Email address is not in the correct format, like name@example.com"],
            id="invalid email",
        ),
        pytest.param(bad(email="not an email"), ["line 4, column email: 'not an email' Email address"], id="email"),
        pytest.param(
            bad(parental_responsibility="yes"), ["line 4, column parental_responsibility: 'yes' Must be Y or N"]
        ),
        pytest.param(bad(lives_with_pupil="n"), ["line 4, column lives_with_pupil: 'n' Must be Y or N"], id="flag n"),
        pytest.param(bad(address=""), ["line 4, column address: Enter a value"], id="no address"),
        pytest.param(bad(carer_ref=""), ["line 4, column carer_ref: Enter a value"], id="no ref"),
        pytest.param(bad(carer_ref="C" * 41), ["line 4, column carer_ref: 'CCC"], id="long ref"),
    ],
)
def test_a_bad_file_is_refused_with_line_numbered_errors_and_nothing_is_written(import_file, content, expected):
    result = import_file(content)
    assert result.exit_code == 1, result.output
    assert "Nothing was imported" in result.output
    for message in expected:
        assert message in result.output
    assert counts() == (0, 0, 3)
    run = last_run()
    assert run.outcome is ImportOutcome.FAILED and run.rows_changed == 0 and run.error_count == len(expected)


def test_a_bad_file_leaves_the_stored_carers_exactly_as_they_were(import_file):
    import_file(GOOD)
    before = carers(), links()
    result = import_file(csv_text({**MOTHER, "phone": "0"}, {**MOTHER_OF_B, "phone": "0"}, {**GRAN, "email": "@"}))
    assert result.exit_code == 1 and "line 4, column email: '@'" in result.output
    assert (carers(), links()) == before


def test_an_error_in_the_last_row_of_a_large_file_keeps_out_every_earlier_row(import_file):
    rows = [{**MOTHER, "carer_ref": f"REF-{n}"} for n in range(3000)]
    rows.append({**GRAN, "lives_with_pupil": "maybe"})
    result = import_file(csv_text(*rows))
    assert result.exit_code == 1 and "line 3002, column lives_with_pupil: 'maybe'" in result.output
    assert counts() == (0, 0, 3)
    assert last_run().rows_read == 3001


# A school lead's upload -------------------------------------------------------------------------------


def upload(content: str, actor, school=None) -> ImportRun:
    return run_import(
        ImportKind.CARERS, io.BytesIO(content.encode()), filename="carers.csv", actor=actor, school=school
    )


def test_a_school_lead_imports_the_carers_of_pupils_on_roll_at_their_school(schools, pupils, make_user):
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    run = upload(csv_text(MOTHER, FATHER, GRAN), lead, own)
    assert run.outcome is ImportOutcome.SUCCEEDED, run.errors
    assert (run.user_id, run.school_id, run.rows_read, run.rows_changed) == (lead.id, own.id, 3, 3)
    assert counts() == (3, 3, 3)


def test_a_school_leads_file_with_a_pupil_on_roll_at_another_school_is_refused(schools, pupils, make_user):
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    run = upload(GOOD, lead, own)
    assert run.outcome is ImportOutcome.FAILED
    assert run.errors == [
        {
            "line": 3,
            "column": "upn",
            "value": UPN_B,
            "reason": "No pupil with this UPN is on roll at your school (100001)",
        }
    ]
    assert counts() == (0, 0, 3)


@pytest.fixture
def lead_upload(schools, pupils, make_user):
    """The whole authority's file is stored; then school 100001's lead uploads."""
    assert upload(GOOD, None).outcome is ImportOutcome.SUCCEEDED
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    return lambda *rows: upload(csv_text(*rows), lead, own)


def test_a_school_lead_cannot_change_an_adult_also_recorded_for_another_schools_child(lead_upload):
    """The mother is also the parent of B, at school 100002: everyone working with B sees her details."""
    run = lead_upload(FATHER, {**MOTHER, "phone": "07700 900999", "address": "9 New Road"})
    assert run.outcome is ImportOutcome.FAILED
    assert run.errors == [
        {
            "line": 3,
            "column": "carer_ref",
            "value": "C-001",
            "reason": "This adult is also recorded for children at other schools, so only the local authority can "
            "change their details: give the details already recorded, or ask the local authority",
        }
    ]
    assert carers() == EXPECTED_CARERS
    assert links() == EXPECTED_LINKS


def test_a_school_lead_may_link_their_pupil_to_an_adult_shared_with_another_school_as_recorded(lead_upload):
    run = lead_upload(MOTHER, {**MOTHER, "upn": UPN_C, "relationship": "Stepmother", "lives_with_pupil": "N"})
    assert run.outcome is ImportOutcome.SUCCEEDED, run.errors
    assert (run.rows_read, run.rows_changed) == (2, 1)
    assert carers() == EXPECTED_CARERS
    assert links() == sorted([*EXPECTED_LINKS, (UPN_C, "C-001", "Stepmother", True, False)])


def test_a_school_lead_may_change_an_adult_recorded_only_for_their_own_pupils(lead_upload):
    run = lead_upload({**FATHER, "phone": "07700 900555"})
    assert run.outcome is ImportOutcome.SUCCEEDED, run.errors
    assert ("C-002", "John", "Smith", "2 Low Road, Southfield, SF2 2BB", "07700 900555", None) in carers()


def test_rows_are_written_a_chunk_at_a_time_reading_only_their_stored_carers(import_file, monkeypatch):
    """Memory does not grow with the file: every chunk loads the stored adults and ties of its own rows only."""
    monkeypatch.setattr(rows, "CHUNK", 2)
    import_file(GOOD)
    with selects_from("carers", "pupil_carers") as selects:
        new_phone = {"phone": "07700 900999"}
        result = import_file(csv_text({**MOTHER, **new_phone}, FATHER, {**MOTHER_OF_B, **new_phone}, GRAN))
    assert result.exit_code == 0, result.output
    assert "2 added or changed" in result.output, "both of the mother's rows, in two chunks, and only hers"
    assert len(selects) >= 4 and all(reads_by_key(statement) for statement in selects)
    assert links() == EXPECTED_LINKS
    assert carers()[0] == (
        "C-001",
        "Jane",
        "Smith",
        "1 High Street, Northfield, NF1 1AA",
        "07700 900999",
        MOTHER["email"],
    )
