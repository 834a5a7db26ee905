"""Education supervision orders (Children Act 1989 s36): the application (a step of the workflow), the court's
decision, the supervisor and directions, and the append-only breaches and extensions."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Case, Eso, EsoBreach, EsoExtension, EsoStatus, Role, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.legal.common import check_not_before, check_past, fire, long_date
from ewo_cases.services.transitions import Inputs
from workflows import legal as rules


def latest_eso(case: Case) -> Eso | None:
    """Return the case's most recent order or application (the one the workflow reads)."""
    return db.session.scalars(sa.select(Eso).where(Eso.case_id == case.id).order_by(Eso.id.desc())).first()


def current_expiry(eso: Eso) -> date | None:
    """Return when the order ends, counting every extension."""
    expiries = [day for day in (eso.expires_on, *(e.new_expires_on for e in eso.extensions)) if day]
    return max(expiries, default=None)


def in_force(eso: Eso, today: date) -> bool:
    """Return whether the order is in force on ``today``."""
    expiry = current_expiry(eso)
    return eso.made_on is not None and expiry is not None and rules.eso_in_force(eso.made_on, expiry, today)


def apply_for_eso(
    case: Case,
    *,
    applied_on: date,
    hearing_on: date | None,
    notes: str,
    actor: User,
    subject_to_care_order: bool | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Eso:
    """Record an application for an order and move the case to the ESO stage.

    ``subject_to_care_order`` answers, for a looked-after child, whether a care order bars the order.
    """
    check_past(applied_on, field="applied_on", what="The date applied")
    check_not_before(
        hearing_on, applied_on, field="hearing_on", message="The hearing must be on or after the date applied"
    )
    eso = Eso(
        case_id=case.id,
        status=EsoStatus.APPLIED,
        applied_on=applied_on,
        hearing_on=hearing_on,
        notes=notes.strip(),
        subject_to_care_order=subject_to_care_order,
    )
    db.session.add(eso)
    db.session.flush()
    summary = f"Applied for an education supervision order on {long_date(applied_on)}."
    fire(
        case,
        "apply_eso",
        actor=actor,
        inputs=Inputs(reason=" ".join(filter(None, (summary, reason))), subject_to_care_order=subject_to_care_order),
        now=now,
        expected_version=expected_version,
    )
    audit.record(actor, "eso.applied", eso, f"{summary[:-1]} on {case}", case=case.id)
    return eso


def update_eso(
    eso: Eso,
    *,
    status: EsoStatus,
    hearing_on: date | None,
    made_on: date | None,
    supervisor: User | None,
    directions: str,
    notes: str,
    actor: User,
    expected_version: int | None,
) -> Eso:
    """Record the court's decision, the supervisor and the directions."""
    check_version(eso, expected_version)
    check_not_before(
        hearing_on, eso.applied_on, field="hearing_on", message="The hearing must be on or after the date applied"
    )
    if status is EsoStatus.MADE:
        _check_made_on(eso, made_on)
    elif eso.extensions or eso.breaches:
        raise ServiceError("The order has breaches or extensions recorded, so it was made", field="status")
    if supervisor is not None and (supervisor.role not in (Role.OFFICER, Role.MANAGER) or not supervisor.active):
        raise ServiceError("Choose an officer as the supervisor", field="supervisor")
    eso.status, eso.hearing_on, eso.supervisor = status, hearing_on, supervisor
    eso.made_on = made_on if status is EsoStatus.MADE else None
    eso.expires_on = rules.eso_expiry(made_on) if status is EsoStatus.MADE else None
    eso.directions, eso.notes = directions.strip(), notes.strip()
    db.session.flush()
    audit.record(actor, "eso.updated", eso, f"Education supervision order: {status.label.lower()}", case=eso.case_id)
    return eso


def _check_made_on(eso: Eso, made_on: date | None) -> None:
    if made_on is None:
        raise ServiceError("Enter the date the order was made", field="made_on")
    check_past(made_on, field="made_on", what="The date the order was made")
    check_not_before(
        made_on, eso.applied_on, field="made_on", message="The order must be made on or after the date applied"
    )
    if eso.extensions and made_on != eso.made_on:
        raise ServiceError("The order has been extended, so the date it was made can no longer change", field="made_on")


def record_breach(eso: Eso, *, occurred_on: date, description: str, actor: User) -> EsoBreach:
    """Record a failure to follow the order's directions (never changed afterwards)."""
    _check_made(eso, field="occurred_on")
    check_past(occurred_on, field="occurred_on", what="The date of the breach")
    if not rules.eso_in_force(eso.made_on, current_expiry(eso), occurred_on):
        raise ServiceError(
            f"The order was in force from {long_date(eso.made_on)} until {long_date(current_expiry(eso))}: "
            "a breach must fall in that time",
            field="occurred_on",
        )
    breach = EsoBreach(eso_id=eso.id, occurred_on=occurred_on, description=description.strip(), recorded_by_id=actor.id)
    db.session.add(breach)
    db.session.flush()
    db.session.refresh(eso, ["breaches"])
    audit.record(
        actor, "eso.breach", breach, f"Breach of the order's directions on {long_date(occurred_on)}", case=eso.case_id
    )
    return breach


def record_extension(eso: Eso, *, granted_on: date, new_expires_on: date, actor: User) -> EsoExtension:
    """Record the court's extension of the order, to at most 3 years in all (never changed afterwards)."""
    _check_made(eso, field="granted_on")
    check_past(granted_on, field="granted_on", what="The date the order was extended")
    expiry = current_expiry(eso)
    if not rules.may_extend_eso(eso.made_on, expiry, new_expires_on, granted_on):
        raise ServiceError(*_extension_refusal(eso, expiry, granted_on, new_expires_on))
    extension = EsoExtension(
        eso_id=eso.id, granted_on=granted_on, new_expires_on=new_expires_on, recorded_by_id=actor.id
    )
    db.session.add(extension)
    db.session.flush()
    db.session.refresh(eso, ["extensions"])
    audit.record(actor, "eso.extended", extension, f"Order extended to {long_date(new_expires_on)}", case=eso.case_id)
    return extension


def _extension_refusal(eso: Eso, expiry: date, granted_on: date, new_expires_on: date) -> tuple[str, str]:
    """Return why ``may_extend_eso`` refused, and the field to show it on."""
    if not rules.eso_in_force(eso.made_on, expiry, granted_on):
        return (
            f"The order was in force from {long_date(eso.made_on)} until {long_date(expiry)}: "
            "only an order in force can be extended",
            "granted_on",
        )
    if new_expires_on <= expiry:
        return (f"The new expiry date must be after the current one ({long_date(expiry)})", "new_expires_on")
    latest = rules.eso_latest_expiry(eso.made_on)
    return (
        f"An order can last at most 3 years in all: this one can run until {long_date(latest)} at the latest",
        "new_expires_on",
    )


def _check_made(eso: Eso, *, field: str) -> None:
    if eso.status is not EsoStatus.MADE or eso.made_on is None:
        raise ServiceError("Record that the court made the order first", field=field)


def days_to_expiry(eso: Eso) -> int | None:
    """Return how many days the order has left (negative once it has expired)."""
    expiry = current_expiry(eso)
    return (expiry - clock.today()).days if expiry and eso.status is EsoStatus.MADE else None
