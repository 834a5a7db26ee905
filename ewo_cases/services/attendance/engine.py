"""Vectorised attendance computations for many pupils at once (``data-contract.md``, "the computations").

A register is a row of a 2-D ``uint8`` array: one byte per session (AM then PM) for consecutive calendar
days, encoded as in ``workflows.attendance`` (``.`` = no mark). Rows start on a Monday and hold whole weeks
(the width is a multiple of 14). Everything is computed with numpy over all rows at once; rows are taken in
blocks of a few hundred only to keep the temporary arrays small (and in cache) and to use every core, never
one pupil at a time.

How it stays fast and small: a lookup table turns each session byte into a ``uint16`` holding four 4-bit
counters (attending, authorised, unauthorised, illness). Adding two sessions gives a day and adding seven
days gives a week; no counter can exceed 14, so one addition counts all four classes at once.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from workflows import attendance as rules
from workflows.attendance import BAND_ORDER, NO_MARK, Band, SessionClass

DAYS_PER_WEEK = 7
SESSIONS_PER_WEEK = rules.SESSIONS_PER_DAY * DAYS_PER_WEEK
#: Sessions per block of rows: about 0.5 MB of packed counters, so each block's temporaries stay in cache.
BLOCK_SESSIONS = 1 << 18
#: Blocks are computed in threads: numpy releases the GIL inside its loops, so they run on every core.
WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

_ATTENDING_SHIFT, _AUTHORISED_SHIFT, _UNAUTHORISED_SHIFT, _ILLNESS_SHIFT = 0, 4, 8, 12
_COUNTER = 0xF
_ATTENDING_OR_AUTHORISED = 0x00FF
_UNAUTHORISED = 0x0F00

_CLASS_SHIFT = {
    SessionClass.ATTENDING: _ATTENDING_SHIFT,
    SessionClass.AUTHORISED: _AUTHORISED_SHIFT,
    SessionClass.UNAUTHORISED: _UNAUTHORISED_SHIFT,
}

#: Columns of ``attendance summary`` after ``upn``, in the contract's order.
SUMMARY_COLUMNS = (
    "possible",
    "attending",
    "authorised",
    "unauthorised",
    "illness",
    "attendance_pct",
    "band",
    "unauth_10wk_max",
    "unauth_10wk_latest",
    "penalty_threshold_met",
    "longest_unauth_days",
)
COHORT_DIMENSIONS = (
    "all",
    "pupil_premium",
    "sen_status",
    "looked_after",
    "previously_looked_after",
    "child_protection",
    "child_in_need",
    "sex",
    "year_group",
    "ethnicity",
)
COHORT_COLUMNS = (
    "dimension",
    "group",
    "pupils",
    "possible",
    "absence_sessions",
    "overall_absence_pct",
    "unauthorised_pct",
    "persistent_pupils",
    "persistent_pct",
    "severe_pupils",
    "severe_pct",
)


def _lookup_tables() -> tuple[np.ndarray, np.ndarray]:
    """Build the byte → packed-counters table and the byte → is-not-a-mark-or-code table."""
    packed = np.zeros(256, dtype=np.uint16)
    invalid = np.ones(256, dtype=bool)
    invalid[ord(NO_MARK)] = False
    for code in rules.CODES.values():
        byte = ord(code.char)
        invalid[byte] = False
        if code.is_possible:
            packed[byte] = 1 << _CLASS_SHIFT[code.session_class]
        if code.code == rules.ILLNESS_CODE:
            packed[byte] |= 1 << _ILLNESS_SHIFT
    return packed, invalid


_PACKED, _INVALID = _lookup_tables()


@dataclass(frozen=True, slots=True)
class Summary:
    """Per-pupil figures over a range; every field is an array with one entry per register row.

    ``band`` holds indexes into ``workflows.attendance.BAND_ORDER`` (0 none … 3 severe); use ``bands()``.
    ``attendance_pct`` is NaN where ``possible`` is 0. ``recent_*`` cover the pupil's latest
    ``recent_school_weeks`` (at most 4) school weeks. ``last_school_week_start`` is NaT for a pupil with no
    school week.
    """

    possible: np.ndarray
    attending: np.ndarray
    authorised: np.ndarray
    unauthorised: np.ndarray
    illness: np.ndarray
    attendance_pct: np.ndarray
    band: np.ndarray
    unauth_10wk_max: np.ndarray
    unauth_10wk_latest: np.ndarray
    penalty_threshold_met: np.ndarray
    longest_unauth_days: np.ndarray
    school_weeks: np.ndarray
    recent_school_weeks: np.ndarray
    recent_possible: np.ndarray
    recent_attending: np.ndarray
    last_school_week_start: np.ndarray

    def __len__(self) -> int:
        return len(self.possible)

    def in_band(self, band: Band) -> np.ndarray:
        """Return which pupils are in ``band``."""
        return self.band == BAND_ORDER.index(band)

    def bands(self) -> list[Band]:
        """Return each pupil's band as a ``Band``."""
        return [BAND_ORDER[index] for index in self.band.tolist()]

    def rows(self) -> list[dict[str, Any]]:
        """Return the contract's summary columns (after ``upn``) per pupil, as plain Python values."""
        columns = {name: getattr(self, name).tolist() for name in SUMMARY_COLUMNS}
        columns["band"] = [band.value for band in self.bands()]
        columns["attendance_pct"] = [None if math.isnan(pct) else pct for pct in columns["attendance_pct"]]
        return [dict(zip(SUMMARY_COLUMNS, values, strict=True)) for values in zip(*columns.values(), strict=True)]

    def row(self, index: int) -> dict[str, Any]:
        """Return the contract's summary columns (after ``upn``) for one pupil."""
        pct = float(self.attendance_pct[index])
        return {
            **{name: getattr(self, name)[index].item() for name in SUMMARY_COLUMNS},
            "band": BAND_ORDER[int(self.band[index])].value,
            "attendance_pct": None if np.isnan(pct) else pct,
        }


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """One pupil's counts for one Monday–Sunday week."""

    week_start: date
    possible: int
    attending: int
    authorised: int
    unauthorised: int


def to_array(registers: list[str] | list[bytes], width: int) -> np.ndarray:
    """Stack equal-length encoded registers into a writable ``(len(registers), width)`` uint8 array."""
    if not registers:
        return np.empty((0, width), dtype=np.uint8)
    if set(map(len, registers)) != {width}:
        bad = next(index for index, register in enumerate(registers) if len(register) != width)
        raise ValueError(f"register {bad} has {len(registers[bad])} sessions, expected {width}")
    joined = "".join(registers).encode("ascii") if isinstance(registers[0], str) else b"".join(registers)
    return np.frombuffer(bytearray(joined), dtype=np.uint8).reshape(len(registers), width)


def select_range(marks: np.ndarray, first_day: date, date_from: date, date_to: date) -> tuple[np.ndarray, date]:
    """Return a copy of the whole weeks covering ``date_from``–``date_to``, other days blanked, and its Monday."""
    _check_registers(marks, first_day)
    last_day = first_day + timedelta(days=marks.shape[1] // rules.SESSIONS_PER_DAY - 1)
    start, end = max(date_from, first_day), min(date_to, last_day)
    if start > end:
        return np.empty((marks.shape[0], 0), dtype=np.uint8), rules.monday_on_or_before(start)
    monday = rules.monday_on_or_before(start)
    week_from = (monday - first_day).days // DAYS_PER_WEEK
    week_to = (end - first_day).days // DAYS_PER_WEEK + 1
    selected = marks[:, week_from * SESSIONS_PER_WEEK : week_to * SESSIONS_PER_WEEK].copy()
    selected[:, : (start - monday).days * rules.SESSIONS_PER_DAY] = ord(NO_MARK)
    selected[:, ((end - monday).days + 1) * rules.SESSIONS_PER_DAY :] = ord(NO_MARK)
    return selected, monday


_Figures = dict[str, np.ndarray]
_BLOCK_FIGURES = (
    "possible",
    "attending",
    "authorised",
    "unauthorised",
    "illness",
    "unauth_10wk_max",
    "unauth_10wk_latest",
    "longest_unauth_days",
    "school_weeks",
    "recent_school_weeks",
    "recent_possible",
    "recent_attending",
)


def summarise(marks: np.ndarray, first_day: date, at_risk_threshold: int = rules.AT_RISK_PCT) -> Summary:
    """Compute every per-pupil figure of the contract for each register row."""
    _check_registers(marks, first_day)
    pupils, width = marks.shape
    counts = {name: np.zeros(pupils, dtype=np.int32) for name in _BLOCK_FIGURES}
    counts["last_school_week"] = np.full(pupils, -1, dtype=np.int32)
    if width:
        rows_per_block = max(1, BLOCK_SESSIONS // width)
        blocks = [slice(start, start + rows_per_block) for start in range(0, pupils, rows_per_block)]
        results = _in_parallel(lambda block: _block_figures(marks[block]), blocks)
        for block, figures in zip(blocks, results, strict=True):
            for name, values in figures.items():
                counts[name][block] = values
    return _summary(counts, first_day, at_risk_threshold)


def _in_parallel(function: Callable[[slice], _Figures], blocks: list[slice]) -> list[_Figures]:
    """Apply ``function`` to every block, in threads when there is more than one block."""
    if len(blocks) <= 1 or WORKERS == 1:
        return [function(block) for block in blocks]
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(blocks))) as pool:
        return list(pool.map(function, blocks))


def _check_registers(marks: np.ndarray, first_day: date) -> None:
    """Reject arrays that are not uint8 rows of whole weeks starting on a Monday."""
    if marks.ndim != 2 or marks.dtype != np.uint8:
        raise ValueError(f"marks must be a 2-D uint8 array, not {marks.ndim}-D {marks.dtype}")
    if marks.shape[1] % SESSIONS_PER_WEEK:
        raise ValueError(f"register width {marks.shape[1]} is not a whole number of weeks")
    if first_day.weekday() != 0:
        raise ValueError(f"registers must start on a Monday, not {first_day:%A %Y-%m-%d}")


def _day_counters(marks: np.ndarray) -> np.ndarray:
    """Return packed counters per pupil per day, rejecting bytes that are neither a code nor ``.``."""
    invalid = _INVALID[marks]
    if invalid.any():
        raise ValueError(f"unknown register mark {chr(int(marks[invalid][0]))!r}")
    sessions = _PACKED[marks]
    return sessions[:, 0::2] + sessions[:, 1::2]


def _week_counters(marks: np.ndarray) -> np.ndarray:
    """Return packed counters per pupil per Monday–Sunday week (registers start on a Monday)."""
    days = _day_counters(marks)
    return days.reshape(days.shape[0], days.shape[1] // DAYS_PER_WEEK, DAYS_PER_WEEK).sum(axis=2, dtype=np.uint16)


def weekly_counts(marks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return possible and attending sessions per register row per Monday–Sunday week, as int32."""
    weeks = _week_counters(marks)
    attending, authorised, unauthorised = (
        _counter(weeks, shift).astype(np.int32) for shift in (_ATTENDING_SHIFT, _AUTHORISED_SHIFT, _UNAUTHORISED_SHIFT)
    )
    return attending + authorised + unauthorised, attending


def _counter(packed: np.ndarray, shift: int) -> np.ndarray:
    """Unpack one 4-bit counter."""
    return (packed >> shift) & _COUNTER


def _block_figures(marks: np.ndarray) -> _Figures:
    """Compute the count figures for a block of register rows."""
    days = _day_counters(marks)
    weeks = days.reshape(len(marks), -1, DAYS_PER_WEEK).sum(axis=2, dtype=np.uint16)
    attending = _counter(weeks, _ATTENDING_SHIFT)
    authorised = _counter(weeks, _AUTHORISED_SHIFT)
    unauthorised = _counter(weeks, _UNAUTHORISED_SHIFT)
    possible = attending + authorised + unauthorised
    school_week = possible > 0
    school_weeks = school_week.sum(axis=1, dtype=np.int32)
    recent_weeks = np.minimum(school_weeks, rules.RECENT_SCHOOL_WEEKS)
    by_school_week = _SchoolWeekSums(school_week, school_weeks)
    return {
        "possible": possible.sum(axis=1, dtype=np.int32),
        "attending": attending.sum(axis=1, dtype=np.int32),
        "authorised": authorised.sum(axis=1, dtype=np.int32),
        "unauthorised": unauthorised.sum(axis=1, dtype=np.int32),
        "illness": _counter(weeks, _ILLNESS_SHIFT).sum(axis=1, dtype=np.int32),
        "unauth_10wk_max": by_school_week.max_window(unauthorised, rules.PENALTY_WINDOW_SCHOOL_WEEKS),
        "unauth_10wk_latest": by_school_week.latest(unauthorised, rules.PENALTY_WINDOW_SCHOOL_WEEKS),
        "longest_unauth_days": _longest_unauthorised_run(days),
        "school_weeks": school_weeks,
        "recent_school_weeks": recent_weeks,
        "recent_possible": by_school_week.latest(possible, rules.RECENT_SCHOOL_WEEKS),
        "recent_attending": by_school_week.latest(attending, rules.RECENT_SCHOOL_WEEKS),
        "last_school_week": _last_true_index(school_week),
    }


class _SchoolWeekSums:
    """Sums over runs of consecutive *school* weeks: each pupil's school weeks, with other weeks dropped."""

    def __init__(self, school_week: np.ndarray, school_weeks: np.ndarray) -> None:
        # A stable sort moves each pupil's school weeks to the front, in date order; the weeks left over
        # hold zeros for every count, so windows running into them only ever add nothing.
        self._order = np.argsort(~school_week, axis=1, kind="stable")
        self._school_weeks = school_weeks[:, None]

    def _prefix_sums(self, weekly: np.ndarray) -> np.ndarray:
        """Return cumulative sums over each pupil's school weeks, with a leading zero column."""
        sums = np.zeros((weekly.shape[0], weekly.shape[1] + 1), dtype=np.int32)
        np.cumsum(np.take_along_axis(weekly, self._order, axis=1), axis=1, dtype=np.int32, out=sums[:, 1:])
        return sums

    def max_window(self, weekly: np.ndarray, window: int) -> np.ndarray:
        """Return the largest sum over ``window`` consecutive school weeks (all of them if fewer)."""
        sums = self._prefix_sums(weekly)
        if sums.shape[1] - 1 <= window:
            return sums[:, -1]
        return (sums[:, window:] - sums[:, :-window]).max(axis=1)

    def latest(self, weekly: np.ndarray, window: int) -> np.ndarray:
        """Return the sum over the last ``window`` school weeks (all of them if fewer)."""
        sums = self._prefix_sums(weekly)
        end = self._school_weeks
        start = np.maximum(end - window, 0)
        return (np.take_along_axis(sums, end, axis=1) - np.take_along_axis(sums, start, axis=1))[:, 0]


def _longest_unauthorised_run(days: np.ndarray) -> np.ndarray:
    """Return the longest run of school days on which every possible session was unauthorised.

    Days without a possible session hold no counters at all, so they neither extend nor break a run.
    """
    breaks = (days & _ATTENDING_OR_AUTHORISED) != 0
    unauthorised_days = ((days & _UNAUTHORISED) != 0) & ~breaks
    counter = np.int16 if days.shape[1] < np.iinfo(np.int16).max else np.int32
    so_far = np.cumsum(unauthorised_days, axis=1, dtype=counter)
    # so_far never decreases, so a running maximum of its value at the breaks is its value at the last break.
    at_last_break = np.maximum.accumulate(np.where(breaks, so_far, 0), axis=1)
    return (so_far - at_last_break).max(axis=1).astype(np.int32)


def _last_true_index(flags: np.ndarray) -> np.ndarray:
    """Return the column of each row's last True, or -1 for a row with none."""
    last = flags.shape[1] - 1 - np.argmax(flags[:, ::-1], axis=1)
    return np.where(flags.any(axis=1), last, -1).astype(np.int32)


def _summary(counts: _Figures, first_day: date, at_risk_threshold: int) -> Summary:
    """Derive percentages, bands and dates from the counts."""
    last_week = counts.pop("last_school_week")
    week_starts = np.datetime64(first_day, "D") + last_week.astype("timedelta64[D]") * DAYS_PER_WEEK
    return Summary(
        **counts,
        attendance_pct=percentages(counts["attending"], counts["possible"]),
        band=band_indexes(counts["possible"], counts["attending"], at_risk_threshold),
        penalty_threshold_met=counts["unauth_10wk_max"] >= rules.PENALTY_THRESHOLD_SESSIONS,
        last_school_week_start=np.where(last_week >= 0, week_starts, np.datetime64("NaT")),
    )


def percentages(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Return 100 × numerator / denominator rounded half up to 1 decimal, NaN where the denominator is 0.

    Integer arithmetic throughout, so it agrees exactly with ``workflows.attendance.percentage``.
    """
    numerator, denominator = np.asarray(numerator, np.int64), np.asarray(denominator, np.int64)
    safe = np.maximum(denominator, 1)
    tenths = (2000 * numerator + safe) // (2 * safe)
    return np.where(denominator > 0, tenths / 10, np.nan)


def band_indexes(possible: np.ndarray, attending: np.ndarray, at_risk_threshold: int = rules.AT_RISK_PCT) -> np.ndarray:
    """Return each pupil's band as an index into ``BAND_ORDER``, exactly as ``workflows.attendance.band``."""
    possible, attending = np.asarray(possible, np.int64), np.asarray(attending, np.int64)
    absent = possible - attending
    index = np.zeros(len(possible), dtype=np.int8)
    index[100 * attending < at_risk_threshold * possible] = BAND_ORDER.index(Band.AT_RISK)
    index[100 * absent >= rules.PERSISTENT_ABSENCE_PCT * possible] = BAND_ORDER.index(Band.PERSISTENT)
    index[100 * absent >= rules.SEVERE_ABSENCE_PCT * possible] = BAND_ORDER.index(Band.SEVERE)
    index[possible == 0] = BAND_ORDER.index(Band.NONE)
    return index


def weekly(marks_row: np.ndarray, first_day: date) -> list[WeekFigures]:
    """Return one pupil's counts per Monday–Sunday week, for the weeks with a possible session."""
    marks = np.asarray(marks_row, dtype=np.uint8).reshape(1, -1)
    _check_registers(marks, first_day)
    if not marks.shape[1]:
        return []
    weeks = _week_counters(marks)[0]
    attending, authorised, unauthorised = (
        _counter(weeks, shift).tolist() for shift in (_ATTENDING_SHIFT, _AUTHORISED_SHIFT, _UNAUTHORISED_SHIFT)
    )
    return [
        WeekFigures(first_day + timedelta(weeks=index), a + au + u, a, au, u)
        for index, (a, au, u) in enumerate(zip(attending, authorised, unauthorised, strict=True))
        if a + au + u
    ]


# Identification lists ------------------------------------------------------------------------------------


def met_threshold_in_current_window(summary: Summary) -> np.ndarray:
    """Return who has 10 or more unauthorised sessions in their latest 10 school weeks."""
    return summary.unauth_10wk_latest >= rules.PENALTY_THRESHOLD_SESSIONS


def approaching_threshold(summary: Summary) -> np.ndarray:
    """Return who is within ``APPROACHING_MARGIN`` sessions of the threshold in their latest 10 school weeks."""
    latest = summary.unauth_10wk_latest
    return (latest >= rules.PENALTY_THRESHOLD_SESSIONS - rules.APPROACHING_MARGIN) & (
        latest < rules.PENALTY_THRESHOLD_SESSIONS
    )


def needs_attendance_return(summary: Summary) -> np.ndarray:
    """Return who has a run of 10 or more school days of unauthorised absence (the attendance return)."""
    return summary.longest_unauth_days >= rules.STATUTORY_RUN_DAYS


def needs_sickness_return(summary: Summary) -> np.ndarray:
    """Return who has 30 or more illness sessions (15 days) in the range (the sickness return)."""
    return summary.illness >= rules.SICKNESS_RETURN_SESSIONS


def projected_below_90(summary: Summary, weeks_ahead: int = rules.PROJECTION_SCHOOL_WEEKS) -> np.ndarray:
    """Return who is at or above 90% now but would be below 90% after ``weeks_ahead`` more school weeks.

    The contract does not define this list; the definition here: each further school week brings the
    pupil's average possible sessions per week over their latest ``recent_school_weeks`` (at most 4)
    school weeks, attended at the rate of those weeks (recent_attending / recent_possible). Attendance then
    moves steadily from today's rate towards the recent rate, so it is below 90% at some point within
    ``weeks_ahead`` weeks exactly when it is below 90% after them. Compared exactly in integers (both sides
    multiplied by the number of recent weeks). Pupils without a possible session are never included. "Below"
    is strict, so a pupil at exactly 90% now (already ``persistent``: 10% absent) can be on this list too.
    """
    recent_weeks = summary.recent_school_weeks.astype(np.int64)
    attending, possible = summary.attending.astype(np.int64), summary.possible.astype(np.int64)
    at_or_above_now = (possible > 0) & (100 * attending >= rules.PERSISTENT_PCT * possible)
    projected_attending = recent_weeks * attending + weeks_ahead * summary.recent_attending
    projected_possible = recent_weeks * possible + weeks_ahead * summary.recent_possible
    return at_or_above_now & (100 * projected_attending < rules.PERSISTENT_PCT * projected_possible)


def sessions_until_below(summary: Summary, pct: int = rules.PERSISTENT_PCT) -> np.ndarray:
    """Return how many more absent sessions would take each pupil's attendance below ``pct``%.

    The contract does not define this; the definition here: the smallest x ≥ 0 with
    100 × attending < pct × (possible + x), i.e. x further possible sessions, none attended. 0 when the pupil
    is already below ``pct``%; 1 for a pupil with no possible session (one absence makes 0%). A pupil at
    exactly ``pct``% needs 1.
    """
    surplus = 100 * summary.attending.astype(np.int64) - pct * summary.possible.astype(np.int64)
    return np.where(surplus < 0, 0, surplus // pct + 1)


# Cohort breakdown ----------------------------------------------------------------------------------------


def cohort_rows_for(summary: Summary, characteristics: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the governors' breakdown for the pupils of a ``Summary`` (see ``cohort_rows``)."""
    return cohort_rows(summary.possible, summary.attending, summary.authorised, summary.unauthorised, characteristics)


def cohort_rows(
    possible: np.ndarray,
    attending: np.ndarray,
    authorised: np.ndarray,
    unauthorised: np.ndarray,
    characteristics: dict[str, Any],
) -> list[dict[str, Any]]:
    """Return the rows of ``attendance cohorts``: one per group, dimensions in contract order, then group.

    ``characteristics`` maps each dimension after ``all`` to one value per pupil, as in ``pupils.csv``
    (``Y``/``N`` flags — booleans are turned into ``Y``/``N`` — sen ``N``/``K``/``E``, and so on; None or a
    missing ethnicity is the group ``""``). Dimensions left out get no rows. Only pupils with a possible
    session count. Groups sort as the strings they are (``year_group`` too: 1, 10, 11, 2, …, N1, R), as the
    contract says; pages that want school order sort again. Percentages are rounded half up to 1 decimal
    (None when dividing by 0, which happens only in the ``all`` row when no pupil has a possible session).
    """
    unknown = set(characteristics) - set(COHORT_DIMENSIONS[1:])
    if unknown:
        raise ValueError(f"unknown cohort dimensions: {', '.join(sorted(unknown))}")
    counted = np.asarray(possible) > 0
    figures = _pupil_figures(possible, attending, authorised, unauthorised, counted)
    rows = [cohort_row("all", "all", {name: int(values.sum()) for name, values in figures.items()})]
    for dimension in COHORT_DIMENSIONS[1:]:
        if dimension in characteristics:
            values = _group_values(characteristics[dimension], len(counted))[counted]
            rows.extend(_dimension_rows(dimension, values, figures))
    return rows


def _pupil_figures(
    possible: np.ndarray,
    attending: np.ndarray,
    authorised: np.ndarray,
    unauthorised: np.ndarray,
    counted: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return the per-pupil quantities the breakdown adds up, for the counted pupils only."""
    possible, attending = np.asarray(possible, np.int64)[counted], np.asarray(attending, np.int64)[counted]
    absent = possible - attending
    return {
        "pupils": np.ones(len(possible), dtype=np.int64),
        "possible": possible,
        "absence_sessions": (np.asarray(authorised, np.int64) + np.asarray(unauthorised, np.int64))[counted],
        "unauthorised": np.asarray(unauthorised, np.int64)[counted],
        "persistent_pupils": (100 * absent >= rules.PERSISTENT_ABSENCE_PCT * possible).astype(np.int64),
        "severe_pupils": (100 * absent >= rules.SEVERE_ABSENCE_PCT * possible).astype(np.int64),
    }


def _group_values(values: Any, pupils: int) -> np.ndarray:
    """Return one characteristic as an array of group strings."""
    array = np.asarray(values)
    if array.shape != (pupils,):
        raise ValueError(f"expected {pupils} characteristic values, got shape {array.shape}")
    if array.dtype == bool:
        return np.where(array, "Y", "N")
    if array.dtype == object:
        array = np.where(np.equal(array, None), "", array)
    return array.astype(str)


def _dimension_rows(dimension: str, values: np.ndarray, figures: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Return one dimension's rows, in group order."""
    groups, sums = _group_sums(values, figures)
    order = sorted(range(len(groups)), key=lambda index: str(groups[index]))
    return [
        cohort_row(dimension, str(groups[index]), {name: int(total[index]) for name, total in sums.items()})
        for index in order
    ]


def _group_sums(values: np.ndarray, figures: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Add up each per-pupil quantity of ``figures`` for each distinct value (the groups, sorted)."""
    groups, group_of_pupil = np.unique(values, return_inverse=True)
    return groups, {
        name: np.bincount(group_of_pupil, weights=pupil_values, minlength=len(groups)).round().astype(np.int64)
        for name, pupil_values in figures.items()
    }


def totals(
    possible: np.ndarray, attending: np.ndarray, authorised: np.ndarray, unauthorised: np.ndarray
) -> dict[str, int]:
    """Return the breakdown's totals (those of its ``all`` row, and ``authorised``) over the pupils with a
    possible session."""
    _counted, figures = _headline_figures(possible, attending, authorised, unauthorised)
    return {name: int(values.sum()) for name, values in figures.items()}


def totals_by(
    keys: np.ndarray, possible: np.ndarray, attending: np.ndarray, authorised: np.ndarray, unauthorised: np.ndarray
) -> dict[Any, dict[str, int]]:
    """Return ``totals`` for each value of ``keys`` (one per pupil) in one pass; a key only pupils without a
    possible session have is left out."""
    counted, figures = _headline_figures(possible, attending, authorised, unauthorised)
    groups, sums = _group_sums(np.asarray(keys)[counted], figures)
    return {group.item(): {name: int(total[i]) for name, total in sums.items()} for i, group in enumerate(groups)}


def _headline_figures(
    possible: np.ndarray, attending: np.ndarray, authorised: np.ndarray, unauthorised: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The pupils with a possible session, and their per-pupil quantities for ``totals``."""
    counted = np.asarray(possible) > 0
    figures = _pupil_figures(possible, attending, authorised, unauthorised, counted)
    figures["authorised"] = np.asarray(authorised, np.int64)[counted]
    return counted, figures


def cohort_row(dimension: str, group: str, totals: Mapping[str, int]) -> dict[str, Any]:
    """Return one breakdown row from a group's totals."""
    return {
        "dimension": dimension,
        "group": group,
        "pupils": totals["pupils"],
        "possible": totals["possible"],
        "absence_sessions": totals["absence_sessions"],
        "overall_absence_pct": rules.percentage(totals["absence_sessions"], totals["possible"]),
        "unauthorised_pct": rules.percentage(totals["unauthorised"], totals["possible"]),
        "persistent_pupils": totals["persistent_pupils"],
        "persistent_pct": rules.percentage(totals["persistent_pupils"], totals["pupils"]),
        "severe_pupils": totals["severe_pupils"],
        "severe_pct": rules.percentage(totals["severe_pupils"], totals["pupils"]),
    }


def random_registers(pupils: int, weeks: int, seed: int = 1) -> np.ndarray:
    """Return random registers roughly like a real year: mostly present, some absence, weekends blank."""
    generator = np.random.default_rng(seed)
    alphabet = np.frombuffer(b"/\\LIMNOGUC#", dtype=np.uint8)
    weights = np.array([0.45, 0.45, 0.02, 0.03, 0.005, 0.01, 0.01, 0.005, 0.005, 0.005, 0.01])
    upper_bounds = np.cumsum(weights / weights.sum())[:-1]
    marks = np.empty((pupils, weeks * SESSIONS_PER_WEEK), dtype=np.uint8)
    for start in range(0, pupils, 10_000):  # in blocks, so the random numbers never take much memory
        rows = marks[start : start + 10_000]
        rows[:] = alphabet[np.searchsorted(upper_bounds, generator.random(rows.shape, dtype=np.float32))]
    weekend = np.zeros(SESSIONS_PER_WEEK, dtype=bool)
    weekend[2 * 5 :] = True
    marks[:, np.tile(weekend, weeks)] = ord(NO_MARK)
    return marks


if __name__ == "__main__":
    import resource
    import time

    for pupil_count in (20_000, 200_000):
        registers = random_registers(pupil_count, 53)
        began = time.perf_counter()
        result = summarise(registers, date(2024, 8, 26))
        elapsed = time.perf_counter() - began
        print(f"summarise: {pupil_count:,} pupils × 53 weeks in {elapsed:.3f} s ({WORKERS} threads)")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
