"""Meetings about a case (or, for termly targeting support meetings, about a school) and who attended."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.audit import make_append_only
from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.people import CaseParticipant
from ewo_cases.models.users import User


class MeetingKind(enum.StrEnum):
    FAMILY_ATTENDANCE = "family_attendance"
    TEAM_AROUND_THE_FAMILY = "team_around_the_family"
    TARGETING_SUPPORT = "targeting_support"
    LEGAL_PLANNING = "legal_planning"
    CONTRACT_REVIEW = "contract_review"
    ESO_REVIEW = "eso_review"
    OTHER = "other"

    @property
    def label(self) -> str:
        return MEETING_KIND_LABELS[self]


MEETING_KIND_LABELS = {
    MeetingKind.FAMILY_ATTENDANCE: "Family attendance meeting",
    MeetingKind.TEAM_AROUND_THE_FAMILY: "Team Around the Family",
    MeetingKind.TARGETING_SUPPORT: "Targeting support meeting",
    MeetingKind.LEGAL_PLANNING: "Legal planning meeting",
    MeetingKind.CONTRACT_REVIEW: "Attendance contract review",
    MeetingKind.ESO_REVIEW: "Education supervision order review",
    MeetingKind.OTHER: "Other meeting",
}


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class Meeting(Timestamped, Versioned, Base):
    """A meeting, scheduled ahead and recorded afterwards."""

    __tablename__ = "meetings"
    __table_args__ = (
        sa.CheckConstraint("case_id IS NOT NULL OR school_id IS NOT NULL", name="about_a_case_or_school"),
        sa.Index("ix_meetings_status_time", "status", "scheduled_for"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    #: Set for a school's termly targeting support meeting, which is about the school's pupils, not one case.
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    scheduled_for: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.SCHEDULED)
    held_on: Mapped[date | None]
    child_attended: Mapped[bool | None]
    child_views: Mapped[str] = mapped_column(sa.Text, default="")
    family_views: Mapped[str] = mapped_column(sa.Text, default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    decisions: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", order_by="MeetingAttendee.id", cascade="all, delete-orphan"
    )
    corrections: Mapped[list[MeetingCorrection]] = relationship(
        back_populates="meeting", order_by="MeetingCorrection.id"
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class MeetingAttendance(enum.StrEnum):
    INVITED = "invited"
    ATTENDED = "attended"
    APOLOGIES = "apologies"
    DID_NOT_ATTEND = "did_not_attend"

    @property
    def label(self) -> str:
        return {
            "invited": "Invited",
            "attended": "Attended",
            "apologies": "Sent apologies",
            "did_not_attend": "Did not attend",
        }[self.value]


class MeetingAttendee(Versioned, Base):
    """Someone invited to a meeting and whether they came: a case participant, a user, or a named other."""

    __tablename__ = "meeting_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_participants.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    #: Anyone else (for school meetings): a name and role as typed.
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    attendance: Mapped[MeetingAttendance] = mapped_column(
        enum_column(MeetingAttendance), default=MeetingAttendance.INVITED
    )

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    participant: Mapped[CaseParticipant | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        if self.participant is not None:
            return self.participant.name
        return self.user.name if self.user is not None else self.name


class MeetingCorrection(Base):
    """A correction of what a held meeting's record says: the whole corrected text and why. Never updated or
    deleted; the meeting keeps what was first recorded, and its latest correction is what it now says."""

    __tablename__ = "meeting_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="RESTRICT"), index=True)
    summary: Mapped[str] = mapped_column(sa.Text)
    decisions: Mapped[str] = mapped_column(sa.Text, default="")
    child_views: Mapped[str] = mapped_column(sa.Text, default="")
    family_views: Mapped[str] = mapped_column(sa.Text, default="")
    reason: Mapped[str] = mapped_column(sa.Text)
    corrected_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    corrected_at: Mapped[datetime] = mapped_column(default=clock.now)

    meeting: Mapped[Meeting] = relationship(back_populates="corrections")
    corrected_by: Mapped[User] = relationship()


make_append_only(MeetingCorrection)
