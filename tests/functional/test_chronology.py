"""The timeline: everything on a case in one place, filtered and printable; notes, append-only, and their
corrections; last contact; and scoping."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    Action,
    ActionOwner,
    ActionPlan,
    ActionProgress,
    ActionStatus,
    AppendOnlyError,
    AuditEvent,
    LetterKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Note,
    NoteKind,
    NoticeToImprove,
    RecordKind,
    Role,
    ServiceMethod,
)
from ewo_cases.services import approvals, chronology, letters, participants
from ewo_cases.services import cases as case_service
from ewo_cases.services.errors import ServiceError
from tests.case_records import opened_before
from tests.letter_helpers import TODAY, add_carer, count, day, parents

#: Notes are dated yesterday, so that no time of day is in the future whenever the tests run.
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def case(make_pupil, make_case):
    pupil = make_pupil()
    add_carer(pupil)
    return opened_before(make_case(pupil))


@pytest.fixture
def officer(case, sign_in):
    sign_in(case.assigned_officer)
    return case.assigned_officer


def note_form(**changes) -> dict:
    """A complete, valid note."""
    return {
        "kind": "phone_call",
        "occurred_on": day(YESTERDAY),
        "occurred_time": "10:15am",
        "summary": "Spoke to Alex about mornings.\nAgreed to meet next week.",
        "significant": "y",
        **changes,
    }


def add_note(case, actor, at=time(9), summary="Home visit: nobody in.", kind=NoteKind.HOME_VISIT) -> Note:
    note = chronology.add_note(
        case,
        kind=kind,
        occurred_at=datetime.combine(YESTERDAY, at, UTC),
        summary=summary,
        significant=False,
        actor=actor,
    )
    db.session.flush()
    return note


def timeline_url(case, query: str = "") -> str:
    return f"/cases/{case.id}/timeline{query}"


# --- the timeline -----------------------------------------------------------------------------------------


def test_the_timeline_shows_the_case_opening_as_a_moj_timeline_and_is_logged(client, case, officer):
    response = client.get(timeline_url(case))
    assert response.status_code == 200
    assert 'class="moj-timeline"' in response.text and 'class="moj-timeline__item"' in response.text
    assert "Case opened: Persistent absence" in response.text
    assert f"by {officer.name}" in response.text
    logged = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "chronology")).one()
    assert (logged.action, logged.record_id, logged.pupil_id, logged.user_id) == (
        "viewed",
        case.id,
        case.pupil_id,
        officer.id,
    )


def test_the_timeline_gathers_everything_on_the_case_newest_first(client, case, officer, make_user):
    manager = make_user(Role.MANAGER)
    _fill_the_case(case, officer, manager)

    response = client.get(timeline_url(case))

    assert response.status_code == 200
    for title in (
        "Case opened: Persistent absence",
        "Phone call",
        "Family attendance meeting arranged for",
        "Family attendance meeting held",
        "Action agreed: Walk to school together",
        "Progress on action: Walk to school together",
        "Attendance concern letter to Alex Taylor made",
        "Attendance concern letter to Alex Taylor served by post",
        "Approval asked for: Issue penalty notices",
        "Approval given: Issue penalty notices",
        "Support offered to the family",
        "Withdrawn: Support offered to the family",
        "Notice to improve issued",
    ):
        assert title in response.text, title
    entries = chronology.timeline(case)
    assert [entry.when for entry in entries] == sorted((entry.when for entry in entries), reverse=True)
    assert {entry.kind for entry in entries} == set(chronology.TIMELINE_KINDS)


def _fill_the_case(case, officer, manager) -> None:
    """Put one of every kind of record on the case."""
    add_note(case, officer, kind=NoteKind.PHONE_CALL, summary="Rang Alex.")
    parent = parents(case)[0]
    db.session.add_all(
        [
            Meeting(
                case_id=case.id,
                kind=MeetingKind.FAMILY_ATTENDANCE,
                scheduled_for=datetime.combine(TODAY - timedelta(days=7), time(10), UTC),
                place="School",
                status=MeetingStatus.HELD,
                held_on=TODAY - timedelta(days=7),
                summary="Talked about mornings.",
                created_by_id=officer.id,
                recorded_by_id=officer.id,
            ),
            NoticeToImprove(
                case_id=case.id,
                issued_on=TODAY,
                improvement_starts_on=TODAY,
                improvement_ends_on=TODAY + timedelta(weeks=4),
                sufficient_improvement="No unauthorised absence",
                issued_by_id=officer.id,
            ),
        ]
    )
    plan = ActionPlan(
        case_id=case.id, goals="Attend every day", review_on=TODAY + timedelta(days=28), created_by_id=officer.id
    )
    db.session.add(plan)
    db.session.flush()
    action = Action(
        plan_id=plan.id,
        description="Walk to school together",
        owner=ActionOwner.FAMILY,
        due_on=TODAY + timedelta(days=14),
        created_by_id=officer.id,
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(
        ActionProgress(
            action_id=action.id, note="Started this week", status=ActionStatus.IN_PROGRESS, author_id=officer.id
        )
    )
    letter = letters.generate_letter(case, LetterKind.ATTENDANCE_CONCERN, parent, officer)
    letters.serve_letter(
        letter, served_on=TODAY, method=ServiceMethod.POST, actor=officer, expected_version=letter.version
    )
    approval = approvals.request(case, "issue_fpn", reason="Threshold met, support refused", actor=officer)
    approvals.decide(approval, approve=True, comment="Agreed", actor=manager, expected_version=approval.version)
    record = case_service.add_record(
        case, RecordKind.SUPPORT_OFFERED, occurred_on=TODAY, details="Offered early help", actor=officer
    )
    db.session.flush()
    case_service.withdraw_record(record, reason="Recorded on the wrong case", actor=officer)
    db.session.flush()
    participants.end_participation(parents(case)[0], ended_on=TODAY, actor=officer, expected_version=1)


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?kinds=meeting", ["Family attendance meeting held"], ["Case opened", "Phone call", "Approval asked for"]),
        (
            "?kinds=stage&kinds=approval",
            ["Case opened", "Approval given"],
            ["Phone call", "Family attendance meeting held", "Notice to improve issued"],
        ),
        ("?significant=y", ["Case opened", "Notice to improve issued"], ["Phone call", "Approval asked for"]),
        ("?kinds=letter", ["served by post"], ["Case opened", "Action agreed"]),
    ],
)
def test_the_timeline_is_filtered_by_kind(client, case, officer, make_user, query, shown, hidden):
    _fill_the_case(case, officer, make_user(Role.MANAGER))
    response = client.get(timeline_url(case, query))
    assert response.status_code == 200
    entries = timeline_of(response.text)
    for text in shown:
        assert text in entries, text
    for text in hidden:
        assert text not in entries, text


def timeline_of(page: str) -> str:
    """The timeline part of a page (the filters above it name every kind of entry and note)."""
    return page.partition('<div class="moj-timeline">')[2]


def test_an_unknown_filter_is_a_bad_request(client, case, officer):
    response = client.get(timeline_url(case, "?kinds=gossip"))
    assert response.status_code == 400
    assert "Select the kinds of entry to show from the list" in response.text


def test_the_printable_timeline_has_no_navigation_and_its_export_is_logged(client, case, officer):
    add_note(case, officer, summary="Left a card.")
    response = client.get(timeline_url(case, "/print?kinds=note"))
    assert response.status_code == 200
    assert "Chronology: " in response.text and "Left a card." in response.text
    assert "moj-sub-navigation" not in response.text and "app-service-navigation" not in response.text
    assert "govuk-!-display-none-print" in response.text
    assert "Case opened" not in response.text
    logged = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "chronology")).one()
    assert logged.action == "exported" and "kinds=note" in logged.detail


# --- notes ------------------------------------------------------------------------------------------------


def test_an_officer_adds_a_note_to_the_timeline(client, case, officer):
    response = client.post(timeline_url(case, "/notes/new"), data=note_form())

    assert response.status_code == 302
    note = db.session.scalars(sa.select(Note).where(Note.case_id == case.id)).one()
    assert (note.kind, note.author_id, note.significant) == (NoteKind.PHONE_CALL, officer.id, True)
    assert note.occurred_at == datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
    assert count(AuditEvent, AuditEvent.action == "note.added", AuditEvent.entity_id == note.id) == 1
    page = client.get(timeline_url(case)).text
    assert "Spoke to Alex about mornings." in page and "Significant event" in page


def test_a_school_lead_records_a_call_on_their_schools_case(client, case, make_user, sign_in):
    lead = make_user(Role.SCHOOL_LEAD, schools=[case.pupil.school])
    sign_in(lead)
    response = client.post(timeline_url(case, "/notes/new"), data=note_form(occurred_time="14:30"))
    assert response.status_code == 302
    note = db.session.scalars(sa.select(Note).where(Note.case_id == case.id)).one()
    assert note.author_id == lead.id and note.occurred_at.hour == 14


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "Choose what kind of contact or event it was"),
        ({"kind": "gossip"}, "Select an answer from the list"),
        ({"occurred_on": day(None)}, "Enter the date it happened as day, month and year"),
        ({"occurred_on": ["31", "2", "2026"]}, "Date it happened must be a real date"),
        ({"occurred_on": day(TODAY + timedelta(days=1))}, "The date it happened must be today or in the past"),
        ({"occurred_on": day(TODAY), "occurred_time": "11:59pm"}, "The time it happened must be in the past"),
        (
            {"occurred_on": ["1", "1", "1900"]},
            "The date it happened must be on or after 2 February 2026, when the case",
        ),
        ({"occurred_time": ""}, "Enter the time it happened, like 2:30pm"),
        ({"occurred_time": "25:99"}, "Enter the time it happened like 2:30pm or 14:30"),
        ({"occurred_time": "13pm"}, "Enter the time it happened like 2:30pm or 14:30"),
        ({"summary": "   "}, "Enter what happened"),
        ({"summary": "x" * 10_001}, "What happened must be 10,000 characters or fewer"),
    ],
)
def test_a_bad_note_is_refused_and_nothing_is_written(client, case, officer, changes, message):
    response = client.post(timeline_url(case, "/notes/new"), data=note_form(**changes))
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and message in response.text
    assert count(Note) == 0
    assert count(AuditEvent, AuditEvent.action == "note.added") == 0


def test_the_time_is_read_as_people_type_it():
    from forms.chronology import parse_time

    assert parse_time("2:30pm") == time(14, 30)
    assert parse_time("2.30 PM") == time(14, 30)
    assert parse_time("9am") == time(9)
    assert parse_time("12am") == time(0)
    assert parse_time("12:05pm") == time(12, 5)
    assert parse_time("07:45") == time(7, 45)
    for unreadable in ("14", "0am", "24:00", "9:60", "noon", ""):
        assert parse_time(unreadable) is None, unreadable


def test_a_correction_is_a_new_note_and_the_original_stays_as_it_was(client, case, officer):
    original = add_note(case, officer)
    form_page = client.get(timeline_url(case, f"/notes/{original.id}/correct"))
    assert form_page.status_code == 200 and "Home visit: nobody in." in form_page.text

    response = client.post(
        timeline_url(case, f"/notes/{original.id}/correct"),
        data=note_form(kind="home_visit", summary="Home visit: Alex answered.", reason="Wrong visit written up"),
    )

    assert response.status_code == 302
    db.session.refresh(original)
    assert original.summary == "Home visit: nobody in." and original.corrects_id is None
    correction = db.session.scalars(sa.select(Note).where(Note.corrects_id == original.id)).one()
    assert (correction.summary, correction.correction_reason) == (
        "Home visit: Alex answered.",
        "Wrong visit written up",
    )
    assert count(AuditEvent, AuditEvent.action == "note.corrected") == 1
    page = client.get(timeline_url(case)).text
    assert f'id="note-{original.id}"' in page and f'href="#note-{correction.id}"' in page
    assert f'id="note-{correction.id}"' in page and f'href="#note-{original.id}"' in page
    assert "Home visit (correction)" in page and "What the original note said" in page
    assert "This note was corrected." in page and "Corrected\n" in page
    assert "Wrong visit written up" in page


def test_a_note_is_corrected_once_and_a_correction_needs_a_reason(client, case, officer):
    original = add_note(case, officer)
    url = timeline_url(case, f"/notes/{original.id}/correct")

    without_reason = client.post(url, data=note_form(reason=""))
    assert without_reason.status_code == 400 and "Say why the note needs correcting" in without_reason.text
    assert count(Note) == 1

    assert client.post(url, data=note_form(reason="Wrong time")).status_code == 302
    again = client.post(url, data=note_form(reason="Still wrong"))
    assert again.status_code == 400 and "already been corrected" in again.text
    assert count(Note) == 2


def test_school_staff_correct_only_their_own_notes(client, case, make_user, sign_in):
    original = add_note(case, case.assigned_officer)
    lead = make_user(Role.SCHOOL_LEAD, schools=[case.pupil.school])
    sign_in(lead)

    assert "Correct this note" not in client.get(timeline_url(case)).text
    # Nor is the form offered at its address: a school lead is not shown a form they could not send.
    assert client.get(timeline_url(case, f"/notes/{original.id}/correct")).status_code == 403
    response = client.post(timeline_url(case, f"/notes/{original.id}/correct"), data=note_form(reason="Mine"))
    assert response.status_code == 403
    assert count(Note) == 1
    with pytest.raises(ServiceError, match="only the notes they wrote"):
        chronology.correct_note(
            original,
            kind=NoteKind.HOME_VISIT,
            occurred_at=original.occurred_at,
            summary="Mine",
            significant=False,
            reason="Mine",
            actor=lead,
        )


def _rewrite(note: Note) -> None:
    note.summary = "rewritten"
    db.session.flush()


def test_notes_are_append_only_in_the_orm_and_in_the_database(case, officer):
    note = add_note(case, officer)
    with pytest.raises(AppendOnlyError), db.session.begin_nested():
        _rewrite(note)
    for statement in ("UPDATE notes SET summary = 'rewritten' WHERE id = :id", "DELETE FROM notes WHERE id = :id"):
        with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
            db.session.execute(sa.text(statement), {"id": note.id})
    assert db.session.scalar(sa.select(Note.summary).where(Note.id == note.id)) == "Home visit: nobody in."


# --- last contact -----------------------------------------------------------------------------------------


def test_last_contact_is_the_latest_contact_note_or_meeting_held(case, officer):
    assert chronology.last_contact(case) is None
    add_note(case, officer, at=time(16), kind=NoteKind.OTHER, summary="Filed the register extract.")
    assert chronology.last_contact(case) is None

    call = add_note(case, officer, at=time(11), kind=NoteKind.PHONE_CALL, summary="Rang Alex.")
    assert chronology.last_contact(case) == datetime.combine(YESTERDAY, time(11), UTC)

    chronology.correct_note(
        call,
        kind=NoteKind.PHONE_CALL,
        occurred_at=datetime.combine(YESTERDAY, time(8), UTC),
        summary="Rang Alex.",
        significant=False,
        reason="It was the morning",
        actor=officer,
    )
    db.session.flush()
    assert chronology.last_contact(case) == datetime.combine(YESTERDAY, time(8), UTC)

    db.session.add(
        Meeting(
            case_id=case.id,
            kind=MeetingKind.TEAM_AROUND_THE_FAMILY,
            scheduled_for=datetime.combine(TODAY + timedelta(days=1), time(9), UTC),
            status=MeetingStatus.HELD,
            held_on=TODAY + timedelta(days=1),
            created_by_id=officer.id,
        )
    )
    db.session.flush()
    assert chronology.last_contact(case).date() == TODAY + timedelta(days=1)
    assert chronology.last_contacts([case.id, 999999]).keys() == {case.id}


# --- scoping ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SCHOOL_LEAD, Role.OFFICER])
def test_staff_of_another_school_get_404_on_every_timeline_url(client, case, make_user, make_school, sign_in, role):
    officer = case.assigned_officer
    note = add_note(case, officer)
    sign_in(make_user(role, schools=[make_school()]))
    for url in (
        timeline_url(case),
        timeline_url(case, "/print"),
        timeline_url(case, "/notes/new"),
        timeline_url(case, f"/notes/{note.id}/correct"),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(timeline_url(case, "/notes/new"), data=note_form()).status_code == 404
    correction = note_form(reason="Not mine")
    assert client.post(timeline_url(case, f"/notes/{note.id}/correct"), data=correction).status_code == 404
    assert count(Note) == 1
    assert count(AccessLog) == 0


def test_a_note_of_another_case_is_not_found_through_this_one(client, case, officer, make_case, make_pupil):
    other = opened_before(make_case(make_pupil(school=case.pupil.school), officer=officer))
    note = add_note(other, officer)
    assert client.get(timeline_url(case, f"/notes/{note.id}/correct")).status_code == 404


def test_the_timeline_is_filtered_by_kind_of_note_and_by_date(client, case, officer):
    add_note(case, officer, kind=NoteKind.PHONE_CALL, summary="Rang Alex.")
    week_ago = chronology.add_note(
        case,
        kind=NoteKind.HOME_VISIT,
        occurred_at=datetime.combine(TODAY - timedelta(days=7), time(9), UTC),
        summary="Visited a week ago.",
        significant=False,
        actor=officer,
    )
    db.session.flush()
    calls = timeline_of(client.get(timeline_url(case, "?note_kinds=phone_call")).text)
    assert "Rang Alex." in calls and "Visited a week ago." not in calls and "Case opened" not in calls
    page = client.get(timeline_url(case, "?since=22&since=2&since=2026&until=23&until=2&until=2026"))
    in_range = timeline_of(page.text)
    assert week_ago.summary in in_range and "Rang Alex." not in in_range
    assert "from 22 February 2026 to 23 February 2026" in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?note_kinds=gossip", "Select the kinds of note to show from the list"),
        ("?since=31&since=2&since=2026", "From must be a real date"),
        ("?since=2&since=3&since=2026&until=1&until=3&until=2026", "To must be the same as or after from"),
    ],
)
def test_a_bad_timeline_filter_is_explained(client, case, officer, query, message):
    response = client.get(timeline_url(case, query))
    assert response.status_code == 400 and "govuk-error-summary" in response.text and message in response.text
