"""The log of data imports: who loaded which file, when, and what came of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.base import Base, enum_column
from ewo_cases.models.schools import School
from ewo_cases.models.users import User


class ImportKind(enum.StrEnum):
    """The files of the data contract."""

    SCHOOLS = "schools"
    PUPILS = "pupils"
    CARERS = "carers"
    MARKS = "marks"


class ImportOutcome(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ImportRun(Base):
    """One attempt to import a file. Failed runs are kept, with their errors, and wrote nothing else."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind, length=16))
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: Empty when the import ran from the command line.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: The operating-system account that ran a command-line import (there is no signed-in user).
    command_line_user: Mapped[str | None] = mapped_column(sa.String(100))
    #: Set for a school lead's upload: rows for any other school are refused.
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[ImportOutcome] = mapped_column(enum_column(ImportOutcome, length=16))
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_changed: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    #: The first errors, as ``{"line", "column", "value", "reason"}`` objects.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    user: Mapped[User | None] = relationship()
    school: Mapped[School | None] = relationship()

    @property
    def imported_by(self) -> str:
        """Who ran the import, for people: the signed-in user, or the command line and its account."""
        if self.user is not None:
            return self.user.name
        return f"Command line ({self.command_line_user})" if self.command_line_user else "Command line"
