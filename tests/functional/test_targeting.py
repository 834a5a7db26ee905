"""Termly targeting support meetings: the schools list, each school's pack (pupils by band with their case
status, thresholds, lower-attending groups, what the last meeting agreed), printing it, and recording the
meeting; scoped to an officer's patch, a school lead's school, and every school for managers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    AccessLogPupil,
    Action,
    ActionPlan,
    ActionStatus,
    AuditEvent,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    MeetingStatus,
    Role,
    SchoolAction,
)
from ewo_cases.services import targeting
from ewo_cases.services.attendance import figures, registers
from workflows import ENGLAND, CaseStage
from workflows.attendance import CODE_TO_CHAR, NO_MARK, Band

TODAY = date(2026, 3, 2)  # a Monday in spring term
TERM_START = date(2025, 9, 8)


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


def school_days(count: int) -> list[date]:
    days, day = [], TERM_START
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def marks(present: int, **absences: int) -> bytearray:
    """A 2025/26 register: present on the first ``present`` school days, then whole days of each absence code."""
    codes = ["/"] * present + [code for code, days in absences.items() for _ in range(days)]
    buffer = bytearray(NO_MARK.encode() * registers.LENGTH)
    start = registers.register_start(2025)
    for day, code in zip(school_days(len(codes)), codes, strict=True):
        pair = ("/", "\\") if code == "/" else (code, code)
        for session, mark in enumerate(pair):
            buffer[(day - start).days * 2 + session] = ord(CODE_TO_CHAR[mark])
    return buffer


def day(value: date | None) -> list[str]:
    return ["", "", ""] if value is None else [str(value.day), str(value.month), str(value.year)]


@pytest.fixture
def area(make_school, make_pupil, make_user):
    """Hill School with a pupil in each band and near each threshold; Vale School with one severe pupil."""
    hill, vale = make_school(name="Hill School"), make_school(name="Vale School")
    pupils = {
        "severe": make_pupil(hill, forename="Sam", surname="Severe", pupil_premium=True),
        "persistent": make_pupil(hill, forename="Pat", surname="Persistent", pupil_premium=True),
        "at_risk": make_pupil(hill, forename="Ria", surname="Risk"),
        "approaching": make_pupil(hill, forename="Amy", surname="Approaching"),
        "good": make_pupil(hill, forename="Gus", surname="Good"),
        "elsewhere": make_pupil(vale, forename="Eli", surname="Elsewhere"),
    }
    registers.merge(
        {
            (pupils[name].id, pupils[name].school_id, 2025): register
            for name, register in {
                "severe": marks(20, O=40),
                "persistent": marks(50, N=10),
                "at_risk": marks(56, I=4),
                "approaching": marks(56, O=4),
                "good": marks(60),
                "elsewhere": marks(10, O=50),
            }.items()
        }
    )
    figures.refresh(today=TODAY)
    officer = make_user(Role.OFFICER, schools=[hill], name="Olu Officer")
    lead = make_user(Role.SCHOOL_LEAD, schools=[hill], name="Lee Lead")
    return hill, vale, pupils, officer, lead


@pytest.fixture
def case(area, make_case):
    _hill, _vale, pupils, officer, _lead = area
    opened = make_case(pupils["persistent"], CaseStage.PERSISTENT, officer=officer)
    figures.refresh(today=TODAY)  # the factory gave the pupil made-up figures; go back to the marks'
    return opened


def record_form(**changes) -> dict:
    form = {
        "held_on": day(TODAY),
        "recorder_attended": "y",
        "attended": "Jo Bloggs, deputy head (attendance lead)\nKim Lee, SENCO",
        "apologies": "Ann Head, head teacher",
        "summary": "Persistent absence is falling; Year 5 is the concern.",
        "decisions": "The school will run a breakfast club for Year 5 from 9 March.",
        "actions-0-pupil": "",
        "actions-0-description": "",
        "actions-0-owner": "",
        "actions-0-due_on": day(None),
        "next_meeting_on": day(date(2026, 5, 11)),
    }
    form.update(changes)
    return form


# --- the list of schools ----------------------------------------------------------------------------------


def test_each_role_sees_the_schools_it_works_with(client, sign_in, area, make_user):
    _hill, _vale, _pupils, officer, lead = area
    for user, shown, hidden in (
        (officer, ["Hill School"], ["Vale School"]),
        (lead, ["Hill School"], ["Vale School"]),
        (make_user(Role.MANAGER), ["Hill School", "Vale School"], []),
    ):
        client.post("/sign-out")
        sign_in(user)
        page = client.get("/targeting/")
        assert page.status_code == 200
        assert all(name in page.text for name in shown) and not any(name in page.text for name in hidden)
        assert "Not held this term" in page.text
    client.post("/sign-out")
    sign_in(make_user(Role.ADMIN))
    assert client.get("/targeting/").status_code == 403


# --- the pack ---------------------------------------------------------------------------------------------


def test_the_pack_lists_pupils_by_band_with_their_case_status(client, sign_in, area, case):
    hill, _vale, _pupils, officer, _lead = area
    pack = targeting.pack(hill, officer)
    names = {band.value: [p.pupil.surname for p in listed] for band, listed in pack.bands.items()}
    assert names == {"severe": ["Severe"], "persistent": ["Persistent"], "at_risk": ["Approaching", "Risk"]}
    assert [p.pupil.surname for p in pack.threshold_met] == ["Severe", "Persistent"]
    assert [p.pupil.surname for p in pack.approaching] == ["Approaching"]
    assert [group.label for group in pack.lower_groups][:1] == ["Pupil premium"]
    sign_in(officer)
    page = client.get(f"/targeting/schools/{hill.id}")
    assert page.status_code == 200
    text = page.text
    assert "Sam Severe" in text and "Eli Elsewhere" not in text and "Gus Good" not in text
    assert case.reference in text and "Olu Officer" in text and "No case" in text
    assert "Groups with lower attendance than the school" in text and "Pupil premium" in text
    assert "No meeting recorded yet" in text


def test_a_pack_outside_the_users_schools_is_not_found(client, sign_in, area, make_user):
    _hill, vale, _pupils, officer, lead = area
    for user in (officer, lead):
        client.post("/sign-out")
        sign_in(user)
        for url in (
            f"/targeting/schools/{vale.id}",
            f"/targeting/schools/{vale.id}/print",
            f"/targeting/schools/{vale.id}/meetings/new",
        ):
            assert client.get(url).status_code == 404, url
    client.post("/sign-out")
    sign_in(make_user(Role.MANAGER))
    assert client.get(f"/targeting/schools/{vale.id}").status_code == 200
    assert "Eli Elsewhere" in client.get(f"/targeting/schools/{vale.id}").text


def test_the_printable_pack_has_no_navigation_and_printing_it_is_logged(client, sign_in, area):
    hill, _vale, _pupils, _officer, lead = area
    sign_in(lead)
    page = client.get(f"/targeting/schools/{hill.id}/print")
    assert page.status_code == 200
    assert "Sam Severe" in page.text and "Attendance at this meeting" in page.text
    assert 'aria-label="Main menu"' not in page.text and "govuk-!-display-none-print" in page.text
    assert 'style="' not in page.text
    entry = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "targeting_pack")).one()
    assert (entry.user_id, entry.action, entry.record_id) == (lead.id, "exported", hill.id)
    # Every child the pack names: the ones the on-screen pack links to.
    assert children_in(entry) == pupils_named(client.get(f"/targeting/schools/{hill.id}").text)


def children_in(entry: AccessLog) -> set[int]:
    return set(db.session.scalars(sa.select(AccessLogPupil.pupil_id).where(AccessLogPupil.access_log_id == entry.id)))


def pupils_named(page: str) -> set[int]:
    """The pupils a page links to."""
    return {int(pupil_id) for pupil_id in re.findall(r'href="/pupils/(\d+)"', page)}


def test_looking_at_the_pack_on_screen_is_logged_against_every_child_it_names(client, sign_in, area):
    hill, _vale, _pupils, officer, _lead = area
    sign_in(officer)
    page = client.get(f"/targeting/schools/{hill.id}")
    entry = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "targeting_pack")).one()
    assert (entry.user_id, entry.action, entry.record_id, entry.pupil_id) == (officer.id, "viewed", hill.id, None)
    assert children_in(entry) == pupils_named(page.text) and len(children_in(entry)) >= 2


# --- recording the meeting --------------------------------------------------------------------------------


def test_recording_the_meeting_keeps_who_came_decisions_pupil_actions_and_the_next_date(client, sign_in, area, case):
    hill, _vale, _pupils, officer, _lead = area
    sign_in(officer)
    form = record_form(
        **{
            "actions-0-pupil": str(case.pupil_id),
            "actions-0-description": "Meet Pat at the gate each morning",
            "actions-0-owner": "school",
            "actions-0-due_on": day(date(2026, 3, 20)),
        }
    )
    response = client.post(f"/targeting/schools/{hill.id}/meetings/new", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/targeting/schools/{hill.id}")
    held, scheduled = db.session.scalars(sa.select(Meeting).order_by(Meeting.id)).all()
    assert (held.school_id, held.case_id, held.kind, held.status, held.held_on) == (
        hill.id,
        None,
        MeetingKind.TARGETING_SUPPORT,
        MeetingStatus.HELD,
        TODAY,
    )
    assert held.decisions.startswith("The school will run a breakfast club") and held.recorded_by_id == officer.id
    assert [(a.display_name, a.attendance) for a in held.attendees] == [
        ("Olu Officer", MeetingAttendance.ATTENDED),
        ("Jo Bloggs, deputy head (attendance lead)", MeetingAttendance.ATTENDED),
        ("Kim Lee, SENCO", MeetingAttendance.ATTENDED),
        ("Ann Head, head teacher", MeetingAttendance.APOLOGIES),
    ]
    assert (scheduled.school_id, scheduled.status) == (hill.id, MeetingStatus.SCHEDULED)
    assert scheduled.scheduled_for.astimezone(ENGLAND).date() == date(2026, 5, 11)
    plan = db.session.scalar(sa.select(ActionPlan).where(ActionPlan.case_id == case.id))
    assert "targeting support meeting on 2 March 2026" in plan.goals and "breakfast" not in plan.goals
    assert plan.review_on == date(2026, 5, 11)
    action = db.session.scalars(sa.select(Action)).one()
    assert (action.meeting_id, action.plan_id, action.description) == (
        held.id,
        plan.id,
        "Meet Pat at the gate each morning",
    )
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"meeting.recorded", "meeting.scheduled", "action_plan.created", "action.added"} <= actions

    pack = client.get(f"/targeting/schools/{hill.id}").text
    assert "Held on 2 March 2026" in pack and "breakfast club" in pack
    assert "Meet Pat at the gate each morning" in pack and "1 still open" in pack
    assert "Jo Bloggs, deputy head (attendance lead)" in pack and "Apologies: Ann Head" in pack
    index = client.get("/targeting/").text
    assert "2 Mar 2026" in index and "11 May 2026" in index and "Not held this term" not in index


def test_an_action_goes_into_the_existing_plan(client, sign_in, area, case):
    hill, _vale, _pupils, officer, _lead = area
    plan = ActionPlan(case_id=case.id, goals="Back to full time", review_on=TODAY, created_by_id=officer.id)
    db.session.add(plan)
    db.session.flush()
    sign_in(officer)
    form = record_form(
        next_meeting_on=day(None),
        **{
            "actions-0-pupil": str(case.pupil_id),
            "actions-0-description": "Home visit",
            "actions-0-owner": "local_authority",
            "actions-0-due_on": day(date(2026, 3, 9)),
        },
    )
    assert client.post(f"/targeting/schools/{hill.id}/meetings/new", data=form).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ActionPlan.id))) == 1
    assert db.session.scalars(sa.select(Action)).one().plan_id == plan.id
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1  # no next meeting given


def test_a_record_completes_the_meeting_that_was_arranged(client, sign_in, area):
    hill, _vale, _pupils, _officer, lead = area
    arranged = targeting.schedule_meeting(hill, TODAY + timedelta(days=3), lead)
    sign_in(lead)
    response = client.post(f"/targeting/schools/{hill.id}/meetings/new", data=record_form(next_meeting_on=day(None)))
    assert response.status_code == 302
    meeting = db.session.scalars(sa.select(Meeting)).one()
    assert meeting.id == arranged.id and meeting.status == MeetingStatus.HELD and meeting.held_on == TODAY


def test_managers_may_record_a_meeting_too(client, sign_in, area, make_user):
    hill, *_rest = area
    sign_in(make_user(Role.MANAGER))
    assert client.post(f"/targeting/schools/{hill.id}/meetings/new", data=record_form()).status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": ""}, "Enter a summary of the discussion"),
        ({"held_on": day(TODAY + timedelta(days=1))}, "must be today or in the past"),
        ({"held_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"next_meeting_on": day(TODAY - timedelta(days=1))}, "The next meeting must be after this one"),
        ({"recorder_attended": "", "attended": ""}, "Enter who attended the meeting"),
        ({"actions-0-description": "Call home", "actions-0-owner": "school"}, "Choose the pupil"),
        ({"actions-0-pupil": "999999", "actions-0-description": "x", "actions-0-owner": "school"}, "Choose a pupil"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_saved(client, sign_in, area, case, changes, message):
    hill, _vale, _pupils, officer, _lead = area
    sign_in(officer)
    response = client.post(f"/targeting/schools/{hill.id}/meetings/new", data=record_form(**changes))
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_a_pupil_at_another_school_cannot_be_given_an_action(client, sign_in, area, make_case, make_user):
    hill, vale, pupils, _officer, _lead = area
    elsewhere = make_case(pupils["elsewhere"], CaseStage.SEVERE, officer=make_user(Role.OFFICER, schools=[vale]))
    manager = make_user(Role.MANAGER)
    sign_in(manager)
    form = record_form(
        **{
            "actions-0-pupil": str(elsewhere.pupil_id),
            "actions-0-description": "Call home",
            "actions-0-owner": "school",
            "actions-0-due_on": day(date(2026, 3, 20)),
        }
    )
    assert client.post(f"/targeting/schools/{hill.id}/meetings/new", data=form).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 0


def test_adding_a_pupil_action_row_saves_nothing(client, sign_in, area, case):
    hill, _vale, _pupils, officer, _lead = area
    sign_in(officer)
    page = client.post(f"/targeting/schools/{hill.id}/meetings/new", data=record_form(add_action="y"))
    assert page.status_code == 200 and "Pupil action 2" in page.text
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_the_record_page_offers_the_packs_pupils_with_or_without_a_case(client, sign_in, area, case):
    hill, _vale, pupils, officer, _lead = area
    sign_in(officer)
    page = client.get(f"/targeting/schools/{hill.id}/meetings/new").text
    assert f'<option value="{pupils["persistent"].id}">Pat Persistent ({case.reference})</option>' in page
    assert f'<option value="{pupils["severe"].id}">Sam Severe (no case: the school)</option>' in page
    assert f'value="{pupils["good"].id}"' not in page  # not in the pack: nothing to discuss
    assert f'value="{pupils["elsewhere"].id}"' not in page


def action_for(pupil, owner: str = "school", description: str = "Daily check-in with the form tutor") -> dict:
    return {
        "actions-0-pupil": str(pupil.id),
        "actions-0-description": description,
        "actions-0-owner": owner,
        "actions-0-due_on": day(date(2026, 3, 20)),
    }


def test_an_action_for_a_pupil_without_a_case_is_the_schools_and_is_carried_forward(client, sign_in, area, make_user):
    hill, _vale, pupils, officer, lead = area
    sign_in(officer)
    response = client.post(
        f"/targeting/schools/{hill.id}/meetings/new", data=record_form(**action_for(pupils["severe"]))
    )
    assert response.status_code == 302
    action = db.session.scalars(sa.select(SchoolAction)).one()
    assert (action.pupil_id, action.school_id, action.status) == (
        pupils["severe"].id,
        hill.id,
        ActionStatus.NOT_STARTED,
    )
    assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 0  # no case, so no plan
    audited = sa.select(AuditEvent.action).where(AuditEvent.entity_type == "school_actions")
    assert db.session.scalars(audited).all() == ["school_action.added"]
    pack = client.get(f"/targeting/schools/{hill.id}").text
    carried = pack[pack.index('id="last-meeting"') : pack.index('id="pupils"')]
    assert "Daily check-in with the form tutor" in carried and "(1 still open)" in carried
    assert f'href="/targeting/actions/{action.id}">Update' in carried

    # The school's lead sees it among the actions the school owns, and marks it done.
    client.post("/sign-out")
    sign_in(lead)
    assert "Daily check-in with the form tutor" in client.get("/").text
    refused = client.post(f"/targeting/actions/{action.id}", data={"status": "done", "note": "", "version": 1})
    assert refused.status_code == 400 and "Say what was done, or why it was not" in refused.text
    assert db.session.get(SchoolAction, action.id).status == ActionStatus.NOT_STARTED
    done = client.post(f"/targeting/actions/{action.id}", data={"status": "done", "note": "Attending", "version": 1})
    assert done.status_code == 302
    assert db.session.get(SchoolAction, action.id).status == ActionStatus.DONE
    assert "Daily check-in with the form tutor" not in client.get("/").text
    assert "(0 still open)" in client.get(f"/targeting/schools/{hill.id}").text


@pytest.mark.parametrize("owner", ["family", "local_authority", "agency"])
def test_an_action_for_a_pupil_without_a_case_must_be_the_schools(client, sign_in, area, owner):
    hill, _vale, pupils, officer, _lead = area
    sign_in(officer)
    response = client.post(
        f"/targeting/schools/{hill.id}/meetings/new", data=record_form(**action_for(pupils["severe"], owner))
    )
    assert response.status_code == 400 and "is the school&#39;s to do: choose School" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SchoolAction.id))) == 0


def test_a_school_action_elsewhere_is_not_found(client, sign_in, area, make_user, make_school):
    hill, _vale, pupils, officer, _lead = area
    sign_in(officer)
    client.post(f"/targeting/schools/{hill.id}/meetings/new", data=record_form(**action_for(pupils["severe"])))
    action = db.session.scalars(sa.select(SchoolAction)).one()
    client.post("/sign-out")
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[make_school()]))
    assert client.get(f"/targeting/actions/{action.id}").status_code == 404
    assert client.post(f"/targeting/actions/{action.id}", data={"status": "done", "note": "x"}).status_code == 404


def test_last_and_next_meeting_dates_per_school(area, make_user):
    hill, vale, _pupils, officer, _lead = area
    meeting = Meeting(
        school_id=hill.id,
        kind=MeetingKind.TARGETING_SUPPORT,
        scheduled_for=datetime.combine(date(2026, 1, 12), time(9), tzinfo=UTC),
        status=MeetingStatus.HELD,
        held_on=date(2026, 1, 12),
        created_by_id=officer.id,
    )
    db.session.add(meeting)
    targeting.schedule_meeting(hill, date(2026, 4, 20), officer)
    rows = {row.school.name: row for row in targeting.schools_with_meetings([hill, vale])}
    assert (rows["Hill School"].last_held_on, rows["Hill School"].next_on) == (date(2026, 1, 12), date(2026, 4, 20))
    assert (rows["Vale School"].last_held_on, rows["Vale School"].next_on) == (None, None)
    assert (rows["Hill School"].severe, rows["Hill School"].persistent) == (1, 1)


# --- the term ---------------------------------------------------------------------------------------------


def spring(buffer: bytearray, codes: list[str]) -> bytearray:
    """Add whole days from Monday 5 January 2026 (the spring term), one code a school day."""
    start, day = registers.register_start(2025), date(2026, 1, 5)
    for code in codes:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        for session, mark in enumerate(("/", "\\") if code == "/" else (code, code)):
            buffer[(day - start).days * 2 + session] = ord(CODE_TO_CHAR[mark])
        day += timedelta(days=1)
    return buffer


def test_the_pack_can_cover_this_term_instead_of_the_year(client, sign_in, area, make_pupil):
    hill, _vale, _pupils, officer, _lead = area
    turning = make_pupil(hill, forename="Tia", surname="Turning")
    # Present all autumn; this term, absent one day in two: persistently absent over the year, severely this term.
    registers.merge({(turning.id, hill.id, 2025): spring(marks(60), ["/", "O"] * 10)})
    figures.refresh(today=TODAY)

    year = targeting.pack(hill, officer)
    term = targeting.pack(hill, officer, term=True)
    assert (term.period.name, term.period.start) == ("Spring term to date", date(2026, 1, 1))
    assert turning.id in {p.pupil.id for p in year.bands[Band.PERSISTENT]}
    assert [p.pupil.id for p in term.bands[Band.SEVERE]] == [turning.id]  # the only pupil marked this term
    assert term.headline.pupils == 1 and term.headline.overall_absence_pct == 50.0
    assert year.headline.pupils == 6
    # The penalty notice lists stay the year's: a window of 10 school weeks can span two terms.
    assert [p.pupil.id for p in term.approaching] == [p.pupil.id for p in year.approaching]

    sign_in(officer)
    page = client.get(f"/targeting/schools/{hill.id}?period=term")
    assert page.status_code == 200
    assert (
        "The school&#39;s attendance: spring term to date" in page.text
        or "attendance: spring term to date" in page.text
    )
    assert f'href="/targeting/schools/{hill.id}/print?period=term">Print the pack' in page.text
    assert f'href="/targeting/schools/{hill.id}">Show the academic year to date' in page.text
    printed = client.get(f"/targeting/schools/{hill.id}/print?period=term")
    assert "Spring term to date: 1 January 2026 to 2 March 2026" in printed.text
    logged = db.session.scalars(sa.select(AccessLog.detail).where(AccessLog.record_type == "targeting_pack")).all()
    assert logged == ["pack, spring term to date", "printable pack, spring term to date"]


@pytest.mark.parametrize("period", ["week", "TERM", ""])
def test_an_unknown_period_is_refused(client, sign_in, area, period):
    hill, _vale, _pupils, officer, _lead = area
    sign_in(officer)
    assert client.get(f"/targeting/schools/{hill.id}?period={period}").status_code == 400
    assert db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "targeting_pack")).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "finished", "note": "x"}, "Choose the action&#39;s status from the list"),
        ({"status": "", "note": "x"}, "Choose the action&#39;s status"),
        ({"status": "not_done", "note": "  "}, "Say what was done, or why it was not"),
        ({"status": "in_progress", "note": "x" * 5001}, "5,000 characters or fewer"),
    ],
)
def test_bad_updates_to_a_school_action_are_refused_and_change_nothing(client, sign_in, area, data, message):
    hill, _vale, pupils, officer, _lead = area
    sign_in(officer)
    client.post(f"/targeting/schools/{hill.id}/meetings/new", data=record_form(**action_for(pupils["severe"])))
    action = db.session.scalars(sa.select(SchoolAction)).one()
    response = client.post(f"/targeting/actions/{action.id}", data={**data, "version": action.version})
    assert response.status_code == 400 and message in response.text
    db.session.refresh(action)
    assert (action.status, action.note, action.version) == (ActionStatus.NOT_STARTED, "", 1)
