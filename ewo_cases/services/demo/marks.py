"""Made-up registers: each pupil misses about their share of sessions, through illness spells, medical
appointments, unexplained absence, late arrival, term-time holidays, and for a few exclusion or a
part-time timetable; some join or leave during the year, and one school closes for a snow day."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from ewo_cases.models import REGISTER_LENGTH
from ewo_cases.services.attendance.registers import register_start
from ewo_cases.services.demo.calendar import SchoolYear
from ewo_cases.services.demo.people import DemoPupil
from workflows.attendance import CHAR_TO_CODE, CODE_TO_CHAR, NO_MARK

#: Kinds of absence and how often each is chosen: (weight, codes, shortest spell, longest spell in days).
ABSENCES = (
    (34, "I", 1, 4),
    (8, "M", 0, 0),  # 0 days: one morning session
    (14, "N", 1, 2),
    (14, "O", 1, 3),
    (10, "U", 0, 0),
    (4, "C", 1, 1),
    (2, "R", 1, 1),
    (2, "E", 2, 3),
)
SEVERE_ABSENCES = ((60, "O", 5, 15), (25, "I", 2, 6), (15, "N", 1, 5))
#: Share of pupils with a long illness (15 days or more: the sickness return).
LONG_ILLNESS = 0.012


def template(calendar: SchoolYear, academic_year: int, until: date, closures: frozenset[date]) -> bytearray:
    """A school's register with every pupil present on every school day up to ``until``."""
    start = register_start(academic_year)
    marks = bytearray(NO_MARK.encode() * REGISTER_LENGTH)
    for day in calendar.school_days:
        if day > until:
            break
        position = (day - start).days * 2
        if day in calendar.inset_days:
            marks[position : position + 2] = b"##"
        elif day in closures:
            marks[position : position + 2] = CODE_TO_CHAR["Y4"].encode() * 2
        else:
            marks[position : position + 2] = b"/\\"
    return marks


def pupil_register(
    rng: random.Random,
    pupil: DemoPupil,
    school_template: bytearray,
    calendar: SchoolYear,
    academic_year: int,
    until: date,
    *,
    current: bool,
) -> bytes | None:
    """One pupil's register for one year, or None if they were not on roll that year.

    Joiners join and leavers leave during the current year; a joiner was not here the year before.
    """
    if pupil.joins is not None and not current:
        return None
    start = register_start(academic_year)
    days = [day for day in calendar.school_days if day <= until and day not in calendar.inset_days]
    first = pupil.joins or 0 if current else 0
    last = pupil.leaves if current and pupil.leaves is not None else len(days)
    on_roll = days[first:last]
    if not on_roll:
        return None
    marks = bytearray(school_template)
    marks[: (on_roll[0] - start).days * 2] = NO_MARK.encode() * ((on_roll[0] - start).days * 2)
    after = (on_roll[-1] - start).days * 2 + 2
    marks[after:] = NO_MARK.encode() * (len(marks) - after)
    _mark_absences(rng, marks, on_roll, start, pupil.absence_rate)
    _mark_lateness(rng, marks, on_roll, start)
    return bytes(marks)


def _mark_absences(rng: random.Random, marks: bytearray, days: list[date], start: date, rate: float) -> None:
    budget = round(rate * len(days) * 2)
    kinds = SEVERE_ABSENCES if rate > 0.5 else ABSENCES
    if rng.random() < LONG_ILLNESS:
        budget -= _mark_spell(marks, days, rng.randrange(len(days)), rng.randint(15, 20), "I", start)
    if budget >= 10 and rng.random() < 0.12:
        budget -= _mark_spell(marks, days, rng.randrange(len(days)), 5, "G", start)  # a term-time holiday
    while budget > 0:
        _weight, code, shortest, longest = rng.choices(kinds, weights=[kind[0] for kind in kinds])[0]
        day = rng.randrange(len(days))
        if shortest == 0 or budget == 1:
            position = (days[day] - start).days * 2
            if marks[position] in b"/\\":
                marks[position] = ord(CODE_TO_CHAR[code])
                budget -= 1
            continue
        length = min(rng.randint(shortest, longest), budget // 2)  # never overshoot the pupil's share
        budget -= _mark_spell(marks, days, day, length, code, start)


def _mark_spell(marks: bytearray, days: list[date], first: int, length: int, code: str, start: date) -> int:
    """Mark both sessions of ``length`` school days from ``first``; return how many sessions changed."""
    changed = 0
    for day in days[first : first + length]:
        position = (day - start).days * 2
        for session in (position, position + 1):
            if marks[session] in b"/\\":
                marks[session] = ord(CODE_TO_CHAR[code])
                changed += 1
    return changed


def _mark_lateness(rng: random.Random, marks: bytearray, days: list[date], start: date) -> None:
    if rng.random() < 0.7:
        return
    for day in rng.sample(days, k=min(len(days), rng.randint(2, 12))):
        position = (day - start).days * 2
        if marks[position] == ord("/"):
            marks[position] = ord("L")


def marks_rows(register: bytes, academic_year: int) -> Iterator[tuple[date, str, str]]:
    """The (date, session, code) rows a register holds, as a ``marks.csv`` would list them."""
    start = register_start(academic_year)
    for position, char in enumerate(register):
        if char != ord(NO_MARK):
            yield start + timedelta(days=position // 2), "AM" if position % 2 == 0 else "PM", CHAR_TO_CODE[chr(char)]
