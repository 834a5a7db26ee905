"""A case's chronology: notes of contact (append-only, corrected by new notes), and one timeline of everything
that has happened on the case, gathered from the records where each thing is kept."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

import workflows
from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionPlan,
    ActionProgress,
    Approval,
    ApprovalStatus,
    AuditEvent,
    Case,
    CaseParticipant,
    CaseRecord,
    CaseTransition,
    Eso,
    Letter,
    Meeting,
    MeetingCorrection,
    MeetingStatus,
    Note,
    NoteKind,
    NoticeToImprove,
    PenaltyNotice,
    Prosecution,
    Role,
    User,
)
from ewo_cases.models.chronology import TIMELINE_KINDS
from ewo_cases.services import audit
from ewo_cases.services.approvals import APPROVAL_LABELS
from ewo_cases.services.errors import ServiceError
from ewo_cases.services.meetings import narrative
from ewo_cases.services.record_dates import check_happened
from ewo_cases.templating import LONDON, format_date, format_datetime

#: Notes that record contact with the family (``other`` may be a note to file).
CONTACT_KINDS = (NoteKind.PHONE_CALL, NoteKind.HOME_VISIT, NoteKind.EMAIL, NoteKind.LETTER, NoteKind.CONVERSATION)

#: The audit trail's record of who joined, left or changed their part in a case, which the timeline shows.
PARTICIPANT_EVENTS = (
    "participant.added",
    "participant.ended",
    "participant.role_changed",
    "participant.made_lead",
    "participant.lead_handed_over",
)


@dataclass(frozen=True)
class EntryLink:
    """A link from one timeline entry to another on the same page."""

    anchor: str
    text: str


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened on a case, as the timeline shows it."""

    when: datetime
    kind: str
    title: str
    body: str = ""
    details: tuple[tuple[str, str], ...] = ()
    author: str = ""
    link: str | None = None
    link_text: str = ""
    significant: bool = False
    #: True when only the day is known (a meeting held, a letter served): show the date without a time.
    date_only: bool = False
    anchor: str = ""
    #: A word about the entry's state: "Corrected", "Withdrawn", "Cancelled".
    tag: str = ""
    corrected_by: EntryLink | None = None
    corrects: EntryLink | None = None
    #: For a correction, the text of the entry it corrects.
    original_text: str = ""
    #: The note an entry shows, its kind and who wrote it, so the page can offer to correct it.
    note_id: int | None = None
    note_kind: NoteKind | None = None
    author_id: int | None = None


# --- notes ------------------------------------------------------------------------------------------------


def add_note(
    case: Case, *, kind: NoteKind, occurred_at: datetime, summary: str, significant: bool, actor: User
) -> Note:
    """Record a contact or event on the case's chronology."""
    _check_occurred_at(case, occurred_at)
    note = Note(
        case_id=case.id,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary.strip(),
        significant=significant,
        author_id=actor.id,
    )
    db.session.add(note)
    audit.record(actor, "note.added", note, f"{kind.label} noted on {case}", case=case.id, significant=significant)
    return note


def correct_note(
    note: Note,
    *,
    kind: NoteKind,
    occurred_at: datetime,
    summary: str,
    significant: bool,
    reason: str,
    actor: User,
) -> Note:
    """Correct a note by adding one that names it and says why; the original is kept as it was."""
    db.session.execute(sa.select(Note.id).where(Note.id == note.id).with_for_update())
    if correction_of(note) is not None:
        raise ServiceError("This note has already been corrected: correct the latest version", field="summary")
    if not may_correct(actor, note.author_id):
        raise ServiceError("School staff can correct only the notes they wrote", field="summary")
    if not reason.strip():
        raise ServiceError("Say why the note needs correcting", field="reason")
    _check_occurred_at(db.session.get(Case, note.case_id), occurred_at)
    correction = Note(
        case_id=note.case_id,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary.strip(),
        significant=significant,
        author_id=actor.id,
        corrects_id=note.id,
        correction_reason=reason.strip(),
    )
    db.session.add(correction)
    audit.record(actor, "note.corrected", correction, f"Corrected a {note.kind.label.lower()} note", case=note.case_id)
    return correction


def may_correct(user: User, author_id: int | None) -> bool:
    """Whether ``user`` may correct a note written by ``author_id``: school staff only their own notes."""
    return user.role != Role.SCHOOL_LEAD or author_id == user.id


def correction_of(note: Note) -> Note | None:
    """Return the note that corrects ``note``, if there is one."""
    return db.session.scalar(sa.select(Note).where(Note.corrects_id == note.id))


def _check_occurred_at(case: Case, occurred_at: datetime) -> None:
    check_happened(case, occurred_at.astimezone(LONDON).date(), what="The date it happened", field="occurred_on")
    if occurred_at > clock.now():
        raise ServiceError("The time it happened must be in the past", field="occurred_time")


def last_contact(case: Case) -> datetime | None:
    """Return when the family was last in contact: the latest contact note or meeting held."""
    return last_contacts([case.id]).get(case.id)


def last_contacts(case_ids: Iterable[int]) -> dict[int, datetime]:
    """Return the last contact of each case (cases with none are missing), in two queries for any number."""
    ids = list(case_ids)
    corrected = sa.select(Note.corrects_id).where(Note.corrects_id.is_not(None))
    notes = db.session.execute(
        sa.select(Note.case_id, sa.func.max(Note.occurred_at))
        .where(Note.case_id.in_(ids), Note.kind.in_(CONTACT_KINDS), Note.id.not_in(corrected))
        .group_by(Note.case_id)
    ).all()
    meetings = db.session.execute(
        sa.select(Meeting.case_id, sa.func.max(Meeting.held_on))
        .where(Meeting.case_id.in_(ids), Meeting.status == MeetingStatus.HELD, Meeting.held_on.is_not(None))
        .group_by(Meeting.case_id)
    ).all()
    latest: dict[int, datetime] = {}
    moments = [(case_id, _aware(moment)) for case_id, moment in notes if moment]
    moments += [(case_id, _midday(day)) for case_id, day in meetings if day]
    for case_id, moment in moments:
        if case_id not in latest or moment > latest[case_id]:
            latest[case_id] = moment
    return latest


def _aware(moment: datetime) -> datetime:
    """Treat a naive time from the database as UTC, which is how every time is stored."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _midday(day: date) -> datetime:
    """A day as a moment, for sorting it among timed events."""
    return datetime.combine(day, time(12), LONDON)


# --- the timeline -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilter:
    """Which entries to show: kinds of entry, kinds of note, significant events only, and a range of days."""

    kinds: Collection[str] = ()
    note_kinds: Collection[NoteKind] = ()
    significant_only: bool = False
    since: date | None = None
    until: date | None = None

    def keeps(self, entry: TimelineEntry) -> bool:
        day = entry.when.astimezone(LONDON).date()
        return (
            (not self.significant_only or entry.significant)
            and (not self.note_kinds or entry.note_kind in self.note_kinds)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
        )


def timeline(case: Case, chosen: TimelineFilter = TimelineFilter()) -> list[TimelineEntry]:
    """Return everything that has happened on ``case`` (or what the filter keeps), newest first.

    Choosing kinds of note shows notes of those kinds only."""
    kinds = {"note"} if chosen.note_kinds and not chosen.kinds else set(chosen.kinds)
    sources = [kind for kind in TIMELINE_KINDS if not kinds or kind in kinds]
    entries = [entry for kind in sources for entry in _SOURCES[kind](case) if chosen.keeps(entry)]
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _note_entries(case: Case) -> list[TimelineEntry]:
    notes = db.session.scalars(
        sa.select(Note).where(Note.case_id == case.id).options(selectinload(Note.author)).order_by(Note.id)
    ).all()
    by_id = {note.id: note for note in notes}
    corrections = {note.corrects_id: note for note in notes if note.corrects_id}
    return [_note_entry(note, by_id.get(note.corrects_id), corrections.get(note.id)) for note in notes]


def _note_entry(note: Note, original: Note | None, correction: Note | None) -> TimelineEntry:
    details = [("Recorded", format_datetime(note.recorded_at))]
    if original is not None:
        details.append(("Reason for correction", note.correction_reason))
    return TimelineEntry(
        when=note.occurred_at,
        kind="note",
        title=f"{note.kind.label} (correction)" if original else note.kind.label,
        body=note.summary,
        details=tuple(details),
        author=note.author.name,
        significant=note.significant,
        anchor=f"note-{note.id}",
        tag="Corrected" if correction else "",
        corrected_by=_correction_link(correction),
        corrects=_original_link(original),
        original_text=original.summary if original else "",
        note_id=note.id,
        note_kind=note.kind,
        author_id=note.author_id,
    )


def _correction_link(correction: Note | None) -> EntryLink | None:
    if correction is None:
        return None
    written = f"{format_datetime(correction.recorded_at)} by {correction.author.name}"
    return EntryLink(f"note-{correction.id}", f"See the correction written {written}")


def _original_link(original: Note | None) -> EntryLink | None:
    if original is None:
        return None
    note = f"{original.kind.label.lower()} note of {format_datetime(original.occurred_at)}"
    return EntryLink(f"note-{original.id}", f"Corrects the {note}, written by {original.author.name}")


def _meeting_entries(case: Case) -> list[TimelineEntry]:
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.case_id == case.id)
        .options(
            selectinload(Meeting.created_by),
            selectinload(Meeting.recorded_by),
            selectinload(Meeting.corrections).selectinload(MeetingCorrection.corrected_by),
        )
    ).all()
    entries = []
    for meeting in meetings:
        link = _url("meetings.show", case_id=case.id, meeting_id=meeting.id)
        entries.append(
            TimelineEntry(
                when=meeting.created_at,
                kind="meeting",
                title=f"{meeting.kind.label} arranged for {format_datetime(meeting.scheduled_for)}",
                details=(("Place", meeting.place),) if meeting.place else (),
                author=meeting.created_by.name,
                link=link,
                link_text="View the meeting",
                tag="Cancelled" if meeting.status == MeetingStatus.CANCELLED else "",
            )
        )
        if meeting.status == MeetingStatus.HELD and meeting.held_on:
            entries.append(_held_meeting_entry(meeting, link))
        entries += [
            TimelineEntry(
                when=correction.corrected_at,
                kind="meeting",
                title=f"Record of the {meeting.kind.label.lower()} of {format_date(meeting.held_on)} corrected",
                details=(("Reason for correction", correction.reason),),
                author=correction.corrected_by.name,
                link=link,
                link_text="View the meeting and what its record said before",
            )
            for correction in meeting.corrections
        ]
    return entries


def _held_meeting_entry(meeting: Meeting, link: str | None) -> TimelineEntry:
    record = narrative(meeting)
    details = [("Decisions", record.decisions)] if record.decisions else []
    if meeting.child_attended is not None:
        details.append(("Child attended", "Yes" if meeting.child_attended else "No"))
    return TimelineEntry(
        when=_midday(meeting.held_on),
        kind="meeting",
        title=f"{meeting.kind.label} held",
        body=record.summary,
        tag="Corrected" if meeting.corrections else "",
        details=tuple(details),
        author=meeting.recorded_by.name if meeting.recorded_by else "",
        link=link,
        link_text="View the meeting",
        date_only=True,
    )


def _action_entries(case: Case) -> list[TimelineEntry]:
    actions = db.session.scalars(
        sa.select(Action)
        .join(ActionPlan, ActionPlan.id == Action.plan_id)
        .where(ActionPlan.case_id == case.id)
        .options(selectinload(Action.progress).selectinload(ActionProgress.author))
    ).all()
    authors = _names({action.created_by_id for action in actions})
    link = _url("plans.show", case_id=case.id)
    entries = []
    for action in actions:
        entries.append(
            TimelineEntry(
                when=action.created_at,
                kind="action",
                title=f"Action agreed: {action.description}",
                details=(("Owner", action.owner.label), ("Due", format_date(action.due_on))),
                author=authors.get(action.created_by_id, ""),
                link=link,
                link_text="View the action plan",
            )
        )
        entries += [_progress_entry(action, progress, link) for progress in action.progress]
    return entries


def _progress_entry(action: Action, progress: ActionProgress, link: str | None) -> TimelineEntry:
    return TimelineEntry(
        when=progress.recorded_at,
        kind="action",
        title=f"Progress on action: {action.description}",
        body=progress.note,
        details=(("Status", progress.status.label),),
        author=progress.author.name,
        link=link,
        link_text="View the action plan",
    )


def _letter_entries(case: Case) -> list[TimelineEntry]:
    letters = db.session.scalars(
        sa.select(Letter)
        .where(Letter.case_id == case.id)
        .options(
            selectinload(Letter.addressee),
            selectinload(Letter.generated_by),
            selectinload(Letter.served_by),
        )
    ).all()
    entries = []
    for letter in letters:
        to = letter.addressee.name if letter.addressee else "no addressee"
        link = _url("letters.show", case_id=case.id, letter_id=letter.id)
        entries.append(
            TimelineEntry(
                when=letter.generated_at,
                kind="letter",
                title=f"{letter.kind.label} letter to {to} made",
                body=letter.subject,
                author=letter.generated_by.name,
                link=link,
                link_text="View the letter",
            )
        )
        if letter.served_on:
            entries.append(
                TimelineEntry(
                    when=_midday(letter.served_on),
                    kind="letter",
                    title=f"{letter.kind.label} letter to {to} served {letter.service_method.label.lower()}",
                    author=letter.served_by.name if letter.served_by else "",
                    link=link,
                    link_text="View the letter",
                    date_only=True,
                )
            )
    return entries


def _stage_entries(case: Case) -> list[TimelineEntry]:
    rows = db.session.scalars(
        sa.select(CaseTransition).where(CaseTransition.case_id == case.id).options(selectinload(CaseTransition.actor))
    ).all()
    return [_stage_entry(row) for row in rows]


def _stage_entry(row: CaseTransition) -> TimelineEntry:
    to_stage = workflows.STAGE_LABELS.get(row.to_stage, row.to_stage)
    if row.trigger == "open":
        title = f"Case opened: {to_stage}"
    else:
        from_stage = workflows.STAGE_LABELS.get(row.from_stage, row.from_stage)
        title = f"{workflows.TRIGGER_LABELS.get(row.trigger, row.trigger)}: {from_stage} to {to_stage}"
    evidence = row.evidence or {}
    details = []
    if evidence.get("attendance_pct") is not None:
        details.append(("Attendance then", f"{evidence['attendance_pct']:.1f}%"))
    if row.approval_id:
        details.append(("Approved", "With a manager's approval"))
    return TimelineEntry(
        when=row.occurred_at,
        kind="stage",
        title=title,
        body=row.reason,
        details=tuple(details),
        author=row.actor.name,
        significant=True,
    )


def _approval_entries(case: Case) -> list[TimelineEntry]:
    approvals = db.session.scalars(
        sa.select(Approval)
        .where(Approval.case_id == case.id)
        .options(selectinload(Approval.requested_by), selectinload(Approval.decided_by))
    ).all()
    entries = []
    for approval in approvals:
        step = APPROVAL_LABELS.get(approval.trigger, approval.trigger)
        entries.append(
            TimelineEntry(
                when=approval.requested_at,
                kind="approval",
                title=f"Approval asked for: {step}",
                body=approval.reason,
                author=approval.requested_by.name,
            )
        )
        if approval.decided_at and approval.status != ApprovalStatus.PENDING:
            verdict = "given" if approval.status == ApprovalStatus.APPROVED else "refused"
            entries.append(
                TimelineEntry(
                    when=approval.decided_at,
                    kind="approval",
                    title=f"Approval {verdict}: {step}",
                    body=approval.comment,
                    author=approval.decided_by.name if approval.decided_by else "",
                )
            )
    return entries


def _record_entries(case: Case) -> list[TimelineEntry]:
    records = db.session.scalars(
        sa.select(CaseRecord)
        .where(CaseRecord.case_id == case.id)
        .options(selectinload(CaseRecord.recorded_by))
        .order_by(CaseRecord.id)
    ).all()
    withdrawn = {record.withdraws_id for record in records if record.withdraws_id}
    return [
        TimelineEntry(
            when=_midday(record.occurred_on),
            kind="record",
            title=f"Withdrawn: {record.kind.label}" if record.withdraws_id else record.kind.label,
            body=record.details,
            details=(("Recorded", format_datetime(record.recorded_at)),),
            author=record.recorded_by.name,
            date_only=True,
            anchor=f"record-{record.id}",
            tag="Withdrawn" if record.id in withdrawn else "",
        )
        for record in records
    ]


def _legal_entries(case: Case) -> list[TimelineEntry]:
    link = _url("legal.show", case_id=case.id)
    entries = [
        *_notice_to_improve_entries(case),
        *_penalty_notice_entries(case),
        *_eso_entries(case),
        *_prosecution_entries(case),
    ]
    return [replace(entry, link=link) for entry in entries]


def _notice_to_improve_entries(case: Case) -> list[TimelineEntry]:
    notices = db.session.scalars(
        sa.select(NoticeToImprove)
        .where(NoticeToImprove.case_id == case.id)
        .options(selectinload(NoticeToImprove.issued_by))
    ).all()
    entries = []
    for notice in notices:
        period = f"{format_date(notice.improvement_starts_on)} to {format_date(notice.improvement_ends_on)}"
        entries.append(
            _legal_entry(
                notice.issued_on,
                "Notice to improve issued",
                notice.sufficient_improvement,
                author=notice.issued_by.name,
                details=(("Improvement period", period),),
            )
        )
        if notice.outcome_recorded_on and notice.improved is not None:
            outcome = "improved enough" if notice.improved else "did not improve enough"
            title = f"Notice to improve: attendance {outcome}"
            entries.append(_legal_entry(notice.outcome_recorded_on, title, notice.outcome_note))
    return entries


def _penalty_notice_entries(case: Case) -> list[TimelineEntry]:
    notices = db.session.scalars(
        sa.select(PenaltyNotice)
        .where(PenaltyNotice.case_id == case.id)
        .options(selectinload(PenaltyNotice.carer), selectinload(PenaltyNotice.issued_by))
    ).all()
    entries = []
    for notice in notices:
        name = f"Penalty notice {notice.reference or notice.id}"
        entries.append(
            _legal_entry(notice.issued_on, f"{name} issued to {notice.carer.name}", author=notice.issued_by.name)
        )
        if notice.paid_on:
            entries.append(_legal_entry(notice.paid_on, f"{name} paid (£{notice.amount_paid or 0})"))
        if notice.withdrawn_on:
            entries.append(_legal_entry(notice.withdrawn_on, f"{name} withdrawn", notice.withdrawal_note))
    return entries


def _eso_entries(case: Case) -> list[TimelineEntry]:
    orders = db.session.scalars(sa.select(Eso).where(Eso.case_id == case.id)).all()
    entries = [_legal_entry(order.applied_on, "Education supervision order applied for") for order in orders]
    entries += [
        _legal_entry(order.made_on, "Education supervision order made", order.directions)
        for order in orders
        if order.made_on
    ]
    return entries


def _prosecution_entries(case: Case) -> list[TimelineEntry]:
    prosecutions = db.session.scalars(
        sa.select(Prosecution).where(Prosecution.case_id == case.id).options(selectinload(Prosecution.hearings))
    ).all()
    entries = []
    for prosecution in prosecutions:
        if prosecution.laid_on:
            entries.append(_legal_entry(prosecution.laid_on, "Prosecution: information laid", prosecution.court))
        entries += [
            _legal_entry(hearing.hearing_on, f"Court hearing: {hearing.purpose}", hearing.result)
            for hearing in prosecution.hearings
        ]
    return entries


def _legal_entry(
    day: date, title: str, body: str = "", *, author: str = "", details: tuple[tuple[str, str], ...] = ()
) -> TimelineEntry:
    return TimelineEntry(
        when=_midday(day),
        kind="legal",
        title=title,
        body=body,
        details=details,
        author=author,
        link_text="View the legal steps",
        significant=True,
        date_only=True,
    )


def _people_entries(case: Case) -> list[TimelineEntry]:
    """Who joined or left the case, changed role, or took over as the lead practitioner, from the audit trail."""
    participants = sa.select(CaseParticipant.id).where(CaseParticipant.case_id == case.id)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.entity_type == CaseParticipant.__tablename__,
            AuditEvent.entity_id.in_(participants),
            AuditEvent.action.in_(PARTICIPANT_EVENTS),
        )
        .options(selectinload(AuditEvent.actor))
    ).all()
    link = _url("cases.people", case_id=case.id)
    return [
        TimelineEntry(
            when=event.occurred_at,
            kind="people",
            title=event.summary,
            author=event.actor.name if event.actor else "",
            link=link,
            link_text="View the people involved",
            significant=event.action in ("participant.made_lead", "participant.lead_handed_over"),
        )
        for event in events
    ]


_SOURCES: dict[str, Callable[[Case], list[TimelineEntry]]] = {
    "note": _note_entries,
    "meeting": _meeting_entries,
    "action": _action_entries,
    "letter": _letter_entries,
    "stage": _stage_entries,
    "approval": _approval_entries,
    "record": _record_entries,
    "legal": _legal_entries,
    "people": _people_entries,
}


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(user_ids))).all())


def _url(endpoint: str, **values: object) -> str | None:
    """A link to another section's page, once that section exists; none outside a request (no host to link to)."""
    if not has_request_context() or endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
