"""Boundary tests for the attendance rules: codes, bands, percentages, thresholds and dates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ewo_cases.services.attendance import engine
from workflows import attendance as rules
from workflows.attendance import Band, SessionClass

MONDAY = date(2024, 9, 2)

EXPECTED_CLASSES = {
    SessionClass.ATTENDING: ["/", "\\", "L", "K", "V", "P", "W", "B"],
    SessionClass.AUTHORISED: ["C", "C1", "C2", "M", "J1", "S", "T", "R", "I", "E"],
    SessionClass.UNAUTHORISED: ["G", "N", "O", "U"],
    SessionClass.NOT_POSSIBLE: ["D", "Q", "X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"],
}
CODE_CLASSES = [(code, cls) for cls, codes in EXPECTED_CLASSES.items() for code in codes]


def summary_of(codes: list[str]) -> engine.Summary:
    """Summarise one pupil whose sessions, from a Monday, carry these codes in order."""
    weeks = -(-len(codes) // engine.SESSIONS_PER_WEEK) or 1
    register = "".join(rules.CODE_TO_CHAR[code] for code in codes).ljust(weeks * engine.SESSIONS_PER_WEEK, ".")
    return engine.summarise(engine.to_array([register], len(register)), MONDAY)


# Codes -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "expected"), CODE_CLASSES)
def test_every_2024_code_has_its_class(code: str, expected: SessionClass) -> None:
    assert rules.session_class(code) is expected
    assert rules.is_valid_code(code)
    assert rules.code_label(code)


def test_the_code_table_holds_exactly_the_2024_codes() -> None:
    assert {code for code, _ in CODE_CLASSES} == rules.VALID_CODES
    for cls, codes in EXPECTED_CLASSES.items():
        assert rules.codes_in(cls) == tuple(codes)


@pytest.mark.parametrize(
    "code", ["H", "J", "Y", "Y0", "Y8", "y1", "c1", "n", "l", "C3", "J2", "", " ", ".", "N ", "NN", "F", "A"]
)
def test_retired_and_malformed_codes_are_invalid(code: str) -> None:
    assert not rules.is_valid_code(code)
    with pytest.raises(KeyError):
        rules.session_class(code)


def test_each_code_is_stored_as_one_distinct_character() -> None:
    assert {rules.CODE_TO_CHAR[code] for code in ("C1", "C2", "J1")} == {"a", "b", "j"}
    assert [rules.CODE_TO_CHAR[f"Y{n}"] for n in range(1, 8)] == [str(n) for n in range(1, 8)]
    single = [code for code in rules.VALID_CODES if len(code) == 1]
    assert all(rules.CODE_TO_CHAR[code] == code for code in single)
    assert len(set(rules.CODE_TO_CHAR.values())) == len(rules.CODE_TO_CHAR)
    assert all(len(char) == 1 and char.isascii() for char in rules.CHAR_TO_CODE)
    assert rules.NO_MARK not in rules.CHAR_TO_CODE
    assert {rules.CHAR_TO_CODE[char] for char in rules.CODE_TO_CHAR.values()} == rules.VALID_CODES


def test_only_g_n_o_u_count_towards_penalty_notices() -> None:
    assert {"G", "N", "O", "U"} == rules.PENALTY_CODES
    assert {code for code, info in rules.CODES.items() if info.counts_to_penalty} == rules.PENALTY_CODES


@pytest.mark.parametrize("code", EXPECTED_CLASSES[SessionClass.NOT_POSSIBLE])
def test_codes_that_are_not_possible_sessions_leave_the_denominator(code: str) -> None:
    summary = summary_of([code, "/", code, code])
    assert not rules.CODES[code].is_possible
    assert (summary.possible[0], summary.attending[0], summary.authorised[0], summary.unauthorised[0]) == (1, 1, 0, 0)
    assert summary.attendance_pct[0] == 100.0


def test_late_before_the_register_closed_is_attending() -> None:
    summary = summary_of(["L", "L", "/", "\\"])
    assert (summary.possible[0], summary.attending[0]) == (4, 4)


@pytest.mark.parametrize("code", ["U", "N"])
def test_u_and_n_are_unauthorised_and_count_towards_the_threshold(code: str) -> None:
    one_a_week = [code, *["/"] * 13] * 10
    summary = summary_of(one_a_week)
    assert summary.unauthorised[0] == 10
    assert summary.unauth_10wk_max[0] == 10
    assert summary.penalty_threshold_met[0]


def test_illness_is_authorised_and_counted_separately() -> None:
    summary = summary_of(["I", "I", "M", "/"])
    assert (summary.authorised[0], summary.illness[0], summary.unauthorised[0]) == (3, 2, 0)


# Bands -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("possible", "attending", "threshold", "expected"),
    [
        (0, 0, 95, Band.NONE),
        (1, 1, 95, Band.NONE),
        (1, 0, 95, Band.SEVERE),
        (10, 9, 95, Band.PERSISTENT),  # exactly 10% absent
        (10, 5, 95, Band.SEVERE),  # exactly 50% absent
        (2, 1, 95, Band.SEVERE),
        (11, 6, 95, Band.PERSISTENT),  # 45.5% absent
        (11, 10, 95, Band.AT_RISK),  # 9.1% absent, 90.9% attending
        (20, 19, 95, Band.NONE),  # exactly 95% attending
        (20, 19, 96, Band.AT_RISK),  # the same pupil with a stricter threshold
        (20, 19, 90, Band.NONE),
        (20, 18, 95, Band.PERSISTENT),  # exactly 90% attending
        (19, 18, 95, Band.AT_RISK),  # 94.7%
        (1000, 950, 95, Band.NONE),
        (1000, 949, 95, Band.AT_RISK),  # 94.9%
        (1000, 901, 95, Band.AT_RISK),
        (1000, 900, 95, Band.PERSISTENT),
        (1000, 501, 95, Band.PERSISTENT),
        (1000, 500, 95, Band.SEVERE),
        (1999, 1899, 95, Band.AT_RISK),  # 94.997…% would round to 95.0 but is below it
        (380, 0, 95, Band.SEVERE),
    ],
)
def test_band_boundaries_compare_exactly(possible: int, attending: int, threshold: int, expected: Band) -> None:
    assert rules.band(possible, attending, threshold) is expected
    index = engine.band_indexes(np.array([possible]), np.array([attending]), threshold)[0]
    assert rules.BAND_ORDER[index] is expected


def test_persistent_and_severe_predicates_include_their_boundaries() -> None:
    assert rules.is_persistently_absent(10, 9)
    assert not rules.is_persistently_absent(11, 10)
    assert rules.is_severely_absent(10, 5)
    assert not rules.is_severely_absent(10, 6)
    assert not rules.is_persistently_absent(0, 0)
    assert not rules.is_severely_absent(0, 0)


@given(st.integers(0, 5000), st.integers(0, 5000), st.integers(50, 100))
def test_engine_bands_agree_with_the_rule(a: int, b: int, threshold: int) -> None:
    possible, attending = max(a, b), min(a, b)
    index = engine.band_indexes(np.array([possible]), np.array([attending]), threshold)[0]
    assert rules.BAND_ORDER[index] is rules.band(possible, attending, threshold)


def test_bands_have_labels_and_an_order_of_concern() -> None:
    assert rules.BAND_ORDER == (Band.NONE, Band.AT_RISK, Band.PERSISTENT, Band.SEVERE)
    assert all(band.label for band in Band)
    assert Band.SEVERE == "severe"


# Percentages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("possible", "attending", "expected"),
    [
        (0, 0, None),
        (3, 2, 66.7),
        (3, 1, 33.3),
        (6, 5, 83.3),
        (8, 7, 87.5),
        (16, 13, 81.3),  # 81.25: half up, where round-half-even would give 81.2
        (16, 15, 93.8),
        (2000, 1999, 100.0),  # 99.95 rounds up
        (2000, 1, 0.1),  # 0.05 rounds up
        (2000, 0, 0.0),
        (1999, 1899, 95.0),
        (20, 19, 95.0),
    ],
)
def test_attendance_pct_rounds_half_up_to_one_decimal(possible: int, attending: int, expected: float | None) -> None:
    assert rules.attendance_pct(possible, attending) == expected
    vectorised = engine.percentages(np.array([attending]), np.array([possible]))[0]
    assert (expected is None and np.isnan(vectorised)) or vectorised == expected


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_vectorised_percentages_agree_with_the_rule(numerator: int, denominator: int) -> None:
    vectorised = engine.percentages(np.array([numerator]), np.array([denominator]))[0]
    assert vectorised == rules.percentage(numerator, denominator)


# Thresholds and dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unauthorised", "met", "approaching"),
    [(0, False, False), (7, False, False), (8, False, True), (9, False, True), (10, True, False), (25, True, False)],
)
def test_penalty_threshold_and_approaching_it(unauthorised: int, met: bool, approaching: bool) -> None:
    assert rules.penalty_threshold_met(unauthorised) is met
    assert rules.approaching_penalty_threshold(unauthorised) is approaching


def test_statutory_thresholds() -> None:
    assert (rules.PENALTY_THRESHOLD_SESSIONS, rules.PENALTY_WINDOW_SCHOOL_WEEKS, rules.APPROACHING_MARGIN) == (
        10,
        10,
        2,
    )
    assert (rules.STATUTORY_RUN_DAYS, rules.SICKNESS_RETURN_SESSIONS, rules.PERSISTENT_PCT) == (10, 30, 90)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 9, 1), date(2024, 9, 1)),
        (date(2024, 8, 31), date(2023, 9, 1)),
        (date(2025, 1, 15), date(2024, 9, 1)),
        (date(2025, 7, 22), date(2024, 9, 1)),
        (date(2024, 12, 31), date(2024, 9, 1)),
    ],
)
def test_academic_year_starts_on_the_1_september_on_or_before(day: date, expected: date) -> None:
    assert rules.academic_year_start(day) == expected


@given(st.dates())
def test_monday_on_or_before(day: date) -> None:
    monday = rules.monday_on_or_before(day)
    assert monday.weekday() == 0
    assert timedelta(0) <= day - monday < timedelta(days=7)
