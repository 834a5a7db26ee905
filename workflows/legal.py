"""The statutory rules the workflow enforces, as pure functions of dates (England, from 19 August 2024).

Sources: statutory-rules.md sections 3 and 4 (SI 2007/1867 as amended by SI 2024/210; Education Act 1996
s444, s447; Children Act 1989 s36 and Sch 3). Conventions used throughout:

* Day counts run from the day after the start date: a notice received on 1 March and paid on 22 March was
  paid on day 21.
* A three-year window opened by a notice issued on D covers D up to the day before D's third anniversary;
  on the anniversary itself the earlier notice no longer counts (29 February anniversaries fall on 28 February).
* An improvement period of N school weeks is set as start + N calendar weeks plus the holiday weeks typed in;
  when its outcome is recorded the registers say how many school weeks it really held (runs of 7 days from
  its start with at least 3 school days), and a period that held fewer than 3 cannot be found to have failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final, Protocol

from workflows.attendance import PENALTY_THRESHOLD_SESSIONS, PENALTY_WINDOW_SCHOOL_WEEKS

DISCOUNTED_AMOUNT: Final = 80
FULL_AMOUNT: Final = 160
DISCOUNT_DAYS: Final = 21
PAYMENT_DAYS: Final = 28
NOTICE_CAP: Final = 2
CAP_YEARS: Final = 3
NTI_MIN_WEEKS: Final = 3
NTI_MAX_WEEKS: Final = 6
#: Weeks of school holiday an improvement period may span: Christmas and Easter last two, half terms one.
NTI_MAX_HOLIDAY_WEEKS: Final = 2
ESO_TERM_YEARS: Final = 1
ESO_MAX_YEARS: Final = 3


class NoticeKind(StrEnum):
    """Whether a penalty notice is the parent's first for the child in 3 years, or their second."""

    FIRST = "first"
    SECOND = "second"


class WithdrawalGround(StrEnum):
    """The grounds for withdrawing a penalty notice (2007 regulations, reg 8)."""

    OUGHT_NOT_TO_HAVE_BEEN_ISSUED = "ought_not_to_have_been_issued"
    ISSUED_TO_WRONG_PERSON = "issued_to_wrong_person"
    CONTAINS_MATERIAL_ERRORS = "contains_material_errors"


class Section444(StrEnum):
    """The school attendance offence charged."""

    S444_1 = "s444_1"
    S444_1A = "s444_1a"


class Verdict(StrEnum):
    """How proceedings against one parent ended."""

    GUILTY = "guilty"
    NOT_GUILTY = "not_guilty"
    WITHDRAWN = "withdrawn"


class Sentence(StrEnum):
    """What the court ordered on conviction (several may apply)."""

    FINE = "fine"
    COSTS = "costs"
    CONDITIONAL_DISCHARGE = "conditional_discharge"
    ABSOLUTE_DISCHARGE = "absolute_discharge"
    PARENTING_ORDER = "parenting_order"


WITHDRAWAL_GROUND_LABELS: Final = {
    WithdrawalGround.OUGHT_NOT_TO_HAVE_BEEN_ISSUED: "It ought not to have been issued",
    WithdrawalGround.ISSUED_TO_WRONG_PERSON: "It was issued to the wrong person",
    WithdrawalGround.CONTAINS_MATERIAL_ERRORS: "It contains material errors",
}
SECTION_LABELS: Final = {
    Section444.S444_1: "Section 444(1): failure to secure regular attendance",
    Section444.S444_1A: "Section 444(1A): knowing failure to cause regular attendance",
}
#: Maximum fines (standard scale level 3 and level 4); the level 4 figure is UNCONFIRMED in statutory-rules.md.
MAX_FINE: Final = {Section444.S444_1: 1000, Section444.S444_1A: 2500}
VERDICT_LABELS: Final = {Verdict.GUILTY: "Guilty", Verdict.NOT_GUILTY: "Not guilty", Verdict.WITHDRAWN: "Withdrawn"}
SENTENCE_LABELS: Final = {
    Sentence.FINE: "Fine",
    Sentence.COSTS: "Costs",
    Sentence.CONDITIONAL_DISCHARGE: "Conditional discharge",
    Sentence.ABSOLUTE_DISCHARGE: "Absolute discharge",
    Sentence.PARENTING_ORDER: "Parenting order",
}


@dataclass(frozen=True)
class SchoolWeek:
    """One Monday-to-Sunday week of a pupil's register that held at least one possible session."""

    starts_on: date
    possible: int
    unauthorised: int


def threshold_met_after(weeks: Sequence[SchoolWeek], after: date) -> bool:
    """Return whether some run of 10 consecutive school weeks, all starting after ``after``, holds 10 or more
    unauthorised sessions: a new breach of the threshold, not one measured again over absence already punished.

    Fewer than 10 school weeks since ``after`` can hold a breach too (the window is "within" 10 weeks).
    """
    later = [week.unauthorised for week in weeks if week.starts_on > after]
    window = PENALTY_WINDOW_SCHOOL_WEEKS
    sums = [sum(later[start : start + window]) for start in range(max(1, len(later) - window + 1))]
    return max(sums, default=0) >= PENALTY_THRESHOLD_SESSIONS


@dataclass(frozen=True)
class PeriodRegister:
    """What the registers show for a period: its school weeks and the unauthorised sessions in it."""

    school_weeks: int
    possible: int
    unauthorised: int


class IssuedNotice(Protocol):
    """A penalty notice as the cap rules see it: when it was issued and whether it was withdrawn."""

    @property
    def issued_on(self) -> date: ...

    @property
    def withdrawn_on(self) -> date | None: ...


def add_years(day: date, years: int) -> date:
    """Return the same calendar day ``years`` later, moving 29 February to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def periods_overlap(first: tuple[date, date], second: tuple[date, date]) -> bool:
    """Return whether two inclusive date ranges share at least one day."""
    return first[0] <= second[1] and second[0] <= first[1]


# --- penalty notices: the 2-in-3-years cap and first or second notice ---


def within_cap_window(earlier_issued_on: date, day: date) -> bool:
    """Return whether ``day`` falls in the 3 years that start on the earlier notice's date of issue."""
    return earlier_issued_on <= day < add_years(earlier_issued_on, CAP_YEARS)


def is_withdrawn(notice: IssuedNotice, as_of: date) -> bool:
    """Return whether ``notice`` had been withdrawn by ``as_of``."""
    return notice.withdrawn_on is not None and notice.withdrawn_on <= as_of


def notices_counting_towards_cap(notices: Iterable[IssuedNotice], as_of: date) -> list[IssuedNotice]:
    """Return the notices (one parent, one child) that count towards the cap on ``as_of``: not withdrawn, in window."""
    return [n for n in notices if within_cap_window(n.issued_on, as_of) and not is_withdrawn(n, as_of)]


def may_issue_notice(notices: Iterable[IssuedNotice], as_of: date) -> bool:
    """Return whether one more notice may go to this parent for this child on ``as_of`` (fewer than 2 count)."""
    return len(notices_counting_towards_cap(notices, as_of)) < NOTICE_CAP


def notice_kind(earlier_notices: Iterable[IssuedNotice], issued_on: date) -> NoticeKind:
    """Return whether a notice issued on ``issued_on`` is a first or a second, given the parent's earlier notices.

    The kind is fixed at issue: a notice withdrawn after a later one was issued does not change the later one.
    """
    earlier = [n for n in earlier_notices if n.issued_on <= issued_on]
    return NoticeKind.SECOND if notices_counting_towards_cap(earlier, issued_on) else NoticeKind.FIRST


# --- penalty notices: amounts and payment clocks ---


def discount_deadline(received_on: date) -> date:
    """Return the last day on which a first notice can be paid at the reduced rate."""
    return received_on + timedelta(days=DISCOUNT_DAYS)


def payment_deadline(received_on: date) -> date:
    """Return the last day on which any notice can be paid."""
    return received_on + timedelta(days=PAYMENT_DAYS)


def amount_payable(kind: NoticeKind, received_on: date, paid_on: date) -> int | None:
    """Return the amount in pounds due when paying on ``paid_on``, or None once the 28 days have passed."""
    if paid_on > payment_deadline(received_on):
        return None
    if kind is NoticeKind.FIRST and paid_on <= discount_deadline(received_on):
        return DISCOUNTED_AMOUNT
    return FULL_AMOUNT


def payment_period_running(received_on: date | None, today: date) -> bool:
    """Return whether a received notice can still be paid today (no proceedings may start meanwhile)."""
    return received_on is not None and today <= payment_deadline(received_on)


def prosecute_or_withdraw_due(
    received_on: date | None, paid_on: date | None, withdrawn_on: date | None, today: date
) -> bool:
    """Return whether an unpaid, unwithdrawn notice is past its 28 days, so the LA must prosecute or withdraw."""
    if received_on is None or paid_on is not None or withdrawn_on is not None:
        return False
    return today > payment_deadline(received_on)


# --- notice to improve ---


def improvement_period_end(starts_on: date, weeks: int, holiday_weeks: int = 0) -> date:
    """Return the end of an improvement period of ``weeks`` school weeks that spans ``holiday_weeks`` of holiday.

    Only 3 to 6 school weeks are lawful; a holiday week is not a school week, so it lengthens the period.
    """
    if not NTI_MIN_WEEKS <= weeks <= NTI_MAX_WEEKS:
        raise ValueError(f"an improvement period lasts {NTI_MIN_WEEKS} to {NTI_MAX_WEEKS} school weeks, not {weeks}")
    if not 0 <= holiday_weeks <= NTI_MAX_HOLIDAY_WEEKS:
        raise ValueError(f"an improvement period spans at most {NTI_MAX_HOLIDAY_WEEKS} weeks of holiday")
    return starts_on + timedelta(weeks=weeks + holiday_weeks)


def improvement_period_weeks(starts_on: date, ends_on: date, holiday_weeks: int = 0) -> int | None:
    """Return the school weeks in a period, or None when it is not a whole number of weeks."""
    days = (ends_on - starts_on).days
    return days // 7 - holiday_weeks if days > 0 and days % 7 == 0 else None


def is_valid_improvement_period(starts_on: date, ends_on: date, holiday_weeks: int = 0) -> bool:
    """Return whether the period is a whole 3 to 6 school weeks, with no more holiday than a term can hold."""
    weeks = improvement_period_weeks(starts_on, ends_on, holiday_weeks)
    valid_holiday = 0 <= holiday_weeks <= NTI_MAX_HOLIDAY_WEEKS
    return valid_holiday and weeks is not None and NTI_MIN_WEEKS <= weeks <= NTI_MAX_WEEKS


def improvement_period_over(ends_on: date, today: date) -> bool:
    """Return whether the improvement period has run its course (it ends on ``ends_on``)."""
    return today >= ends_on


#: A run of 7 days of an improvement period is a school week when at least this many of its days had a
#: possible session: a week with an INSET day or a bank holiday is, the stub of a week before a holiday is not.
SCHOOL_DAYS_OF_A_SCHOOL_WEEK: Final = 3


def school_weeks_held(school_days_per_week: Iterable[int]) -> int:
    """Return how many of a period's runs of 7 days (from its first day) were school weeks, given how many
    days of each had a possible session."""
    return sum(1 for days in school_days_per_week if days >= SCHOOL_DAYS_OF_A_SCHOOL_WEEK)


def improvement_period_held(register: PeriodRegister | None) -> bool:
    """Return whether the registers show the period gave the parent at least 3 school weeks to improve."""
    return register is not None and register.school_weeks >= NTI_MIN_WEEKS


def may_find_improvement_failed(register: PeriodRegister | None) -> bool:
    """Return whether the registers allow a finding that the period failed: it held 3 school weeks, and some
    absence in it was unauthorised (the only absence a penalty notice can be for)."""
    return improvement_period_held(register) and register.unauthorised > 0


# --- education supervision orders ---


def eso_expiry(made_on: date) -> date:
    """Return when an ESO made on ``made_on`` expires unless extended (1 year)."""
    return add_years(made_on, ESO_TERM_YEARS)


def eso_latest_expiry(made_on: date) -> date:
    """Return the latest date extensions can carry an ESO to (3 years in all)."""
    return add_years(made_on, ESO_MAX_YEARS)


def eso_in_force(made_on: date, expires_on: date, today: date) -> bool:
    """Return whether the order is in force on ``today``."""
    return made_on <= today < expires_on


def may_extend_eso(made_on: date, expires_on: date, new_expiry: date, today: date) -> bool:
    """Return whether an order still in force may be extended to ``new_expiry`` (at most 3 years in all)."""
    in_force = eso_in_force(made_on, expires_on, today)
    return in_force and expires_on < new_expiry <= eso_latest_expiry(made_on)


# --- prosecution outcomes ---

_DISCHARGES: Final = {Sentence.CONDITIONAL_DISCHARGE, Sentence.ABSOLUTE_DISCHARGE}


def outcome_problems(verdict: Verdict | None, sentences: Iterable[Sentence]) -> list[str]:
    """Return what is wrong with a recorded outcome for one parent (empty when it is complete and consistent)."""
    ordered = set(sentences)
    if verdict is None:
        return ["No verdict is recorded"]
    if verdict is not Verdict.GUILTY:
        return ["Only a guilty verdict carries a sentence"] if ordered else []
    problems = []
    if not ordered:
        problems.append("A guilty verdict needs the sentence")
    if len(ordered & _DISCHARGES) > 1:
        problems.append("A discharge is either conditional or absolute")
    if Sentence.FINE in ordered and ordered & _DISCHARGES:
        problems.append("A discharge cannot be combined with a fine")
    return problems


def outcome_is_complete(verdict: Verdict | None, sentences: Iterable[Sentence]) -> bool:
    """Return whether a parent's outcome is fully and consistently recorded."""
    return not outcome_problems(verdict, sentences)


def considerations_before_legal_step(
    *,
    ehcp: bool,
    sen_support: bool,
    child_protection: bool,
    child_in_need: bool,
    looked_after: bool,
    previously_looked_after: bool,
) -> list[str]:
    """Return what the guidance asks an officer to weigh before a legal step for this child, if anything.

    Working together to improve school attendance (2024): support first, especially where absence may
    stem from special educational needs, a disability or welfare concerns; keep the social worker and the
    Virtual School Head involved.
    """
    notes = []
    if ehcp:
        notes.append(
            "has an education, health and care plan: check with the SEND team whether the plan meets "
            "their needs, and whether an early annual review is needed, before any legal step"
        )
    elif sen_support:
        notes.append(
            "receives SEN support: make sure reasonable adjustments and support for their needs are in "
            "place and recorded"
        )
    if child_protection:
        notes.append("has a child protection plan and a social worker: speak to them before any legal step")
    elif child_in_need:
        notes.append("is a child in need with a social worker: speak to them before any legal step")
    if looked_after:
        notes.append(
            "is looked after: involve their social worker and the Virtual School Head; carers with "
            "parental responsibility are not always the local authority's to prosecute"
        )
    elif previously_looked_after:
        notes.append("was previously looked after: the Virtual School can advise on support that may help")
    return notes
