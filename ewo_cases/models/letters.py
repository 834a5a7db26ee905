"""Letters: the wording kept as templates administrators edit, and each letter generated for a case, with
its PDF and how and when it was served."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.people import CaseParticipant
from ewo_cases.models.users import User


class LetterKind(enum.StrEnum):
    ATTENDANCE_CONCERN = "attendance_concern"
    MEETING_INVITATION = "meeting_invitation"
    NOTICE_TO_IMPROVE = "notice_to_improve"
    PENALTY_NOTICE = "penalty_notice"
    WARNING_OF_LEGAL_ACTION = "warning_of_legal_action"
    ATTENDANCE_CONTRACT = "attendance_contract"
    MEETING_SUMMARY = "meeting_summary"

    @property
    def label(self) -> str:
        return LETTER_KIND_LABELS[self]


LETTER_KIND_LABELS = {
    LetterKind.ATTENDANCE_CONCERN: "Attendance concern",
    LetterKind.MEETING_INVITATION: "Invitation to a meeting",
    LetterKind.NOTICE_TO_IMPROVE: "Notice to improve",
    LetterKind.PENALTY_NOTICE: "Penalty notice",
    LetterKind.WARNING_OF_LEGAL_ACTION: "Warning of legal action",
    LetterKind.ATTENDANCE_CONTRACT: "Attendance contract",
    LetterKind.MEETING_SUMMARY: "Meeting summary",
}


#: Limits of a template's wording, shared by the form that edits it and the service that checks it.
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 20_000


class LetterTemplate(Timestamped, Versioned, Base):
    """The wording of one kind of letter, with placeholders for the case's facts."""

    __tablename__ = "letter_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(enum_column(LetterKind), unique=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    #: Jinja text, rendered in a sandbox that can reach only the case's facts.
    body: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))


class ServiceMethod(enum.StrEnum):
    POST = "post"
    HAND = "hand"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return {"post": "By post", "hand": "By hand", "email": "By email"}[self.value]


class Letter(Timestamped, Versioned, Base):
    """One letter generated for a case: its text as sent, its PDF, and its service."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[LetterKind] = mapped_column(enum_column(LetterKind))
    subject: Mapped[str] = mapped_column(sa.String(200))
    addressee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_participants.id", ondelete="RESTRICT"))
    body_html: Mapped[str] = mapped_column(sa.Text)
    #: The PDF as generated; loaded only when downloaded.
    pdf: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    generated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    generated_at: Mapped[datetime] = mapped_column(default=clock.now)
    served_on: Mapped[date | None]
    service_method: Mapped[ServiceMethod | None] = mapped_column(enum_column(ServiceMethod))
    served_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    addressee: Mapped[CaseParticipant | None] = relationship()
    generated_by: Mapped[User] = relationship(foreign_keys=[generated_by_id])
    served_by: Mapped[User | None] = relationship(foreign_keys=[served_by_id])
