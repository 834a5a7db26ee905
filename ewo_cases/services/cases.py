"""Opening cases, assigning them, school referrals, and the dated records steps depend on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import (
    Case,
    CaseParticipant,
    CaseRecord,
    ParticipantRole,
    Pupil,
    RecordKind,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from ewo_cases.services import audit
from ewo_cases.services.errors import ConflictError, ServiceError, check_version
from ewo_cases.services.transitions import Inputs, apply_transition
from workflows import CaseStage


def open_case(
    pupil: Pupil,
    stage: CaseStage,
    *,
    actor: User,
    reason: str,
    officer: User,
    school_contact: User | None = None,
    override_reason: str = "",
    now: datetime | None = None,
) -> Case:
    """Open a case for a pupil at a support stage, with their parents and carers as participants."""
    _check_no_open_case(pupil)
    _check_officer(officer)
    case = Case(
        pupil=pupil,
        assigned_officer=officer,
        school_contact=school_contact,
        opened_by=actor,
        opening_reason=reason.strip(),
    )
    apply_transition(
        case, "open", actor=actor, now=now, inputs=Inputs(reason=reason, target=stage, override_reason=override_reason)
    )
    case.reference = f"EWO-{case.opened_at:%y}-{case.id:04d}"
    _add_starting_participants(case, pupil, officer, school_contact)
    db.session.flush()
    return case


def open_case_of(pupil: Pupil) -> Case | None:
    """The child's open case, if they have one (a child has one open case at a time)."""
    return db.session.scalar(sa.select(Case).where(Case.pupil_id == pupil.id, Case.stage != CaseStage.CLOSED))


def _check_no_open_case(pupil: Pupil) -> None:
    existing = open_case_of(pupil)
    if existing:
        raise ServiceError(
            f"{pupil.name} already has an open case ({existing.reference}): work on that one", field="reason"
        )


def _check_officer(officer: User) -> None:
    if officer.role not in (Role.OFFICER, Role.MANAGER) or not officer.active:
        raise ServiceError("Choose an education welfare officer for the case", field="officer")


def _add_starting_participants(case: Case, pupil: Pupil, officer: User, school_contact: User | None) -> None:
    today = clock.today()
    for link in pupil.carer_links:
        db.session.add(
            CaseParticipant(
                case_id=case.id, carer_id=link.carer_id, role=ParticipantRole.PARENT_CARER, started_on=today
            )
        )
    db.session.add(
        CaseParticipant(case_id=case.id, user_id=officer.id, role=ParticipantRole.CASE_OFFICER, started_on=today)
    )
    if school_contact is not None:
        db.session.add(
            CaseParticipant(
                case_id=case.id,
                user_id=school_contact.id,
                role=ParticipantRole.SCHOOL_ATTENDANCE_LEAD,
                started_on=today,
            )
        )


def reassign(cases: Sequence[Case], officer: User, *, actor: User, reason: str) -> list[Case]:
    """Give cases to another officer (a manager's decision, singly or in bulk).

    The officer named among the people involved follows: the previous officer's part as the case's officer
    ends today and the new officer's begins, so invitations and the People page name the right officer."""
    _check_officer(officer)
    for case in cases:
        if case.assigned_officer_id == officer.id:
            continue
        before = case.assigned_officer.name
        _hand_over_participation(case, case.assigned_officer, officer, ParticipantRole.CASE_OFFICER)
        case.assigned_officer = officer
        audit.record(
            actor,
            "case.reassigned",
            case,
            f"Reassigned {case} from {before} to {officer.name}",
            reason=reason,
            officer=officer.id,
        )
    db.session.flush()
    return list(cases)


def _hand_over_participation(case: Case, before: User | None, after: User, role: ParticipantRole) -> None:
    """End ``before``'s part in ``role`` today and start ``after``'s, unless they are involved already."""
    today = clock.today()
    current = db.session.scalars(
        sa.select(CaseParticipant).where(CaseParticipant.case_id == case.id, CaseParticipant.ended_on.is_(None))
    ).all()
    for person in current:
        if before is not None and person.user_id == before.id and person.role == role:
            person.ended_on = today
    if not any(person.user_id == after.id for person in current):
        db.session.add(CaseParticipant(case_id=case.id, user_id=after.id, role=role, started_on=today))


def set_school_contact(case: Case, lead: User, *, actor: User, expected_version: int | None) -> Case:
    """Name the school attendance lead the officer works with on the case; they join the people involved,
    and a previous contact's part as the school's lead ends today."""
    check_version(case, expected_version)
    if lead.role != Role.SCHOOL_LEAD or not lead.active or case.pupil.school not in lead.schools:
        raise ServiceError("Select one of the attendance leads of the child's school", field="school_contact")
    if case.school_contact_id == lead.id:
        raise ServiceError(f"{lead.name} is already the school's contact", field="school_contact")
    before = case.school_contact
    _hand_over_participation(case, before, lead, ParticipantRole.SCHOOL_ATTENDANCE_LEAD)
    case.school_contact = lead
    audit.record(
        actor,
        "case.school_contact_changed",
        case,
        f"School contact for {case}: {before.name if before else 'none'} → {lead.name}",
        school_contact=lead.id,
    )
    db.session.flush()
    return case


# --- referrals --------------------------------------------------------------------------------------------


def refer(pupil: Pupil, *, actor: User, reason: str, support_so_far: str) -> Referral:
    """A school lead asks the local authority to open a case (not for a child already on an open case)."""
    open_case_now = open_case_of(pupil)
    if open_case_now is not None:
        raise ServiceError(
            f"{pupil.name} is already on case {open_case_now.reference}, which is open: contact its officer, "
            f"{open_case_now.assigned_officer.name}, instead of referring",
            field="reason",
        )
    pending = db.session.scalar(
        sa.select(Referral.id).where(Referral.pupil_id == pupil.id, Referral.status == ReferralStatus.PENDING)
    )
    if pending:
        raise ServiceError(f"{pupil.name} has already been referred and is waiting for a decision", field="reason")
    referral = Referral(
        pupil_id=pupil.id,
        school_id=pupil.school_id,
        referred_by_id=actor.id,
        reason=reason.strip(),
        support_so_far=support_so_far.strip(),
    )
    db.session.add(referral)
    audit.record(actor, "referral.made", referral, f"Referred {pupil.name}", pupil=pupil.id)
    return referral


def accept_referral(
    referral: Referral,
    *,
    actor: User,
    stage: CaseStage,
    officer: User,
    override_reason: str = "",
    expected_version: int | None,
) -> Case:
    """Accept a referral by opening a case for the pupil."""
    _check_pending(referral, expected_version)
    case = open_case(
        referral.pupil,
        stage,
        actor=actor,
        officer=officer,
        school_contact=referral.referred_by,
        reason=opening_reason(referral),
        override_reason=override_reason,
    )
    _decide(referral, ReferralStatus.ACCEPTED, actor, f"Case {case.reference} opened")
    referral.case_id = case.id
    return case


def opening_reason(referral: Referral) -> str:
    """Why a case opened from a referral: the school's reason and the support it has already given."""
    reason = f"Referred by {referral.school.name}: {referral.reason}"
    if referral.support_so_far:
        reason += f"\n\nSupport the school has given so far: {referral.support_so_far}"
    return reason


def decline_referral(referral: Referral, *, actor: User, reason: str, expected_version: int | None) -> Referral:
    """Decline a referral, saying why (the school sees the reason)."""
    _check_pending(referral, expected_version)
    _decide(referral, ReferralStatus.DECLINED, actor, reason.strip())
    return referral


def _check_pending(referral: Referral, expected_version: int | None) -> None:
    check_version(referral, expected_version)
    if referral.status != ReferralStatus.PENDING:
        raise ConflictError("referral has already been decided")


def _decide(referral: Referral, status: ReferralStatus, actor: User, reason: str) -> None:
    referral.status, referral.decided_by_id, referral.decided_at = status, actor.id, clock.now()
    referral.decision_reason = reason
    audit.record(actor, f"referral.{status.value}", referral, f"Referral {status.value}: {reason}")
    db.session.flush()


# --- records ----------------------------------------------------------------------------------------------


def add_record(case: Case, kind: RecordKind, *, occurred_on: date, details: str, actor: User) -> CaseRecord:
    """Record a dated fact on the case (support offered, consent, social care consulted, ...)."""
    if occurred_on > clock.today():
        raise ServiceError("The date must be today or in the past", field="occurred_on")
    record = CaseRecord(
        case_id=case.id, kind=kind, occurred_on=occurred_on, details=details.strip(), recorded_by_id=actor.id
    )
    db.session.add(record)
    audit.record(actor, "case_record.added", record, f"{kind.label} on {case}", case=case.id)
    return record


def withdraw_record(record: CaseRecord, *, reason: str, actor: User) -> CaseRecord:
    """Withdraw a record made in error by appending one that names it and says why."""
    withdrawal = CaseRecord(
        case_id=record.case_id,
        kind=record.kind,
        occurred_on=clock.today(),
        details=reason.strip(),
        recorded_by_id=actor.id,
        withdraws_id=record.id,
    )
    db.session.add(withdrawal)
    audit.record(actor, "case_record.withdrawn", withdrawal, f"Withdrew: {record.kind.label}", case=record.case_id)
    return withdrawal
