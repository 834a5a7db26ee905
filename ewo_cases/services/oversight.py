"""Oversight for team managers: each officer's caseload, and the cases drifting from the service's standards.

Definitions (shown on the pages too):

- **School days** are the days the child's school was open, as its registers show (a day on which it
  recorded any possible session: ``attendance.calendars``), so holidays, weekends and closures do not count;
  beyond the last day the school's registers reach, weekdays are counted. "No contact for N school days"
  (``NO_CONTACT_SCHOOL_DAYS``, 20 by default) counts the school days after the last contact up to and
  including today; a case with no contact at all counts from the day it was opened. A contact is a note of
  a phone call, home visit, email, letter or conversation (not a corrected one), or a meeting held
  (``chronology.last_contacts``). Referrals count **working days**, Monday to Friday: the local authority's
  days, not the school's.
- **Service standards** for the time a case may stay in one stage are ``STAGE_STANDARDS``; a notice to
  improve drifts once its improvement period has ended without a decision.

What interventions achieve (attendance before and after each stage, closure reasons) is ``services.outcomes``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import compress

import numpy as np
import sqlalchemy as sa
from flask import current_app

from ewo_cases import clock, scoping
from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionPlan,
    ActionStatus,
    AttendanceContract,
    Case,
    Meeting,
    MeetingStatus,
    NoticeToImprove,
    Pupil,
    Referral,
    ReferralStatus,
    Role,
    School,
    User,
    user_schools,
)
from ewo_cases.services.attendance import calendars
from ewo_cases.services.chronology import last_contacts
from ewo_cases.services.kept import Kept, casework_changes
from ewo_cases.services.legal.caseload import LEGAL_CASELOAD_STAGES
from workflows import ENGLAND, OPEN_STAGES, CaseStage

#: A referral waiting longer than this many working days for a decision is drifting.
REFERRAL_WORKING_DAYS = 10


@dataclass(frozen=True)
class StageStandard:
    """How long a case should stay in a stage before it moves on (None: judged by its own record)."""

    weeks: int | None
    text: str


STAGE_STANDARDS: dict[CaseStage, StageStandard] = {
    CaseStage.AT_RISK: StageStandard(12, "12 weeks: support should have worked (step down or close) or moved on"),
    CaseStage.PERSISTENT: StageStandard(12, "12 weeks: support should have worked or the case moved on"),
    CaseStage.SEVERE: StageStandard(12, "12 weeks: support should have worked or the case moved on"),
    CaseStage.EARLY_HELP: StageStandard(12, "12 weeks: an early help plan is reviewed within 12 weeks"),
    CaseStage.PARENTING_CONTRACT: StageStandard(26, "26 weeks: a contract runs for up to two terms before review"),
    CaseStage.NOTICE_TO_IMPROVE: StageStandard(
        None, "The end of the notice's improvement period: then decide whether attendance improved enough"
    ),
    CaseStage.FPN: StageStandard(8, "8 weeks: 28 days to pay from receipt, with time for service and a decision"),
    CaseStage.ESO: StageStandard(52, "52 weeks: an order lasts a year unless the court extends it"),
    CaseStage.PROSECUTION: StageStandard(26, "26 weeks from laying the information to the court's outcome"),
}
#: A notice to improve with no record of the notice (which should not happen) is held to this instead.
NOTICE_FALLBACK_WEEKS = 6

#: Why a case is drifting, in the order the report lists them.
DRIFT_REASONS: dict[str, str] = {
    "no_contact": "No contact recorded",
    "stage": "Longer in stage than the standard",
    "plan_review": "Action plan review overdue",
    "contract_review": "Contract review overdue",
    "meeting": "Meeting not recorded",
}
DRIFT_SORTS = ("child", "school", "officer", "stage", "in_stage", "contact", "reasons")


def no_contact_school_days() -> int:
    """Return the configured number of school days without contact after which a case drifts."""
    return int(current_app.config["NO_CONTACT_SCHOOL_DAYS"])


def working_days_after(since: date, today: date) -> int:
    """Count the weekdays after ``since`` up to and including ``today`` (0 when ``since`` is today or later)."""
    if since >= today:
        return 0
    return int(np.busday_count(since + timedelta(days=1), today + timedelta(days=1)))


def school_days_since(school_ids: list[int], days: list[date], today: date) -> np.ndarray:
    """Count the school days at each school after each day, up to and including ``today``."""
    if not days:
        return np.zeros(0, dtype=np.int64)
    return calendars.SchoolDays(school_ids, min(days), today).after(school_ids, days, today)


def local_day(moment: datetime) -> date:
    """Return the day a moment falls on in England."""
    return moment.astimezone(ENGLAND).date()


def start_of(day: date) -> datetime:
    """Return midnight at the start of ``day`` in England, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=ENGLAND).astimezone(UTC)


def visible_cases(query: sa.Select, user: User) -> sa.Select:
    """Keep only the cases ``user`` may see (no condition at all for those who see the whole authority)."""
    return scoping.of_visible_cases(query, Case.id, user)


# --- drift ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftFilters:
    officer_id: int | None = None
    school_id: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DriftRow:
    """An open case and every way in which it is drifting."""

    case_id: int
    reference: str
    pupil_id: int
    upn: str
    forename: str
    surname: str
    school_id: int
    school_urn: str
    school_name: str
    officer_id: int
    officer_name: str
    stage: CaseStage
    in_stage_since: date
    days_in_stage: int
    #: When the case should have moved on by the stage's standard.
    stage_due_on: date
    last_contact_on: date | None
    school_days_without_contact: int
    #: Set only when overdue.
    plan_review_on: date | None
    contract_review_on: date | None
    unrecorded_meetings: int
    first_unrecorded_on: date | None
    reasons: tuple[str, ...]

    @property
    def pupil_name(self) -> str:
        return f"{self.forename} {self.surname}"


@dataclass
class _CaseFacts:
    """What the drift rules read about many cases, loaded in a handful of queries."""

    contacts: dict[int, datetime]
    plan_reviews: dict[int, date]
    contract_reviews: dict[int, date]
    meetings: dict[int, tuple[int, datetime]]
    improvement_ends: dict[int, date]


#: The whole authority's drift as this process last worked it out (for managers and administrators).
_AUTHORITY_DRIFT = Kept[list[DriftRow]]("the authority's drifting cases")


def drift(user: User, filters: DriftFilters = DriftFilters(), *, today: date | None = None) -> list[DriftRow]:
    """Return the open cases ``user`` may see that drift by any rule (or by ``filters.reason``), within the filters."""
    today = today or clock.today()
    if not scoping.sees_whole_authority(user):
        return _worked_out(user, filters, today)
    return [row for row in _authority_drift(user, today) if _within(row, filters)]


def _authority_drift(user: User, today: date) -> list[DriftRow]:
    """Every drifting case in the authority, worked out again only once something it reads has changed (the
    day and the no-contact threshold are the rules' own inputs)."""
    key = (today, no_contact_school_days(), casework_changes())
    return _AUTHORITY_DRIFT.get(key, lambda: _worked_out(user, DriftFilters(), today))


def _within(row: DriftRow, filters: DriftFilters) -> bool:
    return (
        (not filters.officer_id or row.officer_id == filters.officer_id)
        and (not filters.school_id or row.school_id == filters.school_id)
        and (not filters.reason or filters.reason in row.reasons)
    )


def _worked_out(user: User, filters: DriftFilters, today: date) -> list[DriftRow]:
    found = db.session.execute(_open_cases(user, filters)).all()
    facts = _load_facts(user, filters, [row.id for row in found], today)
    contact_days = [local_day(facts.contacts[row.id]) if row.id in facts.contacts else None for row in found]
    without_contact = school_days_since(
        [row.school_id for row in found],
        [day or local_day(row.opened_at) for day, row in zip(contact_days, found, strict=True)],
        today,
    )
    threshold = no_contact_school_days()
    rows = []
    for row, contact, days in zip(found, contact_days, without_contact.tolist(), strict=True):
        drifting = _drift_row(row, facts, today, contact, days, threshold)
        if drifting is not None and (not filters.reason or filters.reason in drifting.reasons):
            rows.append(drifting)
    return rows


def _open_cases(user: User, filters: DriftFilters) -> sa.Select:
    query = (
        sa.select(
            Case.id,
            Case.reference,
            Case.stage,
            Case.stage_changed_at,
            Case.opened_at,
            Case.assigned_officer_id,
            User.name.label("officer_name"),
            Pupil.id.label("pupil_id"),
            Pupil.upn,
            Pupil.forename,
            Pupil.surname,
            School.id.label("school_id"),
            School.urn,
            School.name.label("school_name"),
        )
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .join(User, User.id == Case.assigned_officer_id)
        .where(Case.stage != CaseStage.CLOSED)
    )
    return _filtered(visible_cases(query, user), filters)


def _filtered(query: sa.Select, filters: DriftFilters) -> sa.Select:
    if filters.officer_id:
        query = query.where(Case.assigned_officer_id == filters.officer_id)
    if filters.school_id:
        query = query.where(Pupil.school_id == filters.school_id)
    return query


def _of_open_cases(query: sa.Select, case_id: sa.ColumnElement[int], user: User, filters: DriftFilters) -> sa.Select:
    """Keep the rows of a query about cases (``case_id``) that belong to open cases in scope.

    Joined rather than tested with ``case_id IN (open case ids)``: SQLite builds such a subquery again for
    every query, at several times the cost of the query itself.
    """
    query = query.join(Case, Case.id == case_id).where(Case.stage != CaseStage.CLOSED)
    if filters.school_id:
        query = query.join(Pupil, Pupil.id == Case.pupil_id)
    return _filtered(visible_cases(query, user), filters)


def _load_facts(user: User, filters: DriftFilters, case_ids: list[int], today: date) -> _CaseFacts:
    if not case_ids:
        return _CaseFacts({}, {}, {}, {}, {})
    plans = _of_open_cases(
        sa.select(ActionPlan.case_id, ActionPlan.review_on).where(ActionPlan.review_on < today),
        ActionPlan.case_id,
        user,
        filters,
    )
    contracts = _of_open_cases(
        sa.select(AttendanceContract.case_id, sa.func.min(AttendanceContract.review_on))
        .where(AttendanceContract.ended_on.is_(None), AttendanceContract.review_on < today)
        .group_by(AttendanceContract.case_id),
        AttendanceContract.case_id,
        user,
        filters,
    )
    meetings = _of_open_cases(
        sa.select(Meeting.case_id, sa.func.count(Meeting.id), sa.func.min(Meeting.scheduled_for))
        .where(Meeting.status == MeetingStatus.SCHEDULED, Meeting.scheduled_for < start_of(today))
        .group_by(Meeting.case_id),
        Meeting.case_id,
        user,
        filters,
    )
    notices = _of_open_cases(
        sa.select(NoticeToImprove.case_id, sa.func.max(NoticeToImprove.improvement_ends_on))
        .where(Case.stage == CaseStage.NOTICE_TO_IMPROVE)
        .group_by(NoticeToImprove.case_id),
        NoticeToImprove.case_id,
        user,
        filters,
    )
    return _CaseFacts(
        contacts=last_contacts(case_ids),
        plan_reviews=dict(db.session.execute(plans).all()),
        contract_reviews=dict(db.session.execute(contracts).all()),
        meetings={case_id: (count, first) for case_id, count, first in db.session.execute(meetings)},
        improvement_ends=dict(db.session.execute(notices).all()),
    )


def _drift_row(
    row: sa.Row, facts: _CaseFacts, today: date, last_contact_on: date | None, without_contact: int, threshold: int
) -> DriftRow | None:
    """Return the case's drift, or None when it is not drifting (building only those keeps the report quick)."""
    case_id, reference, stage, stage_changed_at, *_rest = row
    since = local_day(stage_changed_at)
    due_on = stage_due_on(stage, since, facts.improvement_ends.get(case_id))
    meetings = facts.meetings.get(case_id)
    plan_review_on = facts.plan_reviews.get(case_id)
    contract_review_on = facts.contract_reviews.get(case_id)
    flags = (
        without_contact >= threshold,
        today > due_on,
        plan_review_on is not None,
        contract_review_on is not None,
        meetings is not None,
    )
    if not any(flags):
        return None
    return DriftRow(
        case_id=case_id,
        reference=reference or f"case {case_id}",
        pupil_id=row.pupil_id,
        upn=row.upn,
        forename=row.forename,
        surname=row.surname,
        school_id=row.school_id,
        school_urn=row.urn,
        school_name=row.school_name,
        officer_id=row.assigned_officer_id,
        officer_name=row.officer_name,
        stage=CaseStage(stage),
        in_stage_since=since,
        days_in_stage=(today - since).days,
        stage_due_on=due_on,
        last_contact_on=last_contact_on,
        school_days_without_contact=without_contact,
        plan_review_on=plan_review_on,
        contract_review_on=contract_review_on,
        unrecorded_meetings=meetings[0] if meetings else 0,
        first_unrecorded_on=local_day(meetings[1]) if meetings else None,
        reasons=tuple(compress(DRIFT_REASONS, flags)),
    )


def stage_due_on(stage: CaseStage, since: date, improvement_ends_on: date | None = None) -> date:
    """Return the last day a case that entered ``stage`` on ``since`` may stay there under the standard."""
    if stage == CaseStage.NOTICE_TO_IMPROVE and improvement_ends_on is not None:
        return improvement_ends_on
    weeks = STAGE_STANDARDS[stage].weeks or NOTICE_FALLBACK_WEEKS
    return since + timedelta(weeks=weeks)


def sort_drift(rows: list[DriftRow], sort: str, descending: bool) -> list[DriftRow]:
    """Order drift rows by one of ``DRIFT_SORTS`` (then by child), ascending or descending."""
    stages = list(OPEN_STAGES)
    keys: dict[str, Callable[[DriftRow], tuple]] = {
        "child": lambda row: (),
        "school": lambda row: (row.school_name.lower(),),
        "officer": lambda row: (row.officer_name.lower(),),
        "stage": lambda row: (stages.index(row.stage),),
        "in_stage": lambda row: (row.days_in_stage,),
        "contact": lambda row: (row.school_days_without_contact,),
        "reasons": lambda row: (len(row.reasons),),
    }
    first = keys.get(sort, keys["contact"])
    return sorted(
        rows,
        key=lambda row: (*first(row), row.surname.lower(), row.forename.lower(), row.case_id),
        reverse=descending,
    )


def reason_counts(rows: Iterable[DriftRow]) -> dict[str, int]:
    """Count the rows drifting for each reason."""
    counts = Counter(reason for row in rows for reason in row.reasons)
    return {reason: counts[reason] for reason in DRIFT_REASONS}


DRIFT_CSV_HEADER = [
    "case_reference",
    "upn",
    "forename",
    "surname",
    "school_urn",
    "school",
    "officer",
    "stage",
    "in_stage_since",
    "days_in_stage",
    "stage_due_on",
    "last_contact_on",
    "school_days_without_contact",
    "plan_review_on",
    "contract_review_on",
    "meetings_not_recorded",
    "first_unrecorded_meeting_on",
    "reasons",
]


def drift_csv_rows(rows: Iterable[DriftRow]) -> list[list[object]]:
    """Return the drift report as CSV rows (dates in ISO form, reasons separated by semicolons)."""
    return [
        [
            row.reference,
            row.upn,
            row.forename,
            row.surname,
            row.school_urn,
            row.school_name,
            row.officer_name,
            row.stage.value,
            row.in_stage_since.isoformat(),
            row.days_in_stage,
            row.stage_due_on.isoformat(),
            _iso(row.last_contact_on),
            row.school_days_without_contact,
            _iso(row.plan_review_on),
            _iso(row.contract_review_on),
            row.unrecorded_meetings,
            _iso(row.first_unrecorded_on),
            ";".join(row.reasons),
        ]
        for row in rows
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class WaitingReferral:
    referral_id: int
    pupil_name: str
    school_name: str
    referred_on: date
    working_days: int


def referrals_waiting(
    user: User, filters: DriftFilters = DriftFilters(), *, today: date | None = None
) -> list[WaitingReferral]:
    """Return the referrals waiting more than ``REFERRAL_WORKING_DAYS`` working days for a decision, oldest first.

    The officer filter keeps the referrals from the schools in that officer's patch.
    """
    today = today or clock.today()
    query = (
        sa.select(Referral.id, Referral.referred_at, Pupil.forename, Pupil.surname, School.name)
        .join(Pupil, Pupil.id == Referral.pupil_id)
        .join(School, School.id == Referral.school_id)
        .where(Referral.status == ReferralStatus.PENDING, Referral.referred_at < start_of(today))
        .order_by(Referral.referred_at, Referral.id)
    )
    query = scoping.of_visible_pupils(query, Referral.pupil_id, user)
    if filters.school_id:
        query = query.where(Referral.school_id == filters.school_id)
    if filters.officer_id:
        patch = sa.select(user_schools.c.school_id).where(user_schools.c.user_id == filters.officer_id)
        query = query.where(Referral.school_id.in_(patch))
    waiting = []
    for referral_id, referred_at, forename, surname, school_name in db.session.execute(query):
        referred_on = local_day(referred_at)
        days = working_days_after(referred_on, today)
        if days > REFERRAL_WORKING_DAYS:
            waiting.append(WaitingReferral(referral_id, f"{forename} {surname}", school_name, referred_on, days))
    return waiting


def drift_summary(user: User, rows: list[DriftRow] | None = None) -> dict[str, int]:
    """Count, for a manager's home page, the drifting cases, each reason, and referrals waiting too long
    (``rows``: the user's drift, when already worked out)."""
    rows = drift(user) if rows is None else rows
    return {"drifting": len(rows), **reason_counts(rows), "referrals_waiting": len(referrals_waiting(user))}


# --- caseloads --------------------------------------------------------------------------------------------


@dataclass
class OfficerCaseload:
    """One person's open cases by stage, with what is overdue on them."""

    officer_id: int | None
    name: str
    role: Role | None = None
    active: bool = True
    by_stage: dict[CaseStage, int] = field(default_factory=dict)
    overdue_actions: int = 0
    plan_reviews: int = 0
    meetings_to_record: int = 0
    no_contact: int = 0
    drifting: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_stage.values())

    @property
    def legal(self) -> int:
        return sum(self.by_stage.get(stage, 0) for stage in LEGAL_CASELOAD_STAGES)


@dataclass(frozen=True)
class TeamCaseloads:
    officers: list[OfficerCaseload]
    totals: OfficerCaseload


def caseloads(user: User, *, today: date | None = None, drifting: list[DriftRow] | None = None) -> TeamCaseloads:
    """Return every officer's open cases by stage (officers with none too), with their overdue items and drift
    (``drifting``: the user's drift on ``today``, when already worked out)."""
    today = today or clock.today()
    counts = db.session.execute(
        visible_cases(
            sa.select(Case.assigned_officer_id, Case.stage, sa.func.count(Case.id))
            .where(Case.stage != CaseStage.CLOSED)
            .group_by(Case.assigned_officer_id, Case.stage),
            user,
        )
    ).all()
    holders = {officer_id for officer_id, _stage, _count in counts}
    people = {
        person.id: OfficerCaseload(person.id, person.name, person.role, person.active)
        for person in db.session.scalars(
            sa.select(User)
            .where(sa.or_(sa.and_(User.role == Role.OFFICER, User.active.is_(True)), User.id.in_(holders)))
            .order_by(User.name, User.id)
        )
    }
    for officer_id, stage, count in counts:
        people[officer_id].by_stage[CaseStage(stage)] = count
    for officer_id, count in _overdue_actions_by_officer(user, today):
        people[officer_id].overdue_actions = count
    for row in drift(user, today=today) if drifting is None else drifting:
        person = people[row.officer_id]
        person.plan_reviews += row.plan_review_on is not None
        person.meetings_to_record += row.unrecorded_meetings
        person.no_contact += "no_contact" in row.reasons
        person.drifting += bool(row.reasons)
    officers = list(people.values())
    return TeamCaseloads(officers, _totals(officers))


def _overdue_actions_by_officer(user: User, today: date) -> list[tuple[int, int]]:
    query = (
        sa.select(Case.assigned_officer_id, sa.func.count(Action.id))
        .join(ActionPlan, ActionPlan.id == Action.plan_id)
        .join(Case, Case.id == ActionPlan.case_id)
        .where(
            Case.stage != CaseStage.CLOSED,
            Action.status.in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
            Action.due_on < today,
        )
        .group_by(Case.assigned_officer_id)
    )
    return db.session.execute(visible_cases(query, user)).all()


def _totals(officers: list[OfficerCaseload]) -> OfficerCaseload:
    totals = OfficerCaseload(None, "All officers")
    for person in officers:
        for stage, count in person.by_stage.items():
            totals.by_stage[stage] = totals.by_stage.get(stage, 0) + count
        for name in ("overdue_actions", "plan_reviews", "meetings_to_record", "no_contact", "drifting"):
            setattr(totals, name, getattr(totals, name) + getattr(person, name))
    return totals
