"""Pupils, with the characteristics the cohort reports break down by, and the adults who care for them."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.schools import School


class SenStatus(enum.StrEnum):
    """Special educational needs provision, as the school census codes it."""

    NONE = "N"
    SEN_SUPPORT = "K"
    EHCP = "E"

    @property
    def label(self) -> str:
        return {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}[self.value]


#: National curriculum year groups, in school order.
YEAR_GROUPS = ("N1", "N2", "R", *(str(year) for year in range(1, 15)))


def year_group_order() -> sa.Case:
    """A pupil's year group as its place in school order (N1, N2, R, 1 … 14), for sorting in SQL."""
    return sa.case(
        {year: place for place, year in enumerate(YEAR_GROUPS)}, value=Pupil.year_group, else_=len(YEAR_GROUPS)
    )


def year_group_label(year_group: str) -> str:
    """``Reception``, ``Year 7`` and so on."""
    return {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}.get(year_group, f"Year {year_group}")


class Pupil(Timestamped, Versioned, Base):
    """A child on a school's roll, identified by their Unique Pupil Number."""

    __tablename__ = "pupils"
    __table_args__ = (sa.Index("ix_pupils_school_surname", "school_id", "surname", "forename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upn: Mapped[str] = mapped_column(sa.String(13), unique=True)
    #: The school the pupil is on roll at now (their marks may also come from earlier schools).
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"))
    forename: Mapped[str] = mapped_column(sa.String(100))
    surname: Mapped[str] = mapped_column(sa.String(100), index=True)
    date_of_birth: Mapped[date]
    year_group: Mapped[str] = mapped_column(sa.String(2))
    sex: Mapped[str] = mapped_column(sa.String(1))
    pupil_premium: Mapped[bool]
    sen_status: Mapped[SenStatus] = mapped_column(enum_column(SenStatus, length=1))
    looked_after: Mapped[bool]
    previously_looked_after: Mapped[bool]
    child_protection: Mapped[bool]
    child_in_need: Mapped[bool]
    ethnicity: Mapped[str | None] = mapped_column(sa.String(10))
    #: English as an additional language; unknown when the file did not say.
    eal: Mapped[bool | None]

    school: Mapped[School] = relationship()
    carer_links: Mapped[list[PupilCarer]] = relationship(back_populates="pupil", order_by="PupilCarer.id")

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def has_social_worker(self) -> bool:
        """A child with a child protection plan or a child in need plan has a social worker."""
        return self.child_protection or self.child_in_need

    def __str__(self) -> str:
        return self.name


class Carer(Timestamped, Versioned, Base):
    """One adult, who may be a parent or carer of several children (which is how siblings are linked)."""

    __tablename__ = "carers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The reference the MIS export gives this adult; the same on every child they care for.
    carer_ref: Mapped[str] = mapped_column(sa.String(40), unique=True)
    forename: Mapped[str] = mapped_column(sa.String(100))
    surname: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(500))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))

    pupil_links: Mapped[list[PupilCarer]] = relationship(back_populates="carer")

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"


class PupilCarer(Timestamped, Base):
    """How one adult stands to one child."""

    __tablename__ = "pupil_carers"
    __table_args__ = (sa.UniqueConstraint("pupil_id", "carer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="CASCADE"))
    carer_id: Mapped[int] = mapped_column(sa.ForeignKey("carers.id", ondelete="CASCADE"), index=True)
    relationship_to_pupil: Mapped[str] = mapped_column(sa.String(60))
    parental_responsibility: Mapped[bool]
    lives_with_pupil: Mapped[bool]

    pupil: Mapped[Pupil] = relationship(back_populates="carer_links")
    carer: Mapped[Carer] = relationship(back_populates="pupil_links")

    @property
    def is_parent(self) -> bool:
        """Education Act 1996 s576: a parent has parental responsibility or care of the child."""
        return self.parental_responsibility or self.lives_with_pupil
