"""Who is involved in a case: adding people, naming the lead practitioner, ending involvement."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, CaseParticipant, ParticipantRole, Professional, PupilCarer, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version

Person = Carer | Professional | User


def add_participant(
    case: Case,
    person: Person,
    *,
    role: ParticipantRole,
    lead_practitioner: bool,
    started_on: date,
    notes: str,
    actor: User,
) -> CaseParticipant:
    """Add a person to the case in a role; at most one lead practitioner at a time."""
    if started_on > clock.today():
        raise ServiceError("The date must be today or in the past", field="started_on")
    if _already_involved(case, person):
        raise ServiceError(f"{person.name} is already involved in this case", field="person")
    if isinstance(person, Carer) and not _cares_for(person, case):
        raise ServiceError(f"{person.name} is not recorded as a parent or carer of this child", field="person")
    if lead_practitioner:
        _check_no_lead(case)
    participant = CaseParticipant(
        case_id=case.id,
        role=role,
        is_lead_practitioner=lead_practitioner,
        started_on=started_on,
        notes=notes.strip(),
        **_person_key(person),
    )
    db.session.add(participant)
    audit.record(
        actor,
        "participant.added",
        participant,
        f"Added {person.name} ({role.label}) to {case}",
        case=case.id,
        lead_practitioner=lead_practitioner,
    )
    return participant


def end_participation(
    participant: CaseParticipant, *, ended_on: date, actor: User, expected_version: int | None
) -> CaseParticipant:
    """Record that someone is no longer involved (their history stays on the case)."""
    check_version(participant, expected_version)
    if participant.ended_on is not None:
        raise ServiceError("Their involvement has already ended", field="ended_on")
    if ended_on < participant.started_on or ended_on > clock.today():
        raise ServiceError("The date must be between when they became involved and today", field="ended_on")
    participant.ended_on = ended_on
    audit.record(
        actor, "participant.ended", participant, f"{participant.name} no longer involved", case=participant.case_id
    )
    db.session.flush()
    return participant


def _already_involved(case: Case, person: Person) -> bool:
    key = _person_key(person)
    column, value = next(iter(key.items()))
    return (
        db.session.scalar(
            sa.select(sa.func.count(CaseParticipant.id)).where(
                CaseParticipant.case_id == case.id,
                getattr(CaseParticipant, column) == value,
                CaseParticipant.ended_on.is_(None),
            )
        )
        > 0
    )


def _cares_for(carer: Carer, case: Case) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count(PupilCarer.id)).where(
                PupilCarer.carer_id == carer.id, PupilCarer.pupil_id == case.pupil_id
            )
        )
        > 0
    )


def _check_no_lead(case: Case) -> None:
    current = db.session.scalars(
        sa.select(CaseParticipant).where(
            CaseParticipant.case_id == case.id,
            CaseParticipant.is_lead_practitioner.is_(True),
            CaseParticipant.ended_on.is_(None),
        )
    ).first()
    if current is not None:
        raise ServiceError(
            f"{current.name} is the lead practitioner: end their involvement first", field="lead_practitioner"
        )


def _person_key(person: Person) -> dict[str, int]:
    if isinstance(person, Carer):
        return {"carer_id": person.id}
    if isinstance(person, Professional):
        return {"professional_id": person.id}
    return {"user_id": person.id}
