"""Meetings: arranged, recorded with attendance and actions straight into the plan, cancelled, scoped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionOwner,
    ActionPlan,
    ActionPlanRevision,
    AppendOnlyError,
    AuditEvent,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
    MeetingCorrection,
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
    Role,
)
from ewo_cases.services import meetings as meeting_service
from ewo_cases.services import plans as plan_service
from ewo_cases.services.transitions import load_facts
from tests.case_records import TODAY, add_parent, add_user_participant, count, day, opened_before, participant
from workflows import ENGLAND, CaseStage
from workflows.cases.facts import MeetingFacts


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def case(make_case):
    case = opened_before(make_case())
    add_parent(case)
    return case


@pytest.fixture
def officer(case, sign_in):
    sign_in(case.assigned_officer)
    return case.assigned_officer


def arrange(case, actor, on=TODAY + timedelta(days=7), kind=MeetingKind.FAMILY_ATTENDANCE) -> Meeting:
    """Arrange a meeting through the service, inviting the parent and the officer."""
    invitees = meeting_service.default_invitees(case)
    arrangements = meeting_service.MeetingArrangements(on, time(10), "School", invitees)
    meeting = meeting_service.schedule_meeting(case, kind=kind, arrangements=arrangements, actor=actor)
    db.session.flush()
    return meeting


def record_form(meeting, **changes) -> dict:
    """A complete record of ``meeting``: everyone attended, one action for the school, a plan review date."""
    form = {
        "version": meeting.version,
        "held_on": day(meeting.scheduled_for.date()),
        "child_attended": "yes",
        "child_views": "I find mornings hard.",
        "family_views": "Mum wants help with mornings.",
        "summary": "Talked about the mornings.",
        "decisions": "Attendance above 90% by Easter.",
        "actions-0-description": "Meet Sam at the gate each morning",
        "actions-0-owner": "school",
        "actions-0-due_on": day(TODAY + timedelta(days=30)),
        "actions-1-description": "",
        "actions-1-owner": "",
        "actions-1-due_on": day(None),
        "plan_review_on": day(TODAY + timedelta(days=42)),
        **{f"attendee_{attendee.id}": "attended" for attendee in meeting.attendees},
    }
    form.update(changes)
    return form


# --- arranging --------------------------------------------------------------------------------------------


def test_officer_arranges_a_meeting_inviting_the_family(client, case, officer):
    page = client.get(f"/cases/{case.id}/meetings/new")
    assert page.status_code == 200 and "Mia Parent (Parent or carer)" in page.text
    parent = participant(case, ParticipantRole.PARENT_CARER)
    response = client.post(
        f"/cases/{case.id}/meetings/new",
        data={
            "kind": "family_attendance",
            "date": day(date(2026, 3, 10)),
            "time": "2:30pm",
            "place": "Family room",
            "invitees": [parent.id],
        },
    )
    meeting = db.session.scalar(sa.select(Meeting))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert meeting.scheduled_for == datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
    assert (meeting.status, meeting.place, meeting.created_by_id) == (
        MeetingStatus.SCHEDULED,
        "Family room",
        officer.id,
    )
    assert [(a.participant_id, a.attendance) for a in meeting.attendees] == [(parent.id, MeetingAttendance.INVITED)]
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "meetings")) == (
        "meeting.scheduled"
    )


def test_a_meeting_already_held_goes_straight_on_to_its_record(client, case, officer):
    response = client.post(
        f"/cases/{case.id}/meetings/new",
        data={
            "kind": "other",
            "date": day(TODAY - timedelta(days=3)),
            "time": "9am",
            "place": "Home visit",
            "invitees": meeting_service.default_invitees(case),
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/record")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "Choose the kind of meeting"),
        ({"kind": "party"}, "Choose the kind of meeting from the list"),
        ({"date": day(None)}, "Enter the date of the meeting"),
        ({"date": ["31", "2", "2026"]}, "The date of the meeting must be a real date"),
        ({"date": ["1", "", "2026"]}, "The date of the meeting must be a real date"),
        ({"date": ["1", "4", "26"]}, "The date of the meeting must be a real date"),
        ({"time": ""}, "Enter the time of the meeting"),
        ({"time": "25:00"}, "Enter a real time, like 9:30am or 2pm"),
        ({"time": "13pm"}, "Enter a real time, like 9:30am or 2pm"),
        ({"place": "  "}, "Enter where the meeting will be"),
        ({"invitees": []}, "Choose who is invited"),
        ({"invitees": ["999999"]}, "Choose who is invited from the list"),
        ({"date": ["31", "12", "9999"]}, "The date of the meeting must be on or before 1 March 2028, within 2 years"),
        ({"date": ["1", "1", "1990"]}, "The date of the meeting must be on or after 2 February 2026, when the case"),
    ],
)
def test_bad_meeting_details_are_explained_and_nothing_is_written(client, case, officer, changes, message):
    form = {
        "kind": "family_attendance",
        "date": day(date(2026, 3, 10)),
        "time": "10:00",
        "place": "School",
        "invitees": meeting_service.default_invitees(case),
        **changes,
    }
    response = client.post(f"/cases/{case.id}/meetings/new", data=form)
    assert response.status_code == 400
    assert "There is a problem" in response.text and message in response.text.replace("&#39;", "'")
    assert count(Meeting) == 0 and count(MeetingAttendee) == 0


# --- recording --------------------------------------------------------------------------------------------


def test_recording_a_meeting_writes_the_plan_with_its_actions(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    parent = participant(case, ParticipantRole.PARENT_CARER)
    page = client.get(f"/cases/{case.id}/meetings/{meeting.id}/record")
    assert page.status_code == 200 and "Mia Parent" in page.text and "When should the new action plan" in page.text
    response = client.post(
        f"/cases/{case.id}/meetings/{meeting.id}/record",
        data=record_form(meeting, others_attended="Dr Jones, school nurse\n"),
    )
    assert response.status_code == 302, response.text
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.status, meeting.held_on, meeting.child_attended) == (MeetingStatus.HELD, TODAY, True)
    assert meeting.recorded_by_id == officer.id and meeting.family_views == "Mum wants help with mornings."
    came = {attendee.display_name: attendee.attendance for attendee in meeting.attendees}
    assert came == {parent.name: "attended", officer.name: "attended", "Dr Jones, school nurse": "attended"}
    plan = db.session.scalar(sa.select(ActionPlan).where(ActionPlan.case_id == case.id))
    assert plan.goals == "Attendance above 90% by Easter." and plan.review_on == TODAY + timedelta(days=42)
    (action,) = plan.actions
    assert (action.description, action.owner, action.meeting_id) == (
        "Meet Sam at the gate each morning",
        ActionOwner.SCHOOL,
        meeting.id,
    )
    (revision,) = plan.revisions
    assert revision.number == 1 and revision.snapshot["actions"][0]["description"] == action.description
    shown = client.get(f"/cases/{case.id}/meetings/{meeting.id}")
    assert "Meet Sam at the gate each morning" in shown.text and "I find mornings hard." in shown.text
    agreed_at = client.get(f"/cases/{case.id}/plan/actions/{action.id}").text
    assert "Family attendance meeting on 2 March 2026" in agreed_at


def test_a_parent_at_a_recorded_meeting_is_the_fact_the_workflow_reads(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    assert load_facts(case, officer).meetings == ()
    client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting))
    assert MeetingFacts(held_on=TODAY, family_attended=True) in load_facts(case, officer).meetings
    assert load_facts(case, officer).action_plan_on is not None


@pytest.mark.parametrize(
    ("answer", "family_attended"),
    [("attended", True), ("apologies", False), ("did_not_attend", False)],
)
def test_each_attendance_answer_is_kept(client, case, officer, answer, family_attended):
    meeting = arrange(case, officer, on=TODAY)
    parent = next(a for a in meeting.attendees if a.participant.role == ParticipantRole.PARENT_CARER)
    response = client.post(
        f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting, **{f"attendee_{parent.id}": answer})
    )
    assert response.status_code == 302
    assert db.session.get(MeetingAttendee, parent.id).attendance == MeetingAttendance(answer)
    assert load_facts(case, officer).meetings == (MeetingFacts(TODAY, family_attended),)


def test_a_meeting_on_a_case_with_a_plan_adds_to_it_and_revises_it(client, case, officer):
    plan = plan_service.create_plan(case, goals="Better mornings", review_on=TODAY + timedelta(days=20), actor=officer)
    meeting = arrange(case, officer, on=TODAY)
    page = client.get(f"/cases/{case.id}/meetings/{meeting.id}/record")
    assert "When should the new action plan be reviewed?" not in page.text
    form = record_form(meeting, decisions="", plan_review_on=day(None))
    assert client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=form).status_code == 302
    plan = db.session.get(ActionPlan, plan.id)
    assert plan.goals == "Better mornings" and len(plan.actions) == 1
    assert [revision.number for revision in plan.revisions] == [2, 1]
    assert "1 action agreed at the family attendance meeting" in plan.revisions[0].change


def test_a_meeting_without_actions_writes_no_plan(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    form = record_form(meeting, **{"actions-0-description": "", "actions-0-owner": "", "actions-0-due_on": day(None)})
    assert client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=form).status_code == 302
    assert count(ActionPlan) == 0 and db.session.get(Meeting, meeting.id).status == MeetingStatus.HELD


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": day(None)}, "Enter the date the meeting was held"),
        ({"held_on": ["30", "2", "2026"]}, "The date the meeting was held must be a real date"),
        ({"held_on": day(TODAY + timedelta(days=1))}, "The date the meeting was held must be today or in the past"),
        (
            {"held_on": ["1", "1", "1990"]},
            "The date the meeting was held must be on or after 2 February 2026, when the case was opened",
        ),
        (
            {"actions-0-due_on": ["31", "12", "9999"]},
            "An action's due date must be on or before 1 March 2028, within 2 years",
        ),
        ({"plan_review_on": ["1", "1", "9999"]}, "The review date must be on or before 1 March 2028, within 2 years"),
        ({"child_attended": ""}, "Say whether the child attended"),
        ({"summary": ""}, "Enter a summary of the meeting"),
        ({"actions-0-owner": ""}, "Choose who will do it"),
        ({"actions-0-owner": "participant-999999"}, "Choose who will do it from the list"),
        ({"actions-0-description": ""}, "Enter what will be done"),
        ({"actions-0-due_on": day(None)}, "Enter the date it is due by"),
        ({"actions-0-due_on": ["1", "13", "2026"]}, "The due date must be a real date"),
        (
            {"actions-0-due_on": day(TODAY - timedelta(days=1))},
            "The due date must be on or after the day of the meeting",
        ),
        ({"plan_review_on": day(None)}, "Enter when the new action plan should be reviewed"),
        ({"plan_review_on": day(TODAY - timedelta(days=1))}, "The review date must be today or in the future"),
        ({"decisions": ""}, "Enter the decisions of the meeting"),
    ],
)
def test_a_bad_record_is_explained_and_nothing_is_written(client, case, officer, changes, message):
    meeting = arrange(case, officer, on=TODAY)
    response = client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting, **changes))
    assert response.status_code == 400
    assert "There is a problem" in response.text and message in response.text.replace("&#39;", "'")
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.SCHEDULED
    assert {a.attendance for a in db.session.get(Meeting, meeting.id).attendees} == {MeetingAttendance.INVITED}
    assert count(ActionPlan) == 0 and count(Action) == 0 and count(ActionPlanRevision) == 0


def test_every_invitee_needs_an_attendance_answer(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    parent = next(a for a in meeting.attendees if a.participant.role == ParticipantRole.PARENT_CARER)
    form = record_form(meeting)
    del form[f"attendee_{parent.id}"]
    response = client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=form)
    assert response.status_code == 400 and "Say whether Mia Parent (Parent or carer) attended" in response.text
    assert f'href="#attendee_{parent.id}"' in response.text


def test_add_another_action_redraws_the_form_with_one_more_row(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    response = client.post(
        f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting, add_action="y", summary="")
    )
    assert response.status_code == 200 and "There is a problem" not in response.text
    assert 'id="actions-2-description"' in response.text and "Meet Sam at the gate each morning" in response.text
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.SCHEDULED


def test_recording_over_someone_elses_record_is_a_conflict(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    stale = record_form(meeting)
    assert client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=stale).status_code == 302
    response = client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data={**stale, "summary": "Other"})
    assert response.status_code == 409
    assert db.session.get(Meeting, meeting.id).summary == "Talked about the mornings."
    assert len(db.session.scalar(sa.select(ActionPlan)).actions) == 1


def test_a_held_meeting_is_shown_not_recorded_again(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting))
    response = client.get(f"/cases/{case.id}/meetings/{meeting.id}/record")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}")


# --- the list ---------------------------------------------------------------------------------------------


def test_the_list_shows_meetings_to_come_before_those_held(client, case, officer):
    held = arrange(case, officer, on=TODAY, kind=MeetingKind.TEAM_AROUND_THE_FAMILY)
    client.post(f"/cases/{case.id}/meetings/{held.id}/record", data=record_form(held))
    arrange(case, officer, on=TODAY + timedelta(days=5), kind=MeetingKind.CONTRACT_REVIEW)
    late = arrange(case, officer, on=TODAY - timedelta(days=2), kind=MeetingKind.LEGAL_PLANNING)
    page = client.get(f"/cases/{case.id}/meetings/").text
    page = page[page.index("Meetings to come") - 200 :]  # after the flash message of the last record
    assert page.index("Meetings to come or to record") < page.index("Meetings held, latest first")
    assert (
        page.index("Legal planning meeting")
        < page.index("Attendance contract review")
        < page.index("Team Around the Family")
    )
    assert "To record" in page and f"/meetings/{late.id}/record" in page


def test_an_empty_list_says_what_will_appear(client, case, officer):
    page = client.get(f"/cases/{case.id}/meetings/")
    assert page.status_code == 200 and "No meetings yet" in page.text and "Arrange a meeting" in page.text


# --- cancelling -------------------------------------------------------------------------------------------


def test_officer_cancels_a_meeting_with_a_reason(client, case, officer):
    meeting = arrange(case, officer)
    url = f"/cases/{case.id}/meetings/{meeting.id}/cancel"
    assert client.post(url, data={"version": meeting.version, "reason": ""}).status_code == 400
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.SCHEDULED
    response = client.post(url, data={"version": meeting.version, "reason": "Mum asked to rearrange"})
    assert response.status_code == 302
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.status, meeting.summary) == (MeetingStatus.CANCELLED, "Mum asked to rearrange")
    assert "Mum asked to rearrange" in client.get(f"/cases/{case.id}/meetings/").text


def test_a_stale_cancellation_is_a_conflict(client, case, officer):
    meeting = arrange(case, officer)
    version = meeting.version
    meeting.place = "Town hall"
    db.session.flush()
    response = client.post(f"/cases/{case.id}/meetings/{meeting.id}/cancel", data={"version": version, "reason": "x"})
    assert response.status_code == 409
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.SCHEDULED


# --- school leads -----------------------------------------------------------------------------------------


@pytest.fixture
def lead(case, make_user):
    return make_user(Role.SCHOOL_LEAD, schools=[case.pupil.school])


def test_a_school_lead_arranges_and_records_a_meeting_at_their_school(client, case, lead, sign_in):
    add_user_participant(case, lead, ParticipantRole.SCHOOL_ATTENDANCE_LEAD)
    sign_in(lead)
    response = client.post(
        f"/cases/{case.id}/meetings/new",
        data={
            "kind": "family_attendance",
            "date": day(TODAY),
            "time": "8:45am",
            "place": "School office",
            "invitees": meeting_service.default_invitees(case),
        },
    )
    assert response.status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    assert client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting)).status_code == 302
    assert db.session.get(Meeting, meeting.id).recorded_by_id == lead.id


def test_a_school_lead_cancels_only_meetings_they_arranged(client, case, lead, sign_in):
    officers_meeting = arrange(case, case.assigned_officer)
    leads_meeting = arrange(case, lead)
    sign_in(lead)
    assert "Cancel the meeting" not in client.get(f"/cases/{case.id}/meetings/{officers_meeting.id}").text
    url = f"/cases/{case.id}/meetings/{officers_meeting.id}/cancel"
    assert client.post(url, data={"version": officers_meeting.version, "reason": "No"}).status_code == 403
    url = f"/cases/{case.id}/meetings/{leads_meeting.id}/cancel"
    assert client.post(url, data={"version": leads_meeting.version, "reason": "Clash"}).status_code == 302
    assert db.session.get(Meeting, officers_meeting.id).status == MeetingStatus.SCHEDULED


def test_a_lead_of_another_school_cannot_reach_the_meetings(client, case, make_user, make_school, sign_in):
    meeting = arrange(case, case.assigned_officer)
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[make_school()]))
    base = f"/cases/{case.id}/meetings"
    for url in (f"{base}/", f"{base}/new", f"{base}/{meeting.id}", f"{base}/{meeting.id}/record"):
        assert client.get(url).status_code == 404, url
    for url in (f"{base}/new", f"{base}/{meeting.id}/record", f"{base}/{meeting.id}/cancel"):
        assert client.post(url, data={"reason": "x"}).status_code == 404, url
    for url in (f"{base}/{meeting.id}/arrangements", f"{base}/{meeting.id}/correct"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"reason": "x", "version": meeting.version}).status_code == 404, url
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.SCHEDULED


def test_a_meeting_of_another_case_is_not_found_under_this_one(client, case, officer, make_case, make_pupil):
    other = make_case(make_pupil(school=case.pupil.school), officer=officer)
    meeting = arrange(other, officer)
    assert client.get(f"/cases/{case.id}/meetings/{meeting.id}").status_code == 404


def test_a_closed_case_takes_no_new_meetings(client, case, officer):
    case.stage = CaseStage.CLOSED
    db.session.flush()
    response = client.post(
        f"/cases/{case.id}/meetings/new",
        data={
            "kind": "other",
            "date": day(TODAY),
            "time": "10am",
            "place": "School",
            "invitees": meeting_service.default_invitees(case),
        },
    )
    assert response.status_code == 400 and "The case is closed" in response.text
    assert count(Meeting) == 0


# --- across cases -----------------------------------------------------------------------------------------


def test_upcoming_meetings_are_those_of_the_next_fortnight_on_cases_the_user_may_see(
    case, make_case, make_user, make_school
):
    officer = case.assigned_officer
    soon = arrange(case, officer, on=TODAY + timedelta(days=3))
    first = arrange(case, officer, on=TODAY)
    arrange(case, officer, on=TODAY + timedelta(days=15))
    arrange(case, officer, on=TODAY - timedelta(days=1))
    cancelled = arrange(case, officer, on=TODAY + timedelta(days=4))
    meeting_service.cancel_meeting(cancelled, reason="Off", expected_version=cancelled.version, actor=officer)
    assert [item.meeting for item in meeting_service.upcoming_meetings(officer)] == [first, soon]
    assert meeting_service.upcoming_meetings(officer)[0].case == case
    assert len(meeting_service.upcoming_meetings(officer, days=30)) == 3
    assert len(meeting_service.meetings_to_record(officer)) == 1
    stranger = make_user(Role.SCHOOL_LEAD, schools=[make_school()])
    assert meeting_service.upcoming_meetings(stranger) == []
    assert len(meeting_service.upcoming_meetings(make_user(Role.MANAGER))) == 2


# --- changing arrangements and correcting records ---------------------------------------------------------


def arrangements_form(meeting, **changes) -> dict:
    local = meeting.scheduled_for.astimezone(ENGLAND)
    return {
        "date": day(local.date()),
        "time": "10am",
        "place": meeting.place,
        "invitees": [a.participant_id for a in meeting.attendees],
        "version": meeting.version,
        **changes,
    }


def test_a_scheduled_meeting_is_moved_and_its_invitees_changed(client, case, officer, make_user):
    meeting = arrange(case, officer)
    colleague = add_user_participant(case, make_user(Role.OFFICER, name="Cal Colleague"), ParticipantRole.KEY_WORKER)
    parent = participant(case, ParticipantRole.PARENT_CARER)
    url = f"/cases/{case.id}/meetings/{meeting.id}/arrangements"
    assert "Change the arrangements" in client.get(f"/cases/{case.id}/meetings/{meeting.id}").text
    moved = arrangements_form(
        meeting,
        date=day(TODAY + timedelta(days=9)),
        time="2pm",
        place="Family home",
        invitees=[parent.id, colleague.id],
    )
    response = client.post(url, data=moved)
    assert response.status_code == 302
    changed = db.session.get(Meeting, meeting.id)
    assert changed.scheduled_for == datetime(2026, 3, 11, 14, 0, tzinfo=UTC) and changed.place == "Family home"
    assert {a.participant_id for a in changed.attendees} == {parent.id, colleague.id}
    assert count(MeetingAttendee) == 2
    assert client.post(url, data=moved).status_code == 409
    assert "meeting.rearranged" in set(db.session.scalars(sa.select(AuditEvent.action)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": ["31", "12", "9999"]}, "must be on or before 1 March 2028"),
        ({"invitees": []}, "Choose who is invited"),
        ({}, "Nothing has changed"),
    ],
)
def test_bad_new_arrangements_are_explained_and_nothing_changes(client, case, officer, changes, message):
    meeting = arrange(case, officer)
    before = (meeting.scheduled_for, meeting.place, [a.id for a in meeting.attendees])
    response = client.post(
        f"/cases/{case.id}/meetings/{meeting.id}/arrangements", data=arrangements_form(meeting, **changes)
    )
    assert response.status_code == 400 and message in response.text
    changed = db.session.get(Meeting, meeting.id)
    assert (changed.scheduled_for, changed.place, [a.id for a in changed.attendees]) == before


def test_a_recorded_meeting_is_corrected_with_a_reason_and_keeps_what_it_said(client, case, officer):
    meeting = arrange(case, officer, on=TODAY)
    assert client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting)).status_code == 302
    meeting = db.session.get(Meeting, meeting.id)
    url = f"/cases/{case.id}/meetings/{meeting.id}/correct"
    form = {
        "summary": "Talked about the mornings and the bus.",
        "decisions": meeting.decisions,
        "child_views": meeting.child_views,
        "family_views": meeting.family_views,
        "reason": "Left out the bus",
        "version": meeting.version,
    }
    assert client.post(url, data={**form, "reason": ""}).status_code == 400
    assert client.post(url, data={**form, "summary": meeting.summary}).status_code == 400
    assert count(MeetingCorrection) == 0
    assert client.post(url, data=form).status_code == 302
    assert client.post(url, data={**form, "summary": "A second go"}).status_code == 409
    corrected = db.session.get(Meeting, meeting.id)
    assert corrected.summary == "Talked about the mornings." and count(MeetingCorrection) == 1
    page = client.get(f"/cases/{case.id}/meetings/{meeting.id}").text
    assert "Talked about the mornings and the bus." in page and "Reason: Left out the bus" in page
    assert "What the record said before this correction" in page
    assert '<a class="govuk-link" href="#corrections">See what it said before</a>' in page
    timeline = client.get(f"/cases/{case.id}/timeline?kinds=meeting").text
    assert "Record of the family attendance meeting of 2 March 2026 corrected" in timeline
    db.session.scalar(sa.select(MeetingCorrection)).reason = "rewritten"
    with pytest.raises(AppendOnlyError), db.session.begin_nested():
        db.session.flush()


def test_a_school_lead_corrects_only_the_records_they_made(client, case, officer, lead, sign_in):
    meeting = arrange(case, officer, on=TODAY)
    assert client.post(f"/cases/{case.id}/meetings/{meeting.id}/record", data=record_form(meeting)).status_code == 302
    client.post("/sign-out")
    sign_in(lead)
    assert client.get(f"/cases/{case.id}/meetings/{meeting.id}/correct").status_code == 403
    assert "Correct the record" not in client.get(f"/cases/{case.id}/meetings/{meeting.id}").text


def test_attendance_questions_name_each_persons_role(client, case, officer, make_user):
    namesake = add_parent(case, forename="Mia", surname="Parent")
    namesake.role = ParticipantRole.PARENT_CARER
    worker = add_user_participant(case, make_user(Role.OFFICER, name="Mia Parent"), ParticipantRole.KEY_WORKER)
    meeting = arrange(case, officer, on=TODAY)
    meeting.attendees.append(MeetingAttendee(participant=worker))
    db.session.flush()
    page = client.get(f"/cases/{case.id}/meetings/{meeting.id}/record").text
    assert "Mia Parent (Key worker)" in page and page.count("Mia Parent (Parent or carer)") >= 2
