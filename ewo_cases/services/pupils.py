"""What the pupil page shows: family and siblings within the user's scope, and the register laid out
by week, from the same engine figures as every list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import EnrolmentAttendance, Pupil, PupilAttendance, PupilCarer, SenStatus, User
from ewo_cases.scoping import of_visible_pupils
from ewo_cases.services.attendance import engine, figures
from workflows.attendance import CHAR_TO_CODE, CODES, NO_MARK, SessionClass
from workflows.legal import considerations_before_legal_step

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Sibling:
    pupil: Pupil
    figures: PupilAttendance | EnrolmentAttendance | None


@dataclass(frozen=True)
class Family:
    """The adults of a child, and the other children they care for."""

    carers: list[PupilCarer]
    siblings: list[Sibling]
    #: Brothers and sisters at schools outside the user's scope: counted, never shown.
    siblings_elsewhere: int


def family(pupil: Pupil, user: User, stored: figures.StoredFigures) -> Family:
    """The pupil's carers, and the children who share a carer with them, as far as the user may see, with
    their figures of the kind the user reads."""
    carer_ids = [link.carer_id for link in pupil.carer_links]
    sibling_ids = (
        set(
            db.session.scalars(
                sa.select(PupilCarer.pupil_id).where(
                    PupilCarer.carer_id.in_(carer_ids), PupilCarer.pupil_id != pupil.id
                )
            )
        )
        if carer_ids
        else set()
    )
    visible = (
        db.session.execute(
            of_visible_pupils(
                sa.select(Pupil, stored)
                .outerjoin(stored, figures.joined_to_pupil(stored))
                .where(Pupil.id.in_(sibling_ids))
                .order_by(Pupil.date_of_birth),
                Pupil.id,
                user,
            )
        ).all()
        if sibling_ids
        else []
    )
    return Family(pupil.carer_links, [Sibling(*row) for row in visible], len(sibling_ids) - len(visible))


@dataclass(frozen=True)
class RegisterCell:
    code: str
    label: str
    session_class: str


@dataclass(frozen=True)
class RegisterWeek:
    week_start: date
    cells: list[RegisterCell | None]


@dataclass(frozen=True)
class PupilAttendanceView:
    """One pupil's figures, register and weekly trend over a range."""

    start: date
    end: date
    figures: dict
    weeks: list[RegisterWeek]
    days: tuple[str, ...]
    trend: list[engine.WeekFigures]


def attendance_view(pupil: Pupil, start: date, end: date, *, school_id: int | None = None) -> PupilAttendanceView:
    """Compute a pupil's figures over ``start``–``end`` and lay out the register week by week; with
    ``school_id``, from only the marks that school recorded."""
    computed = figures.for_range(start, end, pupil_ids=[pupil.id], school_id=school_id)
    if not len(computed.marks.pupil_ids):
        return PupilAttendanceView(start, end, {}, [], WEEKDAYS[:5], [])
    row = computed.marks.marks[0]
    first_day = computed.marks.first_day
    weeks = _register_weeks(row.tobytes().decode("ascii"), first_day)
    weekend = any(cell for week in weeks for cell in week.cells[10:])
    days = WEEKDAYS if weekend else WEEKDAYS[:5]
    weeks = [RegisterWeek(week.week_start, week.cells[: len(days) * 2]) for week in weeks]
    return PupilAttendanceView(start, end, computed.summary.row(0), weeks, days, engine.weekly(row, first_day))


def _register_weeks(marks: str, first_day: date) -> list[RegisterWeek]:
    weeks = []
    for offset in range(0, len(marks), 14):
        chunk = marks[offset : offset + 14]
        if chunk.strip(NO_MARK):
            weeks.append(RegisterWeek(first_day + timedelta(days=offset // 2), [_cell(char) for char in chunk]))
    return weeks


def _cell(char: str) -> RegisterCell | None:
    if char == NO_MARK:
        return None
    code = CODES[CHAR_TO_CODE[char]]
    return RegisterCell(code.code, code.label, code.session_class.value)


SESSION_CLASS_LABELS = {
    SessionClass.ATTENDING: "Present or approved activity",
    SessionClass.AUTHORISED: "Authorised absence",
    SessionClass.UNAUTHORISED: "Unauthorised absence",
    SessionClass.NOT_POSSIBLE: "Not a possible session",
}


def legal_considerations(pupil: Pupil) -> list[str]:
    """What the guidance asks an officer to weigh before a legal step for this pupil."""
    return considerations_before_legal_step(
        ehcp=pupil.sen_status == SenStatus.EHCP,
        sen_support=pupil.sen_status == SenStatus.SEN_SUPPORT,
        child_protection=pupil.child_protection,
        child_in_need=pupil.child_in_need,
        looked_after=pupil.looked_after,
        previously_looked_after=pupil.previously_looked_after,
    )
