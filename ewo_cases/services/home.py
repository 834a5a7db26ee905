"""What each role's home page shows, gathered from the services that own each fact.

- **Officer**: their own open cases with the next thing due on each (overdue first), their meetings, and
  alerts: pupils with no open case who newly crossed a threshold (in the last ``NEWLY_CROSSED_SCHOOL_DAYS``
  school days, by the day their marks took them over it), penalty notices unpaid after the 28 days, notices
  to improve ending or ended without an outcome, reviews past their date and cases with no contact. How many
  pupils stand over each threshold with no open case is shown beside them as links to the lists.
- **School attendance lead**: each of their schools' headline figures beside the authority's, pupils by
  band, the schools' open cases, the actions the school owns and the meetings coming up.
- **Team manager**: the approvals queue, drift and team caseloads, each linking to its full page.

Every query starts from ``scoping`` (directly or through the services reused here); a page is a fixed
handful of queries whatever the size of the caseload.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ewo_cases import scoping
from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionPlan,
    ActionStatus,
    Approval,
    ApprovalStatus,
    AttendanceContract,
    Carer,
    Case,
    Meeting,
    MeetingStatus,
    NoticeToImprove,
    PenaltyNotice,
    Pupil,
    PupilAttendance,
    School,
    SchoolAction,
    User,
)
from ewo_cases.services import identification, legal, meetings, oversight, plans, reports, targeting
from ewo_cases.services.attendance import calendars
from ewo_cases.services.identification import LISTS
from ewo_cases.services.legal.common import long_date
from ewo_cases.services.legal.notices import NoticeStatus
from ewo_cases.services.legal.register import status_condition
from ewo_cases.services.meetings import MeetingOnCase
from ewo_cases.services.oversight import DriftFilters, DriftRow, TeamCaseloads
from ewo_cases.services.plans import ActionOnCase
from workflows import CaseStage
from workflows import legal as rules
from workflows.attendance import Band

#: A notice to improve whose improvement period ends within this many days is flagged, so the officer can
#: arrange to look at the child's attendance as it ends.
IMPROVEMENT_ENDING_SOON = timedelta(days=7)
#: The open cases an officer's home page lists (the most pressing) before pointing to the case list.
CASELOAD_SHOWN = 50
#: The oldest pending approvals shown on the manager's home page (the queue page has them all).
APPROVALS_SHOWN = 5
#: The open cases a school lead's home page lists before pointing to the case list.
SCHOOL_CASES_SHOWN = 20
#: Meetings are listed as upcoming for this many days ahead.
UPCOMING_DAYS = 14
#: A pupil who crossed a threshold within this many of their school's school days is "newly" over it: two
#: school weeks, so an officer back from a week away still sees who crossed while they were gone.
NEWLY_CROSSED_SCHOOL_DAYS = 10
#: Crossings are looked for this far back in calendar days, then counted in school days (a summer holiday
#: inside the window does not use it up).
NEWLY_CROSSED_LOOK_BACK = timedelta(days=70)
#: The newly crossing pupils listed on the home page (the identification lists have them all).
CROSSINGS_SHOWN = 20
OPEN_ACTION = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


# --- the officer ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """The next thing due on a case: when (None when the date is not known yet), what, and whether it is late."""

    on: date | None
    text: str
    overdue: bool

    @property
    def sort_key(self) -> tuple:
        return (not self.overdue, self.on is None, self.on or date.max)


@dataclass(frozen=True)
class MyCase:
    """One of an officer's open cases, as their caseload lists it."""

    case: Case
    pupil: Pupil
    school: School
    band: Band | None
    next_step: NextStep | None

    @property
    def overdue(self) -> bool:
        return self.next_step is not None and self.next_step.overdue


class SchoolMeeting(NamedTuple):
    """A meeting about a whole school (its termly targeting support meeting), not one case."""

    meeting: Meeting
    school: School
    case: None = None


#: An upcoming meeting: about one case, or about a whole school.
Upcoming = MeetingOnCase | SchoolMeeting


def upcoming(case_meetings: list[MeetingOnCase], school_meetings: list[SchoolMeeting]) -> list[Upcoming]:
    """Meetings about cases and about schools together, soonest first."""
    return sorted([*case_meetings, *school_meetings], key=lambda item: (item.meeting.scheduled_for, item.meeting.id))


def school_meetings(user: User, today: date) -> list[SchoolMeeting]:
    """Scheduled meetings about the schools ``user`` works with (an officer's patch, a lead's schools) from
    today for ``UPCOMING_DAYS`` days."""
    rows = db.session.execute(
        sa.select(Meeting, School)
        .join(School, School.id == Meeting.school_id)
        .where(
            Meeting.case_id.is_(None),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.school_id.in_(scoping.schools(user).with_only_columns(School.id)),
            Meeting.scheduled_for >= oversight.start_of(today),
            Meeting.scheduled_for < oversight.start_of(today + timedelta(days=UPCOMING_DAYS + 1)),
        )
        .order_by(Meeting.scheduled_for, Meeting.id)
    ).all()
    return [SchoolMeeting(meeting, school) for meeting, school in rows]


@dataclass(frozen=True)
class Crossing:
    """A pupil with no open case who recently crossed a threshold: into severe or persistent absence, or the
    penalty notice threshold."""

    pupil: Pupil
    school: School
    #: ``bands`` or ``penalty-threshold``: the identification list the pupil is on.
    slug: str
    label: str
    on: date
    #: School days since, at the pupil's school.
    school_days_ago: int


@dataclass(frozen=True)
class ListAlert:
    """Pupils on an identification list (in one band, for the bands list) who have no open case."""

    slug: str
    band: Band | None
    label: str
    #: How many of them have no open case (the list marks the others with their case).
    without_case: int


#: The kinds of case alert, in the order the home page lists them.
CASE_ALERT_KINDS = ("notice_unpaid", "improvement_ended", "improvement_ending", "plan_review", "contract_review")


@dataclass(frozen=True)
class CaseAlert:
    """Something on one case that needs the officer now."""

    kind: str
    case_id: int
    reference: str
    pupil_name: str
    on: date
    #: What is late or due, for the hint under the alert.
    text: str


@dataclass(frozen=True)
class OfficerHome:
    #: The most pressing ``CASELOAD_SHOWN`` open cases: overdue first, then by the next date.
    cases: list[MyCase]
    open_cases: int
    #: Open cases with something overdue.
    overdue: int
    #: Meetings on the officer's cases and about the schools in their patch.
    upcoming_meetings: list[Upcoming]
    meetings_to_record: list[MeetingOnCase]
    #: The first ``CROSSINGS_SHOWN``, most recent first, and how many there are in all.
    crossings: list[Crossing]
    crossing_count: int
    list_alerts: list[ListAlert]
    case_alerts: list[CaseAlert]
    no_contact: list[DriftRow]
    no_contact_days: int

    @property
    def newly_crossed_school_days(self) -> int:
        return NEWLY_CROSSED_SCHOOL_DAYS

    @property
    def crossings_by_pupil(self) -> list[list[Crossing]]:
        """The crossings shown, one list per pupil (who may have crossed two thresholds), latest first."""
        by_pupil: dict[int, list[Crossing]] = {}
        for crossing in self.crossings:
            by_pupil.setdefault(crossing.pupil.id, []).append(crossing)
        return list(by_pupil.values())

    @property
    def alert_count(self) -> int:
        return self.crossing_count + len(self.case_alerts) + len(self.no_contact)


def officer_home(user: User, today: date) -> OfficerHome:
    """Return an officer's caseload, meetings and alerts."""
    mine = _my_cases(user, today)
    ids = [item.case.id for item in mine]
    drifting = oversight.drift(user, DriftFilters(officer_id=user.id), today=today)
    crossings = newly_crossed(user, today)
    return OfficerHome(
        cases=mine[:CASELOAD_SHOWN],
        open_cases=len(mine),
        overdue=sum(item.overdue for item in mine),
        upcoming_meetings=upcoming(
            meetings.upcoming_meetings(user, UPCOMING_DAYS, officer_id=user.id), school_meetings(user, today)
        ),
        meetings_to_record=meetings.meetings_to_record(user, officer_id=user.id),
        crossings=crossings[:CROSSINGS_SHOWN],
        crossing_count=len(crossings),
        list_alerts=list_alerts(user),
        case_alerts=[
            *_unpaid_notices(ids, today),
            *_improvement_periods(mine, today),
            *_overdue_reviews(drifting),
        ],
        no_contact=oversight.sort_drift(
            [row for row in drifting if "no_contact" in row.reasons], "contact", descending=True
        ),
        no_contact_days=oversight.no_contact_school_days(),
    )


def _my_cases(user: User, today: date) -> list[MyCase]:
    """The officer's open cases with what is next on each: overdue first, then soonest, then by child."""
    found = db.session.execute(
        scoping.cases(user)
        .add_columns(Pupil, School, PupilAttendance.band)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .outerjoin(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .where(Case.assigned_officer_id == user.id, Case.stage != CaseStage.CLOSED)
    ).all()
    steps = _next_steps(user, [case.id for case, *_ in found], today)
    mine = [
        MyCase(case, pupil, school, Band(band) if band else None, steps.get(case.id))
        for case, pupil, school, band in found
    ]
    return sorted(
        mine,
        key=lambda item: (
            item.next_step.sort_key if item.next_step else (True, True, date.max),
            item.pupil.surname.lower(),
            item.pupil.forename.lower(),
            item.case.id,
        ),
    )


def _next_steps(user: User, case_ids: list[int], today: date) -> dict[int, NextStep]:
    """The soonest of each case's undone actions, plan and contract reviews and legal deadlines."""
    if not case_ids:
        return {}
    candidates: dict[int, list[NextStep]] = defaultdict(list)
    for case_id, description, due_on in db.session.execute(
        sa.select(ActionPlan.case_id, Action.description, Action.due_on)
        .join(ActionPlan, ActionPlan.id == Action.plan_id)
        .where(ActionPlan.case_id.in_(case_ids), Action.status.in_(OPEN_ACTION))
        .order_by(Action.due_on, Action.id)
    ):
        if case_id not in candidates:  # the earliest is enough
            candidates[case_id].append(NextStep(due_on, f"Action due: {description}", due_on < today))
    for case_id, review_on in db.session.execute(
        sa.select(ActionPlan.case_id, ActionPlan.review_on).where(ActionPlan.case_id.in_(case_ids))
    ):
        candidates[case_id].append(NextStep(review_on, "Action plan review", review_on < today))
    for case_id, review_on in db.session.execute(
        sa.select(AttendanceContract.case_id, sa.func.min(AttendanceContract.review_on))
        .where(AttendanceContract.case_id.in_(case_ids), AttendanceContract.ended_on.is_(None))
        .group_by(AttendanceContract.case_id)
    ):
        candidates[case_id].append(NextStep(review_on, "Attendance contract review", review_on < today))
    for row in legal.caseload(user, today=today, mine=True):
        for due in row.due:
            candidates[row.case.id].append(_legal_step(due, today))
    return {case_id: min(steps, key=lambda step: step.sort_key) for case_id, steps in candidates.items()}


def _legal_step(due: legal.Due, today: date) -> NextStep:
    """A legal deadline as a next step: late once its day has passed, or when it is urgent and due."""
    overdue = (due.on is not None and due.on < today) or (due.urgent and (due.on is None or due.on <= today))
    return NextStep(due.on, due.text, overdue)


def newly_crossed(user: User, today: date) -> list[Crossing]:
    """Pupils the user may see, with no open case, who crossed into severe or persistent absence or met the
    penalty notice threshold within the last ``NEWLY_CROSSED_SCHOOL_DAYS`` school days, most recent first."""
    since = today - NEWLY_CROSSED_LOOK_BACK
    crossed_band = sa.and_(
        PupilAttendance.band.in_([Band.SEVERE, Band.PERSISTENT]), PupilAttendance.band_entered_on >= since
    )
    query = (
        sa.select(Pupil, School, PupilAttendance)
        .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .join(School, School.id == Pupil.school_id)
        .outerjoin(
            identification.OpenCase,
            sa.and_(identification.OpenCase.pupil_id == Pupil.id, identification.OpenCase.stage != CaseStage.CLOSED),
        )
        .where(identification.OpenCase.id.is_(None), sa.or_(crossed_band, PupilAttendance.threshold_met_on >= since))
    )
    found = db.session.execute(scoping.of_visible_pupils(query, Pupil.id, user)).all()
    candidates = [
        (pupil, school, slug, label, on)
        for pupil, school, figures in found
        for slug, label, on in _crossings(figures)
        if on >= since
    ]
    if not candidates:
        return []
    school_days = calendars.SchoolDays({school.id for _p, school, *_ in candidates}, since, today)
    ago = school_days.after([school.id for _p, school, *_ in candidates], [on for *_, on in candidates], today)
    crossings = [
        Crossing(pupil, school, slug, label, on, int(days))
        for (pupil, school, slug, label, on), days in zip(candidates, ago.tolist(), strict=True)
        if days < NEWLY_CROSSED_SCHOOL_DAYS
    ]
    return sorted(crossings, key=lambda c: (-c.on.toordinal(), c.pupil.surname, c.pupil.forename, c.slug))


def _crossings(figures: PupilAttendance) -> list[tuple[str, str, date]]:
    """The thresholds a pupil has crossed, as (list, what, when)."""
    crossed = []
    if figures.band in (Band.SEVERE, Band.PERSISTENT) and figures.band_entered_on:
        crossed.append(("bands", Band(figures.band).label, figures.band_entered_on))
    if figures.threshold_met_on:
        crossed.append(("penalty-threshold", "Penalty notice threshold met", figures.threshold_met_on))
    return crossed


def list_alerts(user: User) -> list[ListAlert]:
    """Pupils the user may see who are severely or persistently absent, or over the penalty notice threshold,
    and are not on anyone's caseload (no open case)."""
    wanted = (
        ("bands", Band.SEVERE, Band.SEVERE.label),
        ("bands", Band.PERSISTENT, Band.PERSISTENT.label),
        ("penalty-threshold", None, "Penalty notice threshold met"),
    )
    counted = identification.count_each(
        user,
        lambda figures: {
            index: sa.and_(
                LISTS[slug].condition(figures),
                identification.OpenCase.id.is_(None),
                *([figures.band == band] if band else []),
            )
            for index, (slug, band, _label) in enumerate(wanted)
        },
    )
    return [
        ListAlert(slug, band, label, counted[index])
        for index, (slug, band, label) in enumerate(wanted)
        if counted[index]
    ]


def _count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))


def _unpaid_notices(case_ids: list[int], today: date) -> list[CaseAlert]:
    """Penalty notices on these cases still unpaid once the 28 days from receipt have passed."""
    if not case_ids:
        return []
    rows = db.session.execute(
        sa.select(PenaltyNotice, Case, Pupil, Carer)
        .join(Case, Case.id == PenaltyNotice.case_id)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(Carer, Carer.id == PenaltyNotice.carer_id)
        .where(PenaltyNotice.case_id.in_(case_ids), status_condition(NoticeStatus.DECISION_DUE, today))
        .order_by(PenaltyNotice.received_on, PenaltyNotice.id)
    ).all()
    return [
        CaseAlert(
            "notice_unpaid",
            case.id,
            str(case),
            pupil.name,
            rules.payment_deadline(notice.received_on),
            f"{notice.reference} to {carer.name}, received {long_date(notice.received_on)}: the 28 days to pay ended "
            f"{long_date(rules.payment_deadline(notice.received_on))}",
        )
        for notice, case, pupil, carer in rows
    ]


def _improvement_periods(mine: list[MyCase], today: date) -> list[CaseAlert]:
    """Notices to improve whose improvement period ends soon, or has ended with no outcome recorded."""
    at_notice = {item.case.id: item for item in mine if item.case.stage == CaseStage.NOTICE_TO_IMPROVE}
    if not at_notice:
        return []
    latest: dict[int, NoticeToImprove] = {}
    for notice in db.session.scalars(
        sa.select(NoticeToImprove).where(NoticeToImprove.case_id.in_(at_notice)).order_by(NoticeToImprove.id)
    ):
        latest[notice.case_id] = notice
    alerts = []
    for case_id, notice in latest.items():
        ends = notice.improvement_ends_on
        if notice.improved is not None or ends - today > IMPROVEMENT_ENDING_SOON:
            continue
        item = at_notice[case_id]
        if rules.improvement_period_over(ends, today):
            kind, text = "improvement_ended", f"Ended {long_date(ends)}: record whether attendance improved"
        else:
            kind, text = "improvement_ending", f"Ends {long_date(ends)}"
        alerts.append(CaseAlert(kind, case_id, str(item.case), item.pupil.name, ends, text))
    return sorted(alerts, key=lambda alert: (CASE_ALERT_KINDS.index(alert.kind), alert.on))


def _overdue_reviews(drifting: list[DriftRow]) -> list[CaseAlert]:
    """Action plans and attendance contracts past their review date (as the drift report finds them)."""
    alerts = []
    for kind, attribute, what in (
        ("plan_review", "plan_review_on", "action plan"),
        ("contract_review", "contract_review_on", "attendance contract"),
    ):
        rows = sorted((row for row in drifting if getattr(row, attribute)), key=lambda row: getattr(row, attribute))
        alerts += [
            CaseAlert(
                kind,
                row.case_id,
                row.reference,
                row.pupil_name,
                getattr(row, attribute),
                f"The {what} was due for review on {long_date(getattr(row, attribute))}",
            )
            for row in rows
        ]
    return alerts


# --- the school attendance lead ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSummary:
    """A school's year-to-date headline beside the authority's, and its pupils by band."""

    school: School
    #: ``reports.school_headline``: ``{"school": {...}, "authority": {...}, "start": date, "end": date}``.
    headline: dict
    bands: dict[Band, int]

    @property
    def has_figures(self) -> bool:
        return self.headline["school"]["attendance_pct"] is not None


@dataclass(frozen=True)
class SchoolCase:
    case: Case
    pupil: Pupil
    school: School
    officer: User
    band: Band | None


@dataclass(frozen=True)
class SchoolLeadHome:
    schools: list[SchoolSummary]
    #: The first ``SCHOOL_CASES_SHOWN`` open cases, by child's name.
    cases: list[SchoolCase]
    open_cases: int
    actions: list[ActionOnCase]
    #: The school's actions for pupils without a case, from its targeting support meetings.
    school_actions: list[SchoolAction]
    #: Meetings on the schools' cases and about the schools themselves.
    upcoming_meetings: list[Upcoming]


def school_lead_home(user: User, today: date) -> SchoolLeadHome:
    """Return a school lead's schools' figures, open cases, the actions the school owns and coming meetings."""
    schools = list(db.session.scalars(scoping.schools(user)))
    bands = _bands(user, [school.id for school in schools])
    open_cases = _school_cases(user)
    return SchoolLeadHome(
        schools=[SchoolSummary(school, reports.school_headline(school.id), bands[school.id]) for school in schools],
        cases=[SchoolCase(*row) for row in db.session.execute(open_cases.limit(SCHOOL_CASES_SHOWN))],
        open_cases=_count(open_cases),
        actions=plans.actions_owned_by_school(user),
        school_actions=targeting.open_school_actions(user),
        upcoming_meetings=upcoming(meetings.upcoming_meetings(user, UPCOMING_DAYS), school_meetings(user, today)),
    )


def _bands(user: User, school_ids: list[int]) -> dict[int, dict[Band, int]]:
    """How many of each school's pupils are in each band of concern."""
    counts: dict[int, dict[Band, int]] = {
        school_id: dict.fromkeys((Band.AT_RISK, Band.PERSISTENT, Band.SEVERE), 0) for school_id in school_ids
    }
    query = (
        sa.select(Pupil.school_id, PupilAttendance.band, sa.func.count())
        .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .where(Pupil.school_id.in_(school_ids), PupilAttendance.band != Band.NONE)
        .group_by(Pupil.school_id, PupilAttendance.band)
    )
    for school_id, band, count in db.session.execute(scoping.of_visible_pupils(query, Pupil.id, user)):
        counts[school_id][Band(band)] = count
    return counts


def _school_cases(user: User) -> sa.Select:
    """The open cases the lead may see, with child, school, officer and band, by child's name."""
    return (
        scoping.cases(user)
        .add_columns(Pupil, School, User, PupilAttendance.band)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .join(User, User.id == Case.assigned_officer_id)
        .outerjoin(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .where(Case.stage != CaseStage.CLOSED)
        .order_by(Pupil.surname, Pupil.forename, Case.id)
    )


# --- the team manager -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManagerHome:
    pending_approvals: int
    #: The longest-waiting requests, oldest first.
    oldest_approvals: list[Approval]
    #: ``oversight.drift_summary``: drifting cases, each reason, and referrals waiting too long.
    drift: dict[str, int]
    team: TeamCaseloads

    @property
    def drift_reasons(self) -> dict[str, str]:
        return oversight.DRIFT_REASONS


def manager_home(user: User, today: date) -> ManagerHome:
    """Return the approvals queue, the drift summary and the team's caseloads."""
    pending = scoping.of_visible_cases(
        sa.select(Approval)
        .where(Approval.status == ApprovalStatus.PENDING)
        .order_by(Approval.requested_at, Approval.id),
        Approval.case_id,
        user,
    )
    drifting = oversight.drift(user, today=today)  # worked out once for the summary and the caseloads
    return ManagerHome(
        pending_approvals=_count(pending),
        oldest_approvals=list(
            db.session.scalars(
                pending.limit(APPROVALS_SHOWN).options(
                    selectinload(Approval.case).selectinload(Case.pupil), selectinload(Approval.requested_by)
                )
            )
        ),
        drift=oversight.drift_summary(user, drifting),
        team=oversight.caseloads(user, today=today, drifting=drifting),
    )
