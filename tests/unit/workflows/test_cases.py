"""Table-driven tests of the case workflow: every edge allowed, every guard refused with its own sentence."""

from __future__ import annotations

import ast
import json
import os
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import workflows
from workflows import (
    LEGAL_STAGES,
    NOT_OPENED,
    OPEN_STAGES,
    RECORD_KEYS,
    STAGE_LABELS,
    SUPPORT_STAGES,
    TRANSITIONS,
    TRIGGER_LABELS,
    TRIGGERS_NEEDING_APPROVAL,
    Actor,
    ApprovalFacts,
    Band,
    CaseFacts,
    CaseStage,
    ClosureReason,
    ContractFacts,
    DestinationRequired,
    EsoFacts,
    GuardFailed,
    MeetingFacts,
    NoticeToImproveFacts,
    PenaltyNoticeFacts,
    ProsecutedParentFacts,
    ProsecutionFacts,
    TransitionNotAllowed,
    WarningLetterFacts,
    WorkflowError,
    approval_needed,
    approval_to_use,
    destinations,
    diagram,
    evaluate,
    fire,
    guard_info,
    is_edge,
    markup,
    replay,
    stage_for_band,
)
from workflows.legal import PeriodRegister, SchoolWeek, Section444, Sentence, Verdict

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = date(2025, 3, 3)
OFFICER = Actor(id=1, role="officer")
SCHOOL_LEAD = Actor(id=5, role="school_lead")
MANAGER_ID = 9

#: Parent 1 has had two notices (both paid, for earlier absence) so is at the cap; parent 2 has had none.
PARENT_AT_CAP, PARENT_FREE = 1, 2
#: The audit row that put the case in its current stage, and the prosecution file as (id, version).
STAGE_ENTERED_BY = 77
PROSECUTION_FILE = (5, 3)


def approval(trigger: str, id_: int = 1, **changes: Any) -> ApprovalFacts:
    """Return a usable approval of ``trigger``, asked for in the current stage, approved by a manager."""
    base = ApprovalFacts(
        id=id_,
        trigger=trigger,
        requested_by=OFFICER.id,
        decided_by=MANAGER_ID,
        approved=True,
        reason="Agreed",
        stage_entered_by=STAGE_ENTERED_BY,
        parent_ids=(PARENT_FREE,) if trigger == "issue_fpn" else (PARENT_AT_CAP,) if trigger == "prosecute" else (),
        prosecution_file=PROSECUTION_FILE if trigger == "prosecute" else None,
    )
    return replace(base, **changes)


APPROVED_TRIGGERS = ("escalate", "issue_fpn", "apply_eso", "prosecute", "close")
ALL_APPROVALS = tuple(approval(trigger, id_) for id_, trigger in enumerate(APPROVED_TRIGGERS, start=1))


def approvals_without(trigger: str) -> tuple[ApprovalFacts, ...]:
    """Return every usable approval except the one for ``trigger``."""
    return tuple(a for a in ALL_APPROVALS if a.trigger != trigger)


def approvals_with(trigger: str, **changes: Any) -> tuple[ApprovalFacts, ...]:
    """Return every usable approval, the one for ``trigger`` changed (to match other changed facts)."""
    return tuple(replace(a, **changes) if a.trigger == trigger else a for a in ALL_APPROVALS)


OLD_NOTICES = (
    PenaltyNoticeFacts(
        parent_id=PARENT_AT_CAP,
        issued_on=date(2023, 5, 2),
        received_on=date(2023, 5, 4),
        paid_on=date(2023, 5, 20),
        period=(date(2023, 3, 1), date(2023, 4, 28)),
        on_this_case=False,
    ),
    PenaltyNoticeFacts(
        parent_id=PARENT_AT_CAP,
        issued_on=date(2024, 6, 3),
        received_on=date(2024, 6, 5),
        paid_on=date(2024, 6, 20),
        period=(date(2024, 4, 15), date(2024, 5, 24)),
    ),
)

PROSECUTION = ProsecutionFacts(
    period=(date(2025, 1, 6), date(2025, 2, 28)),
    parents=(
        ProsecutedParentFacts(
            PARENT_AT_CAP, section=Section444.S444_1, verdict=Verdict.GUILTY, sentences=(Sentence.FINE,)
        ),
    ),
    file=PROSECUTION_FILE,
)


def weeks(first_monday: date, *unauthorised: int) -> tuple[SchoolWeek, ...]:
    """Return consecutive school weeks from ``first_monday`` with these unauthorised sessions (10 possible)."""
    return tuple(
        SchoolWeek(date.fromordinal(first_monday.toordinal() + 7 * n), 10, count)
        for n, count in enumerate(unauthorised)
    )


#: The absence the later old notice was for (April–May 2024), then a new breach in January–February 2025.
BREACH_AFTER_NOTICES = weeks(date(2024, 4, 15), 3, 3, 3, 3, 3, 3) + weeks(date(2025, 1, 6), 0, 2, 2, 2, 2, 2, 0, 0)
#: Only the absence the notices were already for: measured again, it would meet the threshold too.
NO_NEW_BREACH = weeks(date(2024, 4, 15), 3, 3, 3, 3, 3, 3) + weeks(date(2025, 1, 6), 1, 1, 1, 1, 1, 0, 0, 0)

#: A case on which every guard holds, whatever the edge (the band is set per edge, and EDGE_FACTS adds the
#: few facts that are the opposite of another edge's).
FULL = CaseFacts(
    band=Band.PERSISTENT,
    actor_may_work_for_school=True,
    stage_entered_by=STAGE_ENTERED_BY,
    override_reason="Referred by the school",
    closure_reason=ClosureReason.IMPROVED,
    reopen_reason="Attendance has fallen again",
    fpn_parent_ids=(PARENT_FREE,),
    penalty_threshold_met=True,
    school_weeks=BREACH_AFTER_NOTICES,
    attendance_certificate=True,
    meetings=(MeetingFacts(held_on=date(2025, 1, 10), family_attended=True),),
    action_plan_on=date(2025, 1, 10),
    family_consent_on=date(2025, 1, 10),
    lead_practitioner_named=True,
    contract=ContractFacts(terms_recorded=True, parties_recorded=True, review_on=date(2025, 4, 1)),
    support_offered=True,
    support_not_appropriate_reason="Term-time holiday",
    support_failed_reason="The family declined every offer of support",
    warning_letters=(WarningLetterFacts(PARENT_AT_CAP, date(2025, 2, 3)),),
    notice_to_improve=NoticeToImproveFacts(
        improvement_starts_on=date(2025, 1, 13),
        improvement_ends_on=date(2025, 2, 10),
        sufficient_improvement_described=True,
        improved=False,
        register=PeriodRegister(school_weeks=4, possible=40, unauthorised=6),
    ),
    penalty_notices=OLD_NOTICES,
    social_care_consulted_on=date(2025, 2, 3),
    eso=EsoFacts(
        applied_on=date(2024, 9, 2),
        made_on=date(2024, 10, 1),
        expires_on=date(2025, 10, 1),
        breaches=(date(2025, 1, 6), date(2025, 2, 3)),
        refused_or_discharged=True,
    ),
    eso_considered_reason="An ESO was made and its directions were not followed",
    prosecution=PROSECUTION,
    approvals=ALL_APPROVALS,
)

S = CaseStage
B = Band
BEFORE_LEGAL = (S.AT_RISK, S.PERSISTENT, S.SEVERE, S.EARLY_HELP, S.PARENTING_CONTRACT)
NOT_LEGAL = (*BEFORE_LEGAL, S.NOTICE_TO_IMPROVE)

OPEN = ("actor_may_work_for_school",)
EARLY_HELP = ("family_meeting_recorded", "action_plan_exists", "family_consent_recorded", "lead_practitioner_named")
CONTRACT = ("family_meeting_recorded", "action_plan_exists", "contract_recorded")
NTI = ("threshold_met_or_reason", "support_offered", "improvement_period_set")
FPN = (
    "penalty_threshold_met",
    "parents_named_for_notice",
    "each_parent_under_notice_cap",
    "actor_is_la_caseworker",
    "approved_issue_fpn",
)
ESO = (
    "voluntary_support_failed",
    "social_care_consulted",
    "child_not_in_care",
    "actor_is_la_caseworker",
    "approved_apply_eso",
)
PROSECUTE = (
    "family_meeting_recorded",
    "action_plan_exists",
    "warning_letter_served",
    "attendance_certificate_obtained",
    "eso_considered",
    "prosecution_prepared",
    "no_paid_or_withdrawn_notice_for_period",
    "no_payment_period_running",
    "actor_is_la_caseworker",
    "approved_prosecute",
)
CLOSE_LEGAL = ("closure_reason_given", "actor_is_la_caseworker", "approved_close")

#: Every edge: (from, trigger, to, the band the case needs for the edge, its guards in order).
EXPECTED_EDGES: list[tuple[str, str, CaseStage, Band, tuple[str, ...]]] = [
    (NOT_OPENED, "open", S.AT_RISK, B.AT_RISK, (*OPEN, "band_is_at_risk_or_override")),
    (NOT_OPENED, "open", S.PERSISTENT, B.PERSISTENT, (*OPEN, "band_is_persistent_or_override")),
    (NOT_OPENED, "open", S.SEVERE, B.SEVERE, (*OPEN, "band_is_severe_or_override")),
    (S.AT_RISK, "escalate", S.PERSISTENT, B.PERSISTENT, ("band_reached_persistent_or_override",)),
    (S.PERSISTENT, "escalate", S.SEVERE, B.SEVERE, ("band_reached_severe_or_override",)),
    (S.SEVERE, "step_down", S.PERSISTENT, B.PERSISTENT, ("band_improved_to_persistent",)),
    (S.PERSISTENT, "step_down", S.AT_RISK, B.AT_RISK, ("band_improved_to_at_risk",)),
    *[(s, "start_early_help", S.EARLY_HELP, B.PERSISTENT, EARLY_HELP) for s in SUPPORT_STAGES],
    *[
        (s, "agree_contract", S.PARENTING_CONTRACT, B.PERSISTENT, CONTRACT)
        for s in (S.PERSISTENT, S.SEVERE, S.EARLY_HELP)
    ],
    *[(s, "issue_notice_to_improve", S.NOTICE_TO_IMPROVE, B.PERSISTENT, NTI) for s in BEFORE_LEGAL],
    *[
        (S.NOTICE_TO_IMPROVE, "nti_complied", s, b, ("improvement_period_succeeded", f"band_is_{b}"))
        for s, b in ((S.AT_RISK, B.AT_RISK), (S.PERSISTENT, B.PERSISTENT), (S.SEVERE, B.SEVERE))
    ],
    (S.NOTICE_TO_IMPROVE, "issue_fpn", S.FPN, B.PERSISTENT, ("improvement_period_failed", *FPN)),
    *[(s, "issue_fpn", S.FPN, B.PERSISTENT, ("support_not_appropriate", *FPN)) for s in BEFORE_LEGAL],
    (S.FPN, "fpn_resolved", S.AT_RISK, B.AT_RISK, ("all_notices_resolved", "band_is_at_risk")),
    (S.FPN, "fpn_resolved", S.PERSISTENT, B.PERSISTENT, ("all_notices_resolved", "band_is_persistent")),
    (S.FPN, "fpn_resolved", S.SEVERE, B.SEVERE, ("all_notices_resolved", "band_is_severe")),
    (S.FPN, "fpn_resolved", S.CLOSED, B.PERSISTENT, ("all_notices_resolved", *CLOSE_LEGAL)),
    *[
        (s, "apply_eso", S.ESO, B.PERSISTENT, ESO)
        for s in (S.PERSISTENT, S.SEVERE, S.EARLY_HELP, S.PARENTING_CONTRACT, S.NOTICE_TO_IMPROVE)
    ],
    (S.FPN, "prosecute", S.PROSECUTION, B.PERSISTENT, ("notice_unpaid_or_third_breach", *PROSECUTE)),
    *[
        (S.ESO, "eso_ended", s, b, ("eso_no_longer_in_force", f"band_is_{b}"))
        for s, b in ((S.AT_RISK, B.AT_RISK), (S.PERSISTENT, B.PERSISTENT), (S.SEVERE, B.SEVERE))
    ],
    (S.ESO, "prosecute", S.PROSECUTION, B.PERSISTENT, ("eso_directions_breached", *PROSECUTE)),
    *[
        (s, "prosecute", S.PROSECUTION, B.PERSISTENT, ("voluntary_support_failed", *PROSECUTE))
        for s in (S.PARENTING_CONTRACT, S.NOTICE_TO_IMPROVE)
    ],
    *[
        (s, "prosecute", S.PROSECUTION, B.PERSISTENT, ("third_breach", *PROSECUTE))
        for s in (S.PERSISTENT, S.SEVERE, S.EARLY_HELP)
    ],
    (S.PROSECUTION, "record_outcome", S.AT_RISK, B.AT_RISK, ("outcomes_recorded", "band_is_at_risk")),
    (S.PROSECUTION, "record_outcome", S.PERSISTENT, B.PERSISTENT, ("outcomes_recorded", "band_is_persistent")),
    (S.PROSECUTION, "record_outcome", S.SEVERE, B.SEVERE, ("outcomes_recorded", "band_is_severe")),
    (S.PROSECUTION, "record_outcome", S.CLOSED, B.PERSISTENT, ("outcomes_recorded", *CLOSE_LEGAL)),
    *[(s, "close", S.CLOSED, B.PERSISTENT, ("closure_reason_given",)) for s in NOT_LEGAL],
    *[(s, "close", S.CLOSED, B.PERSISTENT, CLOSE_LEGAL) for s in LEGAL_STAGES],
    (S.CLOSED, "reopen", S.AT_RISK, B.AT_RISK, ("reopen_reason_given", "band_is_at_risk")),
    (S.CLOSED, "reopen", S.PERSISTENT, B.PERSISTENT, ("reopen_reason_given", "band_is_persistent")),
    (S.CLOSED, "reopen", S.SEVERE, B.SEVERE, ("reopen_reason_given", "band_is_severe")),
]

THRESHOLD = "The penalty threshold is met: 10 or more unauthorised sessions in some 10 school weeks this school year"
AS_IT_NOW_STANDS = "as it now stands, and it is not yet used"
OVERRIDE = "or a manager other than the requester has approved an override with a reason"

#: Every guard: the sentence shown to the user and the record that satisfies it.
GUARDS: dict[str, tuple[str, str]] = {
    "actor_may_work_for_school": ("The pupil is on the roll of a school you may work with", "pupil"),
    "band_is_at_risk_or_override": (
        "The attendance band is at risk, or a reason for opening at this stage is given",
        "attendance",
    ),
    "band_is_persistent_or_override": (
        "The attendance band is persistent absence, or a reason for opening at this stage is given",
        "attendance",
    ),
    "band_is_severe_or_override": (
        "The attendance band is severe absence, or a reason for opening at this stage is given",
        "attendance",
    ),
    "band_reached_persistent_or_override": (
        f"The attendance band has reached persistent absence, {OVERRIDE}",
        "attendance",
    ),
    "band_reached_severe_or_override": (f"The attendance band has reached severe absence, {OVERRIDE}", "attendance"),
    "band_improved_to_persistent": ("The attendance band has improved to persistent absence or better", "attendance"),
    "band_improved_to_at_risk": ("The attendance band has improved to at risk or better", "attendance"),
    "band_is_at_risk": ("The attendance band is at risk", "attendance"),
    "band_is_persistent": ("The attendance band is persistent absence", "attendance"),
    "band_is_severe": ("The attendance band is severe absence", "attendance"),
    "family_meeting_recorded": ("A meeting with the family has been recorded", "meeting"),
    "action_plan_exists": ("An action plan has been written", "action_plan"),
    "family_consent_recorded": ("The family's consent to early help has been recorded", "consent"),
    "lead_practitioner_named": ("A lead practitioner has been named", "lead_practitioner"),
    "contract_recorded": ("The contract's terms, parties and review date have been recorded", "contract"),
    "threshold_met_or_reason": (
        "The penalty threshold is met (10 or more unauthorised sessions in some 10 school weeks this school year), "
        "or a reason to act is recorded",
        "attendance",
    ),
    "support_offered": ("Support offered to the family has been recorded", "action_plan"),
    "improvement_period_set": (
        "The notice sets an improvement period of 3 to 6 school weeks and says what improvement is needed",
        "notice_to_improve",
    ),
    "improvement_period_failed": (
        "The improvement period has ended without the required improvement, and the registers show it held at "
        "least 3 school weeks with unauthorised absence in them",
        "notice_to_improve",
    ),
    "improvement_period_succeeded": (
        "The improvement period has ended and attendance improved enough",
        "notice_to_improve",
    ),
    "support_not_appropriate": (
        "Support is recorded as not appropriate (for example a term-time holiday), so no notice to improve is needed",
        "action_plan",
    ),
    "penalty_threshold_met": (THRESHOLD, "attendance"),
    "parents_named_for_notice": ("At least one parent is named to receive a penalty notice", "penalty_notice"),
    "each_parent_under_notice_cap": (
        "Each parent named has had fewer than 2 penalty notices (not withdrawn) for this child in the last 3 years",
        "penalty_notice",
    ),
    "actor_is_la_caseworker": ("You are a local-authority officer or manager", "role"),
    "approved_issue_fpn": (
        f"A manager other than the requester has approved issuing the penalty notices {AS_IT_NOW_STANDS}",
        "approval",
    ),
    "approved_apply_eso": (
        "A manager other than the requester has approved applying for an education supervision order "
        f"{AS_IT_NOW_STANDS}",
        "approval",
    ),
    "approved_prosecute": (
        f"A manager other than the requester has approved prosecuting {AS_IT_NOW_STANDS}",
        "approval",
    ),
    "approved_close": (
        f"A manager other than the requester has approved closing the case from a legal stage {AS_IT_NOW_STANDS}",
        "approval",
    ),
    "all_notices_resolved": (
        "The case has penalty notices, and every one has been paid, withdrawn or prosecuted",
        "penalty_notice",
    ),
    "voluntary_support_failed": (
        "Voluntary support has been tried and has failed or been refused, and this is recorded",
        "action_plan",
    ),
    "social_care_consulted": ("Children's social care has been consulted", "eso"),
    "child_not_in_care": (
        "The child is not in the care of a local authority under a care order (asked on the application when the "
        "child is looked after)",
        "eso",
    ),
    "eso_no_longer_in_force": (
        "The education supervision order has ended: refused by the court, discharged, or expired",
        "eso",
    ),
    "notice_unpaid_or_third_breach": (
        "Each parent to be prosecuted has a notice unpaid 28 days after receipt, or 2 notices and a new breach "
        "of the threshold since the later notice's absence",
        "penalty_notice",
    ),
    "third_breach": (
        "Each parent to be prosecuted has had 2 penalty notices for this child within 3 years, and the threshold "
        "has been met again since the later notice's absence (a third notice is not allowed)",
        "penalty_notice",
    ),
    "eso_directions_breached": (
        "Persistent failure to follow the ESO's directions has been recorded (at least 2 breaches)",
        "eso",
    ),
    "warning_letter_served": ("A formal warning letter has been served on each parent to be prosecuted", "letter"),
    "attendance_certificate_obtained": (
        "The school has provided a certificate of the pupil's attendance",
        "attendance",
    ),
    "eso_considered": (
        "An education supervision order has been considered (s447), with the reason recorded",
        "eso",
    ),
    "prosecution_prepared": (
        "The prosecution names each parent with the s444 offence, and the absence period it covers",
        "prosecution",
    ),
    "no_paid_or_withdrawn_notice_for_period": (
        "No penalty notice for the same absence to a parent being prosecuted has been paid or withdrawn: either "
        "means no proceedings for that offence",
        "penalty_notice",
    ),
    "no_payment_period_running": (
        "No penalty notice to a parent being prosecuted can still be paid: each was received more than 28 days ago",
        "penalty_notice",
    ),
    "outcomes_recorded": ("An outcome has been recorded for every parent prosecuted", "prosecution"),
    "closure_reason_given": ("A reason for closing the case is given", "closure"),
    "reopen_reason_given": ("A reason for reopening the case is given", "closure"),
}

UNPAID_NOTICE = PenaltyNoticeFacts(parent_id=PARENT_FREE, issued_on=date(2025, 2, 24), received_on=date(2025, 2, 26))
PAID_FOR_PROSECUTED_PERIOD = PenaltyNoticeFacts(
    parent_id=PARENT_AT_CAP,
    issued_on=date(2025, 1, 20),
    received_on=date(2025, 1, 22),
    paid_on=date(2025, 2, 5),
    period=(date(2025, 1, 6), date(2025, 1, 10)),
)
#: Received 5 days before today: its 28 days to pay are still running.
STILL_PAYABLE = PenaltyNoticeFacts(
    parent_id=PARENT_AT_CAP,
    issued_on=date(2025, 2, 24),
    received_on=date(2025, 2, 26),
    period=(date(2024, 11, 4), date(2024, 12, 13)),
)
COMPLIED = replace(FULL.notice_to_improve, improved=True)

#: The facts an edge needs that are the opposite of another edge's (FULL has the notice to improve failed).
EDGE_FACTS: dict[str, dict[str, Any]] = {"nti_complied": {"notice_to_improve": COMPLIED}}

#: For every guard, the smallest change to FULL that makes it fail (and leaves the other guards of its edges met).
BREAKS: dict[str, dict[str, Any]] = {
    "actor_may_work_for_school": {"actor_may_work_for_school": False},
    "band_is_at_risk_or_override": {"band": B.NONE, "override_reason": " "},
    "band_is_persistent_or_override": {"band": B.NONE, "override_reason": ""},
    "band_is_severe_or_override": {"band": B.PERSISTENT, "override_reason": ""},
    "band_reached_persistent_or_override": {"band": B.AT_RISK, "approvals": approvals_without("escalate")},
    "band_reached_severe_or_override": {"band": B.PERSISTENT, "approvals": approvals_without("escalate")},
    "band_improved_to_persistent": {"band": B.SEVERE},
    "band_improved_to_at_risk": {"band": B.PERSISTENT},
    "band_is_at_risk": {"band": B.NONE},
    "band_is_persistent": {"band": B.SEVERE},
    "band_is_severe": {"band": B.PERSISTENT},
    "family_meeting_recorded": {"meetings": (MeetingFacts(held_on=date(2025, 1, 10), family_attended=False),)},
    "action_plan_exists": {"action_plan_on": None},
    "family_consent_recorded": {"family_consent_on": None},
    "lead_practitioner_named": {"lead_practitioner_named": False},
    "contract_recorded": {"contract": ContractFacts(terms_recorded=True, parties_recorded=True)},
    "threshold_met_or_reason": {"penalty_threshold_met": False, "threshold_reason": ""},
    "support_offered": {"support_offered": False},
    "improvement_period_set": {
        "notice_to_improve": NoticeToImproveFacts(date(2025, 1, 13), date(2025, 3, 3), True),  # 7 weeks
    },
    "improvement_period_failed": {
        "notice_to_improve": replace(FULL.notice_to_improve, register=PeriodRegister(2, 20, 6)),
    },
    "improvement_period_succeeded": {"notice_to_improve": replace(COMPLIED, improvement_ends_on=date(2025, 3, 4))},
    "support_not_appropriate": {"support_not_appropriate_reason": "  "},
    "penalty_threshold_met": {"penalty_threshold_met": False},
    "parents_named_for_notice": {"fpn_parent_ids": (), "approvals": approvals_with("issue_fpn", parent_ids=())},
    "each_parent_under_notice_cap": {
        "fpn_parent_ids": (PARENT_FREE, PARENT_AT_CAP),
        "approvals": approvals_with("issue_fpn", parent_ids=(PARENT_FREE, PARENT_AT_CAP)),
    },
    "actor_is_la_caseworker": {"actor": SCHOOL_LEAD},
    "approved_issue_fpn": {"approvals": approvals_without("issue_fpn")},
    "approved_apply_eso": {"approvals": approvals_without("apply_eso")},
    "approved_prosecute": {"approvals": approvals_without("prosecute")},
    "approved_close": {"approvals": approvals_without("close")},
    "all_notices_resolved": {"penalty_notices": (*OLD_NOTICES, UNPAID_NOTICE)},
    "voluntary_support_failed": {"support_failed_reason": ""},
    "social_care_consulted": {"social_care_consulted_on": None},
    "child_not_in_care": {"looked_after": True},
    "eso_no_longer_in_force": {"eso": replace(FULL.eso, refused_or_discharged=False)},
    "notice_unpaid_or_third_breach": {"school_weeks": NO_NEW_BREACH},
    "third_breach": {"school_weeks": NO_NEW_BREACH},
    "eso_directions_breached": {"eso": replace(FULL.eso, breaches=(date(2025, 1, 6),))},
    "warning_letter_served": {"warning_letters": (WarningLetterFacts(PARENT_FREE, date(2025, 2, 3)),)},
    "attendance_certificate_obtained": {"attendance_certificate": False},
    "eso_considered": {"eso_considered_reason": "", "eso": replace(FULL.eso, applied_on=None)},
    "prosecution_prepared": {
        "prosecution": replace(PROSECUTION, parents=(replace(PROSECUTION.parents[0], section=None),)),
    },
    "no_paid_or_withdrawn_notice_for_period": {"penalty_notices": (*OLD_NOTICES, PAID_FOR_PROSECUTED_PERIOD)},
    "no_payment_period_running": {"penalty_notices": (*OLD_NOTICES, STILL_PAYABLE)},
    "outcomes_recorded": {
        "prosecution": replace(PROSECUTION, parents=(replace(PROSECUTION.parents[0], verdict=None),))
    },
    "closure_reason_given": {"closure_reason": None},
    "reopen_reason_given": {"reopen_reason": ""},
}


def situation(band: Band, changes: dict[str, Any] | None = None, trigger: str = "") -> tuple[CaseFacts, Actor]:
    """Return FULL at ``band`` with the trigger's EDGE_FACTS and ``changes`` applied on top (an ``actor`` change
    replaces the officer)."""
    merged = {"band": band, **EDGE_FACTS.get(trigger, {}), **(changes or {})}
    actor = merged.pop("actor", OFFICER)
    return replace(FULL, **merged), actor


def edge_param(source: str, trigger: str, dest: str, *rest: Any) -> Any:
    """Return a parametrised row named after its edge (and the guard under test, if it is a name)."""
    names = [str(source), trigger, str(dest), *(part for part in rest if isinstance(part, str))]
    return pytest.param(source, trigger, dest, *rest, id="-".join(names))


EDGES = [edge_param(*row) for row in EXPECTED_EDGES]
REFUSALS = [
    (source, trigger, dest, band, name) for source, trigger, dest, band, names in EXPECTED_EDGES for name in names
]


def test_the_table_is_exactly_the_expected_edges_and_guards() -> None:
    actual = sorted(
        (e.source, e.trigger, str(e.dest), tuple(guard_info(g).name for g in e.guards)) for e in TRANSITIONS
    )
    expected = sorted((str(s), t, str(d), guards) for s, t, d, _, guards in EXPECTED_EDGES)
    assert actual == expected


def test_every_guard_has_its_sentence_and_record_key() -> None:
    used = {g for edge in TRANSITIONS for g in edge.guards}
    assert {guard_info(g).name: (guard_info(g).message, guard_info(g).record) for g in used} == GUARDS
    assert set(BREAKS) == set(GUARDS)
    assert {record for _, record in GUARDS.values()} == RECORD_KEYS


@pytest.mark.parametrize(("source", "trigger", "dest", "band", "guards"), EDGES)
def test_edge_is_allowed_when_every_record_is_present(
    source: str, trigger: str, dest: CaseStage, band: Band, guards: tuple[str, ...]
) -> None:
    facts, actor = situation(band, trigger=trigger)
    assert fire(source, trigger, facts=facts, now=NOW, actor=actor, target=dest) is dest


@pytest.mark.parametrize(("source", "trigger", "dest", "band", "guard"), REFUSALS)
def test_guard_refuses_with_exactly_its_sentence(
    source: str, trigger: str, dest: CaseStage, band: Band, guard: str
) -> None:
    facts, actor = situation(band, BREAKS[guard], trigger)
    with pytest.raises(GuardFailed) as refused:
        fire(source, trigger, facts=facts, now=NOW, actor=actor, target=dest)
    assert refused.value.trigger == trigger
    assert refused.value.reasons == [GUARDS[guard][0]]


@pytest.mark.parametrize(("source", "trigger", "dest", "band", "guard"), REFUSALS)
def test_evaluate_shows_the_one_missing_guard_and_its_record(
    source: str, trigger: str, dest: CaseStage, band: Band, guard: str
) -> None:
    facts, actor = situation(band, BREAKS[guard], trigger)
    option = next(o for o in evaluate(source, facts, NOW, actor) if o.trigger == trigger and o.target is dest)
    assert not option.allowed
    assert [(r.name, r.message, r.record) for r in option.guards if not r.met] == [(guard, *GUARDS[guard])]


@pytest.mark.parametrize("stage", [NOT_OPENED, *CaseStage])
def test_evaluate_lists_every_edge_leaving_the_stage_without_moving(stage: str) -> None:
    options = evaluate(stage, FULL, NOW, OFFICER)
    expected = [(t, d) for s, t, d, _, _ in EXPECTED_EDGES if s == stage]
    assert sorted((o.trigger, str(o.target)) for o in options) == sorted((t, str(d)) for t, d in expected)
    assert all(o.source == stage for o in options)


def test_evaluate_marks_triggers_that_need_a_destination() -> None:
    needs = {(o.trigger, o.needs_target) for o in evaluate(S.FPN, FULL, NOW, OFFICER)}
    assert needs == {("fpn_resolved", True), ("prosecute", False), ("close", False)}
    needs = {(o.trigger, o.needs_target) for o in evaluate(S.ESO, FULL, NOW, OFFICER)}
    assert needs == {("eso_ended", True), ("prosecute", False), ("close", False)}


# --- moves that do not exist ---


@pytest.mark.parametrize(
    ("stage", "trigger", "target"),
    [
        (S.AT_RISK, "prosecute", None),
        (S.AT_RISK, "apply_eso", None),
        (S.AT_RISK, "escalate", S.SEVERE),
        (S.PERSISTENT, "step_down", S.SEVERE),
        (S.CLOSED, "escalate", None),
        (S.CLOSED, "close", None),
        (S.FPN, "issue_fpn", None),
        (S.EARLY_HELP, "escalate", None),
        (NOT_OPENED, "escalate", None),
        (NOT_OPENED, "open", S.FPN),
        (S.AT_RISK, "open", None),
        (S.AT_RISK, "to_prosecution", None),
        (S.FPN, "fpn_resolved", S.PROSECUTION),
    ],
)
def test_moves_outside_the_table_are_not_allowed(stage: str, trigger: str, target: CaseStage | None) -> None:
    facts = replace(FULL, band=B.SEVERE)
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(stage, trigger, facts=facts, now=NOW, actor=OFFICER, target=target)
    assert (refused.value.trigger, refused.value.stage) == (trigger, str(stage))


def test_escalate_moves_one_level_even_when_the_band_is_severe() -> None:
    facts = replace(FULL, band=B.SEVERE)
    assert fire(S.AT_RISK, "escalate", facts=facts, now=NOW, actor=OFFICER) is S.PERSISTENT
    assert destinations(S.AT_RISK, "escalate") == [S.PERSISTENT]


def test_no_legal_stage_is_one_step_from_at_risk_except_a_penalty_notice() -> None:
    reachable = {e.dest for e in TRANSITIONS if e.source == S.AT_RISK}
    assert reachable & set(LEGAL_STAGES) == {S.FPN}
    assert not is_edge(S.AT_RISK, "prosecute", S.PROSECUTION)


def test_every_edge_into_a_legal_stage_needs_a_manager_approval() -> None:
    into_legal = [e for e in TRANSITIONS if e.dest in LEGAL_STAGES]
    assert {(e.trigger, e.approval) for e in into_legal} == {
        ("issue_fpn", "issue_fpn"),
        ("apply_eso", "apply_eso"),
        ("prosecute", "prosecute"),
    }


def test_leaving_a_legal_stage_for_closed_always_needs_a_close_approval() -> None:
    edges = [e for e in TRANSITIONS if e.source in LEGAL_STAGES and e.dest == S.CLOSED]
    assert {e.trigger for e in edges} == {"close", "fpn_resolved", "record_outcome"}
    assert {e.approval for e in edges} == {"close"}


def test_a_trigger_with_several_destinations_needs_a_target() -> None:
    with pytest.raises(DestinationRequired) as refused:
        fire(S.FPN, "fpn_resolved", facts=FULL, now=NOW, actor=OFFICER)
    assert refused.value.choices == [S.AT_RISK, S.PERSISTENT, S.SEVERE, S.CLOSED]
    assert "choose where the case goes next" in refused.value.user_message


def test_the_band_decides_which_support_stage_a_resolved_notice_returns_to() -> None:
    facts = replace(FULL, band=B.SEVERE)
    with pytest.raises(GuardFailed) as refused:
        fire(S.FPN, "fpn_resolved", facts=facts, now=NOW, actor=OFFICER, target=S.AT_RISK)
    assert refused.value.reasons == ["The attendance band is at risk"]
    assert fire(S.FPN, "fpn_resolved", facts=facts, now=NOW, actor=OFFICER, target=S.SEVERE) is S.SEVERE


def test_open_with_an_override_reason_at_a_stage_that_does_not_match_the_band() -> None:
    facts = replace(FULL, band=B.AT_RISK, override_reason="Severe concerns raised by the school")
    assert fire(None, "open", facts=facts, now=NOW, actor=OFFICER, target=S.SEVERE) is S.SEVERE


def test_several_missing_guards_are_all_reported_in_table_order() -> None:
    facts = replace(FULL, meetings=(), lead_practitioner_named=False)
    with pytest.raises(GuardFailed) as refused:
        fire(S.PERSISTENT, "start_early_help", facts=facts, now=NOW, actor=OFFICER)
    assert refused.value.reasons == [
        "A meeting with the family has been recorded",
        "A lead practitioner has been named",
    ]
    assert refused.value.user_message == (
        "Start early help: not yet. Still needed: A meeting with the family has been recorded; "
        "A lead practitioner has been named."
    )


def test_user_message_of_a_move_that_does_not_exist() -> None:
    with pytest.raises(WorkflowError) as refused:
        fire(S.AT_RISK, "prosecute", facts=FULL, now=NOW, actor=OFFICER)
    assert refused.value.user_message == "You cannot prosecute while the case is at the stage “At risk”."


def test_an_unknown_stage_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a state"):
        fire("limbo", "close", facts=FULL, now=NOW, actor=OFFICER)


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        fire(S.AT_RISK, "close", facts=FULL, now=datetime(2025, 3, 3, 10), actor=OFFICER)


# --- time: records dated after today do not count ---


def test_a_meeting_booked_for_later_does_not_count_yet() -> None:
    booked = replace(FULL, meetings=(MeetingFacts(held_on=date(2025, 3, 4), family_attended=True),))
    with pytest.raises(GuardFailed):
        fire(S.PERSISTENT, "start_early_help", facts=booked, now=NOW, actor=OFFICER)
    tomorrow = datetime(2025, 3, 4, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert fire(S.PERSISTENT, "start_early_help", facts=booked, now=tomorrow, actor=OFFICER) is S.EARLY_HELP


def test_today_is_the_date_in_england_not_in_utc() -> None:
    facts = replace(FULL, meetings=(MeetingFacts(held_on=date(2025, 7, 1), family_attended=True),))
    half_past_midnight_bst = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    assert fire(S.PERSISTENT, "start_early_help", facts=facts, now=half_past_midnight_bst, actor=OFFICER)


def test_an_improvement_period_still_running_blocks_the_penalty_notice() -> None:
    running = replace(FULL, notice_to_improve=replace(FULL.notice_to_improve, improvement_ends_on=date(2025, 3, 10)))
    with pytest.raises(GuardFailed) as refused:
        fire(S.NOTICE_TO_IMPROVE, "issue_fpn", facts=running, now=NOW, actor=OFFICER)
    assert refused.value.reasons == [GUARDS["improvement_period_failed"][0]]


def test_a_notice_in_its_payment_period_cannot_be_prosecuted() -> None:
    parent = ProsecutedParentFacts(PARENT_FREE, section=Section444.S444_1A)
    facts = replace(
        FULL,
        penalty_threshold_met=False,
        penalty_notices=(UNPAID_NOTICE,),
        prosecution=replace(PROSECUTION, parents=(parent,)),
        warning_letters=(WarningLetterFacts(PARENT_FREE, date(2025, 2, 3)),),
    )
    due = datetime(2025, 3, 27, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # day 29 after receipt on 26 Feb
    with pytest.raises(GuardFailed) as refused:
        fire(S.FPN, "prosecute", facts=facts, now=due.replace(day=26), actor=OFFICER)
    assert refused.value.reasons == [
        GUARDS["notice_unpaid_or_third_breach"][0],
        GUARDS["no_payment_period_running"][0],
    ]
    assert fire(S.FPN, "prosecute", facts=facts, now=due, actor=OFFICER) is S.PROSECUTION


@pytest.mark.parametrize(
    ("issued_on", "blocks"),
    [(date(2025, 1, 3), False), (date(2025, 1, 6), True), (date(2025, 2, 20), True)],
    ids=["issued-before-the-period", "issued-on-its-first-day", "issued-during-it"],
)
def test_a_paid_notice_of_unknown_period_blocks_prosecution_unless_issued_before_the_period(
    issued_on: date, blocks: bool
) -> None:
    paid = PenaltyNoticeFacts(PARENT_AT_CAP, issued_on, received_on=issued_on, paid_on=issued_on, on_this_case=False)
    facts = replace(FULL, penalty_notices=(*OLD_NOTICES, paid))
    prosecute = next(o for o in evaluate(S.ESO, facts, NOW, OFFICER) if o.trigger == "prosecute")
    assert prosecute.missing == ([GUARDS["no_paid_or_withdrawn_notice_for_period"][0]] if blocks else [])


# --- approvals ---


@pytest.mark.parametrize(
    "unusable",
    [
        approval("prosecute", decided_by=OFFICER.id),
        approval("prosecute", used=True),
        approval("prosecute", approved=False),
        approval("prosecute", decided_by=None, approved=False),
        approval("issue_fpn"),
    ],
    ids=["self-approved", "already-used", "rejected", "pending", "other-step"],
)
def test_an_unusable_approval_does_not_authorise_a_legal_step(unusable: ApprovalFacts) -> None:
    facts = replace(FULL, approvals=(unusable,))
    with pytest.raises(GuardFailed) as refused:
        fire(S.ESO, "prosecute", facts=facts, now=NOW, actor=OFFICER)
    assert refused.value.reasons == [GUARDS["approved_prosecute"][0]]


def test_an_escalation_override_needs_a_reason() -> None:
    no_reason = replace(FULL, band=B.AT_RISK, approvals=(approval("escalate", reason=""),))
    with pytest.raises(GuardFailed):
        fire(S.AT_RISK, "escalate", facts=no_reason, now=NOW, actor=OFFICER)
    overridden = replace(no_reason, approvals=(approval("escalate", reason="Safeguarding concern"),))
    assert fire(S.AT_RISK, "escalate", facts=overridden, now=NOW, actor=OFFICER) is S.PERSISTENT


def test_approval_to_use_names_the_approval_the_move_consumes() -> None:
    assert approval_to_use(S.ESO, "prosecute", FULL) == ALL_APPROVALS[3]
    assert approval_to_use(S.FPN, "fpn_resolved", FULL, target=S.CLOSED) == ALL_APPROVALS[4]
    assert approval_to_use(S.FPN, "fpn_resolved", FULL, target=S.PERSISTENT) is None
    assert approval_to_use(S.PERSISTENT, "close", FULL) is None


def test_an_escalation_override_is_spent_only_when_the_band_does_not_justify_it() -> None:
    assert approval_to_use(S.AT_RISK, "escalate", replace(FULL, band=B.PERSISTENT)) is None
    assert approval_to_use(S.AT_RISK, "escalate", replace(FULL, band=B.AT_RISK)) == ALL_APPROVALS[0]


def test_approval_needed_per_move() -> None:
    assert {"issue_fpn", "apply_eso", "prosecute", "close"} == TRIGGERS_NEEDING_APPROVAL
    assert approval_needed(S.NOTICE_TO_IMPROVE, "issue_fpn") == "issue_fpn"
    assert approval_needed(S.PROSECUTION, "record_outcome", S.CLOSED) == "close"
    assert approval_needed(S.PROSECUTION, "record_outcome", S.SEVERE) is None
    assert approval_needed(S.AT_RISK, "close") is None


# --- the audit trail: edges and replay ---


def test_is_edge_reads_none_as_creation() -> None:
    assert is_edge(None, "open", "at_risk")
    assert is_edge("none", "open", S.AT_RISK)
    assert not is_edge(None, "open", "fpn")
    assert not is_edge("at_risk", "escalate", "severe")


HISTORY = [
    (None, "open", "at_risk"),
    ("at_risk", "escalate", "persistent"),
    ("persistent", "issue_notice_to_improve", "notice_to_improve"),
    ("notice_to_improve", "issue_fpn", "fpn"),
]


def test_replay_of_a_consistent_history_finds_no_problem() -> None:
    assert replay(HISTORY, "fpn") == []
    assert replay([("none", *HISTORY[0][1:]), *HISTORY[1:]], S.FPN) == []


def test_replay_of_an_empty_history() -> None:
    assert replay([], None) == []
    assert replay([], "at_risk") == ["the case has no recorded transitions"]


@pytest.mark.parametrize(
    ("history", "stored", "problem"),
    [
        (HISTORY, "closed", "the history ends at 'fpn' but the stored stage is 'closed'"),
        (HISTORY[1:], "fpn", "step 1 starts from 'at_risk', not from the case's creation"),
        (
            [*HISTORY[:2], ("severe", "agree_contract", "parenting_contract")],
            "parenting_contract",
            "step 3 starts from 'severe', not from 'persistent', where step 2 ended",
        ),
        (
            [HISTORY[0], ("at_risk", "prosecute", "prosecution")],
            "prosecution",
            "step 2: 'at_risk' --prosecute--> 'prosecution' is not an edge",
        ),
    ],
    ids=["stored-stage", "no-creation", "broken-chain", "not-an-edge"],
)
def test_replay_reports_each_problem(history: list[tuple[str | None, str, str]], stored: str, problem: str) -> None:
    assert replay(history, stored) == [problem]


# --- names, labels and the module boundary ---


def test_stage_values_are_those_of_workflow_md() -> None:
    assert [s.value for s in CaseStage] == [
        "at_risk",
        "persistent",
        "severe",
        "early_help",
        "parenting_contract",
        "notice_to_improve",
        "fpn",
        "eso",
        "prosecution",
        "closed",
    ]
    assert set(OPEN_STAGES) == set(CaseStage) - {S.CLOSED}


def test_every_state_and_trigger_has_a_label() -> None:
    assert set(STAGE_LABELS) == {NOT_OPENED, *CaseStage}
    assert set(TRIGGER_LABELS) == {edge.trigger for edge in TRANSITIONS}
    assert TRIGGER_LABELS["issue_fpn"] == "Issue a penalty notice"


@pytest.mark.parametrize(
    ("band", "stage"), [(B.AT_RISK, S.AT_RISK), (B.PERSISTENT, S.PERSISTENT), (B.SEVERE, S.SEVERE)]
)
def test_stage_for_band(band: Band, stage: CaseStage) -> None:
    assert stage_for_band(band) is stage


def test_no_stage_matches_no_concern() -> None:
    with pytest.raises(ValueError, match="no support stage"):
        stage_for_band(B.NONE)


def test_the_shared_machine_binds_nothing() -> None:
    machine = workflows.MACHINE
    fire(S.AT_RISK, "close", facts=FULL, now=NOW, actor=OFFICER)
    assert machine.models == []
    assert machine.auto_transitions is False
    assert not machine.ignore_invalid_triggers
    assert set(machine.events) == set(TRIGGER_LABELS)


FORBIDDEN = ("flask", "sqlalchemy", "ewo_cases", "forms")
PACKAGE = Path(workflows.__file__).parent


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_workflows_imports_no_web_or_database_code(path: Path) -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & set(FORBIDDEN)


# --- the definition as reviewable artefacts ---

SNAPSHOTS = Path(__file__).parent / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with the stored snapshot; UPDATE_SNAPSHOTS=1 rewrites it instead."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no snapshot {name}: run UPDATE_SNAPSHOTS=1 pytest tests/unit/workflows"
    assert text == path.read_text(), f"{name} changed: review it, then run UPDATE_SNAPSHOTS=1 to accept it"


def test_diagram_matches_its_snapshot() -> None:
    text = diagram()
    assert all(f": {trigger}" in text for trigger in TRIGGER_LABELS)
    check_snapshot("case_lifecycle.mmd", text)


def test_markup_matches_its_snapshot() -> None:
    definition = markup()
    assert len(definition["transitions"]) == len(TRANSITIONS)
    check_snapshot("case_lifecycle.json", json.dumps(definition, indent=2, sort_keys=True) + "\n")
