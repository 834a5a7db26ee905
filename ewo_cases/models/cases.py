"""Cases: one per child per episode of intervention, with the records the workflow's guards read, the
referrals that lead to them, the approvals legal steps need, and the append-only audit of every move."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.audit import make_append_only
from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.pupils import Pupil
from ewo_cases.models.schools import School
from ewo_cases.models.users import User
from workflows import CaseStage, ClosureReason

#: Stages are stored as strings; "none" only ever appears as the ``from`` of an audit row for ``open``.
STAGE = sa.String(32)


class Case(Timestamped, Versioned, Base):
    """One child's episode of intervention. Only the transition service changes ``stage``."""

    __tablename__ = "cases"
    __table_args__ = (
        # One open episode per child: a new case can only be opened once the last one is closed.
        sa.Index(
            "uq_cases_open_pupil",
            "pupil_id",
            unique=True,
            sqlite_where=sa.text("stage != 'closed'"),
            postgresql_where=sa.text("stage != 'closed'"),
        ),
        sa.Index("ix_cases_officer_stage", "assigned_officer_id", "stage"),
        # The case list's default orders: most recently moved or opened first.
        sa.Index("ix_cases_stage_changed_at", "stage_changed_at"),
        sa.Index("ix_cases_opened_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What people say and write: EWO-26-0042.
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="RESTRICT"), index=True)
    stage: Mapped[CaseStage] = mapped_column(enum_column(CaseStage), index=True)
    stage_changed_at: Mapped[datetime] = mapped_column(default=clock.now)
    assigned_officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    #: The school attendance lead the officer works with on this case.
    school_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    opened_at: Mapped[datetime] = mapped_column(default=clock.now)
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    opening_reason: Mapped[str] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None]
    closure_reason: Mapped[ClosureReason | None] = mapped_column(enum_column(ClosureReason))

    pupil: Mapped[Pupil] = relationship()
    assigned_officer: Mapped[User] = relationship(foreign_keys=[assigned_officer_id])
    school_contact: Mapped[User | None] = relationship(foreign_keys=[school_contact_id])
    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id])

    @property
    def is_open(self) -> bool:
        return self.stage != CaseStage.CLOSED

    def __str__(self) -> str:
        return self.reference or f"case {self.id}"


class CaseTransition(Base):
    """One move of a case along its workflow, with what justified it. Never updated or deleted."""

    __tablename__ = "case_transitions"
    __table_args__ = (sa.Index("ix_case_transitions_case_time", "case_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))
    trigger: Mapped[str] = mapped_column(sa.String(32))
    from_stage: Mapped[str] = mapped_column(STAGE)
    to_stage: Mapped[str] = mapped_column(STAGE)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    approval_id: Mapped[int | None] = mapped_column(sa.ForeignKey("approvals.id", ondelete="RESTRICT"))
    #: The attendance at that moment (percentage, band, unauthorised sessions in the current 10 school weeks)
    #: and the guards' verdicts, so the decision can be understood later.
    evidence: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User] = relationship()
    approval: Mapped[Approval | None] = relationship()


class ApprovalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Approval(Timestamped, Versioned, Base):
    """A request to take a legal step (or close a legal case), and a manager's decision on it."""

    __tablename__ = "approvals"
    __table_args__ = (sa.Index("ix_approvals_status_time", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    #: The step asked for: issue_fpn, apply_eso, prosecute or close.
    trigger: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.Text)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
    status: Mapped[ApprovalStatus] = mapped_column(enum_column(ApprovalStatus), default=ApprovalStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    #: Set when a transition uses the approval: each approval authorises one move.
    used_at: Mapped[datetime | None]
    # What was asked for, as it stood: the approval authorises that step and no other.
    #: The stage the case was in, and the id of the audit row that had put it there (a later move voids the
    #: approval). Not a foreign key: audit rows already cite their approval.
    from_stage: Mapped[str | None] = mapped_column(STAGE)
    stage_entered_by_id: Mapped[int | None]
    #: The carers the step names: those to receive penalty notices, or those in the prosecution file.
    parent_ids: Mapped[list[int] | None] = mapped_column(sa.JSON, default=list)
    #: The prosecution file approved, and its version (any later change to the file voids the approval).
    prosecution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("prosecutions.id", ondelete="RESTRICT"))
    prosecution_version: Mapped[int | None]

    case: Mapped[Case] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ReferralStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Referral(Timestamped, Versioned, Base):
    """A school's request for the local authority to open a case for a pupil."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    referred_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    referred_at: Mapped[datetime] = mapped_column(default=clock.now)
    reason: Mapped[str] = mapped_column(sa.Text)
    #: What the school has already tried.
    support_so_far: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus), default=ReferralStatus.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))

    pupil: Mapped[Pupil] = relationship()
    school: Mapped[School] = relationship()
    referred_by: Mapped[User] = relationship(foreign_keys=[referred_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    case: Mapped[Case | None] = relationship()


class RecordKind(enum.StrEnum):
    """Dated facts about a case that steps of the workflow depend on."""

    SUPPORT_OFFERED = "support_offered"
    FAMILY_CONSENT = "family_consent"
    SUPPORT_NOT_APPROPRIATE = "support_not_appropriate"
    SUPPORT_FAILED = "support_failed"
    SOCIAL_CARE_CONSULTED = "social_care_consulted"
    ESO_CONSIDERED = "eso_considered"
    ATTENDANCE_CERTIFICATE = "attendance_certificate"

    @property
    def label(self) -> str:
        return RECORD_KIND_LABELS[self]


RECORD_KIND_LABELS = {
    RecordKind.SUPPORT_OFFERED: "Support offered to the family",
    RecordKind.FAMILY_CONSENT: "Family's consent to early help",
    RecordKind.SUPPORT_NOT_APPROPRIATE: "Support is not appropriate",
    RecordKind.SUPPORT_FAILED: "Voluntary support tried and failed or refused",
    RecordKind.SOCIAL_CARE_CONSULTED: "Children's social care consulted",
    RecordKind.ESO_CONSIDERED: "Education supervision order considered (s447)",
    RecordKind.ATTENDANCE_CERTIFICATE: "Attendance certificate from the school",
}


class CaseRecord(Base):
    """A dated fact recorded on a case (support offered, consent, social care consulted, ...).

    Append-only: a mistaken record is withdrawn by a later one that names it, never edited.
    """

    __tablename__ = "case_records"
    __table_args__ = (sa.Index("ix_case_records_case_kind", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind))
    occurred_on: Mapped[date]
    details: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: Set on a record that withdraws an earlier one (recorded in error).
    withdraws_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_records.id", ondelete="RESTRICT"))

    recorded_by: Mapped[User] = relationship()


make_append_only(CaseTransition)
make_append_only(CaseRecord)
