"""Session marks, stored as one register per pupil, school and academic year, and the figures computed
from them.

A register is a string with one character per session (AM then PM of each calendar day) for the 54
weeks starting on the Monday on or before 1 September; the encoding is ``workflows.attendance``'s. This
keeps a year's 7.5 million marks for 20,000 pupils in 20,000 short rows, read and written in bulk.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases import clock
from ewo_cases.models.base import Base, enum_column
from ewo_cases.models.pupils import Pupil
from ewo_cases.models.schools import School
from workflows.attendance import Band

#: Days in a register, in whole weeks. The Monday on or before 1 September can be 6 days earlier, and a
#: year holding 29 February has 366 days, so 31 August can be the 372nd day (2019/20 began on Monday 26
#: August 2019): one day more than 53 weeks, so a register holds 54.
REGISTER_WEEKS = 54
REGISTER_DAYS = REGISTER_WEEKS * 7
REGISTER_LENGTH = REGISTER_DAYS * 2


class AttendanceRegister(Base):
    """A pupil's marks at one school in one academic year."""

    __tablename__ = "attendance_registers"
    __table_args__ = (
        sa.UniqueConstraint("pupil_id", "school_id", "academic_year"),
        sa.Index("ix_attendance_registers_school_year", "school_id", "academic_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"))
    #: The calendar year the academic year starts in (2025 for 2025/26).
    academic_year: Mapped[int]
    marks: Mapped[str] = mapped_column(sa.String(REGISTER_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class AttendanceFigures:
    """The data contract's per-pupil figures over a date range, plus the projections the lists use."""

    range_start: Mapped[date]
    #: The day the figures run to: pages say "figures as at" the oldest (an index finds it at once).
    range_end: Mapped[date] = mapped_column(index=True)
    computed_at: Mapped[datetime] = mapped_column(default=clock.now)
    possible: Mapped[int]
    attending: Mapped[int]
    authorised: Mapped[int]
    unauthorised: Mapped[int]
    #: Indexed for the sickness return's list, which picks the few with 30 or more.
    illness: Mapped[int] = mapped_column(index=True)
    #: Indexed: the bands list is ordered by it, lowest first.
    attendance_pct: Mapped[float | None] = mapped_column(sa.Numeric(4, 1, asdecimal=False), index=True)
    band: Mapped[Band] = mapped_column(enum_column(Band, length=16), index=True)
    unauth_10wk_max: Mapped[int]
    #: Unauthorised sessions in the 10 school weeks up to the latest: the current penalty window.
    unauth_10wk_latest: Mapped[int] = mapped_column(index=True)
    penalty_threshold_met: Mapped[bool]
    longest_unauth_days: Mapped[int] = mapped_column(index=True)
    #: Further absent sessions that would take attendance below 90%.
    sessions_until_below_90: Mapped[int]
    #: At or above 90% now, but below within 2 school weeks at the recent rate.
    projected_below_90: Mapped[bool]
    last_school_week: Mapped[date | None]


class PupilAttendance(AttendanceFigures, Base):
    """A pupil's figures for the academic year to date, across every school they attended."""

    __tablename__ = "pupil_attendance"

    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True)
    #: The day the pupil's marks took them into their current band (None in no band), and the day they first
    #: met the penalty notice threshold this year: what the officer's "newly crossing" alerts read.
    band_entered_on: Mapped[date | None] = mapped_column(index=True)
    threshold_met_on: Mapped[date | None] = mapped_column(index=True)

    pupil: Mapped[Pupil] = relationship()


class SchoolCalendar(Base):
    """The days a school was open in one academic year, as its registers show: a day is a school day when
    the school recorded a possible session on it. Kept so that "N school days" needs no register read."""

    __tablename__ = "school_calendars"

    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    academic_year: Mapped[int] = mapped_column(primary_key=True)
    #: One character per day from the registers' first Monday: ``S`` school day, ``C`` marked but no possible
    #: session (closed, or a non-school day), ``.`` nothing recorded.
    days: Mapped[str] = mapped_column(sa.String(REGISTER_DAYS))


class EnrolmentAttendance(AttendanceFigures, Base):
    """A pupil's figures at one school for the academic year to date (how DfE counts enrolments)."""

    __tablename__ = "enrolment_attendance"

    pupil_id: Mapped[int] = mapped_column(sa.ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(
        sa.ForeignKey("schools.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    pupil: Mapped[Pupil] = relationship()
    school: Mapped[School] = relationship()


class FiguresStamp(Base):
    """A token that changes whenever the stored figures change, or the pupils' details they are reported by.

    One row. A process may keep what it read of the stored figures for as long as the token it read them
    under is unchanged. A random token rather than a counter: a change rolled back never comes round again
    with other figures behind it.
    """

    __tablename__ = "figures_stamps"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32))
