"""School days, as each school's own registers show them.

A day is a **school day** at a school when the school recorded at least one possible session on it (any
pupil, any code that counts in possible sessions); holidays, weekends and closures recorded as "not a possible
session" are not. The days are kept per school and academic year in ``school_calendars``, rebuilt whenever the
figures are refreshed (after every marks import and by ``flask attendance refresh``), so counting them reads
one short row per school.

Beyond the last day a school's registers hold any mark (marks not yet imported, or a year with no registers)
the weekdays, Monday to Friday, are counted instead: the best guess until the registers arrive.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import REGISTER_DAYS, AttendanceRegister, SchoolCalendar
from ewo_cases.services.attendance.registers import CHUNK, academic_year_of, register_start
from workflows.attendance import CODES, NO_MARK, SESSIONS_PER_DAY

SCHOOL_DAY, CLOSED, UNRECORDED = "S", "C", "."


def _possible_bytes() -> np.ndarray:
    possible = np.zeros(256, dtype=bool)
    for code in CODES.values():
        possible[ord(code.char)] = code.is_possible
    return possible


_POSSIBLE = _possible_bytes()
_NO_MARK = ord(NO_MARK)


def refresh(school_ids: Iterable[int] | None = None) -> None:
    """Rebuild the calendars of these schools (every school when None), for every year they have registers."""
    query = sa.select(AttendanceRegister.school_id, AttendanceRegister.academic_year, AttendanceRegister.marks)
    wanted = None if school_ids is None else sorted(set(school_ids))
    open_days: dict[tuple[int, int], np.ndarray] = {}
    marked_days: dict[tuple[int, int], np.ndarray] = {}
    for chunk in [None] if wanted is None else [wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK)]:
        chunk_query = query if chunk is None else query.where(AttendanceRegister.school_id.in_(chunk))
        for school_id, year, marks in db.session.execute(chunk_query).yield_per(2000):
            sessions = np.frombuffer(marks.encode("ascii"), dtype=np.uint8).reshape(REGISTER_DAYS, SESSIONS_PER_DAY)
            key, is_open, is_marked = (school_id, year), _POSSIBLE[sessions].any(axis=1), sessions != _NO_MARK
            if key in open_days:
                open_days[key] |= is_open
                marked_days[key] |= is_marked.any(axis=1)
            else:
                open_days[key], marked_days[key] = is_open, is_marked.any(axis=1)
    delete = sa.delete(SchoolCalendar)
    db.session.execute(delete if wanted is None else delete.where(SchoolCalendar.school_id.in_(wanted)))
    rows = [
        {"school_id": school_id, "academic_year": year, "days": _encode(is_open, marked_days[(school_id, year)])}
        for (school_id, year), is_open in open_days.items()
    ]
    if rows:
        db.session.execute(sa.insert(SchoolCalendar), rows)
    db.session.flush()


def _encode(is_open: np.ndarray, is_marked: np.ndarray) -> str:
    return "".join(np.where(is_open, SCHOOL_DAY, np.where(is_marked, CLOSED, UNRECORDED)).tolist())


class SchoolDays:
    """Counts school days at a few schools over a span of dates, from their stored calendars."""

    def __init__(self, school_ids: Collection[int], first: date, last: date) -> None:
        self.first, self.last = first, max(first, last)
        self._rows = {school_id: row for row, school_id in enumerate(sorted(set(school_ids)))}
        span = (self.last - self.first).days + 1
        flags = np.tile(_weekdays(self.first, span), (len(self._rows), 1))
        calendars: dict[int, list[tuple[int, np.ndarray]]] = {}
        if self._rows:
            # Later years too: a school that has marked a later year has every day of the earlier ones recorded.
            for school_id, year, days in db.session.execute(
                sa.select(SchoolCalendar.school_id, SchoolCalendar.academic_year, SchoolCalendar.days)
                .where(
                    SchoolCalendar.school_id.in_(list(self._rows)),
                    SchoolCalendar.academic_year >= academic_year_of(self.first),
                )
                .order_by(SchoolCalendar.academic_year)
            ):
                calendars.setdefault(school_id, []).append((year, np.frombuffer(days.encode("ascii"), np.uint8)))
        for school_id, years in calendars.items():
            self._lay_over(flags[self._rows[school_id]], years)
        # cumulative[:, i] = school days from ``first`` to the day before ``first + i``
        self._cumulative = np.concatenate([np.zeros((len(self._rows), 1), np.int64), flags.cumsum(axis=1)], axis=1)

    def _lay_over(self, flags: np.ndarray, years: list[tuple[int, np.ndarray]]) -> None:
        """Put a school's recorded days over the weekdays, up to the last day it marked anything."""
        last_marked = None
        for year, recorded in years:
            marked = np.flatnonzero(recorded != ord(UNRECORDED))
            if len(marked):
                last_marked = register_start(year) + timedelta(days=int(marked[-1]))
        if last_marked is None:
            return
        for year, recorded in years:
            begins, ends = date(year, 9, 1), min(date(year + 1, 8, 31), last_marked)
            start, stop = (begins - self.first).days, (ends - self.first).days + 1
            start, stop = max(start, 0), min(stop, len(flags))
            if start < stop:
                offset = (register_start(year) - self.first).days
                flags[start:stop] = recorded[start - offset : stop - offset] == ord(SCHOOL_DAY)

    def after(self, school_ids: Iterable[int], since: Iterable[date], today: date) -> np.ndarray:
        """Count, for each (school, day) pair, the school days after ``since`` up to and including ``today``."""
        rows = np.fromiter((self._rows[school_id] for school_id in school_ids), dtype=np.int64)
        starts = np.fromiter((self._index(day + timedelta(days=1)) for day in since), dtype=np.int64)
        end = self._index(today + timedelta(days=1))
        if not len(rows):
            return np.zeros(0, dtype=np.int64)
        return np.maximum(self._cumulative[rows, end] - self._cumulative[rows, np.minimum(starts, end)], 0)

    def _index(self, day: date) -> int:
        return min(max((day - self.first).days, 0), self._cumulative.shape[1] - 1)


def _weekdays(first: date, span: int) -> np.ndarray:
    weekday = (np.arange(span) + first.weekday()) % 7
    return weekday < 5
