"""The people around a child's case: the directory of agencies and professionals, and who takes part in
each case (parents and carers, professionals, the officer and school staff), in which role, and when."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.pupils import Carer
from ewo_cases.models.users import User


class AgencyKind(enum.StrEnum):
    SCHOOL = "school"
    ATTENDANCE_SUPPORT = "attendance_support"
    EARLY_HELP = "early_help"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    MENTAL_HEALTH = "mental_health"
    SCHOOL_NURSING = "school_nursing"
    SEND = "send"
    VIRTUAL_SCHOOL = "virtual_school"
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology"
    POLICE = "police"
    HOUSING = "housing"
    YOUNG_CARERS = "young_carers"
    YOUTH_JUSTICE = "youth_justice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return AGENCY_KIND_LABELS[self]


AGENCY_KIND_LABELS = {
    AgencyKind.SCHOOL: "School",
    AgencyKind.ATTENDANCE_SUPPORT: "Attendance support",
    AgencyKind.EARLY_HELP: "Early help",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "Children's social care",
    AgencyKind.MENTAL_HEALTH: "CAMHS and mental health",
    AgencyKind.SCHOOL_NURSING: "School nursing",
    AgencyKind.SEND: "SEND",
    AgencyKind.VIRTUAL_SCHOOL: "Virtual School",
    AgencyKind.EDUCATIONAL_PSYCHOLOGY: "Educational psychology",
    AgencyKind.POLICE: "Police",
    AgencyKind.HOUSING: "Housing",
    AgencyKind.YOUNG_CARERS: "Young carers",
    AgencyKind.YOUTH_JUSTICE: "Youth justice",
    AgencyKind.OTHER: "Other",
}


class Agency(Timestamped, Versioned, Base):
    """An organisation professionals work for."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[AgencyKind] = mapped_column(enum_column(AgencyKind))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    professionals: Mapped[list[Professional]] = relationship(back_populates="agency", order_by="Professional.name")


class Professional(Timestamped, Versioned, Base):
    """Someone in an agency who works with families: a social worker, a CAMHS clinician, a designated teacher."""

    __tablename__ = "professionals"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    agency: Mapped[Agency] = relationship(back_populates="professionals")


class ParticipantRole(enum.StrEnum):
    """A person's part in a case. Being the lead practitioner is not a role but a flag on one participant
    (``CaseParticipant.is_lead_practitioner``), so a social worker can also be the lead."""

    PARENT_CARER = "parent_carer"
    CASE_OFFICER = "case_officer"
    SCHOOL_ATTENDANCE_LEAD = "school_attendance_lead"
    SOCIAL_WORKER = "social_worker"
    DESIGNATED_TEACHER = "designated_teacher"
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head"
    SENCO = "senco"
    HEALTH_PROFESSIONAL = "health_professional"
    KEY_WORKER = "key_worker"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PARTICIPANT_ROLE_LABELS[self]


PARTICIPANT_ROLE_LABELS = {
    ParticipantRole.PARENT_CARER: "Parent or carer",
    ParticipantRole.CASE_OFFICER: "Education welfare officer",
    ParticipantRole.SCHOOL_ATTENDANCE_LEAD: "School attendance lead",
    ParticipantRole.SOCIAL_WORKER: "Social worker",
    ParticipantRole.DESIGNATED_TEACHER: "Designated teacher",
    ParticipantRole.VIRTUAL_SCHOOL_HEAD: "Virtual School Head",
    ParticipantRole.SENCO: "SENCO",
    ParticipantRole.HEALTH_PROFESSIONAL: "Health professional",
    ParticipantRole.KEY_WORKER: "Key worker",
    ParticipantRole.OTHER: "Other",
}


class CaseParticipant(Timestamped, Versioned, Base):
    """One person's part in one case, from a start date until an end date.

    A participant is exactly one of: a parent or carer (``carer_id``), a professional from the directory
    (``professional_id``), or a user of the service (``user_id``: the officer, a school lead).
    """

    __tablename__ = "case_participants"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN carer_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN professional_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_kind_of_person",
        ),
        # At most one current lead practitioner per case.
        sa.Index(
            "uq_case_participants_lead",
            "case_id",
            unique=True,
            sqlite_where=sa.text("is_lead_practitioner AND ended_on IS NULL"),
            postgresql_where=sa.text("is_lead_practitioner AND ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    carer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("carers.id", ondelete="RESTRICT"))
    professional_id: Mapped[int | None] = mapped_column(sa.ForeignKey("professionals.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole))
    is_lead_practitioner: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    carer: Mapped[Carer | None] = relationship()
    professional: Mapped[Professional | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def name(self) -> str:
        person = self.carer or self.professional or self.user
        return person.name if person else ""

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    @property
    def is_family(self) -> bool:
        return self.carer_id is not None
