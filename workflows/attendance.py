"""Attendance rules: the 2024 register codes, their statistical classes, bands and statutory thresholds.

Pure Python (standard library only) so that pages, imports, the command line and the vectorised engine in
``ewo_cases.services.attendance.engine`` all share one definition. The rules are those of
``data-contract.md`` ("Attendance codes and the computations") and of the statutory rules, sections 1–3.

Registers are stored one character per session (AM then PM for each calendar day). Single-character codes
are stored as themselves; the two-character codes map to one character (``CODE_TO_CHAR``); ``.`` means no
mark, which is never a possible session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

NO_MARK = "."
SESSIONS_PER_DAY = 2
AM, PM = 0, 1

#: Penalty notices: 10 unauthorised sessions within a rolling 10 school weeks (statutory rules §3).
PENALTY_THRESHOLD_SESSIONS = 10
PENALTY_WINDOW_SCHOOL_WEEKS = 10
#: How far back the current penalty window is looked for: the 10 school weeks ending today may reach into
#: the last school year (statutory rules §3). 10 school weeks, plus a summer holiday of up to 7 weeks, the
#: summer half term and part-weeks at either end, fit in 20 calendar weeks.
PENALTY_LOOK_BACK_WEEKS = 20
#: "Approaching" the threshold: within this many sessions of it in the current window.
APPROACHING_MARGIN = 2
#: Attendance return: a continuous period of this many school days of unauthorised absence (§5).
STATUTORY_RUN_DAYS = 10
#: Sickness return: 15 days (30 sessions) of illness, consecutive or cumulative (§5).
SICKNESS_RETURN_SESSIONS = 30
#: Persistent absence is missing 10% or more of possible sessions, severe 50% or more (§2).
PERSISTENT_ABSENCE_PCT = 10
SEVERE_ABSENCE_PCT = 50
#: Attendance below which a pupil is persistently absent, as the casework lists phrase it.
PERSISTENT_PCT = 90
#: Default attendance below which a pupil is "at risk" (configurable per authority).
AT_RISK_PCT = 95
#: Projection of attendance: the recent rate is taken over this many school weeks, projected this far ahead.
RECENT_SCHOOL_WEEKS = 4
PROJECTION_SCHOOL_WEEKS = 2

_TENTH = Decimal("0.1")


class SessionClass(StrEnum):
    """How a code counts in the statistics."""

    ATTENDING = "attending"
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    NOT_POSSIBLE = "not_possible"


@dataclass(frozen=True, slots=True)
class AttendanceCode:
    """One register code: how it is stored, how it counts and what it means."""

    code: str
    char: str
    session_class: SessionClass
    label: str

    @property
    def is_possible(self) -> bool:
        """Return whether the session counts in the pupil's possible sessions."""
        return self.session_class is not SessionClass.NOT_POSSIBLE

    @property
    def counts_to_penalty(self) -> bool:
        """Return whether the session counts towards the penalty-notice threshold."""
        return self.code in PENALTY_CODES


_A, _AU, _U, _NP = (
    SessionClass.ATTENDING,
    SessionClass.AUTHORISED,
    SessionClass.UNAUTHORISED,
    SessionClass.NOT_POSSIBLE,
)

# (code, stored character, class, label) in the order of the contract's table; labels abridge §1.
_CODE_TABLE: tuple[tuple[str, str, SessionClass, str], ...] = (
    ("/", "/", _A, "Present (morning)"),
    ("\\", "\\", _A, "Present (afternoon)"),
    ("L", "L", _A, "Late, arrived before the register closed"),
    ("K", "K", _A, "Attending education provision arranged by the local authority"),
    ("V", "V", _A, "Educational visit or trip"),
    ("P", "P", _A, "Approved sporting activity"),
    ("W", "W", _A, "Work experience"),
    ("B", "B", _A, "Other approved educational activity"),
    ("C", "C", _AU, "Leave of absence: exceptional circumstances"),
    ("C1", "a", _AU, "Leave of absence: regulated performance or employment abroad"),
    ("C2", "b", _AU, "Leave of absence: part-time timetable"),
    ("M", "M", _AU, "Leave of absence: medical or dental appointment"),
    ("J1", "j", _AU, "Leave of absence: interview for employment or admission"),
    ("S", "S", _AU, "Leave of absence: studying for a public examination"),
    ("T", "T", _AU, "Parent travelling for occupational purposes"),
    ("R", "R", _AU, "Religious observance"),
    ("I", "I", _AU, "Illness"),
    ("E", "E", _AU, "Suspended or excluded, no alternative provision made"),
    ("G", "G", _U, "Holiday not granted by the school"),
    ("N", "N", _U, "Reason for absence not yet established"),
    ("O", "O", _U, "Absent in other or unknown circumstances"),
    ("U", "U", _U, "Arrived after the register closed"),
    ("D", "D", _NP, "Dual registered: attending another school"),
    ("Q", "Q", _NP, "Unable to attend: lack of access arrangements"),
    ("X", "X", _NP, "Not of compulsory school age, not required to attend"),
    ("Y1", "1", _NP, "Unable to attend: transport not available"),
    ("Y2", "2", _NP, "Unable to attend: widespread disruption to travel"),
    ("Y3", "3", _NP, "Unable to attend: part of the school premises closed"),
    ("Y4", "4", _NP, "Unable to attend: whole school site unexpectedly closed"),
    ("Y5", "5", _NP, "Unable to attend: in criminal justice detention"),
    ("Y6", "6", _NP, "Unable to attend: public health guidance or law"),
    ("Y7", "7", _NP, "Unable to attend: any other unavoidable cause"),
    ("Z", "Z", _NP, "Prospective pupil not yet on the admission register"),
    ("#", "#", _NP, "Planned whole or partial school closure"),
)

CODES: dict[str, AttendanceCode] = {row[0]: AttendanceCode(*row) for row in _CODE_TABLE}
VALID_CODES: frozenset[str] = frozenset(CODES)
CODE_TO_CHAR: dict[str, str] = {code.code: code.char for code in CODES.values()}
CHAR_TO_CODE: dict[str, str] = {code.char: code.code for code in CODES.values()}
PENALTY_CODES: frozenset[str] = frozenset({"G", "N", "O", "U"})
ILLNESS_CODE = "I"


def is_valid_code(code: str) -> bool:
    """Return whether ``code`` is one of the 2024 register codes (case-sensitive)."""
    return code in CODES


def session_class(code: str) -> SessionClass:
    """Return the statistical class of a register code; raise ``KeyError`` for an unknown code."""
    return CODES[code].session_class


def code_label(code: str) -> str:
    """Return the human label of a register code; raise ``KeyError`` for an unknown code."""
    return CODES[code].label


def codes_in(cls: SessionClass) -> tuple[str, ...]:
    """Return the codes of one class, in the contract's order."""
    return tuple(code.code for code in CODES.values() if code.session_class is cls)


class Band(StrEnum):
    """A pupil's attendance band, from least to most concerning."""

    NONE = "none"
    AT_RISK = "at_risk"
    PERSISTENT = "persistent"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        """Return the band's name for people."""
        return _BAND_LABELS[self]

    @property
    def level(self) -> int:
        """Return 0 for none up to 3 for severe, so bands can be compared."""
        return BAND_ORDER.index(self)


_BAND_LABELS = {
    Band.NONE: "No concern",
    Band.AT_RISK: "At risk",
    Band.PERSISTENT: "Persistent absence",
    Band.SEVERE: "Severe absence",
}

#: Bands in increasing order of concern; the engine stores a band as its index here.
BAND_ORDER: tuple[Band, ...] = (Band.NONE, Band.AT_RISK, Band.PERSISTENT, Band.SEVERE)


def band(possible: int, attending: int, at_risk_threshold: int = AT_RISK_PCT) -> Band:
    """Return the band for a pupil's possible and attended sessions, compared exactly in integers."""
    if possible == 0:
        return Band.NONE
    absent = possible - attending
    if 100 * absent >= SEVERE_ABSENCE_PCT * possible:
        return Band.SEVERE
    if 100 * absent >= PERSISTENT_ABSENCE_PCT * possible:
        return Band.PERSISTENT
    if 100 * attending < at_risk_threshold * possible:
        return Band.AT_RISK
    return Band.NONE


def percentage(numerator: int, denominator: int) -> float | None:
    """Return 100 × numerator / denominator rounded half up to 1 decimal, or None when the denominator is 0.

    Half up (``Decimal`` ``ROUND_HALF_UP``), not Python's round-half-even: 2 of 400 sessions is 0.5% and
    1 of 2,000 is 0.05%, which shows as 0.1%. The division is exact to 28 significant digits, far beyond
    any register, so a true half is never mistaken for a near-half.
    """
    if denominator == 0:
        return None
    return float((Decimal(100 * numerator) / Decimal(denominator)).quantize(_TENTH, rounding=ROUND_HALF_UP))


def attendance_pct(possible: int, attending: int) -> float | None:
    """Return attendance as a percentage to 1 decimal (half up), or None when there are no possible sessions."""
    return percentage(attending, possible)


def is_persistently_absent(possible: int, attending: int) -> bool:
    """Return whether the pupil missed 10% or more of their possible sessions (persistent or severe)."""
    return possible > 0 and 100 * (possible - attending) >= PERSISTENT_ABSENCE_PCT * possible


def is_severely_absent(possible: int, attending: int) -> bool:
    """Return whether the pupil missed 50% or more of their possible sessions."""
    return possible > 0 and 100 * (possible - attending) >= SEVERE_ABSENCE_PCT * possible


def penalty_threshold_met(unauthorised_in_window: int) -> bool:
    """Return whether a 10-school-week window holds enough unauthorised sessions for a penalty notice."""
    return unauthorised_in_window >= PENALTY_THRESHOLD_SESSIONS


def approaching_penalty_threshold(unauthorised_in_window: int) -> bool:
    """Return whether a window is within ``APPROACHING_MARGIN`` sessions of the threshold but not yet at it."""
    return PENALTY_THRESHOLD_SESSIONS - APPROACHING_MARGIN <= unauthorised_in_window < PENALTY_THRESHOLD_SESSIONS


def academic_year_start(d: date) -> date:
    """Return 1 September on or before ``d``."""
    start = date(d.year, 9, 1)
    return start if d >= start else date(d.year - 1, 9, 1)


def monday_on_or_before(d: date) -> date:
    """Return the Monday on or before ``d``."""
    return d - timedelta(days=d.weekday())


def penalty_look_back_start(today: date) -> date:
    """Return the first day searched for the current penalty window ending ``today``, whatever the school year."""
    return monday_on_or_before(today) - timedelta(weeks=PENALTY_LOOK_BACK_WEEKS - 1)
