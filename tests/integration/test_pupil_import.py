"""``flask --app wsgi import pupils FILE``: stored exactly, all-or-nothing, line-numbered errors, idempotent."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AuditEvent, ImportKind, ImportOutcome, ImportRun, Pupil, Role, SenStatus
from ewo_cases.services.imports import pupils as pupil_import
from ewo_cases.services.imports import rows, run_import
from tests.factories import valid_upn
from tests.integration.statements import reads_by_key, selects_from

TODAY = "2025-12-01"
COLUMNS = (
    "upn,school_urn,forename,surname,date_of_birth,year_group,sex,pupil_premium,sen_status,looked_after,"
    "previously_looked_after,child_protection,child_in_need,ethnicity,eal"
).split(",")
UPN_1, UPN_2, UPN_3 = valid_upn(90001), valid_upn(90002), valid_upn(90003)
ROW_1 = {
    "upn": UPN_1,
    "school_urn": "100001",
    "forename": "Amara",
    "surname": "Okafor",
    "date_of_birth": "2015-03-14",
    "year_group": "5",
    "sex": "F",
    "pupil_premium": "Y",
    "sen_status": "K",
    "looked_after": "N",
    "previously_looked_after": "Y",
    "child_protection": "N",
    "child_in_need": "Y",
    "ethnicity": "BAFR",
    "eal": "Y",
}
ROW_2 = {
    **ROW_1,
    "upn": UPN_2,
    "forename": "Tomasz",
    "surname": "Nowak",
    "date_of_birth": "2021-07-01",
    "year_group": "R",
    "sex": "M",
    "pupil_premium": "N",
    "sen_status": "N",
    "previously_looked_after": "N",
    "child_in_need": "N",
    "ethnicity": "",
    "eal": "",
}
ROW_3 = {
    **ROW_1,
    "upn": UPN_3,
    "school_urn": "100002",
    "forename": "Siân",
    "surname": "O'Brien-Jones",
    "date_of_birth": "2009-11-30",
    "year_group": "11",
    "sen_status": "E",
    "looked_after": "Y",
    "child_protection": "Y",
    "ethnicity": "WBRI",
    "eal": "N",
}


def csv_text(*rows: dict[str, str], columns: list[str] | tuple[str, ...] = COLUMNS) -> str:
    """A pupils.csv with these columns (quoting where needed)."""
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(_quoted(row.get(column, "")) for column in columns))
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    return f'"{value}"' if "," in value or '"' in value else value


GOOD = csv_text(ROW_1, ROW_2, ROW_3)


@pytest.fixture(autouse=True)
def _today(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TODAY", TODAY)


@pytest.fixture
def schools(make_school):
    return make_school(urn="100001", name="Northfield Primary"), make_school(urn="100002", name="Northfield Academy")


@pytest.fixture
def import_file(runner, tmp_path: Path, schools):
    """Write ``content`` (str or bytes) to pupils.csv and import it; return the CLI result."""

    def run(content: str | bytes):
        path = tmp_path / "pupils.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return runner.invoke(args=["import", "pupils", str(path)])

    return run


def pupils() -> list[tuple]:
    db.session.expire_all()
    return [
        (
            p.upn,
            p.school.urn,
            p.forename,
            p.surname,
            p.date_of_birth,
            p.year_group,
            p.sex,
            p.pupil_premium,
            p.sen_status,
            p.looked_after,
            p.previously_looked_after,
            p.child_protection,
            p.child_in_need,
            p.ethnicity,
            p.eal,
        )
        for p in db.session.scalars(sa.select(Pupil).order_by(Pupil.upn))
    ]


def pupil_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Pupil))


def last_run() -> ImportRun:
    return db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()


#: Each pupil's identity, then the flags and the optional columns, as ``pupils()`` lists them.
EXPECTED = sorted(
    [
        (
            *(UPN_1, "100001", "Amara", "Okafor", date(2015, 3, 14), "5", "F", True, SenStatus.SEN_SUPPORT),
            *(False, True, False, True, "BAFR", True),
        ),
        (
            *(UPN_2, "100001", "Tomasz", "Nowak", date(2021, 7, 1), "R", "M", False, SenStatus.NONE),
            *(False, False, False, False, None, None),
        ),
        (
            *(UPN_3, "100002", "Siân", "O'Brien-Jones", date(2009, 11, 30), "11", "F", True, SenStatus.EHCP),
            *(True, True, True, True, "WBRI", False),
        ),
    ]
)


# Good files ---------------------------------------------------------------------------------------------


def test_a_good_file_is_stored_exactly(import_file):
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert "Imported 3 rows" in result.output and "3 added or changed" in result.output
    assert pupils() == EXPECTED
    run = last_run()
    assert (run.kind, run.outcome, run.rows_read, run.rows_changed, run.error_count, run.errors) == (
        ImportKind.PUPILS,
        ImportOutcome.SUCCEEDED,
        3,
        3,
        0,
        [],
    )


def test_columns_in_any_order_with_a_bom_and_without_the_optional_columns(import_file):
    columns = list(reversed([column for column in COLUMNS if column not in ("ethnicity", "eal")]))
    result = import_file(("\ufeff" + csv_text(ROW_1, ROW_3, columns=columns)).encode())
    assert result.exit_code == 0, result.output
    assert pupils() == [(*row[:13], None, None) for row in EXPECTED if row[0] in (UPN_1, UPN_3)]


def test_crlf_line_endings_and_quoted_values_are_read(import_file):
    row = {**ROW_1, "surname": 'Smith, "Junior"'}
    content = (
        ",".join(COLUMNS)
        + "\r\n"
        + ",".join('"Smith, ""Junior"""' if column == "surname" else row[column] for column in COLUMNS)
        + "\r\n"
    )
    result = import_file(content)
    assert result.exit_code == 0, result.output
    assert pupils()[0][3] == 'Smith, "Junior"'


def test_reimporting_the_same_file_changes_nothing(import_file):
    import_file(GOOD)
    before = {p.upn: (p.version, p.updated_at) for p in db.session.scalars(sa.select(Pupil))}
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert "0 added or changed" in result.output
    assert last_run().rows_changed == 0 and last_run().rows_read == 3
    db.session.expire_all()
    assert {p.upn: (p.version, p.updated_at) for p in db.session.scalars(sa.select(Pupil))} == before
    assert pupils() == EXPECTED


def test_a_changed_row_replaces_the_stored_one(import_file):
    import_file(GOOD)
    before = {p.upn: (p.id, p.version, p.updated_at) for p in db.session.scalars(sa.select(Pupil))}
    moved = {**ROW_1, "year_group": "6", "school_urn": "100002", "pupil_premium": "N"}
    result = import_file(csv_text(moved, ROW_2, ROW_3))
    assert result.exit_code == 0, result.output
    assert "1 added or changed" in result.output
    stored = pupils()
    assert stored[[row[0] for row in stored].index(UPN_1)][1:8] == (
        "100002",
        "Amara",
        "Okafor",
        date(2015, 3, 14),
        "6",
        "F",
        False,
    )
    db.session.expire_all()
    after = {p.upn: (p.id, p.version, p.updated_at) for p in db.session.scalars(sa.select(Pupil))}
    assert after[UPN_2] == before[UPN_2] and after[UPN_3] == before[UPN_3]
    assert after[UPN_1][0] == before[UPN_1][0]
    assert after[UPN_1][1] == before[UPN_1][1] + 1, "a changed pupil gets a new version (optimistic locking)"
    assert after[UPN_1][2] > before[UPN_1][2]


def test_a_file_may_hold_only_some_pupils_and_leaves_the_others_alone(import_file):
    import_file(GOOD)
    result = import_file(csv_text({**ROW_2, "year_group": "1"}))
    assert result.exit_code == 0, result.output
    assert pupil_count() == 3
    assert [row[5] for row in pupils()] == [row[5] if row[0] != UPN_2 else "1" for row in EXPECTED]


@pytest.mark.parametrize(
    ("born", "accepted"),
    [
        ("2023-12-01", True),  # 2 today
        ("2023-12-02", False),  # 2 tomorrow
        ("2000-12-01", True),  # 25 today
        ("1999-12-05", True),  # 25 for four more days
        ("1999-12-01", False),  # 26 today
    ],
)
def test_ages_2_to_25_are_accepted_in_whole_years(import_file, born, accepted):
    result = import_file(csv_text({**ROW_1, "date_of_birth": born}))
    assert (result.exit_code == 0) is accepted, result.output
    assert pupil_count() == (1 if accepted else 0)


# Bad files ----------------------------------------------------------------------------------------------

HEADER = ",".join(COLUMNS)
BAD_CHECK_LETTER = ("A" if UPN_1[0] != "A" else "B") + UPN_1[1:]
ROW_1_TEXT = csv_text(ROW_1).splitlines()[1]


def bad(**changes: str) -> str:
    """GOOD with row 1 (line 2) changed."""
    return csv_text({**ROW_1, **changes}, ROW_2, ROW_3)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("", ["line 1: The file is empty"], id="empty file"),
        pytest.param(HEADER + "\n", ["line 2: The file has a header row but no data rows"], id="header only"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\xff\xfe", ["line 1: The file is not UTF-8 text"], id="binary"
        ),
        pytest.param(
            csv_text(ROW_1, ROW_2, {**ROW_3, "forename": "Zoë"}).encode("cp1252"),
            ["line 4: The file is not UTF-8 text. Save or export it as CSV UTF-8"],
            id="wrong encoding",
        ),
        pytest.param(
            csv_text(ROW_1, columns=[c for c in COLUMNS if c != "sex"]),
            ["line 1, column sex: Required column is missing"],
            id="missing column",
        ),
        pytest.param(
            csv_text(ROW_1, columns=[*COLUMNS, "nickname"]),
            [
                "line 1, column nickname: 'nickname' Unknown column. The columns of this file are: upn, school_urn, "
                "forename, surname, date_of_birth, year_group, sex, pupil_premium, sen_status, looked_after, "
                "previously_looked_after, child_protection, child_in_need, ethnicity, eal"
            ],
            id="extra column",
        ),
        pytest.param(
            csv_text(ROW_1, columns=[c if c != "sex" else "gender" for c in COLUMNS]),
            ["line 1, column gender: 'gender' Unknown column", "line 1, column sex: Required column is missing"],
            id="wrong column",
        ),
        pytest.param(
            csv_text(ROW_1, columns=[*COLUMNS, "surname"]),
            ["line 1, column surname: 'surname' Column appears more than once"],
            id="duplicate column",
        ),
        pytest.param(
            csv_text(ROW_1) + ROW_1_TEXT.rsplit(",", 1)[0] + "\n",
            ["line 3: Expected 15 values, found 14"],
            id="short row",
        ),
        pytest.param(
            csv_text(ROW_1) + ROW_1_TEXT + ",extra\n",
            ["line 3: Expected 15 values, found 16"],
            id="long row",
        ),
        pytest.param(
            bad(upn=BAD_CHECK_LETTER),
            [f"line 2, column upn: '{BAD_CHECK_LETTER}' UPN check letter does not match the rest of the number"],
            id="bad check letter",
        ),
        pytest.param(bad(upn="A80120001234"), ["line 2, column upn: 'A80120001234' UPN must be 13"], id="short upn"),
        pytest.param(bad(upn=""), ["line 2, column upn: UPN must be 13 characters"], id="no upn"),
        pytest.param(
            csv_text(ROW_1, ROW_2, {**ROW_3, "upn": UPN_1}),
            [f"line 4, column upn: '{UPN_1}' UPN appears more than once (first on line 2)"],
            id="duplicate key",
        ),
        pytest.param(
            bad(school_urn="999999"),
            ["line 2, column school_urn: '999999' No school has this URN: import schools.csv first"],
            id="unknown school",
        ),
        pytest.param(
            bad(date_of_birth="2016-02-30"),
            ["line 2, column date_of_birth: '2016-02-30' Date does not exist"],
            id="impossible date",
        ),
        pytest.param(
            bad(date_of_birth="30/09/2015"),
            ["line 2, column date_of_birth: '30/09/2015' Date must be written YYYY-MM-DD"],
            id="badly written date",
        ),
        pytest.param(
            bad(date_of_birth="1925-01-01"),
            ["line 2, column date_of_birth: '1925-01-01' Date of birth gives an age of 100: pupils are 2 to 25"],
            id="too old",
        ),
        pytest.param(
            bad(date_of_birth="2026-01-01"),
            ["line 2, column date_of_birth: '2026-01-01' Date of birth gives an age of"],
            id="born in the future",
        ),
        pytest.param(
            bad(year_group="15"),
            ["line 2, column year_group: '15' Year group must be one of: N1, N2, R, 1, 2, 3"],
            id="year group 15",
        ),
        pytest.param(bad(year_group="Y5"), ["line 2, column year_group: 'Y5' Year group must be"], id="year group Y5"),
        pytest.param(bad(year_group=""), ["line 2, column year_group: Year group must be"], id="no year group"),
        pytest.param(bad(sex="X"), ["line 2, column sex: 'X' Sex must be one of: F, M"], id="sex"),
        pytest.param(
            bad(sen_status="S"),
            ["line 2, column sen_status: 'S' SEN status must be N (none), K (SEN support) or E (EHC plan)"],
            id="sen status",
        ),
        pytest.param(bad(pupil_premium="y"), ["line 2, column pupil_premium: 'y' Must be Y or N"], id="flag y"),
        pytest.param(bad(looked_after="yes"), ["line 2, column looked_after: 'yes' Must be Y or N"], id="flag yes"),
        pytest.param(bad(child_in_need="1"), ["line 2, column child_in_need: '1' Must be Y or N"], id="flag 1"),
        pytest.param(bad(child_protection=""), ["line 2, column child_protection: Must be Y or N"], id="flag empty"),
        pytest.param(bad(eal="No"), ["line 2, column eal: 'No' Must be Y or N"], id="optional flag"),
        pytest.param(bad(forename=""), ["line 2, column forename: Enter a value"], id="no forename"),
        pytest.param(bad(surname="x" * 101), ["line 2, column surname: 'xxx"], id="long surname"),
        pytest.param(bad(ethnicity="WHITEBRITISH"), ["line 2, column ethnicity: 'WHITEBRITISH' Must be 10"], id="eth"),
        pytest.param(
            bad(forename="A\x00B"), ["line 2, column forename: 'A\x00B' Contains control characters"], id="NUL byte"
        ),
        pytest.param(
            csv_text(
                {**ROW_1, "upn": BAD_CHECK_LETTER, "sex": "Q"},
                ROW_2,
                {**ROW_3, "date_of_birth": "2015-13-01", "sen_status": "X"},
            ),
            [
                "line 2, column upn:",
                "line 2, column sex: 'Q'",
                "line 4, column date_of_birth: '2015-13-01' Date does not exist",
                "line 4, column sen_status: 'X'",
            ],
            id="every bad value reported",
        ),
    ],
)
def test_a_bad_file_is_refused_with_line_numbered_errors_and_nothing_is_written(import_file, content, expected):
    result = import_file(content)
    assert result.exit_code == 1, result.output
    assert "Nothing was imported" in result.output
    for message in expected:
        assert message in result.output
    assert pupil_count() == 0
    run = last_run()
    assert run.outcome is ImportOutcome.FAILED and run.rows_changed == 0
    assert run.error_count == len(expected)


def test_a_bad_file_leaves_the_stored_pupils_exactly_as_they_were(import_file):
    import_file(GOOD)
    before = pupils()
    versions = {p.upn: (p.version, p.updated_at) for p in db.session.scalars(sa.select(Pupil))}
    changed = csv_text({**ROW_1, "year_group": "6"}, ROW_2, {**ROW_3, "sex": "Z"})
    result = import_file(changed)
    assert result.exit_code == 1 and "line 4, column sex: 'Z'" in result.output
    assert pupils() == before
    assert {p.upn: (p.version, p.updated_at) for p in db.session.scalars(sa.select(Pupil))} == versions


def test_an_error_in_the_last_row_of_a_large_file_keeps_out_every_earlier_row(import_file):
    rows = [{**ROW_1, "upn": valid_upn(10000 + n), "surname": f"Pupil {n}"} for n in range(3000)]
    rows.append({**ROW_2, "year_group": "Y7"})
    result = import_file(csv_text(*rows))
    assert result.exit_code == 1
    assert "line 3002, column year_group: 'Y7'" in result.output
    assert pupil_count() == 0
    assert last_run().rows_read == 3001 and last_run().error_count == 1


def test_the_report_lists_the_first_fifty_errors_and_counts_the_rest(import_file):
    rows = [{**ROW_1, "upn": valid_upn(20000 + n), "sex": "U"} for n in range(70)]
    result = import_file(csv_text(*rows))
    assert result.output.count("Sex must be one of") == 50
    assert "… and 20 more" in result.output
    run = last_run()
    assert run.error_count == 70 and len(run.errors) == 50
    assert run.errors[0] == {"line": 2, "column": "sex", "value": "U", "reason": "Sex must be one of: F, M"}


# A school lead's upload -------------------------------------------------------------------------------


def upload(content: str, actor, school=None) -> ImportRun:
    return run_import(
        ImportKind.PUPILS, io.BytesIO(content.encode()), filename="pupils.csv", actor=actor, school=school
    )


def test_a_school_lead_imports_their_own_schools_pupils(schools, make_user):
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    run = upload(csv_text(ROW_1, ROW_2), lead, own)
    assert run.outcome is ImportOutcome.SUCCEEDED, run.errors
    assert (run.user_id, run.school_id, run.rows_read, run.rows_changed) == (lead.id, own.id, 2, 2)
    assert [row[0] for row in pupils()] == sorted([UPN_1, UPN_2])


def test_a_school_leads_file_with_another_schools_rows_is_refused(schools, make_user):
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    run = upload(GOOD, lead, own)
    assert run.outcome is ImportOutcome.FAILED
    assert run.errors == [
        {
            "line": 4,
            "column": "school_urn",
            "value": "100002",
            "reason": "You can only import rows for your own school (100001)",
        }
    ]
    assert pupil_count() == 0


def test_a_school_lead_cannot_claim_a_pupil_on_roll_at_another_school(schools, make_user):
    own, other = schools
    upload(csv_text({**ROW_1, "school_urn": other.urn}), None)
    lead = make_user(Role.SCHOOL_LEAD, [own])
    run = upload(csv_text({**ROW_1, "school_urn": own.urn}), lead, own)
    assert run.outcome is ImportOutcome.FAILED
    assert (
        run.errors[0]["reason"] == "This pupil is on roll at another school: ask the local authority to record the move"
    )
    assert db.session.scalar(sa.select(Pupil.school_id).where(Pupil.upn == UPN_1)) == other.id


def test_the_local_authority_records_a_move_between_schools(schools):
    own, other = schools
    upload(csv_text({**ROW_1, "school_urn": other.urn}), None)
    run = upload(csv_text({**ROW_1, "school_urn": own.urn}), None)
    assert run.outcome is ImportOutcome.SUCCEEDED
    assert db.session.scalar(sa.select(Pupil.school_id).where(Pupil.upn == UPN_1)) == own.id


# The import log --------------------------------------------------------------------------------------------


def test_the_import_log_records_who_when_which_file_and_the_outcome(schools, make_user):
    admin = make_user(Role.ADMIN)
    good = upload(GOOD, admin)
    failed = upload(bad(sex="?"), admin)
    for run in (good, failed):
        assert run.user_id == admin.id and run.school_id is None and run.filename == "pupils.csv"
        assert run.started_at is not None and run.finished_at is not None
        assert run.started_at <= run.finished_at
    assert (good.outcome, good.rows_read, good.rows_changed, good.error_count, good.errors) == (
        ImportOutcome.SUCCEEDED,
        3,
        3,
        0,
        [],
    )
    assert (failed.outcome, failed.rows_read, failed.rows_changed, failed.error_count) == (
        ImportOutcome.FAILED,
        3,
        0,
        1,
    )
    assert failed.errors == [{"line": 2, "column": "sex", "value": "?", "reason": "Sex must be one of: F, M"}]
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "import_runs").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.entity_id, e.actor_id) for e in events] == [
        ("import.succeeded", good.id, admin.id),
        ("import.failed", failed.id, admin.id),
    ]


def test_rows_are_written_a_chunk_at_a_time_reading_only_their_stored_pupils(import_file, monkeypatch):
    """Memory does not grow with the file: every chunk loads the stored pupils of its own UPNs only."""
    monkeypatch.setattr(rows, "CHUNK", 2)
    written = []
    monkeypatch.setattr(
        pupil_import, "upsert_by_key", lambda *args: written.append(len(args[2])) or rows.upsert_by_key(*args)
    )
    import_file(GOOD)
    with selects_from("pupils") as selects:
        result = import_file(GOOD.replace("Amara", "Amarachi"))
    assert result.exit_code == 0, result.output
    assert written == [2, 1, 2, 1]
    assert selects and all(reads_by_key(statement) for statement in selects)
    assert pupils() == [(p[0], p[1], "Amarachi", *p[3:]) if p[0] == UPN_1 else p for p in EXPECTED]
