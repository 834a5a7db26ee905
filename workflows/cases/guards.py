"""The guards of the case workflow: small pure checks of the facts, each stating the condition it needs.

Every guard reads ``event.kwargs``: ``facts`` (CaseFacts), ``today`` (the date in England), ``now`` and
``actor``. The first line of the docstring (or the ``message`` given to ``@guard``) is shown to the user,
ticked when met and listed as missing when not; ``record`` names the record that would satisfy it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

from transitions import EventData

from workflows import legal
from workflows.attendance import Band
from workflows.cases.facts import Actor, ApprovalFacts, CaseFacts, NoticeToImproveFacts, PenaltyNoticeFacts
from workflows.cases.stages import CaseStage, band_for_stage
from workflows.engine import Guard, guard
from workflows.roles import Role

#: Recorded breaches of ESO directions that count as "persistently" not complying (local policy).
PERSISTENT_BREACHES = 2

#: The records guards point to, so the UI can link a missing condition to the page that records it.
RECORD_KEYS = frozenset(
    {
        "pupil",
        "attendance",
        "approval",
        "role",
        "meeting",
        "action_plan",
        "consent",
        "lead_practitioner",
        "contract",
        "letter",
        "notice_to_improve",
        "penalty_notice",
        "eso",
        "prosecution",
        "closure",
    }
)

APPROVAL_PHRASES = {
    "issue_fpn": "issuing the penalty notices",
    "apply_eso": "applying for an education supervision order",
    "prosecute": "prosecuting",
    "close": "closing the case from a legal stage",
}


def _facts(event: EventData) -> CaseFacts:
    return event.kwargs["facts"]


def _today(event: EventData) -> date:
    return event.kwargs["today"]


def _actor(event: EventData) -> Actor:
    return event.kwargs["actor"]


def _by(day: date | None, today: date) -> bool:
    """Return whether a dated record exists and is not in the future."""
    return day is not None and day <= today


def _given(text: str) -> bool:
    return bool(text.strip())


def _named(name: str, func: Guard) -> Guard:
    """Give a generated guard a stable name for diagrams and snapshots."""
    func.__name__ = func.__qualname__ = name
    return func


# --- opening, bands and approvals (generated per target) ---


@guard("pupil")
def actor_may_work_for_school(event: EventData) -> bool:
    """The pupil is on the roll of a school you may work with."""
    return _facts(event).actor_may_work_for_school


@cache
def band_is(band: Band) -> Guard:
    """Return the guard "the attendance band is ``band``"."""

    def check(event: EventData) -> bool:
        return _facts(event).band is band

    return guard("attendance", message=f"The attendance band is {band.label.lower()}")(_named(f"band_is_{band}", check))


@cache
def open_band_or_override(stage: CaseStage) -> Guard:
    """Return the guard for opening at ``stage``: its band matches, or an override reason is given."""
    band = band_for_stage(stage)

    def check(event: EventData) -> bool:
        facts = _facts(event)
        return facts.band is band or _given(facts.override_reason)

    message = f"The attendance band is {band.label.lower()}, or a reason for opening at this stage is given"
    return guard("attendance", message=message)(_named(f"band_is_{band}_or_override", check))


@cache
def escalation_justified(band: Band) -> Guard:
    """Return the guard for escalating to ``band``: reached by the data, or a manager-approved override."""

    def check(event: EventData) -> bool:
        facts = _facts(event)
        return facts.band.level >= band.level or escalation_override(facts) is not None

    message = (
        f"The attendance band has reached {band.label.lower()}, "
        "or a manager other than the requester has approved an override with a reason"
    )
    return guard("attendance", message=message)(_named(f"band_reached_{band}_or_override", check))


def escalation_override(facts: CaseFacts) -> ApprovalFacts | None:
    """Return the unused, manager-approved escalation override (with a reason) on the case, if any."""
    approval = facts.usable_approval("escalate")
    return approval if approval is not None and _given(approval.reason) else None


@cache
def band_improved_to(band: Band) -> Guard:
    """Return the guard for stepping down to ``band``: the band is no worse than it."""

    def check(event: EventData) -> bool:
        return _facts(event).band.level <= band.level

    return guard("attendance", message=f"The attendance band has improved to {band.label.lower()} or better")(
        _named(f"band_improved_to_{band}", check)
    )


@cache
def approved_for(trigger: str) -> Guard:
    """Return the guard "an unused approval of ``trigger`` by a manager other than the requester exists"."""

    def check(event: EventData) -> bool:
        return _facts(event).usable_approval(trigger) is not None

    message = (
        f"A manager other than the requester has approved {APPROVAL_PHRASES[trigger]} as it now stands, "
        "and it is not yet used"
    )
    return guard("approval", message=message, approval_for=trigger)(_named(f"approved_{trigger}", check))


#: Who may move a case at all (the app's pages let no one else); legal steps are the local authority's own.
CASEWORK_ROLES = frozenset({Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER})
LA_CASEWORK_ROLES = frozenset({Role.OFFICER, Role.MANAGER})


@guard("role")
def actor_is_la_caseworker(event: EventData) -> bool:
    """You are a local-authority officer or manager."""
    return _actor(event).role in LA_CASEWORK_ROLES


# --- support ---


@guard("meeting")
def family_meeting_recorded(event: EventData) -> bool:
    """A meeting with the family has been recorded."""
    today = _today(event)
    return any(m.family_attended and m.held_on <= today for m in _facts(event).meetings)


@guard("action_plan")
def action_plan_exists(event: EventData) -> bool:
    """An action plan has been written."""
    return _by(_facts(event).action_plan_on, _today(event))


@guard("consent")
def family_consent_recorded(event: EventData) -> bool:
    """The family's consent to early help has been recorded."""
    return _by(_facts(event).family_consent_on, _today(event))


@guard("lead_practitioner")
def lead_practitioner_named(event: EventData) -> bool:
    """A lead practitioner has been named."""
    return _facts(event).lead_practitioner_named


@guard("contract")
def contract_recorded(event: EventData) -> bool:
    """The contract's terms, parties and review date have been recorded."""
    contract = _facts(event).contract
    return (
        contract is not None
        and contract.terms_recorded
        and contract.parties_recorded
        and contract.review_on is not None
    )


@guard("action_plan")
def support_offered(event: EventData) -> bool:
    """Support offered to the family has been recorded."""
    return _facts(event).support_offered


@guard("action_plan")
def support_not_appropriate(event: EventData) -> bool:
    """Support is recorded as not appropriate (for example a term-time holiday), so no notice to improve is needed."""
    return _given(_facts(event).support_not_appropriate_reason)


@guard("action_plan")
def voluntary_support_failed(event: EventData) -> bool:
    """Voluntary support has been tried and has failed or been refused, and this is recorded."""
    return _given(_facts(event).support_failed_reason)


@guard("letter")
def warning_letter_served(event: EventData) -> bool:
    """A formal warning letter has been served on each parent to be prosecuted."""
    facts, today = _facts(event), _today(event)
    served = {letter.parent_id for letter in facts.warning_letters if letter.served_on <= today}
    parents = _prosecuted_parents(facts)
    return bool(parents) and parents <= served


# --- attendance evidence ---


@guard("attendance")
def penalty_threshold_met(event: EventData) -> bool:
    """The penalty threshold is met: 10 or more unauthorised sessions in some 10 school weeks this school year."""
    return _facts(event).penalty_threshold_met


@guard("attendance")
def threshold_met_or_reason(event: EventData) -> bool:
    """The penalty threshold is met (10 or more unauthorised sessions in some 10 school weeks this school year),
    or a reason to act is recorded."""
    facts = _facts(event)
    return facts.penalty_threshold_met or _given(facts.threshold_reason)


@guard("attendance")
def attendance_certificate_obtained(event: EventData) -> bool:
    """The school has provided a certificate of the pupil's attendance."""
    return _facts(event).attendance_certificate


# --- notice to improve ---


@guard("notice_to_improve")
def improvement_period_set(event: EventData) -> bool:
    """The notice sets an improvement period of 3 to 6 school weeks and says what improvement is needed."""
    nti = _facts(event).notice_to_improve
    if nti is None or nti.improvement_starts_on is None or nti.improvement_ends_on is None:
        return False
    valid = legal.is_valid_improvement_period(nti.improvement_starts_on, nti.improvement_ends_on, nti.holiday_weeks)
    return valid and nti.sufficient_improvement_described


def _period_over(nti: NoticeToImproveFacts | None, today: date) -> bool:
    return (
        nti is not None
        and nti.improvement_ends_on is not None
        and legal.improvement_period_over(nti.improvement_ends_on, today)
    )


@guard("notice_to_improve")
def improvement_period_failed(event: EventData) -> bool:
    """The improvement period has ended without the required improvement, and the registers show it held at
    least 3 school weeks with unauthorised absence in them."""
    nti = _facts(event).notice_to_improve
    failed = nti is not None and nti.improved is False
    return _period_over(nti, _today(event)) and failed and legal.may_find_improvement_failed(nti.register)


@guard("notice_to_improve")
def improvement_period_succeeded(event: EventData) -> bool:
    """The improvement period has ended and attendance improved enough."""
    nti = _facts(event).notice_to_improve
    return _period_over(nti, _today(event)) and nti.improved is True


# --- penalty notices ---


@guard("penalty_notice")
def parents_named_for_notice(event: EventData) -> bool:
    """At least one parent is named to receive a penalty notice."""
    return bool(_facts(event).fpn_parent_ids)


@guard("penalty_notice")
def each_parent_under_notice_cap(event: EventData) -> bool:
    """Each parent named has had fewer than 2 penalty notices (not withdrawn) for this child in the last 3 years."""
    facts, today = _facts(event), _today(event)
    return all(legal.may_issue_notice(facts.notices_to(parent), today) for parent in facts.fpn_parent_ids)


def _resolved(notice: PenaltyNoticeFacts) -> bool:
    return notice.paid_on is not None or notice.withdrawn_on is not None or notice.prosecuted_on is not None


@guard("penalty_notice")
def all_notices_resolved(event: EventData) -> bool:
    """The case has penalty notices, and every one has been paid, withdrawn or prosecuted."""
    on_case = [n for n in _facts(event).penalty_notices if n.on_this_case]
    return bool(on_case) and all(_resolved(n) for n in on_case)


def _prosecuted_parents(facts: CaseFacts) -> set[int]:
    return {p.parent_id for p in facts.prosecution.parents} if facts.prosecution else set()


def _notice_overdue(notice: PenaltyNoticeFacts, today: date) -> bool:
    return notice.on_this_case and legal.prosecute_or_withdraw_due(
        notice.received_on, notice.paid_on, notice.withdrawn_on, today
    )


def _breached_again_at_cap(facts: CaseFacts, parent_id: int, today: date) -> bool:
    """Return whether the parent has 2 notices counting towards the cap and the threshold has been met again
    over school weeks after the later notice's absence (the same absence never counts twice)."""
    counting = legal.notices_counting_towards_cap(facts.notices_to(parent_id), today)
    if len(counting) < legal.NOTICE_CAP:
        return False
    latest_absence = max(notice.period[1] if notice.period else notice.issued_on for notice in counting)
    return legal.threshold_met_after(facts.school_weeks, latest_absence)


def _each_prosecuted_parent(facts: CaseFacts, check: Callable[[int], bool]) -> bool:
    parents = _prosecuted_parents(facts)
    return bool(parents) and all(check(parent) for parent in parents)


@guard("penalty_notice")
def notice_unpaid_or_third_breach(event: EventData) -> bool:
    """Each parent to be prosecuted has a notice unpaid 28 days after receipt, or 2 notices and a new breach
    of the threshold since the later notice's absence."""
    facts, today = _facts(event), _today(event)
    return _each_prosecuted_parent(
        facts,
        lambda parent: (
            any(_notice_overdue(n, today) for n in facts.notices_to(parent))
            or _breached_again_at_cap(facts, parent, today)
        ),
    )


@guard("penalty_notice")
def third_breach(event: EventData) -> bool:
    """Each parent to be prosecuted has had 2 penalty notices for this child within 3 years, and the threshold
    has been met again since the later notice's absence (a third notice is not allowed)."""
    facts, today = _facts(event), _today(event)
    return _each_prosecuted_parent(facts, lambda parent: _breached_again_at_cap(facts, parent, today))


def _payable(notice: PenaltyNoticeFacts, today: date) -> bool:
    """Return whether a notice is open and may still be paid (or its 28 days have not even started)."""
    if notice.paid_on is not None or notice.withdrawn_on is not None or notice.prosecuted_on is not None:
        return False
    return notice.received_on is None or legal.payment_period_running(notice.received_on, today)


@guard("penalty_notice")
def no_payment_period_running(event: EventData) -> bool:
    """No penalty notice to a parent being prosecuted can still be paid: each was received more than 28 days ago."""
    facts, today = _facts(event), _today(event)
    parents = _prosecuted_parents(facts)
    return not any(_payable(notice, today) for notice in facts.penalty_notices if notice.parent_id in parents)


# --- education supervision orders ---


@guard("eso")
def social_care_consulted(event: EventData) -> bool:
    """Children's social care has been consulted."""
    return _by(_facts(event).social_care_consulted_on, _today(event))


@guard("eso")
def child_not_in_care(event: EventData) -> bool:
    """The child is not in the care of a local authority under a care order (asked on the application when the
    child is looked after)."""
    facts = _facts(event)
    return not facts.looked_after or facts.subject_to_care_order is False


@guard("eso")
def eso_no_longer_in_force(event: EventData) -> bool:
    """The education supervision order has ended: refused by the court, discharged, or expired."""
    eso, today = _facts(event).eso, _today(event)
    if eso is None or eso.applied_on is None:
        return False
    return eso.refused_or_discharged or (eso.expires_on is not None and eso.expires_on <= today)


@guard("eso")
def eso_directions_breached(event: EventData) -> bool:
    """Persistent failure to follow the ESO's directions has been recorded (at least 2 breaches)."""
    eso, today = _facts(event).eso, _today(event)
    return eso is not None and sum(day <= today for day in eso.breaches) >= PERSISTENT_BREACHES


@guard("eso")
def eso_considered(event: EventData) -> bool:
    """An education supervision order has been considered (s447), with the reason recorded."""
    facts = _facts(event)
    return _given(facts.eso_considered_reason) or (facts.eso is not None and facts.eso.applied_on is not None)


# --- prosecution ---


@guard("prosecution")
def prosecution_prepared(event: EventData) -> bool:
    """The prosecution names each parent with the s444 offence, and the absence period it covers."""
    prosecution = _facts(event).prosecution
    if prosecution is None or prosecution.period is None or not prosecution.parents:
        return False
    return all(parent.section is not None for parent in prosecution.parents)


def _same_period(notice: PenaltyNoticeFacts, period: tuple[date, date] | None) -> bool:
    """Return whether a notice may cover the prosecuted absence, erring towards yes when periods are unknown."""
    if period is None:
        return notice.on_this_case
    if notice.period is None:
        # A notice can only cover absence before it was issued.
        return notice.issued_on >= period[0]
    return legal.periods_overlap(notice.period, period)


def _notices_barring_prosecution(facts: CaseFacts) -> list[PenaltyNoticeFacts]:
    """Return the notices that settle the prosecuted absence: paid, or withdrawn (reg 8: no proceedings for the
    same offence), to a parent being prosecuted. Until the file names a parent there is no one to check (and
    the prosecution_prepared guard asks for the file)."""
    prosecution = facts.prosecution
    period = prosecution.period if prosecution else None
    parents = _prosecuted_parents(facts)
    return [
        notice
        for notice in facts.penalty_notices
        if (notice.paid_on is not None or notice.withdrawn_on is not None)
        and _same_period(notice, period)
        and notice.parent_id in parents
    ]


@guard("penalty_notice")
def no_paid_or_withdrawn_notice_for_period(event: EventData) -> bool:
    """No penalty notice for the same absence to a parent being prosecuted has been paid or withdrawn: either
    means no proceedings for that offence."""
    return not _notices_barring_prosecution(_facts(event))


@guard("prosecution")
def outcomes_recorded(event: EventData) -> bool:
    """An outcome has been recorded for every parent prosecuted."""
    prosecution = _facts(event).prosecution
    if prosecution is None or not prosecution.parents:
        return False
    return all(legal.outcome_is_complete(p.verdict, p.sentences) for p in prosecution.parents)


# --- closing and reopening ---


@guard("closure")
def closure_reason_given(event: EventData) -> bool:
    """A reason for closing the case is given."""
    return _facts(event).closure_reason is not None


@guard("closure")
def reopen_reason_given(event: EventData) -> bool:
    """A reason for reopening the case is given."""
    return _given(_facts(event).reopen_reason)
