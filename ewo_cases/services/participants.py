"""Who is involved in a case: adding people in a role that fits them, changing their role, naming and
handing over the lead practitioner, ending involvement.

The lead practitioner is a flag on one current participant, not a role: a social worker or a key worker
can be the lead. Handing the lead to someone else takes it from the previous lead in the same transaction
and records the handover; the previous lead stays involved.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, CaseParticipant, ParticipantRole, Professional, PupilCarer, Role, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.record_dates import check_happened

Person = Carer | Professional | User

#: The roles each kind of person can have. Only the child's parents and carers are "Parent or carer".
ROLES_OF_PROFESSIONALS = (
    ParticipantRole.SOCIAL_WORKER,
    ParticipantRole.KEY_WORKER,
    ParticipantRole.DESIGNATED_TEACHER,
    ParticipantRole.SENCO,
    ParticipantRole.VIRTUAL_SCHOOL_HEAD,
    ParticipantRole.HEALTH_PROFESSIONAL,
    ParticipantRole.OTHER,
)
ROLES_OF_SCHOOL_STAFF = (
    ParticipantRole.SCHOOL_ATTENDANCE_LEAD,
    ParticipantRole.DESIGNATED_TEACHER,
    ParticipantRole.SENCO,
    ParticipantRole.OTHER,
)
ROLES_OF_LOCAL_AUTHORITY_STAFF = (ParticipantRole.CASE_OFFICER, ParticipantRole.KEY_WORKER, ParticipantRole.OTHER)


def roles_for(person: Person) -> tuple[ParticipantRole, ...]:
    """The roles ``person`` can have on a case."""
    if isinstance(person, Carer):
        return (ParticipantRole.PARENT_CARER,)
    if isinstance(person, Professional):
        return ROLES_OF_PROFESSIONALS
    return ROLES_OF_SCHOOL_STAFF if person.role == Role.SCHOOL_LEAD else ROLES_OF_LOCAL_AUTHORITY_STAFF


def s576_basis(link: PupilCarer) -> str:
    """Why an adult is, or is not, the child's parent under Education Act 1996 s576, in words."""
    reasons = [
        reason
        for reason, holds in (
            ("parental responsibility", link.parental_responsibility),
            ("lives with the child", link.lives_with_pupil),
        )
        if holds
    ]
    return " and ".join(reasons).capitalize() if reasons else "Not a parent under s576"


def person_of(participant: CaseParticipant) -> Person:
    """The carer, professional or user a participant is."""
    return participant.carer or participant.professional or participant.user


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
    """Add a person to the case in a role that fits them; as the lead practitioner, they take over the lead."""
    _check_role(person, role)
    check_happened(case, started_on, what="The date they became involved", field="started_on")
    if _already_involved(case, person):
        raise ServiceError(f"{person.name} is already involved in this case", field="person")
    if isinstance(person, Carer) and not _cares_for(person, case):
        raise ServiceError(f"{person.name} is not recorded as a parent or carer of this child", field="person")
    if lead_practitioner and isinstance(person, Carer):
        raise ServiceError("A parent or carer cannot be the lead practitioner", field="lead_practitioner")
    participant = CaseParticipant(
        case_id=case.id, role=role, started_on=started_on, notes=notes.strip(), **_person_key(person)
    )
    db.session.add(participant)
    audit.record(
        actor,
        "participant.added",
        participant,
        f"{person.name} joined the case as {role.label.lower()}",
        case=case.id,
        started_on=started_on.isoformat(),
    )
    if lead_practitioner:
        _take_lead(participant, actor)
    return participant


def change_role(
    participant: CaseParticipant, *, role: ParticipantRole, actor: User, expected_version: int | None
) -> CaseParticipant:
    """Give a current participant another role that fits them."""
    check_version(participant, expected_version)
    _check_current(participant, field="role")
    _check_role(person_of(participant), role)
    if role == participant.role:
        raise ServiceError(f"{participant.name} is already {role.label.lower()}: choose another role", field="role")
    before = participant.role
    participant.role = role
    audit.record(
        actor,
        "participant.role_changed",
        participant,
        f"{participant.name}'s role changed from {before.label.lower()} to {role.label.lower()}",
        case=participant.case_id,
    )
    db.session.flush()
    return participant


def make_lead(participant: CaseParticipant, *, actor: User, expected_version: int | None) -> CaseParticipant:
    """Make a current professional or member of staff the lead practitioner, handing over from any other."""
    check_version(participant, expected_version)
    _check_current(participant, field="lead_practitioner")
    if participant.is_family:
        raise ServiceError("A parent or carer cannot be the lead practitioner", field="lead_practitioner")
    if participant.is_lead_practitioner:
        raise ServiceError(f"{participant.name} is already the lead practitioner", field="lead_practitioner")
    _take_lead(participant, actor)
    return participant


def current_lead(case_id: int) -> CaseParticipant | None:
    """The case's lead practitioner now, if one is named."""
    return db.session.scalar(
        sa.select(CaseParticipant).where(
            CaseParticipant.case_id == case_id,
            CaseParticipant.is_lead_practitioner.is_(True),
            CaseParticipant.ended_on.is_(None),
        )
    )


def end_participation(
    participant: CaseParticipant, *, ended_on: date, actor: User, expected_version: int | None
) -> CaseParticipant:
    """Record that someone is no longer involved (their history stays on the case)."""
    check_version(participant, expected_version)
    _check_current(participant, field="ended_on")
    if ended_on < participant.started_on:
        raise ServiceError("The date must be on or after the day they became involved", field="ended_on")
    case = db.session.get(Case, participant.case_id)
    check_happened(case, ended_on, what="The date their involvement ended", field="ended_on")
    participant.ended_on = ended_on
    lead = " (the lead practitioner: none is named now)" if participant.is_lead_practitioner else ""
    audit.record(
        actor,
        "participant.ended",
        participant,
        f"{participant.name} no longer involved{lead}",
        case=participant.case_id,
        ended_on=ended_on.isoformat(),
    )
    db.session.flush()
    return participant


def _take_lead(participant: CaseParticipant, actor: User) -> None:
    """Move the lead to ``participant``: the previous lead's flag goes first, as one lead at a time is enforced
    by the database at every statement."""
    # One handover at a time per case: a second waits here, then hands over from the first's new lead.
    db.session.execute(sa.select(Case.id).where(Case.id == participant.case_id).with_for_update())
    previous = current_lead(participant.case_id)
    handed_over = ""
    if previous is not None and previous is not participant:
        previous.is_lead_practitioner = False
        db.session.flush()
        handed_over = f", taking over from {previous.name}"
        audit.record(
            actor,
            "participant.lead_handed_over",
            previous,
            f"{previous.name} is no longer the lead practitioner; {participant.name} took over",
            case=participant.case_id,
            to=participant.id,
        )
    participant.is_lead_practitioner = True
    db.session.flush()
    audit.record(
        actor,
        "participant.made_lead",
        participant,
        f"{participant.name} became the lead practitioner{handed_over}",
        case=participant.case_id,
        previous=previous.id if previous is not None else None,
    )


def _check_role(person: Person, role: ParticipantRole) -> None:
    allowed = roles_for(person)
    if role in allowed:
        return
    if isinstance(person, Carer):
        raise ServiceError(f"{person.name} is a parent or carer: their role is parent or carer", field="role")
    raise ServiceError(
        f"{person.name} cannot be {role.label.lower()} on the case: choose "
        + ", ".join(choice.label.lower() for choice in allowed[:-1])
        + f" or {allowed[-1].label.lower()}",
        field="role",
    )


def _check_current(participant: CaseParticipant, *, field: str) -> None:
    if not participant.is_current:
        raise ServiceError(f"{participant.name} is no longer involved in this case", field=field)


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


def _person_key(person: Person) -> dict[str, int]:
    if isinstance(person, Carer):
        return {"carer_id": person.id}
    if isinstance(person, Professional):
        return {"professional_id": person.id}
    return {"user_id": person.id}
