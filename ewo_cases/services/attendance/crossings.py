"""When each pupil crossed a threshold this year, worked out from their marks (not from when the service
noticed), so that the first import and a re-import that corrects old marks both give the true day.

- ``band_entered_on``: the day whose marks last took the pupil's year-to-date figures from a better band to
  their current band or worse (None in no band). A pupil recovering from severe to persistent absence keeps
  the day they first became persistently absent: getting better is not crossing a threshold.
- ``threshold_met_on``: the first day on which the pupil had 10 unauthorised sessions within 10 school weeks
  (the penalty notice threshold; ``penalty_threshold_met``); None when not met.

Both are exactly what recomputing the year-to-date figures up to each day would give (tested so).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ewo_cases.services.attendance import engine
from workflows.attendance import CODES, PENALTY_THRESHOLD_SESSIONS, PENALTY_WINDOW_SCHOOL_WEEKS, SessionClass

#: Pupils per block: keeps the per-day arrays to a few megabytes.
BLOCK_ROWS = 2000
DAYS_PER_WEEK = engine.DAYS_PER_WEEK


def _class_bytes(*classes: SessionClass) -> np.ndarray:
    table = np.zeros(256, dtype=np.int32)
    for code in CODES.values():
        table[ord(code.char)] = code.session_class in classes
    return table


_POSSIBLE = _class_bytes(SessionClass.ATTENDING, SessionClass.AUTHORISED, SessionClass.UNAUTHORISED)
_ATTENDING = _class_bytes(SessionClass.ATTENDING)
_UNAUTHORISED = _class_bytes(SessionClass.UNAUTHORISED)


def stamp(rows: list[dict], marks: np.ndarray, first_day: date, at_risk_threshold: int) -> None:
    """Set ``band_entered_on`` and ``threshold_met_on`` on the stored rows of these registers (same order)."""
    for start in range(0, len(rows), BLOCK_ROWS):
        block = marks[start : start + BLOCK_ROWS]
        entered, met = band_entered(block, at_risk_threshold), threshold_met(block)
        for row, entered_day, met_day in zip(rows[start : start + BLOCK_ROWS], entered, met, strict=True):
            row["band_entered_on"] = None if entered_day < 0 else first_day + timedelta(days=int(entered_day))
            row["threshold_met_on"] = None if met_day < 0 else first_day + timedelta(days=int(met_day))


def _per_day(table: np.ndarray, marks: np.ndarray) -> np.ndarray:
    sessions = table[marks]
    return sessions[:, 0::2] + sessions[:, 1::2]


def band_entered(marks: np.ndarray, at_risk_threshold: int) -> np.ndarray:
    """Return, per row, the index of the day it last fell into its final band or worse; -1 in no band."""
    possible = _per_day(_POSSIBLE, marks).cumsum(axis=1)
    attending = _per_day(_ATTENDING, marks).cumsum(axis=1)
    bands = engine.band_indexes(possible.ravel(), attending.ravel(), at_risk_threshold).reshape(possible.shape)
    if not bands.shape[1]:
        return np.full(len(bands), -1)
    final = bands[:, -1:]
    at_or_worse = bands >= final
    before = np.concatenate([np.zeros((len(bands), 1), dtype=bool), at_or_worse[:, :-1]], axis=1)
    fell = at_or_worse & ~before
    last = fell.shape[1] - 1 - np.argmax(fell[:, ::-1], axis=1)
    return np.where(final[:, 0] > 0, last, -1)


def threshold_met(marks: np.ndarray) -> np.ndarray:
    """Return, per row, the index of the first day with 10 unauthorised sessions in 10 school weeks; else -1."""
    unauthorised_days = _per_day(_UNAUTHORISED, marks)
    weeks = unauthorised_days.shape[1] // DAYS_PER_WEEK
    by_week = unauthorised_days.reshape(len(marks), weeks, DAYS_PER_WEEK)
    unauthorised = by_week.sum(axis=2)
    school_week = _per_day(_POSSIBLE, marks).reshape(len(marks), weeks, DAYS_PER_WEEK).sum(axis=2) > 0
    # Weeks that are not school weeks hold no unauthorised sessions, so calendar sums are school-week sums.
    through = unauthorised.cumsum(axis=1)
    school_weeks_through = school_week.cumsum(axis=1)
    # after[k]: unauthorised sessions in the pupil's first k school weeks.
    order = np.argsort(~school_week, axis=1, kind="stable")
    after = np.concatenate(
        [np.zeros((len(marks), 1), np.int64), np.take_along_axis(unauthorised, order, axis=1).cumsum(axis=1)], axis=1
    )
    window_start = np.maximum(school_weeks_through - PENALTY_WINDOW_SCHOOL_WEEKS, 0)
    in_window = through - np.take_along_axis(after, window_start, axis=1)
    reached = school_week & (in_window >= PENALTY_THRESHOLD_SESSIONS)
    met = np.full(len(marks), -1)
    for row in np.flatnonzero(reached.any(axis=1)):
        week = int(np.argmax(reached[row]))
        # Before this week's sessions the window held its other nine school weeks.
        needed = PENALTY_THRESHOLD_SESSIONS - (in_window[row, week] - unauthorised[row, week])
        day = int(np.argmax(by_week[row, week].cumsum() >= needed))
        met[row] = week * DAYS_PER_WEEK + day
    return met
