"""Meetings about a case: scheduled ahead, then recorded (who came, views, decisions, actions) or cancelled.

Who may (the views declare the roles; the rule on cancelling is enforced here):

- officers and managers schedule, record and cancel meetings on any case they can see;
- school attendance leads see the meetings of their school's cases, and schedule and record meetings there
  too, because schools hold family attendance meetings themselves; they may cancel only the meetings they
  scheduled (``may_cancel``);
- a closed case takes no new meetings or records.

A held meeting at which a parent or carer is recorded as attending is what the workflow's guards read as "a
meeting with the family is recorded" (``services.transitions.load_facts``). Actions agreed at a meeting go
straight into the case's action plan (``services.plans.add_meeting_actions``). A cancelled meeting keeps the
reason it was cancelled in ``summary``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ewo_cases import clock, scoping
from ewo_cases.extensions import db
from ewo_cases.models import (
    Case,
    CaseParticipant,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
    MeetingCorrection,
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
    Role,
    User,
)
from ewo_cases.services import audit, plans
from ewo_cases.services.errors import ConflictError, ServiceError, check_version
from ewo_cases.services.record_dates import check_arranged, check_happened
from workflows import ENGLAND, CaseStage

#: Who is ticked on a new meeting's invitation list to start with.
INVITED_BY_DEFAULT = frozenset({ParticipantRole.PARENT_CARER, ParticipantRole.CASE_OFFICER})
ANSWERS = frozenset({MeetingAttendance.ATTENDED, MeetingAttendance.APOLOGIES, MeetingAttendance.DID_NOT_ATTEND})


@dataclass(frozen=True)
class MeetingRecord:
    """What happened at a meeting. ``attendance`` answers, for each attendee id, whether they came."""

    held_on: date
    attendance: Mapping[int, MeetingAttendance]
    child_attended: bool
    summary: str
    child_views: str = ""
    family_views: str = ""
    decisions: str = ""
    others_attended: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class MeetingArrangements:
    """When and where a meeting is, and who is invited (participant ids)."""

    on: date
    at: time
    place: str
    invitee_ids: Sequence[int]


@dataclass(frozen=True)
class MeetingNarrative:
    """What a held meeting's record says: as first recorded, or as last corrected."""

    summary: str
    decisions: str = ""
    child_views: str = ""
    family_views: str = ""


class CaseMeetings(NamedTuple):
    """A case's meetings: scheduled (soonest first), held (latest first) and cancelled."""

    scheduled: list[Meeting]
    held: list[Meeting]
    cancelled: list[Meeting]


class MeetingOnCase(NamedTuple):
    """A meeting with the case it is about, for lists across cases."""

    meeting: Meeting
    case: Case


# --- reading ----------------------------------------------------------------------------------------------


def meeting_or_404(case: Case, meeting_id: int) -> Meeting:
    """A meeting about the case, or 404 (a meeting of another case is indistinguishable from none)."""
    query = (
        sa.select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.case_id == case.id)
        .options(_with_attendees(), selectinload(Meeting.created_by), selectinload(Meeting.recorded_by))
    )
    return scoping.one_or_404(query)


def meetings_of(case: Case) -> CaseMeetings:
    """The case's meetings, grouped by status."""
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.case_id == case.id).options(_with_attendees()).order_by(Meeting.scheduled_for)
    ).all()
    held = [meeting for meeting in meetings if meeting.status == MeetingStatus.HELD]
    return CaseMeetings(
        scheduled=[meeting for meeting in meetings if meeting.status == MeetingStatus.SCHEDULED],
        held=sorted(held, key=lambda meeting: (meeting.held_on, meeting.id), reverse=True),
        cancelled=[meeting for meeting in meetings if meeting.status == MeetingStatus.CANCELLED],
    )


def invitee_choices(case: Case) -> list[tuple[int, str]]:
    """The people who can be invited: everyone currently involved in the case."""
    return [(person.id, plans.describe_participant(person)) for person in plans.participants_of(case)]


def default_invitees(case: Case) -> list[int]:
    """The people usually invited: the parents and carers and the case's officer."""
    return [person.id for person in plans.participants_of(case) if person.role in INVITED_BY_DEFAULT]


def attendee_label(attendee: MeetingAttendee) -> str:
    """An invitee's name with their part in the case, so two people of one name can be told apart."""
    if attendee.participant is not None:
        return plans.describe_participant(attendee.participant)
    return attendee.display_name


def narrative(meeting: Meeting) -> MeetingNarrative:
    """What the meeting's record now says: its latest correction, or what was first recorded."""
    source = meeting.corrections[-1] if meeting.corrections else meeting
    return MeetingNarrative(source.summary, source.decisions, source.child_views, source.family_views)


def attended(meeting: Meeting) -> list[MeetingAttendee]:
    """The people recorded as having come to the meeting."""
    return [person for person in meeting.attendees if person.attendance == MeetingAttendance.ATTENDED]


def is_overdue_for_record(meeting: Meeting) -> bool:
    """Whether a scheduled meeting's day has passed without a record of it."""
    return meeting.status == MeetingStatus.SCHEDULED and _local_day(meeting.scheduled_for) < clock.today()


def may_cancel(user: User, meeting: Meeting) -> bool:
    """Whether ``user`` may cancel or rearrange the meeting (while it is scheduled): school leads only those
    they arranged."""
    return user.role != Role.SCHOOL_LEAD or meeting.created_by_id == user.id


def may_correct(user: User, meeting: Meeting) -> bool:
    """Whether ``user`` may correct the record of a held meeting: school leads only the records they made."""
    return user.role != Role.SCHOOL_LEAD or meeting.recorded_by_id == user.id


def upcoming_meetings(user: User, days: int = 14, *, officer_id: int | None = None) -> list[MeetingOnCase]:
    """Scheduled meetings from today for ``days`` days on the open cases ``user`` may see (only those assigned
    to ``officer_id``, if given), soonest first."""
    today = clock.today()
    return _scheduled(
        user,
        officer_id,
        Meeting.scheduled_for >= _start_of(today),
        Meeting.scheduled_for < _start_of(today + timedelta(days=days + 1)),
    )


def meetings_to_record(user: User, *, officer_id: int | None = None) -> list[MeetingOnCase]:
    """Scheduled meetings whose day has passed with no record, on the open cases ``user`` may see (only those
    assigned to ``officer_id``, if given)."""
    return _scheduled(user, officer_id, Meeting.scheduled_for < _start_of(clock.today()))


def _scheduled(user: User, officer_id: int | None, *conditions: sa.ColumnElement[bool]) -> list[MeetingOnCase]:
    if officer_id is not None:
        # Filtered here rather than by the caller, so that other officers' meetings (and their attendees) are
        # never loaded.
        conditions = (*conditions, Case.assigned_officer_id == officer_id)
    rows = db.session.execute(
        scoping.of_visible_cases(sa.select(Meeting, Case), Case.id, user)
        .join(Case, Case.id == Meeting.case_id)
        .where(Case.stage != CaseStage.CLOSED, Meeting.status == MeetingStatus.SCHEDULED)
        .where(*conditions)
        .options(_with_attendees(), selectinload(Case.pupil))
        .order_by(Meeting.scheduled_for, Meeting.id)
    ).all()
    return [MeetingOnCase(meeting, case) for meeting, case in rows]


# --- changing ---------------------------------------------------------------------------------------------


def schedule_meeting(case: Case, *, kind: MeetingKind, arrangements: MeetingArrangements, actor: User) -> Meeting:
    """Arrange a meeting about the case and invite people involved in it."""
    _check_case_open(case)
    meeting = Meeting(case_id=case.id, kind=kind, created_by_id=actor.id)
    _arrange(meeting, case, arrangements)
    db.session.add(meeting)
    audit.record(
        actor,
        "meeting.scheduled",
        meeting,
        f"{kind.label} arranged on {case}",
        case=case.id,
        on=arrangements.on.isoformat(),
    )
    return meeting


def reschedule_meeting(
    meeting: Meeting, arrangements: MeetingArrangements, *, expected_version: int | None, actor: User
) -> Meeting:
    """Move a scheduled meeting to another day, time or place, or change who is invited."""
    check_version(meeting, expected_version)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ConflictError("meeting has already been recorded or cancelled")
    case = db.session.get(Case, meeting.case_id)
    _check_case_open(case)
    before = (meeting.scheduled_for, meeting.place, _invited(meeting))
    _arrange(meeting, case, arrangements)
    after = (meeting.scheduled_for, meeting.place, _invited(meeting))
    if before == after:
        raise ServiceError("Nothing has changed: change the date, time, place or who is invited", field="date")
    audit.record(
        actor,
        "meeting.rearranged",
        meeting,
        f"{meeting.kind.label} rearranged on {case}",
        case=case.id,
        on=arrangements.on.isoformat(),
        invited=sorted(after[2]),
    )
    db.session.flush()
    return meeting


def _invited(meeting: Meeting) -> frozenset[int]:
    return frozenset(attendee.participant.id for attendee in meeting.attendees if attendee.participant is not None)


def _arrange(meeting: Meeting, case: Case, arrangements: MeetingArrangements) -> None:
    """Set when and where, and the invitations: new invitees are added, those no longer invited removed."""
    check_arranged(case, arrangements.on, what="The date of the meeting", field="date")
    choices = {person.id: person for person in plans.participants_of(case)}
    invited = list(dict.fromkeys(arrangements.invitee_ids))
    if not invited or any(person_id not in choices for person_id in invited):
        raise ServiceError("Choose who is invited from the list", field="invitees")
    meeting.scheduled_for = datetime.combine(arrangements.on, arrangements.at, tzinfo=ENGLAND).astimezone(UTC)
    meeting.place = arrangements.place.strip()
    already = {attendee.participant_id: attendee for attendee in meeting.attendees}
    meeting.attendees = [
        already.get(person_id) or MeetingAttendee(participant=choices[person_id]) for person_id in invited
    ]


def record_meeting(
    meeting: Meeting,
    record: MeetingRecord,
    *,
    actions: Sequence[plans.NewAction] = (),
    plan_review_on: date | None = None,
    expected_version: int | None,
    actor: User,
) -> Meeting:
    """Record what happened at a scheduled meeting, and put the actions it agreed into the case's plan."""
    check_version(meeting, expected_version)
    case = db.session.get(Case, meeting.case_id)
    _check_can_record(meeting, case, record)
    for attendee in meeting.attendees:
        attendee.attendance = record.attendance[attendee.id]
    meeting.attendees.extend(
        MeetingAttendee(name=name.strip()[:200], attendance=MeetingAttendance.ATTENDED)
        for name in record.others_attended
        if name.strip()
    )
    _write_record(meeting, record, actor)
    audit.record(
        actor,
        "meeting.recorded",
        meeting,
        f"{meeting.kind.label} held on {case}",
        case=case.id,
        held_on=record.held_on.isoformat(),
        attended=[person.display_name for person in attended(meeting)],
    )
    plans.add_meeting_actions(case, meeting, actions, review_on=plan_review_on, actor=actor)
    return meeting


def correct_meeting(
    meeting: Meeting, corrected: MeetingNarrative, *, reason: str, expected_version: int | None, actor: User
) -> MeetingCorrection:
    """Correct what a held meeting's record says, keeping what it said before and why it changed."""
    check_version(meeting, expected_version)
    if not may_correct(actor, meeting):
        raise ServiceError("School staff can correct only the meeting records they made", field="reason")
    if meeting.status != MeetingStatus.HELD:
        raise ServiceError("Only the record of a meeting that has been held can be corrected", field="summary")
    if not reason.strip():
        raise ServiceError("Say why the record needs correcting", field="reason")
    text = MeetingNarrative(
        *(
            part.strip()
            for part in (corrected.summary, corrected.decisions, corrected.child_views, corrected.family_views)
        )
    )
    if not text.summary:
        raise ServiceError("Enter a summary of the meeting", field="summary")
    if text == narrative(meeting):
        raise ServiceError("Nothing has changed: correct the summary, decisions or views", field="summary")
    correction = MeetingCorrection(
        meeting_id=meeting.id,
        summary=text.summary,
        decisions=text.decisions,
        child_views=text.child_views,
        family_views=text.family_views,
        reason=reason.strip(),
        corrected_by_id=actor.id,
    )
    meeting.corrections.append(correction)
    # Touch the meeting so its version moves on: a second correction made from the same page is a conflict.
    meeting.updated_at = clock.now()
    audit.record(
        actor,
        "meeting.corrected",
        meeting,
        f"Record of the {meeting.kind.label.lower()} corrected",
        case=meeting.case_id,
    )
    db.session.flush()
    return correction


def cancel_meeting(meeting: Meeting, *, reason: str, expected_version: int | None, actor: User) -> Meeting:
    """Call off a scheduled meeting, saying why."""
    check_version(meeting, expected_version)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ConflictError("meeting has already been recorded or cancelled")
    if not may_cancel(actor, meeting):
        raise ServiceError("Only the person who arranged this meeting, or an officer, can cancel it", field="reason")
    meeting.status, meeting.summary = MeetingStatus.CANCELLED, reason.strip()
    audit.record(
        actor, "meeting.cancelled", meeting, f"{meeting.kind.label} cancelled", case=meeting.case_id, reason=reason
    )
    db.session.flush()
    return meeting


def _check_can_record(meeting: Meeting, case: Case, record: MeetingRecord) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ConflictError("meeting has already been recorded or cancelled")
    _check_case_open(case)
    check_happened(case, record.held_on, what="The date the meeting was held", field="held_on")
    for attendee in meeting.attendees:
        if record.attendance.get(attendee.id) not in ANSWERS:
            raise ServiceError(f"Say whether {attendee_label(attendee)} attended", field=f"attendee_{attendee.id}")


def _write_record(meeting: Meeting, record: MeetingRecord, actor: User) -> None:
    meeting.status, meeting.held_on, meeting.child_attended = MeetingStatus.HELD, record.held_on, record.child_attended
    meeting.child_views, meeting.family_views = record.child_views.strip(), record.family_views.strip()
    meeting.summary, meeting.decisions = record.summary.strip(), record.decisions.strip()
    meeting.recorded_by_id = actor.id
    db.session.flush()


def _check_case_open(case: Case) -> None:
    if case.stage == CaseStage.CLOSED:
        raise ServiceError("The case is closed: reopen it to arrange or record meetings")


def _with_attendees():
    return (
        selectinload(Meeting.attendees)
        .selectinload(MeetingAttendee.participant)
        .options(
            selectinload(CaseParticipant.carer),
            selectinload(CaseParticipant.user),
            selectinload(CaseParticipant.professional),
        )
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ENGLAND).astimezone(UTC)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(ENGLAND).date()
