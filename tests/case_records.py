"""Helpers for tests of a case's meetings, plans and contracts: a family on the case, form values, counts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, CaseParticipant, ParticipantRole, PupilCarer, User
from workflows import ENGLAND

#: The service's "today" in these tests: a Monday in spring term (GMT, so London time is UTC).
TODAY = date(2026, 3, 2)
_refs = itertools.count(1)


def add_parent(case: Case, forename: str = "Mia", surname: str = "Parent") -> CaseParticipant:
    """Add a parent with parental responsibility to the child and to the case."""
    carer = Carer(carer_ref=f"CR{next(_refs):05d}", forename=forename, surname=surname, address="1 Road")
    db.session.add(carer)
    db.session.flush()
    db.session.add(
        PupilCarer(
            pupil_id=case.pupil_id,
            carer_id=carer.id,
            relationship_to_pupil="Mother",
            parental_responsibility=True,
            lives_with_pupil=True,
        )
    )
    participant = CaseParticipant(
        case_id=case.id, carer_id=carer.id, role=ParticipantRole.PARENT_CARER, started_on=date(2026, 1, 5)
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def add_user_participant(case: Case, user: User, role: ParticipantRole) -> CaseParticipant:
    """Add a user of the service (an officer, a school lead) to the case."""
    participant = CaseParticipant(case_id=case.id, user_id=user.id, role=role, started_on=date(2026, 1, 5))
    db.session.add(participant)
    db.session.flush()
    return participant


def participant(case: Case, role: ParticipantRole) -> CaseParticipant:
    """The case's first current participant in ``role``."""
    return db.session.scalars(
        sa.select(CaseParticipant).where(CaseParticipant.case_id == case.id, CaseParticipant.role == role)
    ).first()


def day(value: date | None) -> list[str]:
    """A date as the three boxes of a GOV.UK date input post it."""
    return ["", "", ""] if value is None else [str(value.day), str(value.month), str(value.year)]


def count(model) -> int:
    """How many rows a table holds."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def moment(day: date, hour: int = 11) -> datetime:
    """The stored (UTC) time of ``hour`` o'clock in England on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=ENGLAND).astimezone(UTC)


def opened_before(case: Case, days: int = 28) -> Case:
    """Date the case's opening ``days`` back, so records of the weeks before today fall within the case."""
    case.opened_at -= timedelta(days=days)
    db.session.flush()
    return case
