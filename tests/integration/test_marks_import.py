"""``flask --app wsgi import marks FILE``: marks into registers, all-or-nothing, and the year-to-date figures."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AttendanceRegister,
    EnrolmentAttendance,
    ImportKind,
    ImportOutcome,
    ImportRun,
    Pupil,
    PupilAttendance,
    Role,
    School,
)
from ewo_cases.services.attendance import registers
from ewo_cases.services.attendance.registers import register_start
from ewo_cases.services.imports import base, run_import
from tests.factories import valid_upn
from tests.unit.attendance import brute_force

TODAY = "2025-12-01"
YEAR_START = date(2025, 9, 1)
COLUMNS = ("upn", "school_urn", "date", "session", "code")
UPN_1, UPN_2, UPN_3 = valid_upn(92001), valid_upn(92002), valid_upn(92003)
URN_A, URN_B = "100001", "100002"

Row = tuple[str, str, str, str, str]


def csv_text(rows: list[Row], columns: tuple[str, ...] | list[str] = COLUMNS) -> str:
    """A marks.csv; ``columns`` may reorder (or rename) the columns, the values follow them."""
    order = [COLUMNS.index(column) if column in COLUMNS else 0 for column in columns]
    return ",".join(columns) + "\n" + "".join(",".join(row[i] for i in order) + "\n" for row in rows)


def school_days(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def day_rows(upn: str, urn: str, days: list[date], am: str, pm: str) -> list[Row]:
    return [
        row for day in days for row in ((upn, urn, day.isoformat(), "AM", am), (upn, urn, day.isoformat(), "PM", pm))
    ]


#: Pupil 1: two weeks at school A (present, then two N days and an illness day); pupil 2 at A with a holiday;
#: pupil 3 at school B with a two-character code, a not-possible code and a closure.
GOOD_ROWS: list[Row] = [
    *day_rows(UPN_1, URN_A, school_days(date(2025, 9, 1), 7), "/", "\\"),
    *day_rows(UPN_1, URN_A, school_days(date(2025, 9, 10), 2), "N", "N"),
    *day_rows(UPN_1, URN_A, [date(2025, 9, 12)], "I", "I"),
    *day_rows(UPN_2, URN_A, school_days(date(2025, 9, 1), 5), "G", "G"),
    *day_rows(UPN_2, URN_A, school_days(date(2025, 9, 8), 5), "L", "\\"),
    (UPN_3, URN_B, "2025-09-01", "AM", "C1"),
    (UPN_3, URN_B, "2025-09-01", "PM", "Y4"),
    (UPN_3, URN_B, "2025-09-02", "AM", "#"),
    (UPN_3, URN_B, "2025-09-02", "PM", "#"),
    (UPN_3, URN_B, "2025-09-03", "AM", "J1"),
    (UPN_3, URN_B, "2025-09-03", "PM", "U"),
]
GOOD = csv_text(GOOD_ROWS)


@pytest.fixture(autouse=True)
def _today(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TODAY", TODAY)


@pytest.fixture
def schools(make_school):
    return make_school(urn=URN_A), make_school(urn=URN_B)


@pytest.fixture
def pupils(schools, make_pupil):
    first, second = schools
    return make_pupil(first, UPN_1), make_pupil(first, UPN_2), make_pupil(second, UPN_3)


@pytest.fixture
def import_file(runner, tmp_path: Path, pupils):
    def run(content: str | bytes):
        path = tmp_path / "marks.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return runner.invoke(args=["import", "marks", str(path)])

    return run


def stored_marks() -> dict[tuple[str, str, int], list[tuple[date, int, str]]]:
    """Every stored register as its marks, by (upn, school urn, academic year); empty registers left out."""
    query = (
        sa.select(Pupil.upn, School.urn, AttendanceRegister.academic_year, AttendanceRegister.marks)
        .join(Pupil, Pupil.id == AttendanceRegister.pupil_id)
        .join(School, School.id == AttendanceRegister.school_id)
    )
    stored = {}
    for upn, urn, year, register in db.session.execute(query):
        assert len(register) == 54 * 14
        marks = brute_force.marks_from_register(register, register_start(year))
        if marks:
            stored[(upn, urn, year)] = sorted(marks)
    return stored


def expected_marks(rows: list[Row]) -> dict[tuple[str, str, int], list[tuple[date, int, str]]]:
    expected = defaultdict(list)
    for upn, urn, day, session, code in rows:
        when = date.fromisoformat(day)
        year = when.year if when.month >= 9 else when.year - 1
        expected[(upn, urn, year)].append((when, 0 if session == "AM" else 1, code))
    return {key: sorted(value) for key, value in expected.items()}


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AttendanceRegister, PupilAttendance, EnrolmentAttendance)
    )


def register_versions() -> dict[tuple[int, int, int], tuple]:
    db.session.expire_all()
    return {
        (r.pupil_id, r.school_id, r.academic_year): (r.id, r.updated_at, r.marks)
        for r in db.session.scalars(sa.select(AttendanceRegister))
    }


def last_run() -> ImportRun:
    return db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()


# Good files ---------------------------------------------------------------------------------------------


def test_a_good_file_is_stored_exactly(import_file):
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert f"Imported {len(GOOD_ROWS)} rows" in result.output
    assert f"{len(GOOD_ROWS)} added or changed" in result.output
    assert stored_marks() == expected_marks(GOOD_ROWS)
    run = last_run()
    assert (run.kind, run.outcome, run.rows_read, run.rows_changed, run.error_count, run.errors) == (
        ImportKind.MARKS,
        ImportOutcome.SUCCEEDED,
        len(GOOD_ROWS),
        len(GOOD_ROWS),
        0,
        [],
    )
    # From the command line: no user, the file's own name, finished after it started.
    assert (run.user_id, run.school_id, run.filename) == (None, None, "marks.csv")
    assert run.started_at <= run.finished_at


def test_windows_line_endings_are_read(import_file):
    result = import_file(GOOD.replace("\n", "\r\n"))
    assert result.exit_code == 0, result.output
    assert stored_marks() == expected_marks(GOOD_ROWS)


def test_columns_in_any_order_with_a_bom(import_file):
    columns = ("code", "session", "date", "school_urn", "upn")
    result = import_file(("\ufeff" + csv_text(GOOD_ROWS, columns)).encode())
    assert result.exit_code == 0, result.output
    assert stored_marks() == expected_marks(GOOD_ROWS)


def test_marks_in_two_academic_years_go_to_two_registers(import_file):
    rows = [
        (UPN_1, URN_A, "2025-07-18", "AM", "/"),
        (UPN_1, URN_A, "2025-08-31", "PM", "#"),  # a Sunday, the last day of 2024/25
        (UPN_1, URN_A, "2025-09-01", "AM", "N"),
        (UPN_1, URN_A, "2026-07-17", "PM", "#"),  # planned closures may be entered ahead
    ]
    result = import_file(csv_text(rows))
    assert result.exit_code == 0, result.output
    assert stored_marks() == expected_marks(rows)
    assert set(stored_marks()) == {(UPN_1, URN_A, 2024), (UPN_1, URN_A, 2025)}


def test_reimporting_the_same_file_changes_nothing(import_file):
    import_file(GOOD)
    before = register_versions()
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert "0 added or changed" in result.output
    assert (last_run().rows_read, last_run().rows_changed) == (len(GOOD_ROWS), 0)
    assert register_versions() == before


def test_a_recoded_mark_replaces_the_stored_one_and_others_are_kept(import_file):
    import_file(GOOD)
    before = register_versions()
    recoded = [(UPN_1, URN_A, "2025-09-10", "AM", "I"), (UPN_1, URN_A, "2025-09-10", "PM", "N")]
    result = import_file(csv_text(recoded))
    assert result.exit_code == 0, result.output
    assert "Imported 2 rows" in result.output and "1 added or changed" in result.output
    expected = expected_marks(GOOD_ROWS)
    expected[(UPN_1, URN_A, 2025)] = sorted(
        (day, session, "I" if (day, session) == (date(2025, 9, 10), 0) else code)
        for day, session, code in expected[(UPN_1, URN_A, 2025)]
    )
    assert stored_marks() == expected
    after = register_versions()
    pupil_1 = db.session.scalar(sa.select(Pupil.id).where(Pupil.upn == UPN_1))
    changed = [key for key in after if after[key] != before[key]]
    assert [key[0] for key in changed] == [pupil_1]
    figures = db.session.get(PupilAttendance, pupil_1)
    assert (figures.unauthorised, figures.authorised, figures.illness) == (3, 3, 3)


def test_after_an_import_the_year_to_date_figures_are_stored(import_file):
    future = [(UPN_1, URN_A, "2025-12-02", "AM", "N"), (UPN_1, URN_A, "2026-01-05", "AM", "G")]
    result = import_file(csv_text(GOOD_ROWS + future))
    assert result.exit_code == 0, result.output
    assert counts() == (3, 3, 3)
    ids = dict(db.session.execute(sa.select(Pupil.upn, Pupil.id)).all())
    for upn in (UPN_1, UPN_2, UPN_3):
        marks = [mark for key, marks in expected_marks(GOOD_ROWS).items() if key[0] == upn for mark in marks]
        check_figures(db.session.get(PupilAttendance, ids[upn]), brute_force.figures(marks))
    figures = db.session.get(PupilAttendance, ids[UPN_1])
    assert (figures.possible, figures.attending, figures.unauthorised, figures.illness) == (20, 14, 4, 2)
    assert (figures.range_start, figures.range_end) == (YEAR_START, date(2025, 12, 1))
    assert db.session.get(PupilAttendance, ids[UPN_2]).band.value == "severe"


def check_figures(stored, expected: brute_force.Figures) -> None:
    assert stored is not None
    assert {
        "possible": stored.possible,
        "attending": stored.attending,
        "authorised": stored.authorised,
        "unauthorised": stored.unauthorised,
        "illness": stored.illness,
        "attendance_pct": stored.attendance_pct,
        "band": stored.band.value,
        "unauth_10wk_max": stored.unauth_10wk_max,
        "unauth_10wk_latest": stored.unauth_10wk_latest,
        "penalty_threshold_met": stored.penalty_threshold_met,
        "longest_unauth_days": stored.longest_unauth_days,
        "last_school_week": stored.last_school_week,
        "sessions_until_below_90": stored.sessions_until_below_90,
        "projected_below_90": stored.projected_below_90,
    } == {
        "possible": expected.possible,
        "attending": expected.attending,
        "authorised": expected.authorised,
        "unauthorised": expected.unauthorised,
        "illness": expected.illness,
        "attendance_pct": expected.attendance_pct,
        "band": expected.band,
        "unauth_10wk_max": expected.unauth_10wk_max,
        "unauth_10wk_latest": expected.unauth_10wk_latest,
        "penalty_threshold_met": expected.penalty_threshold_met,
        "longest_unauth_days": expected.longest_unauth_days,
        "last_school_week": expected.last_school_week_start,
        "sessions_until_below_90": brute_force.sessions_until_below(expected),
        "projected_below_90": brute_force.projected_below_90(expected),
    }


def test_a_pupil_marked_at_two_schools_has_one_pupil_row_and_two_enrolment_rows(import_file, schools):
    at_a = day_rows(UPN_1, URN_A, school_days(date(2025, 9, 1), 5), "/", "N")
    at_b = day_rows(UPN_1, URN_B, school_days(date(2025, 9, 8), 5), "/", "\\")
    result = import_file(csv_text(at_a + at_b))
    assert result.exit_code == 0, result.output
    pupil_id = db.session.scalar(sa.select(Pupil.id).where(Pupil.upn == UPN_1))
    assert db.session.scalar(sa.select(sa.func.count()).where(PupilAttendance.pupil_id == pupil_id)) == 1
    enrolments = db.session.scalars(
        sa.select(EnrolmentAttendance).where(EnrolmentAttendance.pupil_id == pupil_id)
    ).all()
    by_school = {e.school_id: e for e in enrolments}
    school_a, school_b = schools
    assert set(by_school) == {school_a.id, school_b.id}
    check_figures(by_school[school_a.id], brute_force.figures(expected_marks(at_a)[(UPN_1, URN_A, 2025)]))
    check_figures(by_school[school_b.id], brute_force.figures(expected_marks(at_b)[(UPN_1, URN_B, 2025)]))
    whole = db.session.get(PupilAttendance, pupil_id)
    check_figures(
        whole,
        brute_force.figures(
            expected_marks(at_a + at_b)[(UPN_1, URN_A, 2025)] + expected_marks(at_b)[(UPN_1, URN_B, 2025)]
        ),
    )
    assert (whole.possible, whole.attending, whole.unauthorised) == (20, 15, 5)


def test_a_later_import_of_the_same_session_at_the_other_school_moves_the_mark(import_file):
    import_file(csv_text([(UPN_1, URN_A, "2025-09-02", "AM", "N"), (UPN_1, URN_A, "2025-09-02", "PM", "N")]))
    result = import_file(csv_text([(UPN_1, URN_B, "2025-09-02", "AM", "/")]))
    assert result.exit_code == 0, result.output
    assert "1 added or changed" in result.output
    assert stored_marks() == {
        (UPN_1, URN_A, 2025): [(date(2025, 9, 2), 1, "N")],
        (UPN_1, URN_B, 2025): [(date(2025, 9, 2), 0, "/")],
    }
    pupil_id = db.session.scalar(sa.select(Pupil.id).where(Pupil.upn == UPN_1))
    figures = db.session.get(PupilAttendance, pupil_id)
    assert (figures.possible, figures.attending, figures.unauthorised) == (2, 1, 1)


def test_a_file_marking_both_schools_still_moves_a_session_to_the_school_that_now_marks_it(import_file):
    import_file(csv_text([(UPN_1, URN_A, "2025-09-02", "AM", "N"), (UPN_1, URN_A, "2025-09-02", "PM", "N")]))
    result = import_file(csv_text([(UPN_1, URN_B, "2025-09-02", "AM", "/"), (UPN_1, URN_A, "2025-09-03", "AM", "/")]))
    assert result.exit_code == 0, result.output
    assert stored_marks() == {
        (UPN_1, URN_A, 2025): [(date(2025, 9, 2), 1, "N"), (date(2025, 9, 3), 0, "/")],
        (UPN_1, URN_B, 2025): [(date(2025, 9, 2), 0, "/")],
    }, "a session has one mark"
    assert last_run().rows_changed == 2
    import_file(csv_text([(UPN_1, URN_B, "2025-09-02", "AM", "/"), (UPN_1, URN_A, "2025-09-03", "AM", "/")]))
    assert last_run().rows_changed == 0
    pupil_id = db.session.scalar(sa.select(Pupil.id).where(Pupil.upn == UPN_1))
    assert db.session.get(PupilAttendance, pupil_id).possible == 3


def test_every_code_of_the_2024_table_is_accepted_and_stored(import_file):
    codes = [
        code
        for group in (brute_force.ATTENDING, brute_force.AUTHORISED, brute_force.UNAUTHORISED, brute_force.NOT_POSSIBLE)
        for code in sorted(group)
    ]
    days = school_days(date(2025, 9, 1), len(codes))
    rows = [(UPN_1, URN_A, day.isoformat(), "AM", code) for day, code in zip(days, codes, strict=True)]
    result = import_file(csv_text(rows))
    assert result.exit_code == 0, result.output
    assert stored_marks() == expected_marks(rows)


# Bad files ----------------------------------------------------------------------------------------------

HEADER = ",".join(COLUMNS)
BAD_CHECK_LETTER = ("A" if UPN_1[0] != "A" else "B") + UPN_1[1:]
UNKNOWN_UPN = valid_upn(92999)
FIRST = GOOD_ROWS[0]


def bad(**changes: str) -> str:
    """GOOD with a changed copy of its first row added on line 2 (the other rows follow)."""
    changed = tuple(changes.get(column, FIRST[index]) for index, column in enumerate(COLUMNS))
    changed = (*changed[:2], changes.get("date", "2025-09-22"), *changed[3:])
    return csv_text([changed, *GOOD_ROWS])


CODE_REASON = "Not an attendance code in use since August 2024"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("", ["line 1: The file is empty"], id="empty file"),
        pytest.param(HEADER + "\n", ["line 2: The file has a header row but no data rows"], id="header only"),
        pytest.param(HEADER + "\n\n\n", ["line 2: The file has a header row but no data rows"], id="blank rows"),
        pytest.param("\ufeff".encode(), ["line 1: The file is empty"], id="only a BOM"),
        pytest.param(bytes(range(256)) * 4, ["line 2: The file is not UTF-8"], id="binary junk"),  # 0x80 on line 2
        pytest.param(
            (csv_text(GOOD_ROWS) + "Zoë,100001,2025-09-01,AM,/\n").encode("cp1252"),
            [f"line {len(GOOD_ROWS) + 2}: The file is not UTF-8 text. Save or export it as CSV UTF-8"],
            id="wrong encoding",
        ),
        pytest.param(
            csv_text(GOOD_ROWS, ("upn", "school_urn", "date", "session", "mark")),
            ["line 1, column mark: 'mark' Unknown column", "line 1, column code: Required column is missing"],
            id="wrong column",
        ),
        pytest.param(
            "upn,school_urn,date,code\n" + f"{UPN_1},{URN_A},2025-09-01,/\n",
            ["line 1, column session: Required column is missing"],
            id="missing column",
        ),
        pytest.param(
            csv_text(GOOD_ROWS, (*COLUMNS, "minutes_late")),
            [
                "line 1, column minutes_late: 'minutes_late' Unknown column. The columns of this file are: "
                "upn, school_urn, date, session, code"
            ],
            id="extra column",
        ),
        pytest.param(
            csv_text(GOOD_ROWS, (*COLUMNS, "code")),
            ["line 1, column code: 'code' Column appears more than once"],
            id="duplicate column",
        ),
        pytest.param(
            csv_text(GOOD_ROWS) + f"{UPN_1},{URN_A},2025-09-29,AM\n",
            [f"line {len(GOOD_ROWS) + 2}: Expected 5 values, found 4"],
            id="short row",
        ),
        pytest.param(
            csv_text(GOOD_ROWS) + f"{UPN_1},{URN_A},2025-09-29,AM,/,late\n",
            [f"line {len(GOOD_ROWS) + 2}: Expected 5 values, found 6"],
            id="long row",
        ),
        *(
            pytest.param(bad(code=code), [f"line 2, column code: '{code}' {CODE_REASON}"], id=f"code {code}")
            for code in ("H", "J", "Y", "F", "n", "c1", "C3", "Y8", "//", "0")
        ),
        pytest.param(bad(code=""), [f"line 2, column code: {CODE_REASON}"], id="no code"),
        pytest.param(
            bad(upn=BAD_CHECK_LETTER),
            [f"line 2, column upn: '{BAD_CHECK_LETTER}' UPN check letter does not match the rest of the number"],
            id="bad check letter",
        ),
        pytest.param(
            bad(upn=UNKNOWN_UPN),
            [f"line 2, column upn: '{UNKNOWN_UPN}' No pupil has this UPN: import pupils.csv first"],
            id="unknown pupil",
        ),
        pytest.param(
            bad(school_urn="999999"),
            ["line 2, column school_urn: '999999' No school has this URN: import schools.csv first"],
            id="unknown school",
        ),
        pytest.param(
            bad(date="2026-02-30"), ["line 2, column date: '2026-02-30' Date does not exist"], id="impossible date"
        ),
        pytest.param(
            bad(date="30/09/2025"),
            ["line 2, column date: '30/09/2025' Date must be written YYYY-MM-DD"],
            id="badly written date",
        ),
        pytest.param(
            bad(date="2025-9-30"), ["line 2, column date: '2025-9-30' Date must be written YYYY-MM-DD"], id="short"
        ),
        pytest.param(
            bad(date="1999-09-30"),
            ["line 2, column date: '1999-09-30' Date must be between 2000-09-01 and a year from today"],
            id="too early",
        ),
        pytest.param(
            bad(date="2026-12-03"),
            ["line 2, column date: '2026-12-03' Date must be between 2000-09-01 and a year from today"],
            id="too late",
        ),
        pytest.param(bad(session="am"), ["line 2, column session: 'am' Session must be AM or PM"], id="session am"),
        pytest.param(bad(session="XX"), ["line 2, column session: 'XX' Session must be AM or PM"], id="session XX"),
        pytest.param(
            csv_text([*GOOD_ROWS, GOOD_ROWS[3]]),
            [
                f"line {len(GOOD_ROWS) + 2}, column session: '2025-09-02 PM' "
                "This pupil already has a mark for this session earlier in the file"
            ],
            id="duplicate key",
        ),
        pytest.param(
            csv_text([*GOOD_ROWS, (UPN_1, URN_B, *GOOD_ROWS[3][2:4], "/")]),
            [f"line {len(GOOD_ROWS) + 2}, column session: '2025-09-02 PM' This pupil already has a mark"],
            id="duplicate key at two schools",
        ),
        pytest.param(
            csv_text([(UPN_3, URN_A, "2025-09-01", "AM", "/"), *GOOD_ROWS]),
            [f"line {GOOD_ROWS.index((UPN_3, URN_B, '2025-09-01', 'AM', 'C1')) + 3}, column session: '2025-09-01 AM'"],
            id="duplicate key at two schools, other file order",
        ),
        pytest.param(
            bad(upn=BAD_CHECK_LETTER, school_urn="12345", date="2025-02-29", session="", code="h"),
            [
                "line 2, column upn:",
                "line 2, column school_urn: '12345'",
                "line 2, column date: '2025-02-29' Date does not exist",
                "line 2, column session: Session must be AM or PM",
                "line 2, column code: 'h'",
            ],
            id="every bad value of a row",
        ),
    ],
)
def test_a_bad_file_is_refused_with_line_numbered_errors_and_nothing_is_written(import_file, content, expected):
    result = import_file(content)
    assert result.exit_code == 1, result.output
    assert "Nothing was imported" in result.output
    for message in expected:
        assert message in result.output
    assert counts() == (0, 0, 0)
    run = last_run()
    assert run.outcome is ImportOutcome.FAILED and run.rows_changed == 0 and run.error_count == len(expected)


def test_a_bad_file_leaves_the_stored_registers_and_figures_exactly_as_they_were(import_file):
    import_file(GOOD)
    before = register_versions()
    figures = [(f.pupil_id, f.possible, f.computed_at) for f in db.session.scalars(sa.select(PupilAttendance))]
    rows = [
        (UPN_1, URN_A, "2025-09-01", "AM", "N"),
        (UPN_2, URN_B, "2025-09-29", "AM", "/"),
        (UPN_2, URN_A, "2025-09-29", "PM", "H"),
    ]
    result = import_file(csv_text(rows))
    assert result.exit_code == 1 and f"line 4, column code: 'H' {CODE_REASON}" in result.output
    assert register_versions() == before
    db.session.expire_all()
    assert [(f.pupil_id, f.possible, f.computed_at) for f in db.session.scalars(sa.select(PupilAttendance))] == figures


LARGE_DAYS = school_days(date(2024, 9, 2), 325)


def large_file(upns: list[str]) -> str:
    """Every weekday session from September 2024 to November 2025 for each pupil (650 rows of about 37 bytes)."""
    rows = (f"{upn},{URN_A},{day},AM,/\n{upn},{URN_A},{day},PM,N\n" for upn in upns for day in LARGE_DAYS)
    return HEADER + "\n" + "".join(rows)


@pytest.mark.parametrize(
    ("last_row", "expected"),
    [
        pytest.param(b"{upn},100002,2025-11-28,PM,J\n", "column code: 'J' " + CODE_REASON, id="retired code"),
        pytest.param(b"{upn},100002,2025-11-28,PM,/\n", "column session: '2025-11-28 PM' This pupil", id="dup"),
        pytest.param("{upn},100002,2025-11-28,PM,caf\u00e9\n".encode("cp1252"), "The file is not UTF-8", id="cp1252"),
    ],
)
def test_an_error_in_the_last_row_of_a_large_file_keeps_out_every_earlier_row(
    import_file, make_pupil, schools, last_row, expected
):
    """More than one read buffer, two academic years, many registers, then one bad row."""
    upns = [make_pupil(schools[0], valid_upn(95000 + n)).upn for n in range(50)]
    content = large_file(upns)
    assert len(content) > 1 << 20
    result = import_file(content.encode() + last_row.replace(b"{upn}", upns[-1].encode()))
    assert result.exit_code == 1, result.output
    assert f"line {2 + 2 * len(upns) * len(LARGE_DAYS)}" in result.output and expected in result.output
    assert last_run().error_count == 1
    assert counts() == (0, 0, 0)


def test_a_large_good_file_is_stored_whole(import_file, make_pupil, schools):
    upns = [make_pupil(schools[0], valid_upn(96000 + n)).upn for n in range(50)]
    result = import_file(large_file(upns))
    assert result.exit_code == 0, result.output
    rows = 2 * len(upns) * len(LARGE_DAYS)
    assert (last_run().rows_read, last_run().rows_changed) == (rows, rows)
    assert counts() == (2 * len(upns), len(upns), len(upns))
    marks = stored_marks()
    assert sum(len(register) for register in marks.values()) == rows
    assert marks[(upns[7], URN_A, 2025)][-1] == (LARGE_DAYS[-1], 1, "N")


# A school lead's upload -------------------------------------------------------------------------------


def upload(content: str, actor, school=None) -> ImportRun:
    return run_import(ImportKind.MARKS, io.BytesIO(content.encode()), filename="marks.csv", actor=actor, school=school)


def test_a_school_lead_imports_their_own_schools_marks(schools, pupils, make_user):
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    rows = [row for row in GOOD_ROWS if row[1] == URN_A]
    run = upload(csv_text(rows), lead, own)
    assert run.outcome is ImportOutcome.SUCCEEDED, run.errors
    assert (run.user_id, run.school_id, run.rows_read, run.rows_changed) == (lead.id, own.id, len(rows), len(rows))
    assert stored_marks() == expected_marks(rows)


def test_a_school_leads_file_with_another_schools_rows_is_refused(schools, pupils, make_user):
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    run = upload(GOOD, lead, own)
    assert run.outcome is ImportOutcome.FAILED
    other_lines = [line for line, row in enumerate(GOOD_ROWS, start=2) if row[1] == URN_B]
    # The other school's pupil is not on this school's roll either.
    assert run.errors == [
        error
        for line in other_lines
        for error in (
            {
                "line": line,
                "column": "upn",
                "value": UPN_3,
                "reason": f"No pupil with this UPN is on roll at your school ({URN_A})",
            },
            {
                "line": line,
                "column": "school_urn",
                "value": URN_B,
                "reason": f"You can only import marks for your own school ({URN_A})",
            },
        )
    ]
    assert counts() == (0, 0, 0)


def test_a_upn_written_in_lower_case_is_the_same_pupil(import_file):
    result = import_file(csv_text([(UPN_1.lower(), URN_A, "2025-09-01", "AM", "/")]))
    assert result.exit_code == 0, result.output
    assert stored_marks() == expected_marks([(UPN_1, URN_A, "2025-09-01", "AM", "/")])


@pytest.fixture
def lead_upload(schools, make_user):
    """Upload rows as school A's lead."""
    own, _other = schools
    lead = make_user(Role.SCHOOL_LEAD, [own])
    return lambda rows: upload(csv_text(rows), lead, own)


def refused_on_line_3(run: ImportRun, column: str, value: str, reason: str) -> None:
    assert run.outcome is ImportOutcome.FAILED
    assert run.errors == [{"line": 3, "column": column, "value": value, "reason": reason}]


def test_a_school_lead_cannot_mark_another_schools_pupil_under_their_own_urn(pupils, lead_upload):
    admin_rows = [(UPN_3, URN_B, "2025-09-01", "AM", "/"), (UPN_3, URN_B, "2025-09-01", "PM", "\\")]
    assert upload(csv_text(admin_rows), None).outcome is ImportOutcome.SUCCEEDED
    before = register_versions()
    run = lead_upload([(UPN_1, URN_A, "2025-09-01", "AM", "/"), (UPN_3, URN_A, "2025-09-01", "AM", "N")])
    refused_on_line_3(run, "upn", UPN_3, f"No pupil with this UPN is on roll at your school ({URN_A})")
    assert register_versions() == before
    assert stored_marks() == expected_marks(admin_rows)


@pytest.fixture
def mover(pupils, schools):
    """Pupil 3 has moved from school B to school A, whose lead imports; B marked their first week of September."""
    own, _other = schools
    moved = pupils[2]
    earlier = day_rows(UPN_3, URN_B, school_days(date(2025, 9, 1), 5), "/", "N")
    assert upload(csv_text(earlier), None).outcome is ImportOutcome.SUCCEEDED
    moved.school_id = own.id
    db.session.flush()
    return earlier


def test_a_school_leads_file_never_overwrites_a_session_another_school_marked(mover, lead_upload):
    before = register_versions()
    run = lead_upload([(UPN_3, URN_A, "2025-09-08", "AM", "/"), (UPN_3, URN_A, "2025-09-05", "PM", "/")])
    refused_on_line_3(
        run,
        "session",
        "2025-09-05 PM",
        "Another school has already recorded a mark for this pupil for this session: "
        "ask the local authority to correct the other school's register",
    )
    assert register_versions() == before


def test_a_school_leads_marks_for_a_pupil_who_joined_keep_the_other_schools_sessions(mover, lead_upload):
    later = day_rows(UPN_3, URN_A, school_days(date(2025, 9, 8), 5), "/", "\\")
    run = lead_upload(later)
    assert run.outcome is ImportOutcome.SUCCEEDED, run.errors
    assert stored_marks() == expected_marks(mover + later)
    pupil_id = db.session.scalar(sa.select(Pupil.id).where(Pupil.upn == UPN_3))
    assert db.session.get(PupilAttendance, pupil_id).possible == 20


def test_values_with_spaces_are_trimmed_in_every_column(import_file):
    result = import_file(HEADER + f"\n {UPN_1} , {URN_A} , 2025-09-01 , AM , N \n{UPN_1},{URN_A},2025-09-01,PM,/\n")
    assert result.exit_code == 0, result.output
    expected = [(UPN_1, URN_A, "2025-09-01", "AM", "N"), (UPN_1, URN_A, "2025-09-01", "PM", "/")]
    assert stored_marks() == expected_marks(expected)


def test_quoted_values_are_read_as_csv(import_file):
    result = import_file(HEADER + f'\n"{UPN_1}",{URN_A},"2025-09-01",AM,"\\"\n\n{UPN_1},{URN_A},2025-09-02,AM,/\n')
    assert result.exit_code == 0, result.output
    assert last_run().rows_read == 2
    expected = [(UPN_1, URN_A, "2025-09-01", "AM", "\\"), (UPN_1, URN_A, "2025-09-02", "AM", "/")]
    assert stored_marks() == expected_marks(expected)


def test_31_august_2020_is_stored_in_2019_20s_register(import_file):
    """2019/20 began on Monday 26 August 2019 and held 29 February, so 31 August 2020 was its 372nd day."""
    rows = [
        (UPN_1, URN_A, "2019-08-26", "AM", "#"),
        (UPN_1, URN_A, "2020-08-31", "AM", "#"),
        (UPN_1, URN_A, "2020-08-31", "PM", "X"),
    ]
    result = import_file(csv_text(rows))
    assert result.exit_code == 0, result.output
    assert stored_marks() == expected_marks(rows)
    assert set(stored_marks()) == {(UPN_1, URN_A, 2018), (UPN_1, URN_A, 2019)}


def test_a_date_a_register_cannot_hold_is_a_row_error_not_a_crash(import_file, monkeypatch):
    monkeypatch.setattr(registers, "LENGTH", 53 * 14)
    result = import_file(csv_text([(UPN_1, URN_A, "2020-08-30", "PM", "#"), (UPN_1, URN_A, "2020-08-31", "AM", "#")]))
    assert result.exit_code == 1, result.output
    assert "line 3, column date: '2020-08-31'" in result.output
    assert last_run().outcome is ImportOutcome.FAILED and last_run().error_count == 1
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("line_ending", ["\n", "\r\n"])
@pytest.mark.parametrize("block", [1, 2, 7, 64])
def test_lines_split_across_read_blocks_are_read_whole(import_file, monkeypatch, line_ending, block):
    """The loop reads large blocks and splits them itself; a line (or a CR LF) cut by a block edge is one line."""
    monkeypatch.setattr(base, "LINE_BATCH_CHARACTERS", block)
    bad_last = f"{UPN_1},{URN_A},2025-09-30,AM,H"
    result = import_file((GOOD + bad_last).replace("\n", line_ending))
    assert f"line {len(GOOD_ROWS) + 2}, column code: 'H'" in result.output, "counted lines, without a final newline"
    assert last_run().error_count == 1
    result = import_file(GOOD.replace("\n", line_ending))
    assert result.exit_code == 0, result.output
    assert stored_marks() == expected_marks(GOOD_ROWS)
