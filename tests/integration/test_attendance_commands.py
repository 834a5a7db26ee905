"""``flask --app wsgi attendance summary|cohorts|refresh`` on marks imported through the real CSV import,
checked against the brute-force calculator in ``tests/unit/attendance/brute_force.py``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ewo_cases.extensions import db
from ewo_cases.models import AttendanceRegister, EnrolmentAttendance, Pupil, PupilAttendance, SenStatus
from tests.factories import valid_upn
from tests.unit.attendance import brute_force

TODAY = "2025-12-01"
SUMMARY_HEADER = (
    "upn,possible,attending,authorised,unauthorised,illness,attendance_pct,band,unauth_10wk_max,"
    "unauth_10wk_latest,penalty_threshold_met,longest_unauth_days"
)
COHORT_HEADER = (
    "dimension,group,pupils,possible,absence_sessions,overall_absence_pct,unauthorised_pct,persistent_pupils,"
    "persistent_pct,severe_pupils,severe_pct"
)
DIMENSIONS = [
    "pupil_premium",
    "sen_status",
    "looked_after",
    "previously_looked_after",
    "child_protection",
    "child_in_need",
    "sex",
    "year_group",
    "ethnicity",
]
URN_A, URN_B = "100001", "100002"
INT_COLUMNS = ("possible", "attending", "authorised", "unauthorised", "illness")
ALL_CODES = sorted(brute_force.ATTENDING | brute_force.AUTHORISED | brute_force.UNAUTHORISED | brute_force.NOT_POSSIBLE)

Mark = tuple[str, str, date, str, str]  # upn, school urn, date, session, code


@pytest.fixture(autouse=True)
def _today(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TODAY", TODAY)


@pytest.fixture
def schools(make_school):
    return make_school(urn=URN_A), make_school(urn=URN_B)


@pytest.fixture
def import_marks(runner, tmp_path: Path):
    """Import marks through ``flask import marks``, as a school's MIS export would arrive."""

    def run(marks: list[Mark]) -> None:
        path = tmp_path / "marks.csv"
        with path.open("w", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(["upn", "school_urn", "date", "session", "code"])
            writer.writerows((upn, urn, day.isoformat(), session, code) for upn, urn, day, session, code in marks)
        result = runner.invoke(args=["import", "marks", str(path)])
        assert result.exit_code == 0, result.output

    return run


@pytest.fixture
def command(runner):
    """Run an ``attendance`` command; return its standard output (the error stream is kept apart)."""

    def run(*args: str) -> str:
        result = runner.invoke(args=["attendance", *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def school_days(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def days_of(upn: str, urn: str, days: list[date], am: str, pm: str) -> list[Mark]:
    return [mark for day in days for mark in ((upn, urn, day, "AM", am), (upn, urn, day, "PM", pm))]


def parse_csv(output: str) -> tuple[str, list[dict[str, str]]]:
    lines = output.splitlines()
    return lines[0], list(csv.DictReader(io.StringIO(output)))


def expected_summary(marks: list[Mark], start: date, end: date, urn: str | None = None) -> list[dict[str, object]]:
    """The summary rows the contract defines, from the brute-force calculator."""
    by_pupil: dict[str, list[tuple[date, int, str]]] = {}
    for upn, school, day, session, code in marks:
        if start <= day <= end and urn in (None, school):
            by_pupil.setdefault(upn, []).append((day, 0 if session == "AM" else 1, code))
    rows = []
    for upn in sorted(by_pupil):
        figures = brute_force.figures(by_pupil[upn])
        rows.append(
            {
                "upn": upn,
                **{name: getattr(figures, name) for name in INT_COLUMNS},
                "attendance_pct": figures.attendance_pct,
                "band": figures.band,
                "unauth_10wk_max": figures.unauth_10wk_max,
                "unauth_10wk_latest": figures.unauth_10wk_latest,
                "penalty_threshold_met": figures.penalty_threshold_met,
                "longest_unauth_days": figures.longest_unauth_days,
            }
        )
    return rows


def typed_summary(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    """CSV cells as the values they stand for; anything unexpected fails the comparison."""
    typed = []
    for row in rows:
        assert row["penalty_threshold_met"] in ("true", "false")
        typed.append(
            {
                **row,
                **{name: int(row[name]) for name in (*INT_COLUMNS, "unauth_10wk_max", "unauth_10wk_latest")},
                "longest_unauth_days": int(row["longest_unauth_days"]),
                "attendance_pct": float(row["attendance_pct"]) if row["attendance_pct"] else None,
                "penalty_threshold_met": row["penalty_threshold_met"] == "true",
            }
        )
    return typed


def group_of(pupil: Pupil, dimension: str) -> str:
    """A pupil's group as ``pupils.csv`` writes it."""
    value = getattr(pupil, dimension)
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, SenStatus):
        return value.value
    return value or ""


def expected_cohorts(marks: list[Mark], start: date, end: date, urn: str | None = None) -> list[dict[str, object]]:
    pupils = {p.upn: p for p in db.session.scalars(sa.select(Pupil))}
    by_pupil: dict[str, list[tuple[date, int, str]]] = {}
    for upn, school, day, session, code in marks:
        if start <= day <= end and urn in (None, school):
            by_pupil.setdefault(upn, []).append((day, 0 if session == "AM" else 1, code))
    return brute_force.cohort_rows(
        [
            (brute_force.figures(pupil_marks), {d: group_of(pupils[upn], d) for d in DIMENSIONS})
            for upn, pupil_marks in sorted(by_pupil.items())
        ],
        DIMENSIONS,
    )


def typed_cohorts(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    pct = ("overall_absence_pct", "unauthorised_pct", "persistent_pct", "severe_pct")
    counts = ("pupils", "possible", "absence_sessions", "persistent_pupils", "severe_pupils")
    return [
        {
            **row,
            **{name: int(row[name]) for name in counts},
            **{name: float(row[name]) if row[name] else None for name in pct},
        }
        for row in rows
    ]


# attendance summary --------------------------------------------------------------------------------------


@pytest.fixture
def three_pupils(schools, make_pupil):
    """Created in an order that is not UPN order: the summary must sort."""
    first, second = schools
    upns = sorted([valid_upn(93001), valid_upn(93002), valid_upn(93003)], reverse=True)
    return [make_pupil(first, upns[0]), make_pupil(first, upns[1]), make_pupil(second, upns[2])]


def test_summary_writes_the_contract_columns_one_row_per_pupil_sorted_by_upn(three_pupils, import_marks, command):
    truant, closed, ill = (pupil.upn for pupil in three_pupils)
    marks = [
        *days_of(truant, URN_A, school_days(date(2025, 9, 1), 5), "/", "\\"),
        *days_of(truant, URN_A, school_days(date(2025, 9, 8), 5), "N", "N"),
        *days_of(closed, URN_A, school_days(date(2025, 9, 1), 3), "#", "#"),
        *days_of(closed, URN_A, school_days(date(2025, 9, 4), 2), "X", "X"),
        *days_of(ill, URN_B, school_days(date(2025, 9, 1), 5), "I", "L"),
    ]
    import_marks(marks)
    output = command("summary")
    header, rows = parse_csv(output)
    assert header == SUMMARY_HEADER
    assert output.splitlines()[0] == SUMMARY_HEADER and "\r" not in output
    assert [row["upn"] for row in rows] == sorted([truant, closed, ill])
    assert typed_summary(rows) == expected_summary(marks, date(2025, 9, 1), date(2025, 12, 1))
    by_upn = {row["upn"]: row for row in rows}
    assert by_upn[truant] == {
        "upn": truant,
        "possible": "20",
        "attending": "10",
        "authorised": "0",
        "unauthorised": "10",
        "illness": "0",
        "attendance_pct": "50.0",
        "band": "severe",
        "unauth_10wk_max": "10",
        "unauth_10wk_latest": "10",
        "penalty_threshold_met": "true",
        "longest_unauth_days": "5",
    }
    assert by_upn[closed] == {
        "upn": closed,
        **dict.fromkeys(INT_COLUMNS, "0"),
        "attendance_pct": "",
        "band": "none",
        "unauth_10wk_max": "0",
        "unauth_10wk_latest": "0",
        "penalty_threshold_met": "false",
        "longest_unauth_days": "0",
    }
    assert (by_upn[ill]["illness"], by_upn[ill]["attendance_pct"], by_upn[ill]["penalty_threshold_met"]) == (
        "5",
        "50.0",
        "false",
    )


def test_summary_leaves_out_pupils_without_marks_in_the_range(three_pupils, import_marks, command):
    early, late, _none = (pupil.upn for pupil in three_pupils)
    import_marks(
        [
            (early, URN_A, date(2025, 7, 18), "AM", "N"),  # last year
            (late, URN_A, date(2025, 9, 10), "AM", "/"),
            (early, URN_A, date(2025, 12, 2), "AM", "N"),  # after today
        ]
    )
    _header, rows = parse_csv(command("summary"))
    assert [row["upn"] for row in rows] == [late]
    _header, rows = parse_csv(command("summary", "--from", "2025-07-01", "--to", "2025-12-31"))
    assert [row["upn"] for row in rows] == sorted([early, late])
    assert {row["upn"]: row["unauthorised"] for row in rows}[early] == "2"


def test_summary_range_boundaries_are_inclusive(three_pupils, import_marks, command):
    upn = three_pupils[0].upn
    marks = [
        (upn, URN_A, date(2025, 9, 26), "PM", "O"),  # the day before --from
        (upn, URN_A, date(2025, 9, 29), "AM", "N"),  # --from
        (upn, URN_A, date(2025, 9, 29), "PM", "/"),
        (upn, URN_A, date(2025, 10, 1), "AM", "I"),
        (upn, URN_A, date(2025, 10, 3), "AM", "/"),
        (upn, URN_A, date(2025, 10, 3), "PM", "G"),  # --to
        (upn, URN_A, date(2025, 10, 6), "AM", "U"),  # the day after --to
    ]
    import_marks(marks)
    _header, rows = parse_csv(command("summary", "--from", "2025-09-29", "--to", "2025-10-03"))
    assert [(r["possible"], r["attending"], r["authorised"], r["unauthorised"]) for r in rows] == [("5", "2", "1", "2")]
    assert typed_summary(rows) == expected_summary(marks, date(2025, 9, 29), date(2025, 10, 3))
    _header, rows = parse_csv(command("summary", "--from", "2025-10-03", "--to", "2025-10-03"))
    assert [(r["possible"], r["unauthorised"], r["attendance_pct"]) for r in rows] == [("2", "1", "50.0")]
    _header, rows = parse_csv(command("summary", "--from", "2025-09-27", "--to", "2025-09-28"))
    assert rows == []


def test_summary_for_one_school_counts_only_the_marks_that_school_recorded(three_pupils, import_marks, command):
    mover, stayer, other = (pupil.upn for pupil in three_pupils)
    marks = [
        *days_of(mover, URN_A, school_days(date(2025, 9, 1), 5), "/", "N"),
        *days_of(mover, URN_B, school_days(date(2025, 9, 8), 5), "/", "\\"),
        *days_of(stayer, URN_A, school_days(date(2025, 9, 1), 10), "/", "\\"),
        *days_of(other, URN_B, school_days(date(2025, 9, 1), 10), "G", "\\"),
    ]
    import_marks(marks)
    start, end = date(2025, 9, 1), date(2025, 12, 1)
    for urn in (URN_A, URN_B):
        _header, rows = parse_csv(command("summary", "--school", urn))
        assert typed_summary(rows) == expected_summary(marks, start, end, urn)
    _header, rows = parse_csv(command("summary", "--school", URN_A))
    assert [(row["upn"], row["possible"], row["unauthorised"]) for row in rows] == sorted(
        [(mover, "10", "5"), (stayer, "20", "0")]
    )
    _header, rows = parse_csv(command("summary"))
    assert {row["upn"]: row["possible"] for row in rows}[mover] == "20"


def test_summary_refuses_an_unknown_school_and_a_backwards_range(runner, schools):
    result = runner.invoke(args=["attendance", "summary", "--school", "999999"])
    assert result.exit_code == 2 and "no school has URN 999999" in result.output
    result = runner.invoke(args=["attendance", "summary", "--from", "2025-10-01", "--to", "2025-09-30"])
    assert result.exit_code == 2 and "--to must not be before --from" in result.output
    result = runner.invoke(args=["attendance", "summary", "--from", "01/10/2025"])
    assert result.exit_code == 2


def test_summary_as_json_holds_the_same_figures(three_pupils, import_marks, command):
    truant, closed, _ill = (pupil.upn for pupil in three_pupils)
    marks = [
        *days_of(truant, URN_A, school_days(date(2025, 9, 1), 6), "N", "/"),
        *days_of(closed, URN_A, school_days(date(2025, 9, 1), 2), "#", "#"),
    ]
    import_marks(marks)
    rows = json.loads(command("summary", "--format", "json"))
    assert [list(row) for row in rows] == [SUMMARY_HEADER.split(",")] * 2
    assert rows == expected_summary(marks, date(2025, 9, 1), date(2025, 12, 1))
    by_upn = {row["upn"]: row for row in rows}
    assert by_upn[truant]["penalty_threshold_met"] is False and by_upn[truant]["attendance_pct"] == 50.0
    assert by_upn[closed]["attendance_pct"] is None and by_upn[closed]["band"] == "none"
    _header, csv_rows = parse_csv(command("summary"))
    assert typed_summary(csv_rows) == rows


def test_summary_with_no_marks_writes_only_the_header(schools, command):
    assert command("summary") == SUMMARY_HEADER + "\n"
    assert json.loads(command("summary", "--format", "json")) == []


# Random registers, through the real import, against the brute-force calculator ------------------------

#: From June 2024 to January 2025: ranges may cross 1 September 2024, a Sunday, so that one Monday-Sunday week
#: holds marks from the registers of two academic years.
RANGE_START = date(2024, 6, 3)
RANGE_DAYS = 230
#: How many '/' a pupil's pool of codes holds besides the 50 others (unauthorised codes four times over, then
#: every code once): attendance profiles from truants to pupils who are almost never away.
PRESENCE = (0, 40, 200, 2000)
UNAUTHORISED_CODES = sorted(brute_force.UNAUTHORISED) * 4


@st.composite
def pupil_marks(draw) -> list[tuple[str, int, str, str]]:
    """One pupil's marks as (school urn, day from RANGE_START, session, code), at most one per session.

    A run of consecutive weekday sessions (with a move from school A to B at some point), coded from a
    random attendance profile, plus a few stray marks on any day, weekends included.
    """
    presence = draw(st.sampled_from(PRESENCE))
    codes = st.sampled_from(["/"] * presence + UNAUTHORISED_CODES + ALL_CODES)
    run = draw(st.integers(0, 200).flatmap(lambda length: st.lists(codes, min_size=length, max_size=length)))
    first_day, move_at = draw(st.integers(0, 120)), draw(st.integers(0, 200))
    weekdays = [day for day in range(first_day, RANGE_DAYS) if (RANGE_START + timedelta(days=day)).weekday() < 5]
    marks = {
        (weekdays[index // 2], ("AM", "PM")[index % 2]): (URN_A if index < move_at else URN_B, code)
        for index, code in enumerate(run[: 2 * len(weekdays)])
    }
    strays = st.tuples(st.integers(0, RANGE_DAYS - 1), st.sampled_from(["AM", "PM"]), st.sampled_from([URN_A, URN_B]))
    for day, session, urn in draw(st.lists(strays, max_size=6)):
        marks.setdefault((day, session), (urn, draw(st.sampled_from(ALL_CODES))))
    return [(urn, day, session, code) for (day, session), (urn, code) in sorted(marks.items())]


@pytest.fixture
def four_pupils(schools, make_pupil):
    first, second = schools
    return [
        make_pupil(first, valid_upn(94001), pupil_premium=True, sen_status=SenStatus.SEN_SUPPORT, year_group="R"),
        make_pupil(first, valid_upn(94002), sex="M", year_group="10", ethnicity="WBRI", child_in_need=True),
        make_pupil(second, valid_upn(94003), looked_after=True, sen_status=SenStatus.EHCP, year_group="2"),
        make_pupil(second, valid_upn(94004), sex="M", ethnicity="ABAN", year_group="N1"),
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pupil_registers=st.lists(pupil_marks(), min_size=4, max_size=4),
    bounds=st.tuples(st.integers(0, RANGE_DAYS - 1), st.integers(0, RANGE_DAYS - 1)).map(sorted),
    urn=st.sampled_from([None, URN_A, URN_B]),
)
def test_summary_and_cohorts_agree_with_the_brute_force_calculator(
    four_pupils, import_marks, command, pupil_registers, bounds, urn
):
    # Each example starts from empty registers (the pupils are the same).
    for model in (PupilAttendance, EnrolmentAttendance, AttendanceRegister):
        db.session.execute(sa.delete(model))
    marks = [
        (pupil.upn, school, RANGE_START + timedelta(days=day), session, code)
        for pupil, register in zip(four_pupils, pupil_registers, strict=True)
        for school, day, session, code in register
    ]
    if marks:
        import_marks(marks)
    start, end = (RANGE_START + timedelta(days=day) for day in bounds)
    options = ["--from", start.isoformat(), "--to", end.isoformat(), *(["--school", urn] if urn else [])]
    header, rows = parse_csv(command("summary", *options))
    assert header == SUMMARY_HEADER
    assert typed_summary(rows) == expected_summary(marks, start, end, urn)
    header, rows = parse_csv(command("cohorts", *options))
    assert header == COHORT_HEADER
    assert typed_cohorts(rows) == expected_cohorts(marks, start, end, urn)


# attendance cohorts --------------------------------------------------------------------------------------


def test_cohorts_writes_the_contract_columns_dimensions_in_order_and_brute_force_values(
    four_pupils, import_marks, command, make_pupil, schools
):
    first, _second = schools
    no_possible = make_pupil(first, valid_upn(94005), ethnicity="CHNE", year_group="14", sex="M", child_protection=True)
    upns = [pupil.upn for pupil in four_pupils]
    days = school_days(date(2025, 9, 1), 20)
    marks = [
        *days_of(upns[0], URN_A, days, "/", "\\"),
        *days_of(upns[0], URN_A, school_days(date(2025, 10, 1), 2), "N", "N"),  # 4 of 44 missed: 9.1%, not persistent
        *days_of(upns[1], URN_A, days[:18], "/", "\\"),
        *days_of(upns[1], URN_A, days[18:], "M", "N"),  # 4 of 40 missed: exactly 10%, persistent
        *days_of(upns[2], URN_B, days[:10], "/", "I"),  # 10 of 20 missed: exactly 50%, severe
        *days_of(upns[3], URN_B, days[:5], "G", "O"),
        *days_of(upns[3], URN_B, days[5:8], "/", "\\"),
        *days_of(no_possible.upn, URN_A, days[:5], "#", "X"),
    ]
    import_marks(marks)
    header, rows = parse_csv(command("cohorts"))
    assert header == COHORT_HEADER
    expected = expected_cohorts(marks, date(2025, 9, 1), date(2025, 12, 1))
    assert typed_cohorts(rows) == expected
    order = ["all", *DIMENSIONS]
    assert [row["dimension"] for row in rows] == sorted((row["dimension"] for row in rows), key=order.index)
    # "then group": the group as written, compared as text (the contract), so "10" comes before "2".
    assert [row["group"] for row in rows if row["dimension"] == "year_group"] == ["10", "2", "N1", "R"]
    assert [row["group"] for row in rows if row["dimension"] == "ethnicity"] == ["", "ABAN", "WBRI"]
    assert [row["group"] for row in rows if row["dimension"] == "sen_status"] == ["E", "K", "N"]
    # The pupil with no possible session is in no group: no year 14, no CHNE, nobody with a protection plan.
    assert [row["group"] for row in rows if row["dimension"] == "child_protection"] == ["N"]
    all_row = rows[0]
    assert (all_row["dimension"], all_row["group"], all_row["pupils"]) == ("all", "all", "4")
    assert (all_row["persistent_pupils"], all_row["severe_pupils"]) == ("3", "2")
    abandoned = next(row for row in rows if row["dimension"] == "ethnicity" and row["group"] == "ABAN")
    assert abandoned == {
        "dimension": "ethnicity",
        "group": "ABAN",
        "pupils": "1",
        "possible": "16",
        "absence_sessions": "10",
        "overall_absence_pct": "62.5",
        "unauthorised_pct": "62.5",
        "persistent_pupils": "1",
        "persistent_pct": "100.0",
        "severe_pupils": "1",
        "severe_pct": "100.0",
    }


def test_cohorts_for_one_school_and_as_json(four_pupils, import_marks, command):
    upns = [pupil.upn for pupil in four_pupils]
    days = school_days(date(2025, 9, 1), 10)
    marks = [
        *days_of(upns[0], URN_A, days[:5], "/", "N"),
        *days_of(upns[0], URN_B, days[5:], "/", "\\"),
        *days_of(upns[2], URN_B, days, "I", "\\"),
    ]
    import_marks(marks)
    for urn in (URN_A, URN_B):
        rows = json.loads(command("cohorts", "--school", urn, "--format", "json"))
        assert [list(row) for row in rows] == [COHORT_HEADER.split(",")] * len(rows)
        assert rows == expected_cohorts(marks, date(2025, 9, 1), date(2025, 12, 1), urn)
    rows = json.loads(command("cohorts", "--school", URN_A, "--format", "json"))
    assert rows[0]["pupils"] == 1 and rows[0]["unauthorised_pct"] == 50.0


# attendance refresh --------------------------------------------------------------------------------------


def test_refresh_recomputes_the_stored_year_to_date_figures(four_pupils, import_marks, runner, app, monkeypatch):
    upn = four_pupils[0].upn
    import_marks(
        [*days_of(upn, URN_A, school_days(date(2025, 9, 1), 20), "/", "\\"), (upn, URN_A, date(2025, 10, 6), "AM", "N")]
    )
    db.session.execute(sa.delete(PupilAttendance))
    db.session.execute(sa.delete(EnrolmentAttendance))
    monkeypatch.setitem(app.config, "TODAY", "2025-10-03")
    result = runner.invoke(args=["attendance", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Recomputed the figures of 1 pupils." in result.output
    figures = db.session.get(PupilAttendance, four_pupils[0].id)
    assert (figures.possible, figures.unauthorised, figures.range_end) == (40, 0, date(2025, 10, 3))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentAttendance)) == 1


@pytest.fixture
def across_the_summer(four_pupils, import_marks, app, monkeypatch):
    """8 unauthorised sessions in the last week of the summer term (14–17 July 2025), 2 in September."""
    upn = four_pupils[0].upn
    july = school_days(date(2025, 6, 23), 19)  # to Thursday 17 July
    marks = [
        *days_of(upn, URN_A, july[:-4], "/", "\\"),
        *days_of(upn, URN_A, july[-4:], "N", "N"),
        *days_of(upn, URN_A, school_days(date(2025, 9, 1), 5), "/", "\\"),
        (upn, URN_A, date(2025, 9, 8), "AM", "G"),
        (upn, URN_A, date(2025, 9, 8), "PM", "G"),
    ]
    monkeypatch.setitem(app.config, "TODAY", "2025-09-12")
    import_marks(marks)
    return four_pupils[0], marks


def test_the_stored_penalty_window_reaches_back_into_the_last_school_year(across_the_summer, command):
    pupil, marks = across_the_summer
    stored = db.session.get(PupilAttendance, pupil.id)
    assert (stored.unauth_10wk_latest, stored.unauthorised, stored.range_start) == (10, 2, date(2025, 9, 1))
    look_back = [(day, 0 if session == "AM" else 1, code) for *_, day, session, code in marks]
    assert stored.unauth_10wk_latest == brute_force.figures(look_back).unauth_10wk_latest
    enrolment = db.session.scalars(sa.select(EnrolmentAttendance).where(EnrolmentAttendance.pupil_id == pupil.id)).one()
    assert enrolment.unauth_10wk_latest == 10
    # The contract's summary keeps to its range: the year to date holds 2.
    _header, rows = parse_csv(command("summary"))
    assert [(row["upn"], row["unauth_10wk_latest"]) for row in rows] == [(pupil.upn, "2")]


def test_a_pupil_with_no_marks_yet_this_year_keeps_their_current_window(across_the_summer, runner, app, monkeypatch):
    pupil, _marks = across_the_summer
    db.session.execute(sa.delete(AttendanceRegister).where(AttendanceRegister.academic_year == 2025))
    monkeypatch.setitem(app.config, "TODAY", "2025-09-03")
    assert runner.invoke(args=["attendance", "refresh"]).exit_code == 0
    stored = db.session.get(PupilAttendance, pupil.id)
    assert (stored.possible, stored.attendance_pct, stored.unauth_10wk_latest) == (0, None, 8)


@pytest.mark.parametrize(
    ("today", "window"),
    [
        pytest.param("2025-11-24", 8, id="20 weeks back is Monday 14 July"),
        pytest.param("2025-12-01", None, id="20 weeks back is Monday 21 July"),
    ],
)
def test_marks_older_than_the_look_back_leave_the_current_window(
    across_the_summer, runner, app, monkeypatch, today, window
):
    pupil, _marks = across_the_summer
    db.session.execute(sa.delete(AttendanceRegister).where(AttendanceRegister.academic_year == 2025))
    monkeypatch.setitem(app.config, "TODAY", today)
    assert runner.invoke(args=["attendance", "refresh"]).exit_code == 0
    stored = db.session.get(PupilAttendance, pupil.id)
    assert (stored and stored.unauth_10wk_latest) == window
