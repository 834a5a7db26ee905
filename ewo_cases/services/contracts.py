"""Attendance (parenting) contracts: the record of the terms, the parties and the review date.

Officers and managers keep a case's contract; school leads see it. A case has at most one current contract
(not ended); ending it keeps it on the case, and a new one can then be drafted. Agreeing the contract as a step
of the case's workflow is the ``agree_contract`` trigger, fired elsewhere: this module keeps the record its
guard reads (both sides' commitments, at least one parent or carer as a party, and a review date).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import AttendanceContract, Case, CaseParticipant, ParticipantRole, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ConflictError, ServiceError, check_version
from ewo_cases.services.plans import describe_participant, participants_of
from workflows import ENGLAND, CaseStage


def current_contract(case: Case) -> AttendanceContract | None:
    """The case's contract that has not ended, if any."""
    return db.session.scalars(
        sa.select(AttendanceContract)
        .where(AttendanceContract.case_id == case.id, AttendanceContract.ended_on.is_(None))
        .order_by(AttendanceContract.id.desc())
    ).first()


def past_contracts(case: Case) -> list[AttendanceContract]:
    """The case's ended contracts, most recent first."""
    return list(
        db.session.scalars(
            sa.select(AttendanceContract)
            .where(AttendanceContract.case_id == case.id, AttendanceContract.ended_on.is_not(None))
            .order_by(AttendanceContract.ended_on.desc(), AttendanceContract.id.desc())
        )
    )


def party_choices(case: Case, contract: AttendanceContract | None) -> list[tuple[int, str]]:
    """Who can be party to the contract: the people involved in the case, and those already party to it."""
    existing = contract.parties if contract else []
    return [(person.id, describe_participant(person)) for person in participants_of(case, including=existing)]


def save_contract(
    case: Case,
    *,
    parent_commitments: str,
    support_commitments: str,
    party_ids: Sequence[int],
    agreed_on: date | None,
    review_on: date,
    expected_version: int | None,
    actor: User,
) -> AttendanceContract:
    """Draft the case's contract, or change the current one."""
    contract = current_contract(case)
    _check_can_save(case, contract, expected_version)
    parties = _parties(case, contract, party_ids)
    _check_dates(agreed_on, review_on)
    if contract is None:
        contract = AttendanceContract(case_id=case.id, created_by_id=actor.id)
        db.session.add(contract)
    verb = "drafted" if contract.id is None else "updated"
    contract.parent_commitments, contract.support_commitments = parent_commitments.strip(), support_commitments.strip()
    contract.parties, contract.agreed_on, contract.review_on = parties, agreed_on, review_on
    audit.record(
        actor,
        f"contract.{verb}",
        contract,
        f"Attendance contract {verb} on {case}",
        case=case.id,
        parties=[party.id for party in parties],
        agreed_on=agreed_on.isoformat() if agreed_on else None,
        review_on=review_on.isoformat(),
    )
    return contract


def end_contract(
    contract: AttendanceContract, *, ended_on: date, reason: str, expected_version: int | None, actor: User
) -> AttendanceContract:
    """Record that a contract has ended, and why (it stays on the case)."""
    check_version(contract, expected_version)
    if contract.ended_on is not None:
        raise ServiceError("This contract has already ended", field="ended_on")
    started = contract.agreed_on or contract.created_at.astimezone(ENGLAND).date()
    if ended_on > clock.today() or ended_on < started:
        raise ServiceError(f"The end date must be between {started.day} {started:%B %Y} and today", field="ended_on")
    contract.ended_on = ended_on
    audit.record(
        actor, "contract.ended", contract, "Attendance contract ended", case=contract.case_id, reason=reason.strip()
    )
    db.session.flush()
    return contract


def _check_can_save(case: Case, contract: AttendanceContract | None, expected_version: int | None) -> None:
    if case.stage == CaseStage.CLOSED:
        raise ServiceError("The case is closed: reopen it to change its contract")
    if contract is not None and expected_version is None:
        raise ConflictError("contract was drafted by someone else while you were writing yours")
    if contract is not None:
        check_version(contract, expected_version)


def _parties(case: Case, contract: AttendanceContract | None, party_ids: Sequence[int]) -> list[CaseParticipant]:
    allowed = {person.id: person for person in participants_of(case, including=contract.parties if contract else [])}
    if not party_ids or any(party_id not in allowed for party_id in party_ids):
        raise ServiceError("Choose who is party to the contract from the list", field="parties")
    parties = [allowed[party_id] for party_id in dict.fromkeys(party_ids)]
    if not any(party.role == ParticipantRole.PARENT_CARER for party in parties):
        raise ServiceError(
            "Choose at least one parent or carer: the contract is an agreement with the parents", field="parties"
        )
    return parties


def _check_dates(agreed_on: date | None, review_on: date) -> None:
    if agreed_on and agreed_on > clock.today():
        raise ServiceError("The date agreed must be today or in the past", field="agreed_on")
    if agreed_on and review_on <= agreed_on:
        raise ServiceError("The review date must be after the date the contract was agreed", field="review_on")
    if not agreed_on and review_on < clock.today():
        raise ServiceError("The review date must be today or in the future", field="review_on")
