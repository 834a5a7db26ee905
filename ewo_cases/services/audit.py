"""Writing the audit trail. Every service that changes something calls ``record`` in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AuditEvent, Base, User


def record(actor: User | None, action: str, entity: Base, summary: str, **data: Any) -> AuditEvent:
    """Append one audit event about ``entity`` (flushed so it has an id)."""
    if getattr(entity, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        summary=summary,
        data=data,
    )
    db.session.add(event)
    db.session.flush()
    return event


def latest() -> tuple[int, datetime] | None:
    """The newest audit event's id and time (None before the first): every change anyone makes moves it on.

    The time as well as the id, because SQLite gives a rolled-back event's id to the next event.
    """
    newest = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.occurred_at).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return None if newest is None else (newest.id, newest.occurred_at)
