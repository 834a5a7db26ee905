"""Named scenarios for the attendance engine, and property tests against the brute-force calculator."""

from __future__ import annotations

import math
from dataclasses import astuple, fields
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ewo_cases.services.attendance import engine
from tests.unit.attendance import brute_force
from workflows import attendance as rules
from workflows.attendance import Band

MONDAY = date(2024, 9, 2)
PRESENT_DAY = ("/", "\\")


class Register:
    """A pupil's register built day by day, starting on ``MONDAY``."""

    def __init__(self, weeks: int, first_day: date = MONDAY) -> None:
        self.first_day = first_day
        self.cells = ["."] * (weeks * engine.SESSIONS_PER_WEEK)

    def day(self, day: date, am: str | None, pm: str | None) -> Register:
        """Set one day's AM and PM codes (None leaves no mark)."""
        position = (day - self.first_day).days * 2
        for offset, code in enumerate((am, pm)):
            self.cells[position + offset] = rules.CODE_TO_CHAR[code] if code else rules.NO_MARK
        return self

    def school_days(self, start: date, count: int, am: str | None, pm: str | None) -> Register:
        """Set ``count`` weekdays from ``start``, skipping weekends."""
        for day in weekdays(start, count):
            self.day(day, am, pm)
        return self

    def week(self, index: int, am: str | None = "/", pm: str | None = "\\") -> Register:
        """Fill the weekdays of week ``index`` (0-based) with one AM and one PM code."""
        return self.school_days(self.first_day + timedelta(weeks=index), 5, am, pm)

    def text(self) -> str:
        """Return the stored register."""
        return "".join(self.cells)


def weekdays(start: date, count: int) -> list[date]:
    """Return ``count`` Monday-to-Friday days from ``start`` on."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def summarise(*registers: Register) -> engine.Summary:
    """Summarise registers of equal length that start on the same Monday."""
    texts = [register.text() for register in registers]
    return engine.summarise(engine.to_array(texts, len(texts[0])), registers[0].first_day)


def week_start(index: int) -> np.datetime64:
    """Return the Monday of week ``index`` from ``MONDAY`` as numpy stores it."""
    return np.datetime64(MONDAY + timedelta(weeks=index), "D")


# School weeks and the penalty threshold ------------------------------------------------------------------


@pytest.mark.parametrize("half_term", [None, "#"])
def test_ten_school_weeks_across_a_half_term_span_eleven_calendar_weeks(half_term: str | None) -> None:
    register = Register(11)
    for week in range(11):
        if week == 5:
            register.week(week, half_term, half_term)
        else:
            register.week(week).day(MONDAY + timedelta(weeks=week), "N", "\\")
    summary = summarise(register)
    assert summary.school_weeks[0] == 10
    assert summary.unauth_10wk_max[0] == summary.unauth_10wk_latest[0] == 10
    assert summary.penalty_threshold_met[0]
    assert summary.last_school_week_start[0] == week_start(10)


def test_nine_unauthorised_sessions_in_ten_school_weeks_do_not_meet_the_threshold() -> None:
    register = Register(10)
    for week in range(10):
        register.week(week)
        if week:
            register.day(MONDAY + timedelta(weeks=week), "G", "\\")
    summary = summarise(register)
    assert (summary.unauth_10wk_max[0], summary.penalty_threshold_met[0]) == (9, False)
    assert not engine.met_threshold_in_current_window(summary)[0]
    assert engine.approaching_threshold(summary)[0]


def test_the_latest_window_can_be_lower_than_the_worst() -> None:
    # School weeks 0–4 and 6–11 (week 5 is half term): 11 school weeks. Five O sessions in the first and
    # five in calendar week 10 fall within school weeks 1–10, but the latest window (2–11) holds only five.
    register = Register(12)
    for week in (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11):
        register.week(week)
    register.school_days(MONDAY, 2, "O", "O").day(MONDAY + timedelta(days=2), "O", "\\")
    register.school_days(MONDAY + timedelta(weeks=10), 2, "O", "O").day(MONDAY + timedelta(weeks=10, days=2), "O", "/")
    summary = summarise(register)
    assert summary.school_weeks[0] == 11
    assert (summary.unauth_10wk_max[0], summary.unauth_10wk_latest[0]) == (10, 5)
    assert summary.penalty_threshold_met[0]
    assert not engine.met_threshold_in_current_window(summary)[0]


def test_fewer_than_ten_school_weeks_count_all_of_them() -> None:
    register = Register(3).week(0, "U", "U").week(2, "N", "\\")
    summary = summarise(register)
    assert summary.school_weeks[0] == 2
    assert summary.unauth_10wk_max[0] == summary.unauth_10wk_latest[0] == 15


# Leavers and joiners -------------------------------------------------------------------------------------


def test_a_leaver_and_a_joiner() -> None:
    leaver, joiner = Register(12), Register(12)
    for week in range(4):
        leaver.week(week)
    leaver.day(MONDAY + timedelta(weeks=3, days=4), "N", "N")
    for week in range(7, 12):
        joiner.week(week)
    joiner.day(MONDAY + timedelta(weeks=7), "I", "I")
    summary = summarise(leaver, joiner)
    assert summary.possible.tolist() == [40, 50]
    assert summary.school_weeks.tolist() == [4, 5]
    assert summary.last_school_week_start.tolist() == [MONDAY + timedelta(weeks=3), MONDAY + timedelta(weeks=11)]
    assert summary.recent_possible.tolist() == [40, 40]
    assert summary.recent_attending.tolist() == [38, 40]
    assert summary.attendance_pct.tolist() == [95.0, 96.0]
    assert summary.bands() == [Band.NONE, Band.NONE]
    assert summary.in_band(Band.NONE).tolist() == [True, True]
    assert summary.in_band(Band.AT_RISK).tolist() == [False, False]


def test_a_pupil_with_no_marks_has_no_figures() -> None:
    summary = summarise(Register(2), Register(2).week(0))
    assert summary.possible.tolist() == [0, 10]
    assert np.isnat(summary.last_school_week_start[0])
    assert np.isnan(summary.attendance_pct[0])
    assert summary.rows()[0] == {
        "possible": 0,
        "attending": 0,
        "authorised": 0,
        "unauthorised": 0,
        "illness": 0,
        "attendance_pct": None,
        "band": "none",
        "unauth_10wk_max": 0,
        "unauth_10wk_latest": 0,
        "penalty_threshold_met": False,
        "longest_unauth_days": 0,
    }


# Runs of unauthorised days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("breaker", "expected"),
    [
        (("I", "I"), 5),  # an authorised day breaks the run
        (("/", "N"), 5),  # present in the morning, unauthorised in the afternoon: not every session unauthorised
        (("N", "M"), 5),
        (("#", "N"), 11),  # the only possible session was unauthorised
        (("G", "U"), 11),
        (("#", "#"), 10),  # a closure day has no possible session: skipped
        ((None, None), 10),  # no marks at all: skipped
        (("Y1", "D"), 10),
    ],
)
def test_runs_of_unauthorised_school_days(breaker: tuple[str | None, str | None], expected: int) -> None:
    register = Register(3).school_days(MONDAY, 5, "N", "O").day(MONDAY + timedelta(days=7), *breaker)
    register.school_days(MONDAY + timedelta(days=8), 5, "O", "N")
    summary = summarise(register)
    assert summary.longest_unauth_days[0] == expected
    assert engine.needs_attendance_return(summary)[0] == (expected >= 10)


def test_a_weekend_without_marks_does_not_break_a_run() -> None:
    register = Register(2).school_days(MONDAY, 10, "G", "G")
    summary = summarise(register)
    assert summary.longest_unauth_days[0] == 10
    assert engine.needs_attendance_return(summary)[0]


def test_thirty_illness_sessions_need_a_sickness_return() -> None:
    fifteen_days = Register(4).school_days(MONDAY, 15, "I", "I")
    fourteen_and_a_half = Register(4).school_days(MONDAY, 15, "I", "I").day(MONDAY, "I", "/")
    summary = summarise(fifteen_days, fourteen_and_a_half)
    assert summary.illness.tolist() == [30, 29]
    assert engine.needs_sickness_return(summary).tolist() == [True, False]


# Projection ----------------------------------------------------------------------------------------------


def test_projected_below_90_and_sessions_until_below() -> None:
    falling, steady, below_now = Register(24), Register(24), Register(24)
    for week in range(20):  # 90% now (180/200), the last four weeks at 50%: 190/220 after two more weeks
        falling.week(week, "/", "\\" if week < 16 else "N")
    for week in range(24):  # 98.3% now (236/240), the last four weeks at 90%
        steady.week(week).day(MONDAY + timedelta(weeks=week), "/", "I" if week >= 20 else "\\")
    below_now.week(0, "/", "N")
    summary = summarise(falling, steady, below_now)
    assert summary.attendance_pct.tolist() == [90.0, 98.3, 50.0]
    assert engine.projected_below_90(summary).tolist() == [True, False, False]
    assert engine.sessions_until_below(summary).tolist() == [1, 23, 0]


def test_a_slow_decline_is_projected_only_once_it_crosses_within_the_weeks_ahead() -> None:
    register = Register(24)
    for week in range(24):  # 96.7% now (232/240), the last four weeks at 80%
        register.week(week)
        if week >= 20:
            register.school_days(MONDAY + timedelta(weeks=week), 2, "/", "I")
    summary = summarise(register)
    assert (summary.recent_possible[0], summary.recent_attending[0], summary.recent_school_weeks[0]) == (40, 32, 4)
    assert not engine.projected_below_90(summary)[0]
    assert engine.projected_below_90(summary, weeks_ahead=200)[0]


@pytest.mark.parametrize(
    ("possible", "attending", "expected"), [(10, 9, 1), (100, 100, 12), (100, 89, 0), (0, 0, 1), (20, 19, 2)]
)
def test_sessions_until_below(possible: int, attending: int, expected: int) -> None:
    register = Register(-(-possible // 10) or 1)
    days = weekdays(MONDAY, possible // 2)
    for index, day in enumerate(days):
        register.day(day, "/" if 2 * index < attending else "N", "\\" if 2 * index + 1 < attending else "N")
    summary = summarise(register)
    assert (summary.possible[0], summary.attending[0]) == (possible, attending)
    assert engine.sessions_until_below(summary)[0] == expected


# Weekly figures ------------------------------------------------------------------------------------------


def test_weekly_figures_skip_weeks_without_possible_sessions() -> None:
    register = Register(3).week(0).week(1, "#", "#").week(2, "/", "N").day(MONDAY + timedelta(weeks=2), "L", "M")
    array = engine.to_array([register.text()], len(register.text()))
    assert engine.weekly(array[0], MONDAY) == [
        engine.WeekFigures(MONDAY, 10, 10, 0, 0),
        engine.WeekFigures(MONDAY + timedelta(weeks=2), 10, 5, 1, 4),
    ]


# Cohorts -------------------------------------------------------------------------------------------------


def test_cohort_rows_count_only_pupils_with_possible_sessions() -> None:
    possible = np.array([100, 100, 0, 40])
    attending = np.array([95, 50, 0, 36])
    authorised = np.array([3, 0, 0, 4])
    unauthorised = np.array([2, 50, 0, 0])
    characteristics = {
        "pupil_premium": ["Y", "Y", "N", "N"],
        "year_group": ["10", "9", "R", "N2"],
        "ethnicity": ["WBRI", None, "WBRI", None],
    }
    rows = engine.cohort_rows(possible, attending, authorised, unauthorised, characteristics)
    assert [tuple(row.values())[:3] for row in rows] == [
        ("all", "all", 3),
        ("pupil_premium", "N", 1),
        ("pupil_premium", "Y", 2),
        ("year_group", "10", 1),
        ("year_group", "9", 1),
        ("year_group", "N2", 1),
        ("ethnicity", "", 2),
        ("ethnicity", "WBRI", 1),
    ]
    assert rows[0] == {
        "dimension": "all",
        "group": "all",
        "pupils": 3,
        "possible": 240,
        "absence_sessions": 59,
        "overall_absence_pct": 24.6,
        "unauthorised_pct": 21.7,
        "persistent_pupils": 2,
        "persistent_pct": 66.7,
        "severe_pupils": 1,
        "severe_pct": 33.3,
    }
    assert rows[1] == {
        "dimension": "pupil_premium",
        "group": "N",
        "pupils": 1,
        "possible": 40,
        "absence_sessions": 4,
        "overall_absence_pct": 10.0,
        "unauthorised_pct": 0.0,
        "persistent_pupils": 1,
        "persistent_pct": 100.0,
        "severe_pupils": 0,
        "severe_pct": 0.0,
    }
    assert list(rows[0]) == list(engine.COHORT_COLUMNS)


def test_year_groups_sort_as_written_as_the_contract_says() -> None:
    groups = ["14", "1", "R", "N1", "2", "10", "N2", "9"]
    count = len(groups)
    rows = engine.cohort_rows(np.ones(count), np.ones(count), np.zeros(count), np.zeros(count), {"year_group": groups})
    assert [row["group"] for row in rows[1:]] == ["1", "10", "14", "2", "9", "N1", "N2", "R"]


def test_cohort_rows_with_no_pupils_and_boolean_flags() -> None:
    rows = engine.cohort_rows(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), {"looked_after": [True, False]})
    assert rows == [
        {
            "dimension": "all",
            "group": "all",
            "pupils": 0,
            "possible": 0,
            "absence_sessions": 0,
            "overall_absence_pct": None,
            "unauthorised_pct": None,
            "persistent_pupils": 0,
            "persistent_pct": None,
            "severe_pupils": 0,
            "severe_pct": None,
        }
    ]
    flags = engine.cohort_rows(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), {"looked_after": [True, False]})
    assert [row["group"] for row in flags] == ["all", "N", "Y"]


def test_cohort_rows_reject_unknown_dimensions_and_wrong_lengths() -> None:
    with pytest.raises(ValueError, match="unknown cohort dimensions: shoe_size"):
        engine.cohort_rows(np.ones(1), np.ones(1), np.zeros(1), np.zeros(1), {"shoe_size": ["9"]})
    with pytest.raises(ValueError, match="expected 1 characteristic values"):
        engine.cohort_rows(np.ones(1), np.ones(1), np.zeros(1), np.zeros(1), {"sex": ["F", "M"]})


# Arrays, ranges and bad input ----------------------------------------------------------------------------


def test_to_array_stacks_strings_or_bytes_into_a_writable_array() -> None:
    strings = engine.to_array(["/" * 14, "N" * 14], 14)
    byte_strings = engine.to_array([b"/" * 14, b"N" * 14], 14)
    assert strings.shape == (2, 14)
    assert strings.dtype == np.uint8
    assert np.array_equal(strings, byte_strings)
    strings[0, 0] = ord(".")
    assert engine.to_array([], 28).shape == (0, 28)
    with pytest.raises(ValueError, match="register 1 has 13 sessions, expected 14"):
        engine.to_array(["/" * 14, "/" * 13], 14)


def test_select_range_keeps_whole_weeks_and_blanks_the_rest() -> None:
    register = Register(4)
    for week in range(4):
        register.week(week)
    array = engine.to_array([register.text()], len(register.text()))
    selected, monday = engine.select_range(array, MONDAY, MONDAY + timedelta(days=9), MONDAY + timedelta(days=15))
    assert monday == MONDAY + timedelta(weeks=1)
    assert selected.shape == (1, 28)
    assert engine.summarise(selected, monday).possible[0] == 2 * 5  # Wednesday–Friday, then Monday–Tuesday
    assert array[0, 0] == ord("/")  # the original is untouched
    empty, empty_monday = engine.select_range(array, MONDAY, date(2030, 1, 1), date(2030, 2, 1))
    assert empty.shape == (1, 0)
    assert engine.summarise(empty, empty_monday).possible.tolist() == [0]


@pytest.mark.parametrize(
    ("marks", "first_day", "message"),
    [
        (np.full((1, 14), ord("/"), dtype=np.uint8), MONDAY + timedelta(days=1), "must start on a Monday"),
        (np.full((1, 13), ord("/"), dtype=np.uint8), MONDAY, "not a whole number of weeks"),
        (np.full((1, 14), ord("/"), dtype=np.int64), MONDAY, "2-D uint8"),
        (np.full(14, ord("/"), dtype=np.uint8), MONDAY, "2-D uint8"),
        (np.full((1, 14), ord("H"), dtype=np.uint8), MONDAY, "unknown register mark 'H'"),
        (np.full((1, 14), ord("y"), dtype=np.uint8), MONDAY, "unknown register mark 'y'"),
    ],
)
def test_summarise_rejects_bad_registers(marks: np.ndarray, first_day: date, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        engine.summarise(marks, first_day)


def test_many_blocks_give_the_same_answer_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    marks = engine.random_registers(300, 12, seed=7)
    whole = engine.summarise(marks, MONDAY)
    monkeypatch.setattr(engine, "BLOCK_SESSIONS", 5 * marks.shape[1])
    blocked = engine.summarise(marks, MONDAY)
    for field in fields(engine.Summary):
        assert np.array_equal(getattr(whole, field.name), getattr(blocked, field.name), equal_nan=True), field.name


# Property tests against the brute-force calculator -------------------------------------------------------

STORED_CHARACTERS = [*rules.CHAR_TO_CODE, rules.NO_MARK]


@st.composite
def registers(draw: st.DrawFn) -> tuple[list[str], date]:
    """Draw registers for a few pupils: each mixes a handful of codes and gaps, so runs and windows occur."""
    weeks = draw(st.integers(0, 16))
    first_day = rules.monday_on_or_before(draw(st.dates(date(2000, 1, 1), date(2040, 12, 31))))
    pupils = draw(st.integers(1, 5))
    texts = []
    for _ in range(pupils):
        palette = draw(st.lists(st.sampled_from(STORED_CHARACTERS), min_size=1, max_size=4))
        text = list(draw(st.text(alphabet=palette, min_size=weeks * 14, max_size=weeks * 14)))
        for week in draw(st.sets(st.integers(0, max(weeks - 1, 0)), max_size=weeks)):
            blank = draw(st.sampled_from([".", "#", "D"]))
            text[week * 14 : (week + 1) * 14] = blank * 14  # a holiday, a closure, or time at another school
        texts.append("".join(text))
    return texts, first_day


def figures_of(summary: engine.Summary, index: int) -> brute_force.Figures:
    """Return the engine's figures for one pupil in the brute-force calculator's shape."""
    values = {field.name: getattr(summary, field.name)[index].item() for field in fields(engine.Summary)}
    return brute_force.Figures(
        **{
            **values,  # a NaT week start becomes None through .item()
            "attendance_pct": None if math.isnan(values["attendance_pct"]) else values["attendance_pct"],
            "band": rules.BAND_ORDER[values["band"]].value,
        }
    )


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(registers(), st.integers(80, 100))
def test_summarise_agrees_with_brute_force(drawn: tuple[list[str], date], threshold: int) -> None:
    texts, first_day = drawn
    summary = engine.summarise(engine.to_array(texts, len(texts[0])), first_day, threshold)
    for index, text in enumerate(texts):
        expected = brute_force.figures(brute_force.marks_from_register(text, first_day), threshold)
        assert figures_of(summary, index) == expected
        assert engine.projected_below_90(summary)[index] == brute_force.projected_below_90(expected)
        assert engine.sessions_until_below(summary)[index] == brute_force.sessions_until_below(expected)
        assert summary.row(index) == summary.rows()[index]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers())
def test_weekly_agrees_with_brute_force(drawn: tuple[list[str], date]) -> None:
    texts, first_day = drawn
    array = engine.to_array(texts, len(texts[0]))
    for row, text in zip(array, texts, strict=True):
        expected = brute_force.weekly(brute_force.marks_from_register(text, first_day))
        assert [astuple(week) for week in engine.weekly(row, first_day)] == expected


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers(), st.data())
def test_select_range_agrees_with_brute_force(drawn: tuple[list[str], date], data: st.DataObject) -> None:
    texts, first_day = drawn
    span = len(texts[0]) // 2
    date_from = first_day + timedelta(days=data.draw(st.integers(-10, span + 10)))
    date_to = date_from + timedelta(days=data.draw(st.integers(-3, span + 10)))
    selected, monday = engine.select_range(engine.to_array(texts, len(texts[0])), first_day, date_from, date_to)
    assert monday.weekday() == 0
    summary = engine.summarise(selected, monday)
    for index, text in enumerate(texts):
        marks = [mark for mark in brute_force.marks_from_register(text, first_day) if date_from <= mark[0] <= date_to]
        assert figures_of(summary, index) == brute_force.figures(marks)


CHARACTERISTIC_VALUES = {
    "pupil_premium": ["Y", "N"],
    "sen_status": ["N", "K", "E"],
    "looked_after": ["Y", "N"],
    "previously_looked_after": ["Y", "N"],
    "child_protection": ["Y", "N"],
    "child_in_need": ["Y", "N"],
    "sex": ["F", "M"],
    "year_group": ["N1", "N2", "R", *(str(n) for n in range(1, 15))],
    "ethnicity": ["", "WBRI", "ABAN", "MWBC"],
}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers(), st.data())
def test_cohort_rows_agree_with_brute_force(drawn: tuple[list[str], date], data: st.DataObject) -> None:
    texts, first_day = drawn
    dimensions = data.draw(st.lists(st.sampled_from(list(CHARACTERISTIC_VALUES)), unique=True))
    pupils = [
        {dimension: data.draw(st.sampled_from(CHARACTERISTIC_VALUES[dimension])) for dimension in dimensions}
        for _ in texts
    ]
    summary = engine.summarise(engine.to_array(texts, len(texts[0])), first_day)
    characteristics = {dimension: [pupil[dimension] for pupil in pupils] for dimension in dimensions}
    expected = brute_force.cohort_rows(
        [
            (brute_force.figures(brute_force.marks_from_register(text, first_day)), pupil)
            for text, pupil in zip(texts, pupils, strict=True)
        ],
        [dimension for dimension in engine.COHORT_DIMENSIONS if dimension in dimensions],
    )
    assert engine.cohort_rows_for(summary, characteristics) == expected


def test_no_pupils_gives_empty_figures():
    summary = engine.summarise(np.empty((0, 14 * 53), dtype=np.uint8), date(2025, 9, 1))
    assert len(summary) == 0
