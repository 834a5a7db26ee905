"""Fixtures and builders for the legal tests: a family with s576 parents and a step-parent, the staff who
act and approve, and the records each legal step depends on."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    REGISTER_LENGTH,
    ActionPlan,
    Approval,
    AttendanceRegister,
    Carer,
    Case,
    CaseParticipant,
    Letter,
    LetterKind,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    PenaltyNotice,
    Pupil,
    PupilCarer,
    RecordKind,
    Role,
    User,
)
from ewo_cases.services import approvals
from ewo_cases.services import cases as case_service
from ewo_cases.services.attendance.registers import academic_year_of, register_start
from workflows import ENGLAND, CaseStage
from workflows.legal import NoticeKind

_numbers = itertools.count(1)


def england_today() -> date:
    """The date the workflow's guards see."""
    return datetime.now(ENGLAND).date()


def day_fields(day: date) -> list[str]:
    """A date as the three boxes of a GOV.UK date input."""
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture(name="today")
def today_fixture(app, monkeypatch) -> date:
    """Pin the service's today to the workflow's (England's), so pages, services and guards agree."""
    day = england_today()
    monkeypatch.setitem(app.config, "TODAY", day.isoformat())
    return day


@dataclass
class Family:
    pupil: Pupil
    mother: Carer
    father: Carer
    #: Lives elsewhere and has no parental responsibility: not a parent under s576.
    stepfather: Carer


def _carer(pupil: Pupil, forename: str, relationship: str, *, responsibility: bool, lives_with: bool) -> Carer:
    number = next(_numbers)
    carer = Carer(
        carer_ref=f"LEGAL-{number}",
        forename=forename,
        surname=f"Family{number}",
        address=f"{number} Court Road, Townsville",
    )
    db.session.add(carer)
    db.session.flush()
    db.session.add(
        PupilCarer(
            pupil_id=pupil.id,
            carer_id=carer.id,
            relationship_to_pupil=relationship,
            parental_responsibility=responsibility,
            lives_with_pupil=lives_with,
        )
    )
    db.session.flush()
    return carer


@pytest.fixture(name="make_family")
def make_family_fixture(db_session, make_pupil) -> Callable[..., Family]:
    def make(school=None) -> Family:
        pupil = make_pupil(school)
        family = Family(
            pupil,
            _carer(pupil, "Mary", "Mother", responsibility=True, lives_with=True),
            _carer(pupil, "Frank", "Father", responsibility=True, lives_with=False),
            _carer(pupil, "Steve", "Stepfather", responsibility=False, lives_with=False),
        )
        db.session.refresh(pupil)
        return family

    return make


@dataclass
class Staff:
    officer: User
    manager: User
    other_manager: User


@pytest.fixture(name="family")
def family_fixture(make_family) -> Family:
    return make_family()


@pytest.fixture(name="staff")
def staff_fixture(make_user, family) -> Staff:
    return Staff(
        make_user(Role.OFFICER, schools=[family.pupil.school]),
        make_user(Role.MANAGER),
        make_user(Role.MANAGER),
    )


@pytest.fixture(name="legal_case")
def legal_case_fixture(make_case, family, staff, today) -> Callable[..., Case]:
    """Open the family's case (over the penalty threshold) and put it at ``stage``."""

    def make(stage: CaseStage = CaseStage.PERSISTENT, *, unauthorised_in_window: int = 12) -> Case:
        return make_case(family.pupil, stage, officer=staff.officer, unauthorised_in_window=unauthorised_in_window)

    return make


def record(case: Case, kind: RecordKind, actor: User, details: str = "Recorded for the test", on: date | None = None):
    return case_service.add_record(case, kind, occurred_on=on or england_today(), details=details, actor=actor)


def approve(case: Case, trigger: str, staff: Staff, *, parents: list[Carer] | None = None) -> Approval:
    """An officer asks, a manager other than the requester approves (notices to ``parents``, if given)."""
    parent_ids = [carer.id for carer in parents] if parents is not None else None
    approval = approvals.request(
        case, trigger, reason="The evidence supports it", actor=staff.officer, parent_ids=parent_ids
    )
    db.session.flush()
    return approvals.decide(
        approval, approve=True, comment="Agreed", actor=staff.manager, expected_version=approval.version
    )


def participant(case: Case, carer: Carer) -> CaseParticipant:
    return db.session.scalar(
        sa.select(CaseParticipant).where(CaseParticipant.case_id == case.id, CaseParticipant.carer_id == carer.id)
    )


def hold_family_meeting(case: Case, carer: Carer, actor: User, on: date) -> Meeting:
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind(next(iter(MeetingKind))),
        scheduled_for=datetime(on.year, on.month, on.day, 10, tzinfo=ENGLAND),
        status=MeetingStatus.HELD,
        held_on=on,
        created_by_id=actor.id,
    )
    meeting.attendees.append(
        MeetingAttendee(participant_id=participant(case, carer).id, attendance=MeetingAttendance.ATTENDED)
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def write_action_plan(case: Case, actor: User) -> ActionPlan:
    plan = ActionPlan(
        case_id=case.id,
        goals="Attend every day",
        review_on=england_today() + timedelta(days=28),
        created_by_id=actor.id,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def serve_warning_letter(case: Case, actor: User, on: date, carer: Carer | None = None) -> Letter:
    """A formal warning of legal action served on ``carer`` (on no one in particular when not given)."""
    letter = Letter(
        case_id=case.id,
        addressee_id=participant(case, carer).id if carer else None,
        kind=LetterKind.WARNING_OF_LEGAL_ACTION,
        subject="Warning of legal action",
        body_html="<p>Warning</p>",
        pdf=b"%PDF",
        generated_by_id=actor.id,
        served_on=on,
    )
    db.session.add(letter)
    db.session.flush()
    return letter


def add_notice(
    case: Case,
    carer: Carer,
    actor: User,
    *,
    issued_on: date,
    received_on: date | None = None,
    kind: NoticeKind = NoticeKind.FIRST,
    period: tuple[date, date] | None = None,
    **values: object,
) -> PenaltyNotice:
    """A notice put straight into the database (for history the test starts from)."""
    start, end = period or (issued_on - timedelta(days=30), issued_on - timedelta(days=1))
    notice = PenaltyNotice(
        case_id=case.id,
        pupil_id=case.pupil_id,
        carer_id=carer.id,
        kind=kind,
        issued_on=issued_on,
        received_on=received_on,
        period_start=start,
        period_end=end,
        issued_by_id=actor.id,
        **values,
    )
    db.session.add(notice)
    db.session.flush()
    notice.reference = f"PN-{issued_on:%y}-{notice.id:04d}"
    db.session.flush()
    return notice


def ready_to_prosecute(case: Case, family: Family, staff: Staff) -> None:
    """Every record a prosecution needs except the file and the approval."""
    day = england_today() - timedelta(days=60)
    hold_family_meeting(case, family.mother, staff.officer, day)
    write_action_plan(case, staff.officer)
    for parent in (family.mother, family.father):
        serve_warning_letter(case, staff.officer, day, parent)
    record(case, RecordKind.ATTENDANCE_CERTIFICATE, staff.officer, "Certificate signed by the head")
    record(
        case, RecordKind.ESO_CONSIDERED, staff.officer, "An order would add nothing: the family engage with no agency"
    )


def mark_school_weeks(pupil: Pupil, first_monday: date, weeks: int, *, unauthorised_per_week: int = 0) -> None:
    """Register ``weeks`` school weeks from ``first_monday``: ten sessions each, the first few unauthorised (O)."""
    registers: dict[int, list[str]] = {}
    for week in range(weeks):
        for session in range(10):
            day = first_monday + timedelta(weeks=week, days=session // 2)
            year = academic_year_of(day)
            if year not in registers:
                existing = db.session.scalar(
                    sa.select(AttendanceRegister).where(
                        AttendanceRegister.pupil_id == pupil.id, AttendanceRegister.academic_year == year
                    )
                )
                registers[year] = list(existing.marks if existing else "." * REGISTER_LENGTH)
            index = (day - register_start(year)).days * 2 + session % 2
            registers[year][index] = "O" if session < unauthorised_per_week else "/"
    for year, marks in registers.items():
        row = db.session.scalar(
            sa.select(AttendanceRegister).where(
                AttendanceRegister.pupil_id == pupil.id, AttendanceRegister.academic_year == year
            )
        ) or AttendanceRegister(pupil_id=pupil.id, school_id=pupil.school_id, academic_year=year)
        row.marks = "".join(marks)
        db.session.add(row)
    db.session.flush()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
