"""Legal interventions: notices to improve, penalty notices (one per parent per child), education
supervision orders, and prosecutions with their parents, hearings and outcomes."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases.models.audit import make_append_only
from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.pupils import Carer, Pupil
from ewo_cases.models.users import User
from workflows.legal import NoticeKind, Section444, Verdict, WithdrawalGround


class NoticeToImprove(Timestamped, Versioned, Base):
    """A final chance to engage with support before a penalty notice, with an improvement period."""

    __tablename__ = "notices_to_improve"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    issued_on: Mapped[date]
    received_on: Mapped[date | None]
    improvement_starts_on: Mapped[date]
    improvement_ends_on: Mapped[date]
    #: Weeks of school holiday within the improvement period: they do not count as school weeks.
    holiday_weeks: Mapped[int] = mapped_column(default=0, server_default="0")
    #: What the notice says counts as sufficient improvement.
    sufficient_improvement: Mapped[str] = mapped_column(sa.Text)
    #: Why it is issued although the penalty threshold is not met (empty when it is met).
    threshold_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: Whether attendance improved enough over the period; empty until assessed.
    improved: Mapped[bool | None]
    outcome_recorded_on: Mapped[date | None]
    outcome_note: Mapped[str] = mapped_column(sa.Text, default="")
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    issued_by: Mapped[User] = relationship()


class PenaltyNotice(Timestamped, Versioned, Base):
    """One penalty notice to one parent for one child: the regulation 20 record."""

    __tablename__ = "penalty_notices"
    __table_args__ = (sa.Index("ix_penalty_notices_pupil_parent", "pupil_id", "carer_id", "issued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: PN-26-0007: the number printed on the notice.
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="RESTRICT"))
    carer_id: Mapped[int] = mapped_column(sa.ForeignKey("carers.id", ondelete="RESTRICT"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, length=8))
    issued_on: Mapped[date]
    received_on: Mapped[date | None]
    #: The absence the notice is for.
    period_start: Mapped[date]
    period_end: Mapped[date]
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    paid_on: Mapped[date | None]
    amount_paid: Mapped[int | None]
    withdrawn_on: Mapped[date | None]
    withdrawal_ground: Mapped[WithdrawalGround | None] = mapped_column(enum_column(WithdrawalGround))
    withdrawal_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: When proceedings were laid for the offence after the notice went unpaid.
    prosecuted_on: Mapped[date | None]

    pupil: Mapped[Pupil] = relationship()
    carer: Mapped[Carer] = relationship()
    issued_by: Mapped[User] = relationship()


class EsoStatus(enum.StrEnum):
    APPLIED = "applied"
    MADE = "made"
    REFUSED = "refused"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {"applied": "Applied for", "made": "Order made", "refused": "Refused by the court", "ended": "Ended"}[
            self.value
        ]


class Eso(Timestamped, Versioned, Base):
    """An Education Supervision Order under the Children Act 1989 s36: application, order and directions."""

    __tablename__ = "education_supervision_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    status: Mapped[EsoStatus] = mapped_column(enum_column(EsoStatus), default=EsoStatus.APPLIED)
    applied_on: Mapped[date]
    hearing_on: Mapped[date | None]
    made_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    directions: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: Asked when the child is looked after: an order cannot be made for a child in care under a care order
    #: (CA 1989 s36(6)); a child accommodated under s20 is not in care. Empty when not asked.
    subject_to_care_order: Mapped[bool | None]

    supervisor: Mapped[User | None] = relationship()
    extensions: Mapped[list[EsoExtension]] = relationship(order_by="EsoExtension.granted_on")
    breaches: Mapped[list[EsoBreach]] = relationship(order_by="EsoBreach.occurred_on")


class EsoExtension(Base):
    """A court's extension of an order (to at most 3 years in all). Never changed."""

    __tablename__ = "eso_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    eso_id: Mapped[int] = mapped_column(
        sa.ForeignKey("education_supervision_orders.id", ondelete="RESTRICT"), index=True
    )
    granted_on: Mapped[date]
    new_expires_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))


class EsoBreach(Base):
    """A failure to comply with the order's directions. Never changed."""

    __tablename__ = "eso_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    eso_id: Mapped[int] = mapped_column(
        sa.ForeignKey("education_supervision_orders.id", ondelete="RESTRICT"), index=True
    )
    occurred_on: Mapped[date]
    description: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))


class Prosecution(Timestamped, Versioned, Base):
    """Proceedings under Education Act 1996 s444, prepared, laid and heard."""

    __tablename__ = "prosecutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    #: The absence the proceedings are about.
    period_start: Mapped[date]
    period_end: Mapped[date]
    court: Mapped[str] = mapped_column(sa.String(200), default="")
    interview_under_caution_on: Mapped[date | None]
    #: When the information was laid before the court (when the case entered the prosecution stage).
    laid_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    prepared_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    parents: Mapped[list[ProsecutedParent]] = relationship(back_populates="prosecution", order_by="ProsecutedParent.id")
    hearings: Mapped[list[CourtHearing]] = relationship(order_by="CourtHearing.hearing_on")


class ProsecutedParent(Timestamped, Versioned, Base):
    """One parent in the proceedings: the offence charged and the outcome."""

    __tablename__ = "prosecuted_parents"
    __table_args__ = (sa.UniqueConstraint("prosecution_id", "carer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prosecution_id: Mapped[int] = mapped_column(sa.ForeignKey("prosecutions.id", ondelete="RESTRICT"))
    carer_id: Mapped[int] = mapped_column(sa.ForeignKey("carers.id", ondelete="RESTRICT"))
    section: Mapped[Section444] = mapped_column(enum_column(Section444, length=8))
    verdict: Mapped[Verdict | None] = mapped_column(enum_column(Verdict, length=16))
    #: Sentence values (``workflows.legal.Sentence``); several may apply (a fine and costs).
    sentences: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    fine_pounds: Mapped[int | None]
    costs_pounds: Mapped[int | None]
    outcome_on: Mapped[date | None]
    outcome_note: Mapped[str] = mapped_column(sa.Text, default="")

    prosecution: Mapped[Prosecution] = relationship(back_populates="parents")
    carer: Mapped[Carer] = relationship()


class CourtHearing(Timestamped, Versioned, Base):
    """A hearing in the proceedings."""

    __tablename__ = "court_hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    prosecution_id: Mapped[int] = mapped_column(sa.ForeignKey("prosecutions.id", ondelete="RESTRICT"), index=True)
    hearing_on: Mapped[date]
    court: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.String(200))
    result: Mapped[str] = mapped_column(sa.Text, default="")


make_append_only(EsoExtension)
make_append_only(EsoBreach)
