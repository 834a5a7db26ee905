"""Termly targeting support meetings: the local authority's officer and a school's attendance lead go through
the school's data together and agree actions (DfE, *Working together to improve school attendance*, 2024).

The pack for a meeting: the school's severely absent, persistently absent and at-risk pupils (year to date)
with their case status, pupils at or near the penalty-notice threshold or about to fall below 90%, the
groups of pupils whose attendance is lower than the school's, and what the last meeting decided.

How a meeting is recorded: one ``Meeting`` with the ``school_id`` (no case) and kind ``TARGETING_SUPPORT``.
Who came is its attendees (the person recording, if they came, as a user; everyone else by name and role as
typed). What was agreed for the school as a whole is the meeting's ``decisions`` text; an action for one
pupil who has an open case goes into that case's action plan (written for the purpose if the case has none),
tied to the meeting by ``Action.meeting_id``; an action for a pupil without a case (most pupils discussed
have none) is the school's, a ``SchoolAction``. The next pack carries forward the open ones of both. The date of the
next meeting is kept as a scheduled targeting support meeting, which the next record completes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ewo_cases import clock, scoping
from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionOwner,
    ActionPlan,
    ActionStatus,
    Case,
    EnrolmentAttendance,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    Pupil,
    PupilAttendance,
    School,
    SchoolAction,
    User,
)
from ewo_cases.scoping import of_visible_pupils
from ewo_cases.services import audit, plans, reports
from ewo_cases.services.attendance import figures
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.oversight import local_day, start_of
from workflows import ENGLAND, CaseStage
from workflows.attendance import APPROACHING_MARGIN, PENALTY_THRESHOLD_SESSIONS, Band

TSM = MeetingKind.TARGETING_SUPPORT
#: A pupil's new plan, written at the meeting, is reviewed then if no next meeting is set.
PLAN_REVIEW_AFTER = timedelta(weeks=6)
#: Where a meeting's date stands in for its time (the service asks only for the day).
MEETING_TIME = time(9, 0)
#: A record completes a meeting arranged for up to this long after the day it was held.
BROUGHT_FORWARD = timedelta(weeks=4)


@dataclass(frozen=True)
class SchoolMeetings:
    """A school with its last and next targeting support meeting and how many pupils need discussing."""

    school: School
    last_held_on: date | None
    next_on: date | None
    severe: int
    persistent: int

    def held_since(self, day: date) -> bool:
        return self.last_held_on is not None and self.last_held_on >= day


def schools_with_meetings(schools: Sequence[School], *, today: date | None = None) -> list[SchoolMeetings]:
    """Return each school with its last and next meeting dates and its severe and persistent pupil counts."""
    today = today or clock.today()
    ids = [school.id for school in schools]
    held = dict(
        db.session.execute(
            sa.select(Meeting.school_id, sa.func.max(Meeting.held_on))
            .where(Meeting.school_id.in_(ids), Meeting.kind == TSM, Meeting.status == MeetingStatus.HELD)
            .group_by(Meeting.school_id)
        ).all()
    )
    upcoming = dict(
        db.session.execute(
            sa.select(Meeting.school_id, sa.func.min(Meeting.scheduled_for))
            .where(
                Meeting.school_id.in_(ids),
                Meeting.kind == TSM,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.scheduled_for >= start_of(today),
            )
            .group_by(Meeting.school_id)
        ).all()
    )
    bands = defaultdict(int)
    for school_id, band, count in db.session.execute(
        sa.select(Pupil.school_id, PupilAttendance.band, sa.func.count())
        .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .where(Pupil.school_id.in_(ids), PupilAttendance.band.in_([Band.SEVERE, Band.PERSISTENT]))
        .group_by(Pupil.school_id, PupilAttendance.band)
    ):
        bands[(school_id, Band(band))] = count
    return [
        SchoolMeetings(
            school,
            held.get(school.id),
            local_day(upcoming[school.id]) if school.id in upcoming else None,
            bands[(school.id, Band.SEVERE)],
            bands[(school.id, Band.PERSISTENT)],
        )
        for school in schools
    ]


# --- the pack ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackPupil:
    """A pupil in the pack, with their year-to-date figures and their open case, if any."""

    pupil: Pupil
    figures: PupilAttendance
    case: Case | None
    officer_name: str | None


@dataclass(frozen=True)
class LowerGroup:
    """A group of the school's pupils whose attendance is below the school's."""

    dimension: str
    label: str
    pupils: int
    attendance_pct: float
    gap: float
    persistent_pct: float | None
    small: bool


@dataclass(frozen=True)
class CarriedAction:
    action: Action
    case: Case


@dataclass
class Pack:
    """Everything a termly meeting about one school looks at."""

    school: School
    prepared_on: date
    #: What the school's figures, its groups and the pupils by band cover.
    period: reports.Period
    headline: reports.Headline
    bands: dict[Band, list[PackPupil]]
    threshold_met: list[PackPupil]
    approaching: list[PackPupil]
    falling_below_90: list[PackPupil]
    lower_groups: list[LowerGroup]
    last_meeting: Meeting | None
    carried: list[CarriedAction] = field(default_factory=list)
    #: The school's actions for pupils without a case, agreed at the last meeting, open ones first.
    school_actions: list[SchoolAction] = field(default_factory=list)
    next_meeting: Meeting | None = None

    @property
    def open_carried(self) -> int:
        """How many of the last meeting's pupil actions are still open."""
        return sum(not item.status.is_finished for item in [*(c.action for c in self.carried), *self.school_actions])

    @property
    def pupil_ids(self) -> set[int]:
        """Every child the pack names (its access is logged against each)."""
        listed = [*self.threshold_met, *self.approaching, *self.falling_below_90]
        listed += [pupil for pupils in self.bands.values() for pupil in pupils]
        carried = {item.case.pupil_id for item in self.carried} | {action.pupil_id for action in self.school_actions}
        return {item.pupil.id for item in listed} | carried

    @property
    def next_meeting_on(self) -> date | None:
        return local_day(self.next_meeting.scheduled_for) if self.next_meeting else None

    @property
    def next_meeting_unrecorded(self) -> bool:
        """Whether the arranged meeting's day has passed with no record of it."""
        return self.next_meeting_on is not None and self.next_meeting_on < self.prepared_on


def pack(school: School, user: User, *, today: date | None = None, term: bool = False) -> Pack:
    """Gather the termly targeting support meeting pack for ``school``, as ``user`` may see it: for the academic
    year to date, or (``term``) for this term to date.

    The term changes the school's figures, its groups and the pupils by band; the penalty-notice window and
    the projection below 90% always run over the year to date, since 10 school weeks can span two terms.
    """
    today = today or clock.today()
    pupils = _pack_pupils(school, user)
    if term:
        period = reports.this_term(today)
        computed = figures.for_range(period.start, period.end, school_id=school.id, by_enrolment=True)
        counts = reports.counts_of(computed)
        banded = _in_period(school, user, computed)
    else:
        period = reports.year_to_date(today)
        counts = reports.StoredFigures().enrolments([school.id], groups=True)
        banded = pupils
    last = last_meeting(school)
    return Pack(
        school=school,
        prepared_on=today,
        period=period,
        headline=counts.headline(),
        bands={
            band: [p for p in banded if p.figures.band == band] for band in (Band.SEVERE, Band.PERSISTENT, Band.AT_RISK)
        },
        threshold_met=_by_window([p for p in pupils if p.figures.unauth_10wk_latest >= PENALTY_THRESHOLD_SESSIONS]),
        approaching=_by_window([p for p in pupils if _approaching(p.figures.unauth_10wk_latest)]),
        falling_below_90=[p for p in pupils if p.figures.projected_below_90],
        lower_groups=lower_groups(counts),
        last_meeting=last,
        carried=carried_actions(last) if last else [],
        school_actions=school_actions_of(last) if last else [],
        next_meeting=next_meeting(school),
    )


def _approaching(unauthorised: int) -> bool:
    return PENALTY_THRESHOLD_SESSIONS - APPROACHING_MARGIN <= unauthorised < PENALTY_THRESHOLD_SESSIONS


def _by_window(pupils: list[PackPupil]) -> list[PackPupil]:
    return sorted(pupils, key=lambda p: (-p.figures.unauth_10wk_latest, p.pupil.surname, p.pupil.forename))


def _pack_pupils(school: School, user: User) -> list[PackPupil]:
    """Return the school's pupils in a band, near the penalty threshold or about to fall below 90%, lowest first."""
    open_case = sa.and_(Case.pupil_id == Pupil.id, Case.stage != CaseStage.CLOSED)
    query = (
        sa.select(Pupil, PupilAttendance, Case, User.name)
        .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .outerjoin(Case, open_case)
        .outerjoin(User, User.id == Case.assigned_officer_id)
        .where(
            Pupil.school_id == school.id,
            sa.or_(
                PupilAttendance.band != Band.NONE,
                PupilAttendance.unauth_10wk_latest >= PENALTY_THRESHOLD_SESSIONS - APPROACHING_MARGIN,
                PupilAttendance.projected_below_90.is_(True),
            ),
        )
        .order_by(PupilAttendance.attendance_pct, Pupil.surname, Pupil.forename, Pupil.id)
    )
    return [PackPupil(*row) for row in db.session.execute(of_visible_pupils(query, Pupil.id, user))]


def _in_period(school: School, user: User, computed: figures.RangeFigures) -> list[PackPupil]:
    """The school's pupils on roll in a band over a computed period, with those figures and their open case."""
    in_band = {
        row["pupil_id"]: EnrolmentAttendance(**row) for row in figures.stored_rows(computed) if row["band"] != Band.NONE
    }
    open_case = sa.and_(Case.pupil_id == Pupil.id, Case.stage != CaseStage.CLOSED)
    query = (
        sa.select(Pupil, Case, User.name)
        .outerjoin(Case, open_case)
        .outerjoin(User, User.id == Case.assigned_officer_id)
        .where(Pupil.school_id == school.id, Pupil.id.in_(list(in_band)))
    )
    found = [
        PackPupil(pupil, in_band[pupil.id], case, officer)
        for pupil, case, officer in db.session.execute(of_visible_pupils(query, Pupil.id, user))
    ]
    return sorted(found, key=lambda p: (p.figures.attendance_pct, p.pupil.surname, p.pupil.forename, p.pupil.id))


def lower_groups(counts: reports.Counts) -> list[LowerGroup]:
    """Return the groups of pupils whose attendance is lower than the whole school's, furthest below first."""
    rows = counts.rows()
    overall = rows[0]["overall_absence_pct"] if rows else None
    if overall is None:
        return []
    lower = [
        LowerGroup(
            dimension=reports.DIMENSION_LABELS[row["dimension"]],
            label=_group_name(row["dimension"], row["group"]),
            pupils=row["pupils"],
            attendance_pct=round(100 - row["overall_absence_pct"], 1),
            gap=round(row["overall_absence_pct"] - overall, 1),
            persistent_pct=row["persistent_pct"],
            small=row["pupils"] < reports.SMALL_GROUP,
        )
        for row in rows[1:]
        if row["pupils"] and row["overall_absence_pct"] is not None and row["overall_absence_pct"] > overall
    ]
    return sorted(lower, key=lambda group: (-group.gap, group.dimension, group.label))


def _group_name(dimension: str, group: str) -> str:
    """Name a group so that it reads on its own: "Pupil premium", "Year 5", "Ethnicity: White British"."""
    label = reports.group_label(dimension, group)
    return f"Ethnicity: {label}" if dimension == "ethnicity" else label


def last_meeting(school: School) -> Meeting | None:
    """Return the school's most recent targeting support meeting that was held, with who came."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.school_id == school.id, Meeting.kind == TSM, Meeting.status == MeetingStatus.HELD)
        .options(selectinload(Meeting.attendees).selectinload(MeetingAttendee.user))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(1)
    )


def next_meeting(school: School) -> Meeting | None:
    """Return the school's next scheduled targeting support meeting (or one whose day passed unrecorded)."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.school_id == school.id, Meeting.kind == TSM, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.scheduled_for, Meeting.id)
        .limit(1)
    )


def carried_actions(meeting: Meeting) -> list[CarriedAction]:
    """Return the pupils' actions agreed at a meeting, open ones first, soonest due first."""
    rows = db.session.execute(
        sa.select(Action, Case)
        .join(ActionPlan, ActionPlan.id == Action.plan_id)
        .join(Case, Case.id == ActionPlan.case_id)
        .where(Action.meeting_id == meeting.id)
        .options(selectinload(Case.pupil))
        .order_by(Action.due_on, Action.id)
    ).all()
    items = [CarriedAction(action, case) for action, case in rows]
    return sorted(items, key=lambda item: item.action.status.is_finished)


def school_actions_of(meeting: Meeting) -> list[SchoolAction]:
    """Return the school's actions for pupils agreed at a meeting, open ones first, soonest due first."""
    found = db.session.scalars(
        sa.select(SchoolAction)
        .where(SchoolAction.meeting_id == meeting.id)
        .options(selectinload(SchoolAction.pupil))
        .order_by(SchoolAction.due_on, SchoolAction.id)
    ).all()
    return sorted(found, key=lambda action: action.status.is_finished)


def open_cases_at(school: School, user: User) -> list[Case]:
    """Return the open cases of the school's pupils that ``user`` may see, by pupil name."""
    query = (
        sa.select(Case)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .where(Pupil.school_id == school.id, Case.stage != CaseStage.CLOSED)
        .options(selectinload(Case.pupil))
        .order_by(Pupil.surname, Pupil.forename, Case.id)
    )
    return list(db.session.scalars(of_visible_pupils(query, Pupil.id, user)))


# --- recording --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetingRecord:
    """What happened at a termly meeting. ``attended`` and ``apologies`` are names and roles as typed."""

    held_on: date
    recorder_attended: bool
    attended: Sequence[str]
    apologies: Sequence[str]
    summary: str
    decisions: str = ""
    next_meeting_on: date | None = None


@dataclass(frozen=True)
class PupilAction:
    """An action agreed for one pupil: into their case's plan if they have an open case, else the school's."""

    pupil_id: int
    description: str
    owner: ActionOwner
    due_on: date


@dataclass(frozen=True)
class Discussed:
    """A pupil an action may be agreed for at the meeting: one in the pack, or with an open case."""

    pupil: Pupil
    case: Case | None


def pupils_to_discuss(school: School, user: User) -> list[Discussed]:
    """The pupils of the school's pack (year to date) and those with an open case, by name."""
    with_case = {case.pupil_id: case for case in open_cases_at(school, user)}
    pupils = {item.pupil.id: item.pupil for item in _pack_pupils(school, user)}
    pupils |= {case.pupil_id: case.pupil for case in with_case.values()}
    return [
        Discussed(pupil, with_case.get(pupil.id))
        for pupil in sorted(pupils.values(), key=lambda p: (p.surname, p.forename, p.id))
    ]


def record_meeting(
    school: School, record: TargetingRecord, *, actions: Sequence[PupilAction] = (), user: User
) -> Meeting:
    """Record a termly targeting support meeting, put pupils' actions into their plans, and arrange the next."""
    _check_dates(record)
    discussed = _discussed_for(school, user, actions)
    meeting = _meeting_to_record(school, record.held_on, user)
    meeting.status, meeting.held_on = MeetingStatus.HELD, record.held_on
    meeting.summary, meeting.decisions = record.summary.strip(), record.decisions.strip()
    meeting.recorded_by_id = user.id
    meeting.attendees.extend(_attendees(record, user))
    if not any(person.attendance == MeetingAttendance.ATTENDED for person in meeting.attendees):
        raise ServiceError("Enter who attended the meeting", field="attended")
    db.session.flush()
    audit.record(
        user,
        "meeting.recorded",
        meeting,
        f"Targeting support meeting held at {school.name}",
        school=school.id,
        held_on=record.held_on.isoformat(),
        attended=[
            person.display_name for person in meeting.attendees if person.attendance == MeetingAttendance.ATTENDED
        ],
        pupil_actions=len(actions),
    )
    _add_pupil_actions(meeting, discussed, actions, record, user)
    if record.next_meeting_on:
        schedule_meeting(school, record.next_meeting_on, user)
    return meeting


def schedule_meeting(school: School, on: date, user: User) -> Meeting:
    """Arrange the school's next targeting support meeting on a day (the time is settled with the school)."""
    meeting = Meeting(
        school_id=school.id,
        kind=TSM,
        scheduled_for=_at_meeting_time(on),
        created_by_id=user.id,
    )
    db.session.add(meeting)
    audit.record(
        user,
        "meeting.scheduled",
        meeting,
        f"Targeting support meeting arranged at {school.name}",
        school=school.id,
        on=on.isoformat(),
    )
    return meeting


def _check_dates(record: TargetingRecord) -> None:
    today = clock.today()
    if record.held_on > today:
        raise ServiceError("The date the meeting was held must be today or in the past", field="held_on")
    if record.next_meeting_on is not None and (
        record.next_meeting_on <= record.held_on or record.next_meeting_on < today
    ):
        raise ServiceError("The next meeting must be after this one, and not in the past", field="next_meeting_on")


def _discussed_for(school: School, user: User, actions: Sequence[PupilAction]) -> dict[int, Discussed]:
    """The pupils the actions are for, each with their open case; refuse a pupil not in the pack, and an action
    for a pupil without a case that is not the school's."""
    allowed = {item.pupil.id: item for item in pupils_to_discuss(school, user)}
    if any(action.pupil_id not in allowed for action in actions):
        raise ServiceError("Choose a pupil from the school's pack", field="actions")
    if any(allowed[a.pupil_id].case is None and a.owner != ActionOwner.SCHOOL for a in actions):
        raise ServiceError(
            "An action for a pupil without a case is the school's to do: choose School, or open a case first",
            field="actions",
        )
    return allowed


def _meeting_to_record(school: School, held_on: date, user: User) -> Meeting:
    """Return the scheduled meeting this record completes, or a new one.

    A meeting arranged for up to 4 weeks after the day it was held was brought forward; later ones stay arranged.
    """
    scheduled = db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.school_id == school.id,
            Meeting.kind == TSM,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.scheduled_for < start_of(held_on + BROUGHT_FORWARD + timedelta(days=1)),
        )
        .order_by(Meeting.scheduled_for, Meeting.id)
        .limit(1)
    )
    if scheduled is not None:
        return scheduled
    meeting = Meeting(school_id=school.id, kind=TSM, scheduled_for=_at_meeting_time(held_on), created_by_id=user.id)
    db.session.add(meeting)
    return meeting


def _attendees(record: TargetingRecord, user: User) -> list[MeetingAttendee]:
    people = (
        [MeetingAttendee(user_id=user.id, attendance=MeetingAttendance.ATTENDED)] if record.recorder_attended else []
    )
    for names, attendance in (
        (record.attended, MeetingAttendance.ATTENDED),
        (record.apologies, MeetingAttendance.APOLOGIES),
    ):
        people += [MeetingAttendee(name=name.strip()[:200], attendance=attendance) for name in names if name.strip()]
    return people


def _add_pupil_actions(
    meeting: Meeting,
    discussed: dict[int, Discussed],
    actions: Sequence[PupilAction],
    record: TargetingRecord,
    user: User,
) -> None:
    by_case: dict[int, list[plans.NewAction]] = defaultdict(list)
    cases = {}
    for action in actions:
        case = discussed[action.pupil_id].case
        if case is None:
            _add_school_action(meeting, action, user)
            continue
        cases[case.id] = case
        by_case[case.id].append(plans.NewAction(action.description, action.owner.value, action.due_on))
    for case_id, new in by_case.items():
        case = cases[case_id]
        if plans.plan_of(case) is None:
            plans.create_plan(case, goals=_plan_goals(record), review_on=_plan_review_on(record), actor=user)
        plans.add_meeting_actions(case, meeting, new, review_on=None, actor=user)


def _add_school_action(meeting: Meeting, action: PupilAction, user: User) -> SchoolAction:
    school_action = SchoolAction(
        meeting_id=meeting.id,
        school_id=meeting.school_id,
        pupil_id=action.pupil_id,
        description=action.description.strip(),
        due_on=action.due_on,
        created_by_id=user.id,
    )
    db.session.add(school_action)
    audit.record(
        user,
        "school_action.added",
        school_action,
        f"School action agreed at the targeting support meeting: {action.description.strip()[:200]}",
        meeting=meeting.id,
        pupil=action.pupil_id,
    )
    return school_action


def update_school_action(
    action: SchoolAction, *, status: ActionStatus, note: str, actor: User, expected_version: int | None
) -> SchoolAction:
    """Record progress on a school's action for a pupil: its status now, and what was done."""
    check_version(action, expected_version)
    if status.is_finished and not note.strip():
        raise ServiceError("Say what was done, or why it was not", field="note")
    before = action.status
    action.status, action.note = status, note.strip()
    db.session.flush()
    audit.record(
        actor,
        "school_action.updated",
        action,
        f"School action {before.label.lower()} to {status.label.lower()}",
        note=note.strip()[:500],
    )
    return action


def open_school_actions(user: User) -> list[SchoolAction]:
    """The open school actions at the schools ``user`` works with, soonest due (so overdue) first."""
    return list(
        db.session.scalars(
            sa.select(SchoolAction)
            .where(
                SchoolAction.school_id.in_(scoping.schools(user).with_only_columns(School.id)),
                SchoolAction.status.in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
            )
            .options(selectinload(SchoolAction.pupil))
            .order_by(SchoolAction.due_on, SchoolAction.id)
        )
    )


def school_action_or_404(user: User, action_id: int) -> SchoolAction:
    """Load a school action at a school ``user`` works with, or answer 404."""
    return scoping.one_or_404(
        sa.select(SchoolAction).where(
            SchoolAction.id == action_id,
            SchoolAction.school_id.in_(scoping.schools(user).with_only_columns(School.id)),
        )
    )


def _plan_goals(record: TargetingRecord) -> str:
    # Not the meeting's decisions: they are about the whole school and may name other children.
    return (
        f"Improve attendance. Plan started at the school's targeting support meeting on "
        f"{record.held_on.day} {record.held_on:%B %Y}: agree the goals with the family."
    )


def _plan_review_on(record: TargetingRecord) -> date:
    return record.next_meeting_on or clock.today() + PLAN_REVIEW_AFTER


def _at_meeting_time(day: date) -> datetime:
    return datetime.combine(day, MEETING_TIME, tzinfo=ENGLAND).astimezone(UTC)
