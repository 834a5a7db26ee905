"""Schools and the trusts they belong to."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column


class Phase(enum.StrEnum):
    """School phase, as in the ``schools.csv`` contract."""

    NURSERY = "nursery"
    PRIMARY = "primary"
    MIDDLE = "middle"
    SECONDARY = "secondary"
    ALL_THROUGH = "all-through"
    SPECIAL = "special"
    AP = "ap"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.NURSERY: "Nursery",
    Phase.PRIMARY: "Primary",
    Phase.MIDDLE: "Middle",
    Phase.SECONDARY: "Secondary",
    Phase.ALL_THROUGH: "All-through",
    Phase.SPECIAL: "Special",
    Phase.AP: "Alternative provision",
}


class Trust(Timestamped, Versioned, Base):
    """A multi-academy trust; schools without one are maintained by the local authority."""

    __tablename__ = "trusts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)

    schools: Mapped[list[School]] = relationship(back_populates="trust", order_by="School.name")


class School(Timestamped, Versioned, Base):
    """A school, identified by its six-digit Unique Reference Number."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    urn: Mapped[str] = mapped_column(sa.String(6), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, length=16))
    trust_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trusts.id", ondelete="RESTRICT"), index=True)

    trust: Mapped[Trust | None] = relationship(back_populates="schools")

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"
