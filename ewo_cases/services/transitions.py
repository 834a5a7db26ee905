"""The transition service: the only code that changes a case's stage.

It locks the case, loads the facts the workflow's guards read, asks the machine in ``workflows`` to fire
the trigger, marks the approval it used, and appends the audit row with the evidence of that moment, in
the caller's transaction. The rules themselves live in ``workflows``; this module only gathers facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
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
    EsoStatus,
    Letter,
    LetterKind,
    Meeting,
    MeetingAttendance,
    MeetingStatus,
    NoticeToImprove,
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
from ewo_cases.services.attendance import engine
from ewo_cases.services.attendance import figures as attendance_figures
from ewo_cases.services.attendance.registers import Marks
from ewo_cases.services.attendance.registers import load as load_marks
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
    WarningLetterFacts,
    WorkflowError,
)
from workflows.attendance import BAND_ORDER, PENALTY_WINDOW_SCHOOL_WEEKS, Band, academic_year_start
from workflows.attendance import CODES as ATTENDANCE_CODES
from workflows.legal import PeriodRegister, SchoolWeek, Section444, Sentence, Verdict


@dataclass(frozen=True)
class Inputs:
    """What the person typed on the action's form (as opposed to records already on the case)."""

    reason: str = ""
    target: CaseStage | None = None
    override_reason: str = ""
    closure_reason: ClosureReason | None = None
    reopen_reason: str = ""
    fpn_parent_ids: tuple[int, ...] = field(default_factory=tuple)
    #: Asked on an ESO application for a looked-after child: is the child under a care order?
    subject_to_care_order: bool | None = None


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
    as_of = now.astimezone(workflows.ENGLAND).date()
    registers = register_figures(case.pupil.id, as_of)
    facts = load_facts(case, actor, inputs, registers=registers)
    from_stage = case.stage or NOT_OPENED
    try:
        to_stage = workflows.fire(
            from_stage, trigger, facts=facts, now=now, actor=actor_of(actor), target=inputs.target
        )
    except WorkflowError as error:
        raise TransitionRefused(error.user_message) from error
    verdicts = workflows.verdicts(
        from_stage, trigger, facts=facts, now=now, actor=actor_of(actor), target=to_stage.value
    )
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
        evidence=evidence(registers, as_of, verdicts),
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


def evidence(registers: RegisterFigures, as_of: date, verdicts: dict[str, bool]) -> dict:
    """The attendance behind a decision as the registers stood on the day it was taken, and each guard's verdict."""
    return {
        "attendance_pct": registers.attendance_pct,
        "band": registers.band.value,
        "unauth_10wk_latest": registers.unauthorised_current_window,
        "unauth_10wk_max": registers.unauthorised_worst_window,
        "penalty_threshold_met": registers.penalty_threshold_met,
        "registers_as_of": as_of.isoformat(),
        "guards": verdicts,
    }


# --- the registers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFigures:
    """One pupil's attendance computed from the registers as at a day: the school year to that day, and the
    school weeks of this year and last (a new breach after a notice may run back across the summer)."""

    #: The day the registers were read up to.
    as_of: date | None = None
    attendance_pct: float | None = None
    band: Band = Band.NONE
    #: Unauthorised sessions in the latest 10 school weeks (back into last year if need be), and in the worst
    #: 10 school weeks of this school year.
    unauthorised_current_window: int = 0
    unauthorised_worst_window: int = 0
    penalty_threshold_met: bool = False
    school_weeks: tuple[SchoolWeek, ...] = ()
    #: The marks read (this school year and last), so that a period within them needs no second read.
    marks: Marks | None = None

    def period(self, pupil_id: int, start: date, end: date) -> PeriodRegister:
        """What the registers show between ``start`` and ``end`` inclusive (read again only if outside)."""
        if self.marks is None or start < self.marks.first_day or end > (self.as_of or end):
            return period_register(pupil_id, start, end)
        return _period(self.marks, start, end)


def register_figures(pupil_id: int, as_of: date) -> RegisterFigures:
    """Compute the pupil's figures from the registers up to ``as_of``: one read of two school years of marks."""
    year_start = academic_year_start(as_of)
    marks = load_marks(academic_year_start(year_start - timedelta(days=1)), as_of, pupil_ids=[pupil_id])
    if not len(marks.pupil_ids):
        return RegisterFigures(as_of)
    selected, monday = engine.select_range(marks.marks, marks.first_day, year_start, as_of)
    year = engine.summarise(selected, monday, attendance_figures.at_risk_threshold())
    weeks = engine.weekly(marks.marks[0], marks.first_day)
    pct = float(year.attendance_pct[0])
    # The current window runs back over the summer into last school year when it has to (a school week is any
    # week with a session, and the window may span school years).
    current_window = sum(week.unauthorised for week in weeks[-PENALTY_WINDOW_SCHOOL_WEEKS:])
    return RegisterFigures(
        as_of=as_of,
        attendance_pct=None if pct != pct else pct,  # NaN when there was no possible session
        band=BAND_ORDER[int(year.band[0])],
        unauthorised_current_window=current_window,
        unauthorised_worst_window=int(year.unauth_10wk_max[0]),
        penalty_threshold_met=bool(year.penalty_threshold_met[0]),
        school_weeks=tuple(SchoolWeek(week.week_start, week.possible, week.unauthorised) for week in weeks),
        marks=marks,
    )


def period_register(pupil_id: int, start: date, end: date) -> PeriodRegister:
    """Return what the registers show between ``start`` and ``end`` inclusive: school weeks and sessions."""
    return _period(load_marks(start, end, pupil_ids=[pupil_id]), start, end)


#: Which register bytes are possible sessions, and which of them unauthorised (the codes' own classes).
_POSSIBLE = np.zeros(256, dtype=bool)
_UNAUTHORISED = np.zeros(256, dtype=bool)
for _code in ATTENDANCE_CODES.values():
    _POSSIBLE[ord(_code.char)] = _code.is_possible
    _UNAUTHORISED[ord(_code.char)] = _code.counts_to_penalty


def _period(marks: Marks, start: date, end: date) -> PeriodRegister:
    """What one pupil's marks show from ``start`` to ``end``: sessions, and the school weeks the period held
    (``workflows.legal.school_weeks_held``: a half term or the stub of a week before a holiday is not one)."""
    if not len(marks.pupil_ids):
        return PeriodRegister(0, 0, 0)
    first = (start - marks.first_day).days * 2
    sessions = marks.marks[0, first : first + ((end - start).days + 1) * 2]
    possible_days = _POSSIBLE[sessions].reshape(-1, 2).any(axis=1)
    days_per_week = [int(possible_days[day : day + 7].sum()) for day in range(0, len(possible_days), 7)]
    return PeriodRegister(
        school_weeks=workflows.legal.school_weeks_held(days_per_week),
        possible=int(_POSSIBLE[sessions].sum()),
        unauthorised=int(_UNAUTHORISED[sessions].sum()),
    )


# --- facts ------------------------------------------------------------------------------------------------


def load_facts(
    case: Case, actor: User, inputs: Inputs = Inputs(), *, registers: RegisterFigures | None = None
) -> CaseFacts:
    """Gather from the records everything the workflow's guards may read about ``case``.

    The band and the threshold are the year-to-date figures kept after every marks import; the school weeks
    (for a new breach after a notice) are read from the registers up to today, or up to the moment of a step
    when ``registers`` gives them.
    """
    figures = db.session.get(PupilAttendance, case.pupil.id)
    if registers is None:
        registers = register_figures(case.pupil.id, clock.today())
    records = _latest_records(case)
    notice_to_improve = _latest_notice_to_improve(case)
    return CaseFacts(
        band=figures.band if figures else Band.NONE,
        actor_may_work_for_school=_may_work_for(actor, case),
        stage_entered_by=stage_entered_by(case),
        override_reason=inputs.override_reason,
        closure_reason=inputs.closure_reason,
        reopen_reason=inputs.reopen_reason,
        fpn_parent_ids=inputs.fpn_parent_ids,
        subject_to_care_order=inputs.subject_to_care_order,
        penalty_threshold_met=bool(figures and figures.penalty_threshold_met),
        school_weeks=registers.school_weeks,
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
        warning_letters=_warning_letters(case),
        notice_to_improve=_notice_to_improve_facts(case, notice_to_improve, registers),
        penalty_notices=_penalty_notices(case),
        social_care_consulted_on=_record_on(records, RecordKind.SOCIAL_CARE_CONSULTED),
        looked_after=case.pupil.looked_after,
        eso=_eso(case),
        eso_considered_reason=_record_text(records, RecordKind.ESO_CONSIDERED),
        prosecution=_prosecution(case),
        approvals=_approvals(case),
    )


def stage_entered_by(case: Case) -> int | None:
    """The audit row that put the case in its stage: the latest one."""
    if case.id is None:
        return None
    return db.session.scalar(
        sa.select(CaseTransition.id)
        .where(CaseTransition.case_id == case.id)
        .order_by(CaseTransition.occurred_at.desc(), CaseTransition.id.desc())
        .limit(1)
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
    """Whether one of the child's carers took part: the person, not the role they were given on the case."""
    return any(
        attendee.attendance == MeetingAttendance.ATTENDED
        and attendee.participant is not None
        and attendee.participant.carer_id is not None
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
    has_parent = any(party.carer_id is not None for party in contract.parties)
    return ContractFacts(
        terms_recorded=bool(contract.parent_commitments.strip() and contract.support_commitments.strip()),
        parties_recorded=has_parent,
        review_on=contract.review_on,
    )


def _warning_letters(case: Case) -> tuple[WarningLetterFacts, ...]:
    """Formal warnings of legal action served, each with the carer it was addressed to."""
    rows = db.session.execute(
        sa.select(CaseParticipant.carer_id, Letter.served_on)
        .select_from(Letter)
        .outerjoin(CaseParticipant, CaseParticipant.id == Letter.addressee_id)
        .where(
            Letter.case_id == case.id,
            Letter.kind == LetterKind.WARNING_OF_LEGAL_ACTION,
            Letter.served_on.is_not(None),
        )
    ).all()
    return tuple(WarningLetterFacts(carer_id, served_on) for carer_id, served_on in rows)


def _latest_notice_to_improve(case: Case) -> NoticeToImprove | None:
    return db.session.scalars(
        sa.select(NoticeToImprove).where(NoticeToImprove.case_id == case.id).order_by(NoticeToImprove.id.desc())
    ).first()


def _notice_to_improve_facts(
    case: Case, notice: NoticeToImprove | None, registers: RegisterFigures
) -> NoticeToImproveFacts | None:
    if notice is None:
        return None
    return NoticeToImproveFacts(
        notice.improvement_starts_on,
        notice.improvement_ends_on,
        bool(notice.sufficient_improvement.strip()),
        notice.improved,
        notice.holiday_weeks,
        register=improvement_period_register(case, notice, registers.as_of or clock.today(), registers),
    )


def improvement_period_register(
    case: Case, notice: NoticeToImprove, today: date, registers: RegisterFigures | None = None
) -> PeriodRegister | None:
    """What the registers show over a notice's improvement period, once it has ended (None before then)."""
    if not workflows.legal.improvement_period_over(notice.improvement_ends_on, today):
        return None
    last_day = notice.improvement_ends_on - timedelta(days=1)  # the period is whole weeks from its first day
    if registers is not None:
        return registers.period(case.pupil_id, notice.improvement_starts_on, last_day)
    return period_register(case.pupil_id, notice.improvement_starts_on, last_day)


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
    return EsoFacts(
        order.applied_on,
        order.made_on,
        max(expiries, default=None),
        tuple(breaches),
        refused_or_discharged=order.status in (EsoStatus.REFUSED, EsoStatus.ENDED),
    )


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
        file=(prosecution.id, prosecution.version),
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
            stage_entered_by=a.stage_entered_by_id,
            parent_ids=tuple(a.parent_ids or ()),
            prosecution_file=(a.prosecution_id, a.prosecution_version) if a.prosecution_id else None,
        )
        for a in approvals
    )
