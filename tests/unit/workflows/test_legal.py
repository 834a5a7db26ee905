"""The statutory rules at their date boundaries: amounts, payment clocks, the cap, NTI periods, ESO terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows import legal
from workflows.legal import NoticeKind, Section444, Sentence, Verdict, WithdrawalGround

RECEIVED = date(2025, 3, 3)


@dataclass(frozen=True)
class Notice:
    """A notice as the cap rules see it."""

    issued_on: date
    withdrawn_on: date | None = None


def day(n: int) -> date:
    """Return the date ``n`` days after receipt."""
    return RECEIVED + timedelta(days=n)


# --- amounts and clocks ---


@pytest.mark.parametrize(
    ("kind", "paid_after_days", "amount"),
    [
        (NoticeKind.FIRST, 0, 80),
        (NoticeKind.FIRST, 21, 80),
        (NoticeKind.FIRST, 22, 160),
        (NoticeKind.FIRST, 28, 160),
        (NoticeKind.FIRST, 29, None),
        (NoticeKind.SECOND, 1, 160),
        (NoticeKind.SECOND, 21, 160),
        (NoticeKind.SECOND, 28, 160),
        (NoticeKind.SECOND, 29, None),
    ],
)
def test_amount_payable_by_day_after_receipt(kind: NoticeKind, paid_after_days: int, amount: int | None) -> None:
    assert legal.amount_payable(kind, RECEIVED, day(paid_after_days)) == amount


def test_deadlines_count_from_receipt() -> None:
    assert legal.discount_deadline(RECEIVED) == date(2025, 3, 24)
    assert legal.payment_deadline(RECEIVED) == date(2025, 3, 31)


@pytest.mark.parametrize(
    ("today_after_days", "running", "due"), [(0, True, False), (28, True, False), (29, False, True)]
)
def test_unpaid_after_28_days_means_prosecute_or_withdraw(today_after_days: int, running: bool, due: bool) -> None:
    today = day(today_after_days)
    assert legal.payment_period_running(RECEIVED, today) is running
    assert legal.prosecute_or_withdraw_due(RECEIVED, None, None, today) is due


def test_a_paid_withdrawn_or_unreceived_notice_is_never_due() -> None:
    late = day(60)
    assert not legal.prosecute_or_withdraw_due(RECEIVED, day(10), None, late)
    assert not legal.prosecute_or_withdraw_due(RECEIVED, None, day(30), late)
    assert not legal.prosecute_or_withdraw_due(None, None, None, late)
    assert not legal.payment_period_running(None, late)


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=0, max_value=60))
def test_the_amount_only_goes_up_with_time(received_on: date, days: int) -> None:
    paid_on = received_on + timedelta(days=days)
    expected = 80 if days <= 21 else 160 if days <= 28 else None
    assert legal.amount_payable(NoticeKind.FIRST, received_on, paid_on) == expected


# --- first or second notice, and the cap ---

FIRST_ISSUED = date(2022, 3, 3)


@pytest.mark.parametrize(
    ("issued_on", "kind"),
    [
        (date(2022, 3, 3), NoticeKind.SECOND),  # same day as the first
        (date(2025, 3, 2), NoticeKind.SECOND),  # 3 years minus a day
        (date(2025, 3, 3), NoticeKind.FIRST),  # the third anniversary: the window has closed
        (date(2026, 1, 1), NoticeKind.FIRST),
    ],
)
def test_a_notice_within_3_years_of_an_earlier_one_is_a_second(issued_on: date, kind: NoticeKind) -> None:
    assert legal.notice_kind([Notice(FIRST_ISSUED)], issued_on) is kind


def test_a_withdrawn_earlier_notice_does_not_make_a_second() -> None:
    assert (
        legal.notice_kind([Notice(FIRST_ISSUED, withdrawn_on=date(2022, 4, 1))], date(2023, 1, 1)) is NoticeKind.FIRST
    )


def test_the_kind_is_fixed_when_the_notice_is_issued() -> None:
    withdrawn_later = Notice(FIRST_ISSUED, withdrawn_on=date(2023, 6, 1))
    assert legal.notice_kind([withdrawn_later], date(2023, 1, 1)) is NoticeKind.SECOND


def test_a_29_february_notice_opens_a_window_to_28_february() -> None:
    leap = [Notice(date(2024, 2, 29))]
    assert legal.notice_kind(leap, date(2027, 2, 27)) is NoticeKind.SECOND
    assert legal.notice_kind(leap, date(2027, 2, 28)) is NoticeKind.FIRST


TODAY = date(2025, 3, 3)


@pytest.mark.parametrize(
    ("notices", "may_issue"),
    [
        ([], True),
        ([Notice(date(2024, 1, 8))], True),
        ([Notice(date(2023, 1, 9)), Notice(date(2024, 1, 8))], False),
        ([Notice(date(2022, 3, 4)), Notice(date(2024, 1, 8))], False),  # 3 years minus a day ago: still counts
        ([Notice(date(2022, 3, 3)), Notice(date(2024, 1, 8))], True),  # exactly 3 years ago: no longer counts
        ([Notice(date(2021, 5, 1)), Notice(date(2024, 1, 8))], True),  # older than 3 years
        ([Notice(date(2023, 1, 9), withdrawn_on=date(2023, 2, 1)), Notice(date(2024, 1, 8))], True),
        ([Notice(date(2023, 1, 9), withdrawn_on=date(2025, 3, 3)), Notice(date(2024, 1, 8))], True),
        ([Notice(date(2023, 1, 9), withdrawn_on=date(2025, 3, 4)), Notice(date(2024, 1, 8))], False),
    ],
    ids=[
        "none",
        "one",
        "two-in-window",
        "two-one-at-window-edge",
        "two-one-on-anniversary",
        "two-one-old",
        "two-one-withdrawn",
        "two-one-withdrawn-today",
        "two-one-withdrawn-tomorrow",
    ],
)
def test_no_more_than_2_notices_in_3_years(notices: list[Notice], may_issue: bool) -> None:
    assert legal.may_issue_notice(notices, TODAY) is may_issue


def test_notices_issued_later_than_the_day_asked_about_do_not_count() -> None:
    assert legal.notices_counting_towards_cap([Notice(date(2025, 3, 4))], TODAY) == []


# --- notice to improve ---


@pytest.mark.parametrize(
    ("weeks", "holiday_weeks", "ends_on"),
    [(3, 0, date(2025, 3, 24)), (6, 0, date(2025, 4, 14)), (6, 2, date(2025, 4, 28)), (3, 1, date(2025, 3, 31))],
)
def test_improvement_period_of_3_to_6_school_weeks_ends_later_by_its_holiday_weeks(
    weeks: int, holiday_weeks: int, ends_on: date
) -> None:
    assert legal.improvement_period_end(TODAY, weeks, holiday_weeks) == ends_on


@pytest.mark.parametrize("holiday_weeks", [-1, 3])
def test_an_improvement_period_spans_at_most_two_weeks_of_holiday(holiday_weeks: int) -> None:
    with pytest.raises(ValueError, match="at most 2 weeks of holiday"):
        legal.improvement_period_end(TODAY, 3, holiday_weeks)


@pytest.mark.parametrize("weeks", [2, 7])
def test_improvement_period_outside_3_to_6_weeks_is_refused(weeks: int) -> None:
    with pytest.raises(ValueError, match="3 to 6 school weeks"):
        legal.improvement_period_end(TODAY, weeks)


@pytest.mark.parametrize(
    ("days", "holiday_weeks", "valid"),
    [
        (14, 0, False),
        (21, 0, True),
        (28, 0, True),
        (42, 0, True),
        (49, 0, False),
        (25, 0, False),
        (0, 0, False),
        (-21, 0, False),
        (28, 1, True),  # 3 school weeks around a half term
        (21, 1, False),  # only 2 school weeks
        (49, 1, True),
        (56, 2, True),  # 6 school weeks across the Christmas holiday
        (56, 1, False),  # 7 school weeks
        (63, 3, False),  # more holiday than a term holds
    ],
)
def test_is_valid_improvement_period(days: int, holiday_weeks: int, valid: bool) -> None:
    assert legal.is_valid_improvement_period(TODAY, TODAY + timedelta(days=days), holiday_weeks) is valid


def test_the_improvement_period_is_over_on_its_end_date() -> None:
    ends_on = date(2025, 3, 24)
    assert not legal.improvement_period_over(ends_on, date(2025, 3, 23))
    assert legal.improvement_period_over(ends_on, ends_on)


# --- education supervision orders ---

MADE = date(2024, 1, 10)


def test_an_eso_lasts_a_year() -> None:
    expires = legal.eso_expiry(MADE)
    assert expires == date(2025, 1, 10)
    assert legal.eso_in_force(MADE, expires, MADE)
    assert legal.eso_in_force(MADE, expires, date(2025, 1, 9))
    assert not legal.eso_in_force(MADE, expires, expires)
    assert not legal.eso_in_force(MADE, expires, date(2024, 1, 9))


def test_an_eso_made_on_29_february_expires_on_28_february() -> None:
    assert legal.eso_expiry(date(2024, 2, 29)) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("expires_on", "new_expiry", "today", "allowed"),
    [
        (date(2025, 1, 10), date(2026, 1, 10), date(2024, 12, 1), True),
        (date(2025, 1, 10), date(2027, 1, 10), date(2024, 12, 1), True),  # 3 years in all
        (date(2025, 1, 10), date(2027, 1, 11), date(2024, 12, 1), False),  # a day more than 3 years
        (date(2026, 1, 10), date(2027, 1, 10), date(2025, 12, 1), True),  # a second extension
        (date(2027, 1, 10), date(2027, 6, 1), date(2026, 12, 1), False),  # already at 3 years
        (date(2025, 1, 10), date(2025, 1, 10), date(2024, 12, 1), False),  # not an extension
        (date(2025, 1, 10), date(2026, 1, 10), date(2025, 1, 10), False),  # the order has expired
    ],
)
def test_eso_extensions_up_to_3_years_in_all(expires_on: date, new_expiry: date, today: date, allowed: bool) -> None:
    assert legal.eso_latest_expiry(MADE) == date(2027, 1, 10)
    assert legal.may_extend_eso(MADE, expires_on, new_expiry, today) is allowed


# --- withdrawal, offences and outcomes ---


def test_withdrawal_grounds_are_those_of_regulation_8() -> None:
    assert [g.value for g in WithdrawalGround] == [
        "ought_not_to_have_been_issued",
        "issued_to_wrong_person",
        "contains_material_errors",
    ]
    assert set(legal.WITHDRAWAL_GROUND_LABELS) == set(WithdrawalGround)


def test_offences_and_their_maximum_fines() -> None:
    assert [s.value for s in Section444] == ["s444_1", "s444_1a"]
    assert legal.MAX_FINE == {Section444.S444_1: 1000, Section444.S444_1A: 2500}
    assert set(legal.SECTION_LABELS) == set(Section444)


def test_verdicts_and_sentences() -> None:
    assert {v.value for v in Verdict} == {"guilty", "not_guilty", "withdrawn"}
    assert {s.value for s in Sentence} == {
        "fine",
        "costs",
        "conditional_discharge",
        "absolute_discharge",
        "parenting_order",
    }
    assert set(legal.VERDICT_LABELS) == set(Verdict)
    assert set(legal.SENTENCE_LABELS) == set(Sentence)


@pytest.mark.parametrize(
    ("verdict", "sentences", "problems"),
    [
        (Verdict.GUILTY, [Sentence.FINE, Sentence.COSTS], []),
        (Verdict.GUILTY, [Sentence.CONDITIONAL_DISCHARGE, Sentence.PARENTING_ORDER], []),
        (Verdict.NOT_GUILTY, [], []),
        (Verdict.WITHDRAWN, [], []),
        (None, [], ["No verdict is recorded"]),
        (Verdict.GUILTY, [], ["A guilty verdict needs the sentence"]),
        (Verdict.NOT_GUILTY, [Sentence.COSTS], ["Only a guilty verdict carries a sentence"]),
        (Verdict.GUILTY, [Sentence.FINE, Sentence.ABSOLUTE_DISCHARGE], ["A discharge cannot be combined with a fine"]),
        (
            Verdict.GUILTY,
            [Sentence.CONDITIONAL_DISCHARGE, Sentence.ABSOLUTE_DISCHARGE],
            ["A discharge is either conditional or absolute"],
        ),
    ],
)
def test_outcome_problems(verdict: Verdict | None, sentences: list[Sentence], problems: list[str]) -> None:
    assert legal.outcome_problems(verdict, sentences) == problems
    assert legal.outcome_is_complete(verdict, sentences) is (not problems)


@pytest.mark.parametrize(
    ("other", "overlap"),
    [
        ((date(2025, 1, 1), date(2025, 1, 5)), False),
        ((date(2025, 1, 1), date(2025, 1, 6)), True),
        ((date(2025, 1, 31), date(2025, 2, 10)), True),
        ((date(2025, 2, 1), date(2025, 2, 10)), False),
    ],
)
def test_periods_overlap_inclusively(other: tuple[date, date], overlap: bool) -> None:
    assert legal.periods_overlap((date(2025, 1, 6), date(2025, 1, 31)), other) is overlap


# --- a new breach of the threshold, and what a notice to improve's period held ---


def school_weeks(first_monday: date, *unauthorised: int) -> list[legal.SchoolWeek]:
    return [legal.SchoolWeek(first_monday + timedelta(weeks=n), 10, count) for n, count in enumerate(unauthorised)]


@pytest.mark.parametrize(
    ("after", "breach"),
    [
        (date(2025, 1, 5), True),  # every week counts
        (date(2025, 1, 6), False),  # the week starting on the day itself is the old absence's
        (date(2025, 1, 13), False),
    ],
)
def test_threshold_met_after_counts_only_weeks_starting_after_the_day(after: date, breach: bool) -> None:
    weeks = school_weeks(date(2025, 1, 6), 4, 3, 3)
    assert legal.threshold_met_after(weeks, after) is breach


def test_threshold_met_after_slides_a_window_of_10_school_weeks() -> None:
    assert legal.threshold_met_after(school_weeks(date(2025, 1, 6), *([1] * 10)), date(2025, 1, 1))
    assert not legal.threshold_met_after(school_weeks(date(2025, 1, 6), 5, *([0] * 9), 5), date(2025, 1, 1))
    assert not legal.threshold_met_after([], date(2025, 1, 1))


@pytest.mark.parametrize(
    ("school_weeks_held", "unauthorised", "held", "may_fail"),
    [(2, 5, False, False), (3, 0, True, False), (3, 1, True, True), (6, 9, True, True)],
)
def test_an_improvement_period_must_have_held_3_school_weeks_and_unauthorised_absence_to_fail(
    school_weeks_held: int, unauthorised: int, held: bool, may_fail: bool
) -> None:
    register = legal.PeriodRegister(school_weeks_held, 10 * school_weeks_held, unauthorised)
    assert legal.improvement_period_held(register) is held
    assert legal.may_find_improvement_failed(register) is may_fail
    assert not legal.improvement_period_held(None) and not legal.may_find_improvement_failed(None)


@pytest.mark.parametrize(
    ("days_per_week", "weeks"),
    [
        ((5, 5, 5), 3),
        ((4, 5, 5), 3),  # an INSET day or a bank holiday
        ((5, 5, 1), 2),  # 3 to 24 July: the last run of 7 days holds only the last day of term
        ((1, 0, 0), 0),  # 17 July to 7 August: the summer holiday
        ((3, 2, 5), 2),  # from a Wednesday, across a half term
    ],
)
def test_school_weeks_held_counts_runs_of_7_days_with_3_school_days(days_per_week: tuple, weeks: int) -> None:
    assert legal.school_weeks_held(days_per_week) == weeks
