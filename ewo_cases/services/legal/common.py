"""What every legal step shares: the parents who may be named, date checks, and the child's needs to weigh
(the one list of them is ``workflows.legal.considerations_before_legal_step``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import (
    Carer,
    Case,
    CaseParticipant,
    CaseTransition,
    ParticipantRole,
    Pupil,
    PupilCarer,
)
from ewo_cases.services.errors import ServiceError
from ewo_cases.services.pupils import legal_considerations
from ewo_cases.services.transitions import TransitionRefused, apply_transition


@dataclass(frozen=True)
class ParentChoice:
    """A parent or carer on the case, and why they may not be named in proceedings (empty when they may)."""

    carer: Carer
    #: Why the adult cannot receive a notice or be prosecuted; empty for an s576 parent on the case.
    excluded_because: str

    @property
    def id(self) -> int:
        return self.carer.id

    @property
    def name(self) -> str:
        return self.carer.name

    @property
    def eligible(self) -> bool:
        return not self.excluded_because


def parent_choices(case: Case) -> list[ParentChoice]:
    """Return every parent or carer on the case, each marked as an s576 parent of this child or not."""
    participants = db.session.scalars(
        sa.select(CaseParticipant)
        .where(CaseParticipant.case_id == case.id, CaseParticipant.carer_id.is_not(None))
        .where(CaseParticipant.role == ParticipantRole.PARENT_CARER)
        .order_by(CaseParticipant.id)
    ).all()
    links = {
        link.carer_id: link
        for link in db.session.scalars(sa.select(PupilCarer).where(PupilCarer.pupil_id == case.pupil_id))
    }
    choices, seen = [], set()
    for participant in participants:
        if participant.carer_id in seen:
            continue
        seen.add(participant.carer_id)
        choices.append(ParentChoice(participant.carer, _exclusion(participant, links.get(participant.carer_id))))
    return choices


def _exclusion(participant: CaseParticipant, link: PupilCarer | None) -> str:
    if participant.ended_on is not None:
        return f"No longer taking part in the case (since {long_date(participant.ended_on)})"
    if link is None:
        return "No longer recorded as a carer of the child"
    if not link.is_parent:
        return (
            f"Not a parent under section 576: {link.relationship_to_pupil.lower() or 'this adult'} "
            "without parental responsibility who does not live with the child"
        )
    return ""


def eligible_parents(case: Case, carer_ids: list[int] | tuple[int, ...], *, field: str) -> list[Carer]:
    """Return the carers named, refusing any who is not an s576 parent on the case."""
    choices = {choice.id: choice for choice in parent_choices(case)}
    carers = []
    for carer_id in dict.fromkeys(carer_ids):
        choice = choices.get(carer_id)
        if choice is None:
            raise ServiceError("Choose parents who take part in this case", field=field)
        if not choice.eligible:
            raise ServiceError(f"{choice.name} cannot be named: {choice.excluded_because}", field=field)
        carers.append(choice.carer)
    return carers


def check_past(day: date | None, *, field: str, what: str) -> None:
    """Refuse a date after today: legal records say what has happened."""
    if day is not None and day > clock.today():
        raise ServiceError(f"{what} must be today or in the past", field=field)


def check_not_before(day: date | None, earliest: date | None, *, field: str, message: str) -> None:
    """Refuse ``day`` when it falls before ``earliest``."""
    if day is not None and earliest is not None and day < earliest:
        raise ServiceError(message, field=field)


def needs_reason(pupil: Pupil, considered: bool) -> str:
    """Return the line the audit row keeps about the child's needs having been weighed before a legal step."""
    needs = legal_considerations(pupil)
    if not needs or not considered:
        return ""
    return f"Considered before this step that {pupil.forename} " + "; ".join(needs) + "."


def long_date(day: date) -> str:
    """``1 March 2026``, for messages."""
    return f"{day.day} {day:%B %Y}"


def fire(case: Case, trigger: str, **arguments: object) -> CaseTransition:
    """Take the step through the transition service; a refusal is shown beside the step's checklist."""
    try:
        return apply_transition(case, trigger, **arguments)
    except TransitionRefused as refusal:
        raise TransitionRefused(refusal.message, field="step") from refusal
