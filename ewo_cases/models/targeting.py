"""Actions agreed at a school's termly targeting support meeting for a pupil who has no case: the school's to
do (an action for a pupil with a case goes into the case's action plan instead)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.plans import ActionStatus
from ewo_cases.models.pupils import Pupil


class SchoolAction(Timestamped, Versioned, Base):
    """One thing the school will do for one pupil without a case, by a date, agreed at a targeting meeting."""

    __tablename__ = "school_actions"
    __table_args__ = (sa.Index("ix_school_actions_school_status_due", "school_id", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"))
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.NOT_STARTED)
    #: What was done, or why not, when the status last changed.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    pupil: Mapped[Pupil] = relationship()

    def is_overdue(self, today: date) -> bool:
        return not self.status.is_finished and self.due_on < today
