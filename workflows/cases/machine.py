"""The case lifecycle: the table of guarded edges, the one shared machine, and the calls the app makes.

Triggers with several destinations from one stage (``open``, ``fpn_resolved``, ``record_outcome``,
``reopen``) are one edge per destination; the caller names the destination with ``target`` and the
destination's own guards decide (e.g. "the attendance band is persistent absence"). Leaving out ``target``
when there is a choice raises DestinationRequired, so no move is ever picked silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from transitions import Machine

from workflows.attendance import Band
from workflows.cases.facts import Actor, ApprovalFacts, CaseFacts
from workflows.cases.guards import (
    CASEWORK_ROLES,
    LA_CASEWORK_ROLES,
    action_plan_exists,
    actor_is_la_caseworker,
    actor_may_work_for_school,
    all_notices_resolved,
    approved_for,
    attendance_certificate_obtained,
    band_improved_to,
    band_is,
    child_not_in_care,
    closure_reason_given,
    contract_recorded,
    each_parent_under_notice_cap,
    escalation_justified,
    escalation_override,
    eso_considered,
    eso_directions_breached,
    eso_no_longer_in_force,
    family_consent_recorded,
    family_meeting_recorded,
    improvement_period_failed,
    improvement_period_set,
    improvement_period_succeeded,
    lead_practitioner_named,
    no_paid_or_withdrawn_notice_for_period,
    no_payment_period_running,
    notice_unpaid_or_third_breach,
    open_band_or_override,
    outcomes_recorded,
    parents_named_for_notice,
    penalty_threshold_met,
    prosecution_prepared,
    reopen_reason_given,
    social_care_consulted,
    support_not_appropriate,
    support_offered,
    third_breach,
    threshold_met_or_reason,
    voluntary_support_failed,
    warning_letter_served,
)
from workflows.cases.stages import (
    FORMAL_STAGES,
    LEGAL_STAGES,
    NOT_OPENED,
    STAGE_LABELS,
    SUPPORT_STAGES,
    TRIGGER_LABELS,
    CaseStage,
    band_for_stage,
)
from workflows.engine import Edge, Guard, Labels, Option, Step, Workflow, edges

S = CaseStage
#: The calendar the law's days are counted in.
ENGLAND: Final = ZoneInfo("Europe/London")

_BEFORE_LEGAL: Final = (*SUPPORT_STAGES, S.EARLY_HELP, S.PARENTING_CONTRACT)
_FPN_COMMON: Final = (
    penalty_threshold_met,
    parents_named_for_notice,
    each_parent_under_notice_cap,
    actor_is_la_caseworker,
    approved_for("issue_fpn"),
)
_PROSECUTION_COMMON: Final = (
    family_meeting_recorded,
    action_plan_exists,
    warning_letter_served,
    attendance_certificate_obtained,
    eso_considered,
    prosecution_prepared,
    no_paid_or_withdrawn_notice_for_period,
    no_payment_period_running,
    actor_is_la_caseworker,
    approved_for("prosecute"),
)
_CLOSE_FROM_LEGAL: Final = (closure_reason_given, actor_is_la_caseworker, approved_for("close"))


def _to_stage_matching_band(trigger: str, source: str, *guards: Guard) -> list[Edge]:
    """Return one edge per support stage, each also requiring the band that stage stands for."""
    return [
        edge
        for stage in SUPPORT_STAGES
        for edge in edges(trigger, source, stage, *guards, band_is(band_for_stage(stage)))
    ]


TRANSITIONS: Final[tuple[Edge, ...]] = (
    *(
        edge
        for stage in SUPPORT_STAGES
        for edge in edges("open", NOT_OPENED, stage, actor_may_work_for_school, open_band_or_override(stage))
    ),
    *edges("escalate", S.AT_RISK, S.PERSISTENT, escalation_justified(Band.PERSISTENT)),
    *edges("escalate", S.PERSISTENT, S.SEVERE, escalation_justified(Band.SEVERE)),
    *edges("step_down", S.SEVERE, S.PERSISTENT, band_improved_to(Band.PERSISTENT)),
    *edges("step_down", S.PERSISTENT, S.AT_RISK, band_improved_to(Band.AT_RISK)),
    *edges(
        "start_early_help",
        SUPPORT_STAGES,
        S.EARLY_HELP,
        family_meeting_recorded,
        action_plan_exists,
        family_consent_recorded,
        lead_practitioner_named,
    ),
    *edges(
        "agree_contract",
        (S.PERSISTENT, S.SEVERE, S.EARLY_HELP),
        S.PARENTING_CONTRACT,
        family_meeting_recorded,
        action_plan_exists,
        contract_recorded,
    ),
    *edges(
        "issue_notice_to_improve",
        _BEFORE_LEGAL,
        S.NOTICE_TO_IMPROVE,
        threshold_met_or_reason,
        support_offered,
        improvement_period_set,
    ),
    *_to_stage_matching_band("nti_complied", S.NOTICE_TO_IMPROVE, improvement_period_succeeded),
    *edges("issue_fpn", S.NOTICE_TO_IMPROVE, S.FPN, improvement_period_failed, *_FPN_COMMON),
    *edges("issue_fpn", _BEFORE_LEGAL, S.FPN, support_not_appropriate, *_FPN_COMMON),
    *_to_stage_matching_band("fpn_resolved", S.FPN, all_notices_resolved),
    *edges("fpn_resolved", S.FPN, S.CLOSED, all_notices_resolved, *_CLOSE_FROM_LEGAL),
    *edges(
        "apply_eso",
        (S.PERSISTENT, S.SEVERE, S.EARLY_HELP, S.PARENTING_CONTRACT, S.NOTICE_TO_IMPROVE),
        S.ESO,
        voluntary_support_failed,
        social_care_consulted,
        child_not_in_care,
        actor_is_la_caseworker,
        approved_for("apply_eso"),
    ),
    *edges("prosecute", S.FPN, S.PROSECUTION, notice_unpaid_or_third_breach, *_PROSECUTION_COMMON),
    *_to_stage_matching_band("eso_ended", S.ESO, eso_no_longer_in_force),
    *edges("prosecute", S.ESO, S.PROSECUTION, eso_directions_breached, *_PROSECUTION_COMMON),
    *edges(
        "prosecute",
        (S.PARENTING_CONTRACT, S.NOTICE_TO_IMPROVE),
        S.PROSECUTION,
        voluntary_support_failed,
        *_PROSECUTION_COMMON,
    ),
    # A third breach within 3 years of 2 notices: no third notice is allowed, so prosecution is the tool left.
    *edges("prosecute", (S.PERSISTENT, S.SEVERE, S.EARLY_HELP), S.PROSECUTION, third_breach, *_PROSECUTION_COMMON),
    *_to_stage_matching_band("record_outcome", S.PROSECUTION, outcomes_recorded),
    *edges("record_outcome", S.PROSECUTION, S.CLOSED, outcomes_recorded, *_CLOSE_FROM_LEGAL),
    *edges("close", (*SUPPORT_STAGES, *FORMAL_STAGES), S.CLOSED, closure_reason_given),
    *edges("close", LEGAL_STAGES, S.CLOSED, *_CLOSE_FROM_LEGAL),
    *_to_stage_matching_band("reopen", S.CLOSED, reopen_reason_given),
)

WORKFLOW: Final = Workflow(
    "case_lifecycle",
    [NOT_OPENED, *CaseStage],
    TRANSITIONS,
    start=NOT_OPENED,
    labels=Labels(STAGE_LABELS, TRIGGER_LABELS),
)
#: The one machine, built at import and never changed; fire it only through ``fire``.
MACHINE: Final[Machine] = WORKFLOW.machine

#: The steps a manager approves; an approval's ``trigger`` is one of these (or "escalate" for an override).
TRIGGERS_NEEDING_APPROVAL: Final = frozenset(edge.approval for edge in TRANSITIONS if edge.approval)


def context(facts: CaseFacts, now: datetime, actor: Actor) -> dict[str, Any]:
    """Return the keyword arguments every guard reads, with ``today`` as the date in England."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return {"facts": facts, "now": now, "today": now.astimezone(ENGLAND).date(), "actor": actor}


def fire(
    stage: str | None,
    trigger: str,
    *,
    facts: CaseFacts,
    now: datetime,
    actor: Actor,
    target: str | None = None,
) -> CaseStage:
    """Return the stage a case moves to by ``trigger``, or raise TransitionNotAllowed, GuardFailed, ..."""
    return CaseStage(WORKFLOW.fire(stage, trigger, context(facts, now, actor), target))


def evaluate(stage: str | None, facts: CaseFacts, now: datetime, actor: Actor) -> list[Option]:
    """Return every move out of ``stage`` with each guard's verdict, without firing anything."""
    options = WORKFLOW.options(stage, context(facts, now, actor))
    return [dataclasses.replace(option, target=CaseStage(option.target)) for option in options]


def destinations(stage: str | None, trigger: str) -> list[CaseStage]:
    """Return the stages ``trigger`` can lead to from ``stage``."""
    return [CaseStage(dest) for dest in WORKFLOW.destinations(stage, trigger)]


def verdicts(
    stage: str | None, trigger: str, *, facts: CaseFacts, now: datetime, actor: Actor, target: str | None = None
) -> dict[str, bool]:
    """Return each guard's verdict on a move, by guard name: what the audit row keeps of the decision."""
    option = WORKFLOW.explain(WORKFLOW.edge(stage, trigger, target), context(facts, now, actor))
    return {result.name: result.met for result in option.guards}


def roles_allowed(stage: str | None, trigger: str, target: str) -> frozenset[str]:
    """Return the roles that may make a move (what ``audit verify`` holds each recorded actor to)."""
    edge = WORKFLOW.edge(stage, trigger, target)
    return LA_CASEWORK_ROLES if actor_is_la_caseworker in edge.guards else CASEWORK_ROLES


def approval_needed(stage: str | None, trigger: str, target: str | None = None) -> str | None:
    """Return which approval (by its trigger key) the move always consumes, if any."""
    return WORKFLOW.edge(stage, trigger, target).approval


def approval_to_use(
    stage: str | None, trigger: str, facts: CaseFacts, target: str | None = None
) -> ApprovalFacts | None:
    """Return the approval the app must mark used (and cite in the audit row) when this move succeeds."""
    edge = WORKFLOW.edge(stage, trigger, target)
    if edge.approval:
        return facts.usable_approval(edge.approval)
    # An escalation override is spent only when the data alone would not justify the escalation.
    if trigger == "escalate" and facts.band.level < band_for_stage(edge.dest).level:
        return escalation_override(facts)
    return None


def is_edge(source: str | None, trigger: str, dest: str) -> bool:
    """Return whether ``source --trigger--> dest`` is a move of the workflow (``None`` or "none" = creation)."""
    return WORKFLOW.is_edge(source, trigger, dest)


def replay(steps: Sequence[Step], stored_stage: str | None) -> list[str]:
    """Return the problems in an audit history (from, trigger, to) against the workflow and the stored stage."""
    return WORKFLOW.replay(steps, stored_stage)


def diagram() -> str:
    """Return the workflow as Mermaid text, drawn from the transition table."""
    return WORKFLOW.diagram()


def markup() -> dict[str, Any]:
    """Return the workflow's definition as `transitions`' MarkupMachine serialises it."""
    return WORKFLOW.markup()
