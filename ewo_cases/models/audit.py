"""The append-only audit trail of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.base import Base
from ewo_cases.models.users import User


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove a row of an append-only table."""


class AuditEvent(Base):
    """One change to anything in the service: who, when, what and the values involved."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    #: Empty when the change came from the command line or the system itself.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: ``<noun>.<verb>``, e.g. ``user.created`` or ``school.updated``.
    action: Mapped[str] = mapped_column(sa.String(64))
    entity_type: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(sa.String(500))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class AccessLog(Base):
    """One look at, or export of, a child's record: who, when and what."""

    __tablename__ = "access_log"
    __table_args__ = (sa.Index("ix_access_log_pupil_time", "pupil_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: ``viewed`` or ``exported``.
    action: Mapped[str] = mapped_column(sa.String(16))
    #: What was seen: ``pupil``, ``case``, or a list or export of several children.
    record_type: Mapped[str] = mapped_column(sa.String(32))
    record_id: Mapped[int | None]
    #: The child concerned; empty for a list of several.
    pupil_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pupils.id", ondelete="RESTRICT"))
    #: What else identifies the view: a page, a date range, the filters of an export.
    detail: Mapped[str] = mapped_column(sa.String(500), default="")

    user: Mapped[User] = relationship()


class AccessLogPupil(Base):
    """One child whose record was in a list or export of several (the log entry's ``pupil_id`` is empty), so
    that the child's own audit shows every export they were in."""

    __tablename__ = "access_log_pupils"

    access_log_id: Mapped[int] = mapped_column(sa.ForeignKey("access_log.id", ondelete="RESTRICT"), primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="RESTRICT"), primary_key=True, index=True)


#: Every append-only model; the migrations give each of their tables refusing triggers too.
APPEND_ONLY_MODELS: list[type[Base]] = []


def make_append_only(model: type[Base]) -> None:
    """Refuse UPDATE and DELETE of ``model`` rows from the ORM (the database refuses them too)."""
    APPEND_ONLY_MODELS.append(model)

    def refuse(_mapper, _connection, target) -> None:
        raise AppendOnlyError(f"{type(target).__name__} rows are append-only")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)


make_append_only(AuditEvent)
make_append_only(AccessLog)
make_append_only(AccessLogPupil)
