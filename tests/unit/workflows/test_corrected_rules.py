"""The rules a review found wrong, at their boundaries: new breaches after notices, payment periods running,
withdrawn notices, approvals bound to what was approved, care orders, warning letters, and the new exits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.unit.workflows.test_cases import (
    FULL,
    GUARDS,
    NOW,
    OFFICER,
    PARENT_AT_CAP,
    PARENT_FREE,
    PROSECUTION,
    SCHOOL_LEAD,
    STAGE_ENTERED_BY,
    approval,
    approvals_with,
    weeks,
)
from workflows import (
    Band,
    CaseStage,
    EsoFacts,
    GuardFailed,
    PenaltyNoticeFacts,
    ProsecutedParentFacts,
    Role,
    WarningLetterFacts,
    evaluate,
    fire,
    roles_allowed,
    verdicts,
)
from workflows.legal import Section444

S = CaseStage
ENGLAND = ZoneInfo("Europe/London")


def on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=ENGLAND)


def missing(stage: str, trigger: str, facts: Any, now: datetime = NOW, target: str | None = None) -> list[str]:
    option = next(
        o
        for o in evaluate(stage, facts, now, OFFICER)
        if o.trigger == trigger and (target is None or o.target == target)
    )
    return option.missing


# --- a third breach is a new breach, after the notices' own absence, once their payment periods are over ---

FIRST = PenaltyNoticeFacts(
    PARENT_FREE,
    issued_on=date(2024, 11, 4),
    received_on=date(2024, 11, 6),
    paid_on=date(2024, 11, 20),
    period=(date(2024, 9, 9), date(2024, 10, 18)),
)
#: The second notice, for absence up to 24 January 2025, received on 29 January.
SECOND = PenaltyNoticeFacts(
    PARENT_FREE,
    issued_on=date(2025, 1, 27),
    received_on=date(2025, 1, 29),
    period=(date(2025, 1, 6), date(2025, 1, 24)),
)
#: Ten unauthorised sessions a week from January: the absence the second notice was for, and nothing after it.
ONLY_THE_SECOND_NOTICES_ABSENCE = weeks(date(2025, 1, 6), 4, 4, 4)
AT_CAP = replace(
    FULL,
    penalty_notices=(FIRST, SECOND),
    prosecution=replace(PROSECUTION, parents=(ProsecutedParentFacts(PARENT_FREE, section=Section444.S444_1),)),
    warning_letters=(WarningLetterFacts(PARENT_FREE, date(2025, 2, 3)),),
    school_weeks=ONLY_THE_SECOND_NOTICES_ABSENCE,
)


def test_the_absence_a_second_notice_was_for_is_not_a_third_breach() -> None:
    """The reported case: 5 days after the second notice was received, prosecute fired with no guard unmet."""
    refused = missing(S.FPN, "prosecute", AT_CAP, now=on(date(2025, 2, 3)))
    assert refused == [GUARDS["notice_unpaid_or_third_breach"][0], GUARDS["no_payment_period_running"][0]]


@pytest.mark.parametrize(
    ("later_weeks", "breach"),
    [
        ((2, 2, 2, 2, 1), False),  # 9 sessions since the notice's absence
        ((2, 2, 2, 2, 2), True),  # 10
        ((1,) * 9 + (0,) * 5 + (1,), False),  # 10 sessions, but over 15 school weeks: no 10-week window holds 10
        ((1,) * 10, True),  # 10 sessions in exactly 10 school weeks
    ],
    ids=["nine-sessions", "ten-sessions", "spread-over-15-weeks", "ten-in-ten-weeks"],
)
def test_a_third_breach_counts_only_school_weeks_after_the_later_notice(
    later_weeks: tuple[int, ...], breach: bool
) -> None:
    # The second notice paid, so the only ground is a new breach, measured after the absence it was for.
    paid_second = replace(SECOND, paid_on=date(2025, 2, 10))
    facts = replace(
        AT_CAP,
        penalty_notices=(FIRST, paid_second),
        school_weeks=ONLY_THE_SECOND_NOTICES_ABSENCE + weeks(date(2025, 2, 24), *later_weeks),
        prosecution=replace(AT_CAP.prosecution, period=(date(2025, 2, 24), date(2025, 7, 4))),
    )
    now = on(date(2025, 7, 7))
    assert missing(S.FPN, "prosecute", facts, now=now) == (
        [] if breach else [GUARDS["notice_unpaid_or_third_breach"][0]]
    )
    assert missing(S.PERSISTENT, "prosecute", facts, now=now) == ([] if breach else [GUARDS["third_breach"][0]])


def test_a_third_breach_needs_two_notices_counting_towards_the_cap() -> None:
    after = weeks(date(2025, 2, 24), 2, 2, 2, 2, 2)
    one_notice = replace(AT_CAP, penalty_notices=(FIRST,), school_weeks=after)
    assert missing(S.PERSISTENT, "prosecute", one_notice, now=on(date(2025, 7, 7))) == [GUARDS["third_breach"][0]]


@pytest.mark.parametrize(
    ("received_on", "today", "running"),
    [
        (None, date(2025, 6, 2), True),  # never received: its 28 days have not started
        (date(2025, 5, 5), date(2025, 6, 2), True),  # day 28: still payable
        (date(2025, 5, 5), date(2025, 6, 3), False),  # day 29
    ],
    ids=["not-received", "day-28", "day-29"],
)
def test_no_prosecution_while_any_notice_to_a_prosecuted_parent_can_be_paid(
    received_on: date | None, today: date, running: bool
) -> None:
    open_notice = PenaltyNoticeFacts(
        PARENT_AT_CAP, issued_on=date(2025, 5, 1), received_on=received_on, period=(date(2025, 3, 3), date(2025, 4, 4))
    )
    facts = replace(FULL, penalty_notices=(*FULL.penalty_notices, open_notice))
    unmet = missing(S.ESO, "prosecute", facts, now=on(today))
    assert (GUARDS["no_payment_period_running"][0] in unmet) is running


# --- a withdrawn notice settles the offence as a paid one does (reg 8: no proceedings for the same offence) ---


@pytest.mark.parametrize(
    ("notice", "barred"),
    [
        ({"withdrawn_on": date(2025, 2, 10)}, True),
        ({"paid_on": date(2025, 2, 10)}, True),
        ({}, False),  # unpaid and past its 28 days: prosecution is the lawful next step
        ({"withdrawn_on": date(2025, 2, 10), "period": (date(2024, 9, 2), date(2024, 10, 4))}, False),  # other absence
        ({"withdrawn_on": date(2025, 2, 10), "parent_id": PARENT_FREE}, False),  # another parent's notice
    ],
    ids=["withdrawn", "paid", "unpaid", "withdrawn-for-other-absence", "another-parents"],
)
def test_a_withdrawn_or_paid_notice_for_the_same_absence_bars_prosecution(notice: dict, barred: bool) -> None:
    base = PenaltyNoticeFacts(
        PARENT_AT_CAP,
        issued_on=date(2025, 1, 13),
        received_on=date(2025, 1, 15),
        period=(date(2025, 1, 6), date(2025, 1, 10)),
    )
    facts = replace(FULL, penalty_notices=(*FULL.penalty_notices, replace(base, **notice)))
    unmet = missing(S.ESO, "prosecute", facts)
    assert unmet == ([GUARDS["no_paid_or_withdrawn_notice_for_period"][0]] if barred else [])


# --- approvals cover what the manager approved, and nothing else ---


@pytest.mark.parametrize(
    ("stage", "trigger", "target", "changes", "difference"),
    [
        (S.FPN, "prosecute", None, {"prosecution": replace(PROSECUTION, file=(5, 4))}, "prosecution file"),
        (S.FPN, "prosecute", None, {"prosecution": replace(PROSECUTION, file=(6, 3))}, "prosecution file"),
        (S.NOTICE_TO_IMPROVE, "issue_fpn", None, {"fpn_parent_ids": (PARENT_FREE, 3)}, "parents"),
        (S.ESO, "close", None, {"stage_entered_by": STAGE_ENTERED_BY + 1}, "another stage"),
        (S.PROSECUTION, "close", None, {"stage_entered_by": STAGE_ENTERED_BY + 1}, "another stage"),
        (S.PERSISTENT, "apply_eso", None, {"stage_entered_by": None}, "another stage"),
    ],
    ids=["file-changed", "another-file", "other-parents", "close-after-moving", "close-later-stage", "eso"],
)
def test_an_approval_no_longer_matching_the_step_does_not_authorise_it(
    stage: str, trigger: str, target: str | None, changes: dict, difference: str
) -> None:
    facts = replace(FULL, **changes)
    approval_guard = f"approved_{trigger}"
    assert missing(stage, trigger, facts, target=target) == [GUARDS[approval_guard][0]]
    approved = next(a for a in facts.approvals if a.usable_for(trigger))
    assert difference in " ".join(facts.approval_differences(approved))
    assert missing(stage, trigger, FULL, target=target) == []


def test_the_parents_of_a_notice_approval_must_be_those_named() -> None:
    both = approvals_with("issue_fpn", parent_ids=(PARENT_FREE, 3))
    fewer = replace(FULL, approvals=both)  # approved for two parents, one named
    assert missing(S.NOTICE_TO_IMPROVE, "issue_fpn", fewer) == [GUARDS["approved_issue_fpn"][0]]
    assert missing(S.NOTICE_TO_IMPROVE, "issue_fpn", replace(fewer, fpn_parent_ids=(3, PARENT_FREE))) == []


# --- an ESO is barred only for a child in care under a care order (CA 1989 s36(6)) ---


@pytest.mark.parametrize(
    ("looked_after", "care_order", "allowed"),
    [(False, None, True), (True, None, False), (True, True, False), (True, False, True)],
    ids=["not-looked-after", "looked-after-not-asked", "care-order", "accommodated-s20"],
)
def test_an_eso_asks_whether_a_looked_after_child_is_under_a_care_order(
    looked_after: bool, care_order: bool | None, allowed: bool
) -> None:
    facts = replace(FULL, looked_after=looked_after, subject_to_care_order=care_order)
    assert missing(S.PERSISTENT, "apply_eso", facts) == ([] if allowed else [GUARDS["child_not_in_care"][0]])


# --- exits from a notice to improve that worked, and from an ESO that has ended ---


@pytest.mark.parametrize(
    ("eso", "today", "ended"),
    [
        (EsoFacts(applied_on=date(2024, 9, 2), made_on=date(2024, 10, 1), expires_on=date(2025, 10, 1)), NOW, False),
        (
            EsoFacts(applied_on=date(2024, 9, 2), made_on=date(2024, 10, 1), expires_on=date(2025, 10, 1)),
            on(date(2025, 10, 1)),
            True,
        ),
        (EsoFacts(applied_on=date(2024, 9, 2), refused_or_discharged=True), NOW, True),
        (EsoFacts(applied_on=date(2024, 9, 2)), NOW, False),
        (None, NOW, False),
    ],
    ids=["in-force", "expired", "refused", "awaiting-the-court", "no-application"],
)
def test_a_case_returns_to_support_when_its_eso_has_ended(eso: EsoFacts | None, today: datetime, ended: bool) -> None:
    facts = replace(FULL, eso=eso)
    unmet = missing(S.ESO, "eso_ended", facts, now=today, target=S.PERSISTENT)
    assert unmet == ([] if ended else [GUARDS["eso_no_longer_in_force"][0]])


def test_a_notice_to_improve_complied_with_returns_to_the_band_stage_and_never_to_a_penalty() -> None:
    complied = replace(FULL, notice_to_improve=replace(FULL.notice_to_improve, improved=True))
    assert fire(S.NOTICE_TO_IMPROVE, "nti_complied", facts=complied, now=NOW, actor=OFFICER, target=S.PERSISTENT) == (
        S.PERSISTENT
    )
    assert GUARDS["improvement_period_failed"][0] in missing(S.NOTICE_TO_IMPROVE, "issue_fpn", complied)
    not_assessed = replace(FULL, notice_to_improve=replace(FULL.notice_to_improve, improved=None))
    with pytest.raises(GuardFailed) as refused:
        fire(S.NOTICE_TO_IMPROVE, "nti_complied", facts=not_assessed, now=NOW, actor=OFFICER, target=S.PERSISTENT)
    assert refused.value.reasons == [GUARDS["improvement_period_succeeded"][0]]


def test_no_notices_at_all_are_not_all_resolved() -> None:
    none_on_case = replace(FULL, penalty_notices=tuple(replace(n, on_this_case=False) for n in FULL.penalty_notices))
    assert missing(S.FPN, "fpn_resolved", none_on_case, target=S.PERSISTENT) == [GUARDS["all_notices_resolved"][0]]


# --- warning letters: one served on each parent prosecuted ---


@pytest.mark.parametrize(
    ("letters", "served"),
    [
        (
            (WarningLetterFacts(PARENT_AT_CAP, date(2025, 2, 3)), WarningLetterFacts(PARENT_FREE, date(2025, 2, 3))),
            True,
        ),
        ((WarningLetterFacts(PARENT_AT_CAP, date(2025, 2, 3)),), False),
        (
            (WarningLetterFacts(PARENT_AT_CAP, date(2025, 2, 3)), WarningLetterFacts(PARENT_FREE, date(2025, 3, 4))),
            False,
        ),
        ((WarningLetterFacts(None, date(2025, 2, 3)),), False),
    ],
    ids=["both-served", "one-parent-missing", "one-served-tomorrow", "letter-to-no-parent"],
)
def test_each_parent_prosecuted_has_been_served_a_warning(letters: tuple, served: bool) -> None:
    both = replace(
        PROSECUTION,
        parents=(*PROSECUTION.parents, ProsecutedParentFacts(PARENT_FREE, section=Section444.S444_1)),
    )
    facts = replace(FULL, prosecution=both, warning_letters=letters)
    assert (GUARDS["warning_letter_served"][0] in missing(S.ESO, "prosecute", facts)) is not served


# --- what the audit trail is checked against ---


def test_verdicts_name_every_guard_of_the_move_with_its_result() -> None:
    facts = replace(FULL, approvals=())
    result = verdicts(S.ESO, "prosecute", facts=facts, now=NOW, actor=OFFICER)
    assert result["approved_prosecute"] is False
    assert all(met for name, met in result.items() if name != "approved_prosecute")
    assert next(iter(result)) == "eso_directions_breached"


@pytest.mark.parametrize(
    ("stage", "trigger", "target", "roles"),
    [
        (S.AT_RISK, "issue_fpn", S.FPN, {Role.OFFICER, Role.MANAGER}),
        (S.FPN, "close", S.CLOSED, {Role.OFFICER, Role.MANAGER}),
        (S.AT_RISK, "close", S.CLOSED, {Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER}),
    ],
)
def test_roles_allowed_per_move(stage: str, trigger: str, target: str, roles: set[str]) -> None:
    assert roles_allowed(stage, trigger, target) == roles
    assert Role.ADMIN not in roles_allowed(stage, trigger, target)


def test_a_school_lead_cannot_take_a_legal_step_even_with_an_approval() -> None:
    with pytest.raises(GuardFailed) as refused:
        fire(S.AT_RISK, "issue_fpn", facts=replace(FULL, band=Band.AT_RISK), now=NOW, actor=SCHOOL_LEAD)
    assert refused.value.reasons == [GUARDS["actor_is_la_caseworker"][0]]
    assert approval("issue_fpn").parent_ids == (PARENT_FREE,)
