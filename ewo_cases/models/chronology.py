"""Case notes: what happened, when, and who recorded it. Notes are never edited; a correction is a new
note that names the one it corrects and says why."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.audit import make_append_only
from ewo_cases.models.base import Base, enum_column
from ewo_cases.models.users import User

#: The kinds of timeline entry, in the order the filters list them (the timeline service gathers each kind; the
#: filter form offers them).
TIMELINE_KINDS = {
    "note": "Notes",
    "meeting": "Meetings",
    "action": "Actions and progress",
    "letter": "Letters",
    "stage": "Stage changes",
    "approval": "Approvals",
    "record": "Case records",
    "legal": "Legal steps",
    "people": "People involved",
}


class NoteKind(enum.StrEnum):
    PHONE_CALL = "phone_call"
    HOME_VISIT = "home_visit"
    EMAIL = "email"
    LETTER = "letter"
    CONVERSATION = "conversation"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "phone_call": "Phone call",
            "home_visit": "Home visit",
            "email": "Email",
            "letter": "Letter",
            "conversation": "Conversation",
            "other": "Other",
        }[self.value]


class Note(Base):
    """One entry in a case's chronology."""

    __tablename__ = "notes"
    __table_args__ = (sa.Index("ix_notes_case_time", "case_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind))
    #: When the contact happened (which may be before the note was written).
    occurred_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(sa.Text)
    significant: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notes.id", ondelete="RESTRICT"))
    correction_reason: Mapped[str] = mapped_column(sa.Text, default="")

    author: Mapped[User] = relationship()
    corrects: Mapped[Note | None] = relationship(remote_side=[id])


make_append_only(Note)
