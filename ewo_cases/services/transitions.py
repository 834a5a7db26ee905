"""The transition service: the only code that changes a case's stage.

It locks the case, loads the facts the workflow's guards read, asks the machine in ``workflows`` to fire
the trigger, marks the approval it used, and appends the audit row with the evidence of that moment, in
the caller's transaction. The rules themselves live in ``workflows``; this module only gathers facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

import workflows
from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import (
    Approval,
    ApprovalStatus,
    AttendanceContract,
    Case,
    CaseParticipant,
    CaseRecord,
    CaseTransition,
    Eso,
    EsoBreach,
    Letter,
    LetterKind,
    Meeting,
    MeetingAttendance,
    MeetingStatus,
    NoticeToImprove,
    ParticipantRole,
    PenaltyNotice,
    Prosecution,
    Pupil,
    PupilAttendance,
    RecordKind,
    User,
)
from ewo_cases.models.plans import ActionPlan
from ewo_cases.scoping import visible_pupil_ids
from ewo_cases.services import audit
from ewo_cases.services.errors import ConflictError, ServiceError, check_version
from workflows import (
    NOT_OPENED,
    Actor,
    ApprovalFacts,
    CaseFacts,
    CaseStage,
    ClosureReason,
    ContractFacts,
    EsoFacts,
    MeetingFacts,
    NoticeToImproveFacts,
    PenaltyNoticeFacts,
    ProsecutedParentFacts,
    ProsecutionFacts,
    WorkflowError,
)
from workflows.attendance import Band
from workflows.legal import Section444, Sentence, Verdict


@dataclass(frozen=True)
class Inputs:
    """What the person typed on the action's form (as opposed to records already on the case)."""

    reason: str = ""
    target: CaseStage | None = None
    override_reason: str = ""
    closure_reason: ClosureReason | None = None
    reopen_reason: str = ""
    fpn_parent_ids: tuple[int, ...] = field(default_factory=tuple)


class TransitionRefused(ServiceError):
    """The workflow does not allow the move; ``message`` says why, in the guards' own words."""


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.role.value)


def apply_transition(
    case: Case,
    trigger: str,
    *,
    actor: User,
    inputs: Inputs = Inputs(),
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseTransition:
    """Move ``case`` by ``trigger`` if the workflow allows it; append and return the audit row (flushed)."""
    now = now or clock.now()
    _lock(case)
    if expected_version is not None:
        # The step page sends the case's version. Opening a case, and legal steps taken from their own
        # record's page, check the version of the record they change instead.
        check_version(case, expected_version)
    facts = load_facts(case, actor, inputs)
    from_stage = case.stage or NOT_OPENED
    try:
        to_stage = workflows.fire(
            from_stage, trigger, facts=facts, now=now, actor=actor_of(actor), target=inputs.target
        )
    except WorkflowError as error:
        raise TransitionRefused(error.user_message) from error
    approval = _use_approval(workflows.approval_to_use(from_stage, trigger, facts, inputs.target), now)
    _move(case, to_stage, inputs, now)
    row = CaseTransition(
        case_id=case.id,
        trigger=trigger,
        from_stage=str(from_stage),
        to_stage=to_stage.value,
        actor_id=actor.id,
        occurred_at=now,
        reason=_reason(inputs),
        approval_id=approval.id if approval else None,
        evidence=evidence(case, facts),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        f"case.{trigger}",
        case,
        f"{workflows.TRIGGER_LABELS[trigger]}: "
        f"{workflows.STAGE_LABELS[from_stage]} to {workflows.STAGE_LABELS[to_stage]}",
        transition=row.id,
    )
    return row


def _lock(case: Case) -> None:
    """Hold the case's row until commit, so two moves of one case happen one after the other."""
    if case.id is not None:
        db.session.execute(sa.select(Case.id).where(Case.id == case.id).with_for_update())
        db.session.refresh(case)


def _use_approval(facts: ApprovalFacts | None, now: datetime) -> Approval | None:
    if facts is None:
        return None
    approval = db.session.execute(sa.select(Approval).where(Approval.id == facts.id).with_for_update()).scalar_one()
    if approval.used_at is not None:
        raise ConflictError("approval has already been used")
    approval.used_at = now
    return approval


def _move(case: Case, to_stage: CaseStage, inputs: Inputs, now: datetime) -> None:
    db.session.add(case)  # a case being opened joins the session only once the workflow allows it
    case.stage, case.stage_changed_at = to_stage, now
    if to_stage == CaseStage.CLOSED:
        case.closed_at, case.closure_reason = now, inputs.closure_reason or ClosureReason.LEGAL_OUTCOME
    else:
        case.closed_at, case.closure_reason = None, None
    db.session.flush()


def _reason(inputs: Inputs) -> str:
    return "\n".join(text for text in (inputs.reason, inputs.override_reason, inputs.reopen_reason) if text)


def evidence(case: Case, facts: CaseFacts) -> dict:
    """The attendance behind a decision, as it stood when it was taken."""
    figures = db.session.get(PupilAttendance, case.pupil_id)
    return {
        "attendance_pct": figures.attendance_pct if figures else None,
        "band": facts.band.value,
        "unauth_10wk_latest": figures.unauth_10wk_latest if figures else None,
        "penalty_threshold_met": facts.penalty_threshold_met,
        "figures_computed_at": figures.computed_at.isoformat() if figures else None,
    }


# --- facts ------------------------------------------------------------------------------------------------


def load_facts(case: Case, actor: User, inputs: Inputs = Inputs()) -> CaseFacts:
    """Gather from the records everything the workflow's guards may read about ``case``."""
    figures = db.session.get(PupilAttendance, case.pupil.id)
    records = _latest_records(case)
    notice_to_improve = _latest_notice_to_improve(case)
    return CaseFacts(
        band=figures.band if figures else Band.NONE,
        pupil_on_roll=case.pupil.school_id is not None,
        actor_may_work_for_school=_may_work_for(actor, case),
        override_reason=inputs.override_reason,
        closure_reason=inputs.closure_reason,
        reopen_reason=inputs.reopen_reason,
        fpn_parent_ids=inputs.fpn_parent_ids,
        penalty_threshold_met=bool(figures and figures.penalty_threshold_met),
        threshold_reason=notice_to_improve.threshold_reason if notice_to_improve else "",
        attendance_certificate=RecordKind.ATTENDANCE_CERTIFICATE in records,
        meetings=_meetings(case),
        action_plan_on=_action_plan_on(case),
        family_consent_on=_record_on(records, RecordKind.FAMILY_CONSENT),
        lead_practitioner_named=_lead_practitioner_named(case),
        contract=_contract(case),
        support_offered=RecordKind.SUPPORT_OFFERED in records,
        support_not_appropriate_reason=_record_text(records, RecordKind.SUPPORT_NOT_APPROPRIATE),
        support_failed_reason=_record_text(records, RecordKind.SUPPORT_FAILED),
        warning_letter_served_on=_warning_letter_served_on(case),
        notice_to_improve=_notice_to_improve_facts(notice_to_improve),
        penalty_notices=_penalty_notices(case),
        social_care_consulted_on=_record_on(records, RecordKind.SOCIAL_CARE_CONSULTED),
        in_care_of_local_authority=case.pupil.looked_after,
        eso=_eso(case),
        eso_considered_reason=_record_text(records, RecordKind.ESO_CONSIDERED),
        prosecution=_prosecution(case),
        approvals=_approvals(case),
    )


def _may_work_for(actor: User, case: Case) -> bool:
    """Whether the pupil is within the actor's scope (the same rule as every page)."""
    return db.session.scalar(visible_pupil_ids(actor).where(Pupil.id == case.pupil.id).limit(1)) is not None


def _latest_records(case: Case) -> dict[RecordKind, CaseRecord]:
    """The latest record of each kind, leaving out records withdrawn by a later one."""
    rows = db.session.scalars(
        sa.select(CaseRecord).where(CaseRecord.case_id == case.id).order_by(CaseRecord.occurred_on, CaseRecord.id)
    ).all()
    withdrawn = {row.withdraws_id for row in rows if row.withdraws_id}
    return {row.kind: row for row in rows if row.id not in withdrawn and not row.withdraws_id}


def _record_on(records: dict[RecordKind, CaseRecord], kind: RecordKind):
    return records[kind].occurred_on if kind in records else None


def _record_text(records: dict[RecordKind, CaseRecord], kind: RecordKind) -> str:
    return records[kind].details if kind in records else ""


def _meetings(case: Case) -> tuple[MeetingFacts, ...]:
    held = db.session.scalars(
        sa.select(Meeting).where(Meeting.case_id == case.id, Meeting.status == MeetingStatus.HELD)
    ).all()
    return tuple(MeetingFacts(meeting.held_on, _family_attended(meeting)) for meeting in held if meeting.held_on)


def _family_attended(meeting: Meeting) -> bool:
    return any(
        attendee.attendance == MeetingAttendance.ATTENDED
        and attendee.participant is not None
        and attendee.participant.role == ParticipantRole.PARENT_CARER
        for attendee in meeting.attendees
    )


def _action_plan_on(case: Case):
    created = db.session.scalar(sa.select(ActionPlan.created_at).where(ActionPlan.case_id == case.id))
    return created.astimezone(workflows.ENGLAND).date() if created else None


def _lead_practitioner_named(case: Case) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count(CaseParticipant.id)).where(
                CaseParticipant.case_id == case.id,
                CaseParticipant.is_lead_practitioner.is_(True),
                CaseParticipant.ended_on.is_(None),
            )
        )
        > 0
    )


def _contract(case: Case) -> ContractFacts | None:
    contract = db.session.scalars(
        sa.select(AttendanceContract)
        .where(AttendanceContract.case_id == case.id, AttendanceContract.ended_on.is_(None))
        .order_by(AttendanceContract.id.desc())
    ).first()
    if contract is None:
        return None
    has_parent = any(party.role == ParticipantRole.PARENT_CARER for party in contract.parties)
    return ContractFacts(
        terms_recorded=bool(contract.parent_commitments.strip() and contract.support_commitments.strip()),
        parties_recorded=has_parent,
        review_on=contract.review_on,
    )


def _warning_letter_served_on(case: Case):
    return db.session.scalar(
        sa.select(sa.func.max(Letter.served_on)).where(
            Letter.case_id == case.id, Letter.kind == LetterKind.WARNING_OF_LEGAL_ACTION
        )
    )


def _latest_notice_to_improve(case: Case) -> NoticeToImprove | None:
    return db.session.scalars(
        sa.select(NoticeToImprove).where(NoticeToImprove.case_id == case.id).order_by(NoticeToImprove.id.desc())
    ).first()


def _notice_to_improve_facts(notice: NoticeToImprove | None) -> NoticeToImproveFacts | None:
    if notice is None:
        return None
    return NoticeToImproveFacts(
        notice.improvement_starts_on,
        notice.improvement_ends_on,
        bool(notice.sufficient_improvement.strip()),
        notice.improved,
        notice.holiday_weeks,
    )


def _penalty_notices(case: Case) -> tuple[PenaltyNoticeFacts, ...]:
    """Every notice for the child, on any case: the 2-in-3-years cap counts them all."""
    notices = db.session.scalars(sa.select(PenaltyNotice).where(PenaltyNotice.pupil_id == case.pupil.id)).all()
    return tuple(
        PenaltyNoticeFacts(
            parent_id=n.carer_id,
            issued_on=n.issued_on,
            received_on=n.received_on,
            paid_on=n.paid_on,
            withdrawn_on=n.withdrawn_on,
            prosecuted_on=n.prosecuted_on,
            period=(n.period_start, n.period_end),
            on_this_case=n.case_id == case.id,
        )
        for n in notices
    )


def _eso(case: Case) -> EsoFacts | None:
    order = db.session.scalars(sa.select(Eso).where(Eso.case_id == case.id).order_by(Eso.id.desc())).first()
    if order is None:
        return None
    breaches = db.session.scalars(sa.select(EsoBreach.occurred_on).where(EsoBreach.eso_id == order.id)).all()
    expiries = [day for day in (order.expires_on, *(e.new_expires_on for e in order.extensions)) if day]
    return EsoFacts(order.applied_on, order.made_on, max(expiries, default=None), tuple(breaches))


def _prosecution(case: Case) -> ProsecutionFacts | None:
    prosecution = db.session.scalars(
        sa.select(Prosecution).where(Prosecution.case_id == case.id).order_by(Prosecution.id.desc())
    ).first()
    if prosecution is None:
        return None
    return ProsecutionFacts(
        period=(prosecution.period_start, prosecution.period_end),
        parents=tuple(
            ProsecutedParentFacts(
                parent.carer_id,
                Section444(parent.section),
                Verdict(parent.verdict) if parent.verdict else None,
                tuple(Sentence(s) for s in parent.sentences),
            )
            for parent in prosecution.parents
        ),
    )


def _approvals(case: Case) -> tuple[ApprovalFacts, ...]:
    approvals = db.session.scalars(sa.select(Approval).where(Approval.case_id == case.id)).all()
    return tuple(
        ApprovalFacts(
            id=a.id,
            trigger=a.trigger,
            requested_by=a.requested_by_id,
            decided_by=a.decided_by_id,
            approved=a.status == ApprovalStatus.APPROVED,
            used=a.used_at is not None,
            reason=a.reason,
        )
        for a in approvals
    )
