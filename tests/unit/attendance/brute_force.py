"""A deliberately simple attendance calculator, written sentence by sentence from data-contract.md.

It works from a list of ``(date, session, code)`` marks, one pupil at a time, with plain loops, sets and
fractions, and shares nothing with the engine or with ``workflows.attendance``, so that the property tests
compare two independent readings of the contract.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

Mark = tuple[date, int, str]

ATTENDING = {"/", "\\", "L", "K", "V", "P", "W", "B"}
AUTHORISED = {"C", "C1", "C2", "M", "J1", "S", "T", "R", "I", "E"}
UNAUTHORISED = {"G", "N", "O", "U"}
NOT_POSSIBLE = {"D", "Q", "X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"}
TWO_CHARACTER_CODES = {"a": "C1", "b": "C2", "j": "J1", **{str(n): f"Y{n}" for n in range(1, 8)}}


@dataclass(frozen=True)
class Figures:
    """Everything the engine's ``Summary`` holds, for one pupil."""

    possible: int
    attending: int
    authorised: int
    unauthorised: int
    illness: int
    attendance_pct: float | None
    band: str
    unauth_10wk_max: int
    unauth_10wk_latest: int
    penalty_threshold_met: bool
    longest_unauth_days: int
    school_weeks: int
    recent_school_weeks: int
    recent_possible: int
    recent_attending: int
    last_school_week_start: date | None


def marks_from_register(register: str, first_day: date) -> list[Mark]:
    """Decode a stored register into marks, leaving out sessions with no mark."""
    marks = []
    for position, character in enumerate(register):
        if character != ".":
            day = first_day + timedelta(days=position // 2)
            marks.append((day, position % 2, TWO_CHARACTER_CODES.get(character, character)))
    return marks


def is_possible(code: str) -> bool:
    """Return whether a session with this code is a possible session."""
    return code not in NOT_POSSIBLE


def monday_of(day: date) -> date:
    """Return the Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def round_half_up(value: Fraction) -> float:
    """Round a non-negative value to 1 decimal, halves going up."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def percentage(numerator: int, denominator: int) -> float | None:
    """Return 100 × numerator / denominator to 1 decimal, or None when the denominator is 0."""
    if denominator == 0:
        return None
    return round_half_up(Fraction(100 * numerator, denominator))


def band(possible: int, attending: int, at_risk_threshold: int = 95) -> str:
    """Return the band, from the contract's sentence."""
    if possible == 0:
        return "none"
    missed = Fraction(possible - attending, possible)
    if missed >= Fraction(50, 100):
        return "severe"
    if missed >= Fraction(10, 100):
        return "persistent"
    if Fraction(attending, possible) < Fraction(at_risk_threshold, 100):
        return "at_risk"
    return "none"


def school_week_totals(marks: list[Mark]) -> list[tuple[date, int, int, int, int]]:
    """Return (monday, possible, attending, authorised, unauthorised) for each school week, in date order."""
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for day, _session, code in marks:
        if is_possible(code):
            totals = weeks[monday_of(day)]
            totals[0] += 1
            totals[1] += code in ATTENDING
            totals[2] += code in AUTHORISED
            totals[3] += code in UNAUTHORISED
    return [(monday, *weeks[monday]) for monday in sorted(weeks)]


def windows(values: list[int], size: int) -> list[int]:
    """Return the sum of every run of ``size`` consecutive values (one sum of them all if there are fewer)."""
    if len(values) <= size:
        return [sum(values)]
    return [sum(values[start : start + size]) for start in range(len(values) - size + 1)]


def longest_unauthorised_run(marks: list[Mark]) -> int:
    """Return the longest run of consecutive school days on which every possible session was unauthorised."""
    codes_by_day: dict[date, list[str]] = defaultdict(list)
    for day, _session, code in marks:
        if is_possible(code):
            codes_by_day[day].append(code)
    longest = current = 0
    for day in sorted(codes_by_day):
        if all(code in UNAUTHORISED for code in codes_by_day[day]):
            current += 1
            longest = max(longest, current)
        else:
            current = 0
    return longest


def figures(marks: list[Mark], at_risk_threshold: int = 95) -> Figures:
    """Return every figure for one pupil's marks."""
    possible_codes = [code for _day, _session, code in marks if is_possible(code)]
    possible = len(possible_codes)
    attending = sum(code in ATTENDING for code in possible_codes)
    weeks = school_week_totals(marks)
    unauthorised_by_week = [week[4] for week in weeks]
    recent = weeks[-4:]
    unauth_10wk_max = max(windows(unauthorised_by_week, 10))
    return Figures(
        possible=possible,
        attending=attending,
        authorised=sum(code in AUTHORISED for code in possible_codes),
        unauthorised=sum(code in UNAUTHORISED for code in possible_codes),
        illness=sum(code == "I" for code in possible_codes),
        attendance_pct=percentage(attending, possible),
        band=band(possible, attending, at_risk_threshold),
        unauth_10wk_max=unauth_10wk_max,
        unauth_10wk_latest=sum(unauthorised_by_week[-10:]),
        penalty_threshold_met=unauth_10wk_max >= 10,
        longest_unauth_days=longest_unauthorised_run(marks),
        school_weeks=len(weeks),
        recent_school_weeks=len(recent),
        recent_possible=sum(week[1] for week in recent),
        recent_attending=sum(week[2] for week in recent),
        last_school_week_start=weeks[-1][0] if weeks else None,
    )


def projected_below_90(pupil: Figures, weeks_ahead: int = 2) -> bool:
    """Return whether attendance now at or above 90% drops below 90% in one of the next school weeks.

    Each week adds the average possible sessions of the recent school weeks, attended at the recent rate.
    """
    if pupil.possible == 0 or Fraction(pupil.attending, pupil.possible) < Fraction(90, 100):
        return False
    weeks = pupil.recent_school_weeks
    for week in range(1, weeks_ahead + 1):
        attending = pupil.attending + Fraction(week * pupil.recent_attending, weeks)
        possible = pupil.possible + Fraction(week * pupil.recent_possible, weeks)
        if attending / possible < Fraction(90, 100):
            return True
    return False


def sessions_until_below(pupil: Figures, pct: int = 90) -> int:
    """Return the fewest further absent sessions that leave attendance below ``pct``%."""
    absences = 0
    while True:
        possible = pupil.possible + absences
        if possible and Fraction(pupil.attending, possible) < Fraction(pct, 100):
            return absences
        absences += 1


def weekly(marks: list[Mark]) -> list[tuple[date, int, int, int, int]]:
    """Return (monday, possible, attending, authorised, unauthorised) for each week with a possible session."""
    return school_week_totals(marks)


def cohort_rows(pupils: list[tuple[Figures, dict[str, str]]], dimensions: list[str]) -> list[dict[str, object]]:
    """Return the governors' breakdown: one row per group of pupils with at least one possible session."""
    counted = [(pupil, characteristics) for pupil, characteristics in pupils if pupil.possible > 0]
    rows = [cohort_row("all", "all", [pupil for pupil, _ in counted])]
    for dimension in dimensions:
        groups: dict[str, list[Figures]] = defaultdict(list)
        for pupil, characteristics in counted:
            groups[characteristics[dimension]].append(pupil)
        for group in sorted(groups):  # the contract: "then group", the value as written
            rows.append(cohort_row(dimension, group, groups[group]))
    return rows


def cohort_row(dimension: str, group: str, pupils: list[Figures]) -> dict[str, object]:
    """Return one group's row of the breakdown."""
    possible = sum(pupil.possible for pupil in pupils)
    absence = sum(pupil.authorised + pupil.unauthorised for pupil in pupils)
    persistent = sum(Fraction(p.possible - p.attending, p.possible) >= Fraction(1, 10) for p in pupils)
    severe = sum(Fraction(p.possible - p.attending, p.possible) >= Fraction(1, 2) for p in pupils)
    return {
        "dimension": dimension,
        "group": group,
        "pupils": len(pupils),
        "possible": possible,
        "absence_sessions": absence,
        "overall_absence_pct": percentage(absence, possible),
        "unauthorised_pct": percentage(sum(pupil.unauthorised for pupil in pupils), possible),
        "persistent_pupils": persistent,
        "persistent_pct": percentage(persistent, len(pupils)),
        "severe_pupils": severe,
        "severe_pct": percentage(severe, len(pupils)),
    }
