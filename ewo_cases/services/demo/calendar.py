"""A plausible English school calendar: three terms with half terms, INSET days and a bank holiday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class SchoolYear:
    """The school days of one academic year, and which of them are INSET (planned closure) days."""

    school_days: tuple[date, ...]
    inset_days: frozenset[date]


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _week_of(day: date) -> set[date]:
    monday = day - timedelta(days=day.weekday())
    return {monday + timedelta(days=n) for n in range(5)}


def school_year(academic_year: int) -> SchoolYear:
    """The school days of the academic year starting in September ``academic_year``."""
    terms = [
        (
            _monday_on_or_after(date(academic_year, 9, 2)),
            _friday_on_or_before(date(academic_year, 12, 19)),
            date(academic_year, 10, 27),
        ),
        (
            _monday_on_or_after(date(academic_year + 1, 1, 5)),
            _friday_on_or_before(date(academic_year + 1, 3, 27)),
            date(academic_year + 1, 2, 17),
        ),
        (
            _monday_on_or_after(date(academic_year + 1, 4, 13)),
            _friday_on_or_before(date(academic_year + 1, 7, 21)),
            date(academic_year + 1, 5, 28),
        ),
    ]
    may_day = _monday_on_or_after(date(academic_year + 1, 5, 1))
    days, inset = [], set()
    for first, last, half_term in terms:
        closed = _week_of(half_term) | {may_day}
        term_days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        term_days = [day for day in term_days if day.weekday() < 5 and day not in closed]
        inset.add(term_days[0])
        days.extend(term_days)
    return SchoolYear(tuple(days), frozenset(inset))
