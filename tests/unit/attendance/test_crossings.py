"""The day each pupil crossed a threshold equals recomputing their figures up to every day of the range."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ewo_cases.services.attendance import crossings, engine
from workflows import attendance as rules
from workflows.attendance import BAND_ORDER, Band

MONDAY = date(2024, 9, 2)
#: A few codes of every class, weighted towards the absences that move a pupil between bands.
CODES = [rules.CODE_TO_CHAR[code] for code in ("/", "\\", "L", "I", "C", "N", "O", "G", "U", "#", "X")] + ["."]


def brute_force(marks: np.ndarray, threshold: int = rules.AT_RISK_PCT) -> tuple[list[int], list[int]]:
    """Summarise each day's year to date, and read off the crossing days as defined."""
    days = marks.shape[1] // 2
    bands, met = [], []
    for last in range(days):
        prefix = marks.copy()
        prefix[:, (last + 1) * 2 :] = ord(rules.NO_MARK)
        summary = engine.summarise(prefix, MONDAY, threshold)
        bands.append(summary.band.tolist())
        met.append(summary.penalty_threshold_met.tolist())
    entered, first_met = [], []
    for row in range(marks.shape[0]):
        history = [day[row] for day in bands]
        final = history[-1]
        if final == 0:
            entered.append(-1)
        else:
            fell = [d for d in range(days) if history[d] >= final and (d == 0 or history[d - 1] < final)]
            entered.append(fell[-1])
        met_days = [d for d in range(days) if met[d][row]]
        first_met.append(met_days[0] if met_days else -1)
    return entered, first_met


registers = st.integers(1, 4).flatmap(
    lambda pupils: st.integers(1, 14).flatmap(
        lambda weeks: st.lists(
            st.lists(st.sampled_from(CODES), min_size=weeks * 14, max_size=weeks * 14),
            min_size=pupils,
            max_size=pupils,
        )
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers)
def test_crossing_days_equal_recomputing_every_day(rows: list[list[str]]) -> None:
    marks = np.array([[ord(cell) for cell in row] for row in rows], dtype=np.uint8)
    entered, met = brute_force(marks)
    assert crossings.band_entered(marks, rules.AT_RISK_PCT).tolist() == entered
    assert crossings.threshold_met(marks).tolist() == met


def register(*days: tuple[str, str], weeks: int = 12) -> np.ndarray:
    """One pupil: the given days, one per weekday from ``MONDAY``, then present every weekday."""
    cells = []
    codes = iter(days)
    for day in range(weeks * 7):
        am, pm = next(codes, ("/", "\\")) if day % 7 < 5 else (".", ".")
        cells += [rules.CODE_TO_CHAR[am] if am != "." else ".", rules.CODE_TO_CHAR[pm] if pm != "." else "."]
    return np.array([[ord(cell) for cell in cells]], dtype=np.uint8)


def test_a_pupil_who_recovers_keeps_the_day_they_first_became_persistently_absent() -> None:
    # Absent all day for the first three days (severely absent), then present for three weeks: 20% absent.
    marks = register(("N", "N"), ("N", "N"), ("N", "N"), weeks=3)
    assert BAND_ORDER[int(engine.summarise(marks, MONDAY).band[0])] == Band.PERSISTENT
    assert crossings.band_entered(marks, rules.AT_RISK_PCT).tolist() == [0]


def test_the_threshold_is_met_on_the_day_of_the_tenth_unauthorised_session() -> None:
    marks = register(*[("N", "N")] * 4, ("N", "/"), ("N", "/"))  # 8 sessions by Thursday, 9 Friday, 10 Monday
    assert crossings.threshold_met(marks).tolist() == [7]  # the second Monday: day 7 from the first
    rows = [{}]
    crossings.stamp(rows, marks, MONDAY, rules.AT_RISK_PCT)
    assert rows[0]["threshold_met_on"] == MONDAY + timedelta(days=7)


def test_no_threshold_and_no_band_give_no_day() -> None:
    marks = register(("N", "/"), weeks=2)
    rows = [{}]
    crossings.stamp(rows, marks, MONDAY, rules.AT_RISK_PCT)
    assert rows == [{"band_entered_on": None, "threshold_met_on": None}]
