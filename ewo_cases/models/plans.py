"""Action plans: one live plan per case, its actions (owned by the child, family, school, local authority or
an agency), progress notes on each action, and a revision of the whole plan at every change."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.audit import make_append_only
from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.people import CaseParticipant
from ewo_cases.models.users import User


class ActionPlan(Timestamped, Versioned, Base):
    """A case's plan: what it aims for, when it is next reviewed, and its actions."""

    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), unique=True)
    goals: Mapped[str] = mapped_column(sa.Text)
    review_on: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    actions: Mapped[list[Action]] = relationship(back_populates="plan", order_by="Action.due_on, Action.id")
    revisions: Mapped[list[ActionPlanRevision]] = relationship(order_by="ActionPlanRevision.number.desc()")


class ActionOwner(enum.StrEnum):
    CHILD = "child"
    FAMILY = "family"
    SCHOOL = "school"
    LOCAL_AUTHORITY = "local_authority"
    AGENCY = "agency"

    @property
    def label(self) -> str:
        return {
            "child": "Child",
            "family": "Family",
            "school": "School",
            "local_authority": "Local authority",
            "agency": "Partner agency",
        }[self.value]


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress", "done": "Done", "not_done": "Not done"}[
            self.value
        ]

    @property
    def is_finished(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.NOT_DONE)


class Action(Timestamped, Versioned, Base):
    """One thing someone will do, by a date."""

    __tablename__ = "actions"
    __table_args__ = (sa.Index("ix_actions_owner_due", "owner", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("action_plans.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[ActionOwner] = mapped_column(enum_column(ActionOwner))
    #: The person who owns it, when it is one participant (a parent, a professional).
    owner_participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_participants.id", ondelete="RESTRICT"))
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.NOT_STARTED)
    #: The meeting that agreed it, if any.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    plan: Mapped[ActionPlan] = relationship(back_populates="actions")
    owner_participant: Mapped[CaseParticipant | None] = relationship()
    progress: Mapped[list[ActionProgress]] = relationship(order_by="ActionProgress.recorded_at.desc()")

    def is_overdue(self, today: date) -> bool:
        return not self.status.is_finished and self.due_on < today


class ActionProgress(Base):
    """A note of progress on an action, with the status it left the action in. Never changed."""

    __tablename__ = "action_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="RESTRICT"), index=True)
    note: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    author: Mapped[User] = relationship()


class ActionPlanRevision(Base):
    """The whole plan as it stood after one change: goals, review date and every action. Never changed."""

    __tablename__ = "action_plan_revisions"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("action_plans.id", ondelete="RESTRICT"))
    number: Mapped[int]
    revised_at: Mapped[datetime] = mapped_column(default=clock.now)
    revised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    change: Mapped[str] = mapped_column(sa.String(300))
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    revised_by: Mapped[User] = relationship()


make_append_only(ActionProgress)
make_append_only(ActionPlanRevision)


contract_parties = sa.Table(
    "contract_parties",
    Base.metadata,
    sa.Column("contract_id", sa.ForeignKey("attendance_contracts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("case_participants.id", ondelete="RESTRICT"), primary_key=True),
)


class AttendanceContract(Timestamped, Versioned, Base):
    """An attendance (parenting) contract: a voluntary written agreement between the parents and the school
    or local authority (Anti-social Behaviour Act 2003 s19), with each side's commitments and a review date."""

    __tablename__ = "attendance_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    #: What the parents agree to do.
    parent_commitments: Mapped[str] = mapped_column(sa.Text)
    #: The support the school, local authority and agencies will give.
    support_commitments: Mapped[str] = mapped_column(sa.Text)
    agreed_on: Mapped[date | None]
    review_on: Mapped[date]
    ended_on: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    parties: Mapped[list[CaseParticipant]] = relationship(secondary=contract_parties)
