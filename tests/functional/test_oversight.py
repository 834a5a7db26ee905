"""The manager's oversight pages: team caseloads, the drift report (each rule at its boundary, filters, sorting,
CSV export) and outcomes; only managers may open them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    REGISTER_DAYS,
    AccessLog,
    AccessLogPupil,
    Action,
    ActionOwner,
    ActionPlan,
    AttendanceContract,
    AttendanceRegister,
    Case,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Note,
    NoteKind,
    NoticeToImprove,
    Referral,
    Role,
)
from ewo_cases.services import chronology, oversight
from ewo_cases.services.attendance import figures
from ewo_cases.services.oversight import STAGE_STANDARDS, DriftFilters, working_days_after
from tests.case_records import moment
from workflows import CaseStage, ClosureReason

TODAY = date(2026, 3, 2)  # a Monday in spring term


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, name="Mona Manager")


@pytest.fixture
def school(make_school):
    return make_school(name="Hill School")


@pytest.fixture
def officer(make_user, school):
    return make_user(Role.OFFICER, schools=[school], name="Olu Officer")


@pytest.fixture
def new_case(make_case, make_pupil, school, officer):
    """A case opened ``opened`` days ago, in its stage since ``since``, with a contact on ``contact`` (if given)."""

    def make(stage=CaseStage.PERSISTENT, *, opened=None, since=None, contact=None, pupil=None, who=None, **names):
        case = make_case(pupil or make_pupil(school, **names), stage, officer=who or officer)
        case.opened_at = moment(opened or since or TODAY - timedelta(days=7))
        case.stage_changed_at = moment(since or opened or TODAY - timedelta(days=7))
        if contact:
            add_contact(case, contact)
        db.session.flush()
        return case

    return make


def add_contact(case, day: date, kind: NoteKind = NoteKind.PHONE_CALL) -> Note:
    note = Note(
        case_id=case.id, kind=kind, occurred_at=moment(day), summary="Spoke to mum", author_id=case.opened_by_id
    )
    db.session.add(note)
    db.session.flush()
    return note


def reasons(manager, case) -> tuple[str, ...]:
    """Why the case drifts (empty when it does not)."""
    rows = {row.case_id: row for row in oversight.drift(manager)}
    return rows[case.id].reasons if case.id in rows else ()


# --- school days ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (date(2026, 2, 27), 1),  # Friday → Monday: the weekend is not counted
        (date(2026, 3, 2), 0),
        (date(2026, 3, 3), 0),
        (date(2026, 2, 2), 20),  # four whole weeks
        (date(2026, 2, 3), 19),
    ],
)
def test_working_days_are_counted_monday_to_friday(since, expected):
    assert working_days_after(since, TODAY) == expected


HALF_TERM = (date(2026, 2, 16), date(2026, 2, 20))


def attended_every_school_day(pupil, until: date = TODAY - timedelta(days=3)) -> None:
    """Give the pupil a 2025/26 register: present every weekday up to ``until``, but not in half term (when the
    school records nothing), as a marks import would store it."""
    first = date(2025, 9, 1)  # a Monday: the register's first day
    marks = []
    for offset in range(REGISTER_DAYS):
        day = first + timedelta(days=offset)
        school_day = day.weekday() < 5 and day <= until and not HALF_TERM[0] <= day <= HALF_TERM[1]
        marks.append("/\\" if school_day else "..")
    db.session.add(
        AttendanceRegister(pupil_id=pupil.id, school_id=pupil.school_id, academic_year=2025, marks="".join(marks))
    )
    db.session.flush()


@pytest.mark.parametrize(
    ("contact", "school_days", "drifting"),
    [
        # From Friday 30 January: 10 school days, half term, 5 more to Friday 27 February (the last day of
        # registers), then Monday 2 March counted as a weekday: 16, where weekdays would make it 21.
        (date(2026, 1, 30), 16, False),
        (date(2026, 1, 26), 20, True),
        (date(2026, 2, 20), 6, False),  # from the last day of half term
        (date(2026, 2, 27), 1, False),
    ],
)
def test_school_days_without_contact_leave_out_the_schools_holidays(
    new_case, manager, make_pupil, school, contact, school_days, drifting
):
    case = new_case(contact=contact, opened=date(2026, 1, 5), since=TODAY - timedelta(days=1))
    attended_every_school_day(case.pupil)
    figures.refresh()  # after every marks import: the school's calendar comes from its registers
    rows = {row.case_id: row for row in oversight.drift(manager, DriftFilters())}
    if drifting:
        assert rows[case.id].school_days_without_contact == school_days
        assert rows[case.id].reasons == ("no_contact",)
    else:
        assert case.id not in rows
        assert oversight.school_days_since([school.id], [contact], TODAY).tolist() == [school_days]


def test_an_earlier_years_holidays_are_not_school_days_once_a_later_year_is_recorded(new_case, manager, school):
    case = new_case(contact=date(2025, 7, 18), opened=date(2025, 7, 1), since=TODAY - timedelta(days=1))
    attended_every_school_day(case.pupil)
    last_year = [
        "/\\" if offset % 7 < 5 and date(2024, 9, 2) + timedelta(days=offset) <= date(2025, 7, 18) else ".."
        for offset in range(REGISTER_DAYS)
    ]
    db.session.add(
        AttendanceRegister(pupil_id=case.pupil_id, school_id=school.id, academic_year=2024, marks="".join(last_year))
    )
    figures.refresh()
    # The summer holiday from 19 July is left out, as are this year's half term days.
    expected = working_days_after(date(2025, 8, 31), TODAY) - 5
    assert oversight.school_days_since([school.id], [date(2025, 7, 18)], TODAY).tolist() == [expected]
    assert working_days_after(date(2025, 7, 18), TODAY) == expected + 5 + 30  # what weekdays alone would count


# --- the drift rules at their boundaries ------------------------------------------------------------------


def test_no_contact_for_exactly_the_threshold_of_school_days_is_drifting(new_case, manager):
    on_the_day = new_case(contact=date(2026, 2, 2))  # 20 school days ago
    day_after = new_case(contact=date(2026, 2, 3))  # 19
    assert reasons(manager, on_the_day) == ("no_contact",)
    assert reasons(manager, day_after) == ()


def test_the_threshold_comes_from_the_configuration(app, monkeypatch, new_case, manager):
    case = new_case(contact=date(2026, 2, 23))  # 5 school days ago
    assert reasons(manager, case) == ()
    monkeypatch.setitem(app.config, "NO_CONTACT_SCHOOL_DAYS", 5)
    assert reasons(manager, case) == ("no_contact",)


def test_a_case_never_contacted_counts_from_the_day_it_was_opened(new_case, manager):
    assert reasons(manager, new_case(opened=date(2026, 2, 2))) == ("no_contact",)
    assert reasons(manager, new_case(opened=date(2026, 2, 3))) == ()


def test_a_meeting_held_is_contact_and_a_note_to_file_is_not(new_case, manager, officer):
    met = new_case(opened=date(2026, 1, 5))
    db.session.add(
        Meeting(
            case_id=met.id,
            kind=MeetingKind.FAMILY_ATTENDANCE,
            scheduled_for=moment(date(2026, 2, 20)),
            status=MeetingStatus.HELD,
            held_on=date(2026, 2, 20),
            created_by_id=officer.id,
        )
    )
    filed = new_case(opened=date(2026, 1, 5))
    add_contact(filed, date(2026, 2, 25), NoteKind.OTHER)
    assert reasons(manager, met) == ()
    assert reasons(manager, filed) == ("no_contact",)


@pytest.mark.parametrize("stage", [stage for stage, standard in STAGE_STANDARDS.items() if standard.weeks])
def test_a_case_drifts_once_it_has_been_in_its_stage_longer_than_the_standard(new_case, manager, stage):
    weeks = STAGE_STANDARDS[stage].weeks
    at_the_standard = new_case(stage, since=TODAY - timedelta(weeks=weeks), contact=TODAY)
    past_it = new_case(stage, since=TODAY - timedelta(weeks=weeks, days=1), contact=TODAY)
    assert reasons(manager, at_the_standard) == ()
    assert reasons(manager, past_it) == ("stage",)


def test_a_notice_to_improve_drifts_once_its_improvement_period_has_ended(new_case, manager, officer):
    cases = {}
    for ends_on in (TODAY, TODAY - timedelta(days=1)):
        case = new_case(CaseStage.NOTICE_TO_IMPROVE, since=TODAY - timedelta(weeks=8), contact=TODAY)
        db.session.add(
            NoticeToImprove(
                case_id=case.id,
                issued_on=ends_on - timedelta(weeks=4),
                improvement_starts_on=ends_on - timedelta(weeks=4),
                improvement_ends_on=ends_on,
                sufficient_improvement="No unauthorised absence",
                issued_by_id=officer.id,
            )
        )
        cases[ends_on] = case
    db.session.flush()
    assert reasons(manager, cases[TODAY]) == ()
    assert reasons(manager, cases[TODAY - timedelta(days=1)]) == ("stage",)


def test_a_plan_or_contract_past_its_review_date_drifts(new_case, manager, officer):
    plan_due_today, plan_overdue = new_case(contact=TODAY), new_case(contact=TODAY)
    for case, review_on in ((plan_due_today, TODAY), (plan_overdue, TODAY - timedelta(days=1))):
        db.session.add(ActionPlan(case_id=case.id, goals="Attend", review_on=review_on, created_by_id=officer.id))
    contract_overdue, contract_ended = new_case(contact=TODAY), new_case(contact=TODAY)
    for case, ended_on in ((contract_overdue, None), (contract_ended, TODAY - timedelta(days=3))):
        db.session.add(
            AttendanceContract(
                case_id=case.id,
                parent_commitments="Mornings",
                support_commitments="Breakfast club",
                review_on=TODAY - timedelta(days=1),
                ended_on=ended_on,
                created_by_id=officer.id,
            )
        )
    db.session.flush()
    assert reasons(manager, plan_due_today) == ()
    assert reasons(manager, plan_overdue) == ("plan_review",)
    assert reasons(manager, contract_overdue) == ("contract_review",)
    assert reasons(manager, contract_ended) == ()


def test_a_meeting_whose_day_has_passed_unrecorded_drifts(new_case, manager, officer):
    yesterday, this_morning = new_case(contact=TODAY), new_case(contact=TODAY)
    for case, when in ((yesterday, moment(TODAY - timedelta(days=1), 15)), (this_morning, moment(TODAY, 9))):
        db.session.add(
            Meeting(case_id=case.id, kind=MeetingKind.FAMILY_ATTENDANCE, scheduled_for=when, created_by_id=officer.id)
        )
    db.session.flush()
    assert reasons(manager, yesterday) == ("meeting",)
    assert reasons(manager, this_morning) == ()


def test_closed_cases_never_drift(new_case, manager):
    case = new_case(opened=date(2025, 9, 1))
    case.stage, case.closure_reason = CaseStage.CLOSED, ClosureReason.IMPROVED
    db.session.flush()
    assert case.id not in {row.case_id for row in oversight.drift(manager)}


def test_referrals_waiting_more_than_ten_working_days(manager, make_pupil, school, make_user):
    lead = make_user(Role.SCHOOL_LEAD, schools=[school])
    for surname, day in (("Eleven", date(2026, 2, 13)), ("Ten", date(2026, 2, 16))):
        pupil = make_pupil(school, surname=surname)
        db.session.add(
            Referral(
                pupil_id=pupil.id, school_id=school.id, referred_by_id=lead.id, referred_at=moment(day), reason="Absent"
            )
        )
    db.session.flush()
    waiting = oversight.referrals_waiting(manager)
    assert [(referral.pupil_name, referral.working_days) for referral in waiting] == [("Pupil Eleven", 11)]


# --- the drift page ---------------------------------------------------------------------------------------


def test_the_drift_report_lists_cases_with_why_and_says_how_days_are_counted(client, sign_in, manager, new_case):
    new_case(contact=date(2026, 1, 5), forename="Dara", surname="Drift")
    new_case(contact=TODAY, forename="Kit", surname="Kept")
    sign_in(manager)
    page = client.get("/oversight/drift")
    assert page.status_code == 200
    assert "Dara Drift" in page.text and "Kit Kept" not in page.text
    assert "No contact for 40 school days" in page.text
    assert "the days the child's school was open, as its registers show" in page.text
    assert "1 drifting case" in page.text


def test_the_drift_report_filters_and_sorts(client, sign_in, manager, new_case, make_user, make_school, make_pupil):
    other_school = make_school(name="Vale School")
    other_officer = make_user(Role.OFFICER, schools=[other_school], name="Val Officer")
    new_case(contact=date(2026, 1, 5), surname="Alpha")
    new_case(contact=date(2026, 1, 26), surname="Bravo")
    new_case(
        pupil=make_pupil(other_school, surname="Charlie"),
        who=other_officer,
        since=TODAY - timedelta(weeks=20),
        contact=TODAY,
    )
    sign_in(manager)

    def surnames(query: str) -> list[str]:
        page = client.get(f"/oversight/drift?{query}")
        assert page.status_code == 200, page.text
        return [name for name in ("Alpha", "Bravo", "Charlie") if f"Pupil {name}" in page.text]

    assert surnames("") == ["Alpha", "Bravo", "Charlie"]
    assert surnames(f"officer={other_officer.id}") == ["Charlie"]
    assert surnames(f"school={other_school.id}") == ["Charlie"]
    assert surnames("reason=no_contact") == ["Alpha", "Bravo"]
    assert surnames("reason=stage") == ["Charlie"]
    page = client.get("/oversight/drift?sort=contact&order=asc").text
    assert page.index("Pupil Charlie") < page.index("Pupil Bravo") < page.index("Pupil Alpha")
    page = client.get("/oversight/drift?sort=child&order=desc").text
    assert page.index("Pupil Charlie") < page.index("Pupil Bravo") < page.index("Pupil Alpha")
    assert client.get("/oversight/drift?page=9").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["officer=abc", "officer=999999", "school=999999", "reason=bogus", "sort=bogus", "order=sideways"],
)
def test_bad_filters_are_refused(client, sign_in, manager, query):
    sign_in(manager)
    assert client.get(f"/oversight/drift?{query}").status_code == 400
    assert client.get(f"/oversight/drift.csv?{query}").status_code == 400


def test_the_drift_csv_is_the_filtered_list_and_is_logged(client, sign_in, manager, new_case):
    case = new_case(contact=date(2026, 1, 5), surname="Exported")
    new_case(since=TODAY - timedelta(weeks=30), contact=TODAY, surname="Stuck")
    sign_in(manager)
    response = client.get("/oversight/drift.csv?reason=no_contact")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["surname"] for row in rows] == ["Exported"]
    assert rows[0]["case_reference"] == case.reference
    assert rows[0]["school_days_without_contact"] == "40" and rows[0]["reasons"] == "no_contact"
    assert rows[0]["last_contact_on"] == "2026-01-05"
    entry = db.session.scalars(sa.select(AccessLog).where(AccessLog.action == "exported")).one()
    assert (entry.user_id, entry.record_type) == (manager.id, "drift")
    assert "reason=no_contact" in entry.detail
    exported = sa.select(AccessLogPupil.pupil_id).where(AccessLogPupil.access_log_id == entry.id)
    assert db.session.scalars(exported).all() == [case.pupil_id]


def test_the_drift_summary_for_the_home_page(manager, new_case, make_pupil, school, make_user):
    new_case(contact=date(2026, 1, 5))
    new_case(since=TODAY - timedelta(weeks=30), opened=date(2025, 9, 1))
    summary = oversight.drift_summary(manager)
    assert summary["drifting"] == 2
    assert (summary["no_contact"], summary["stage"], summary["referrals_waiting"]) == (2, 1, 0)


# --- caseloads --------------------------------------------------------------------------------------------


def test_caseloads_count_each_officers_open_cases_by_stage(
    client, sign_in, manager, officer, new_case, make_user, school
):
    make_user(Role.OFFICER, name="Ida Idle")
    gone = make_user(Role.OFFICER, schools=[school], name="Gus Gone")
    new_case(CaseStage.PERSISTENT, contact=TODAY)
    new_case(CaseStage.PERSISTENT, contact=date(2026, 1, 5))
    fpn = new_case(CaseStage.FPN, contact=TODAY)
    new_case(CaseStage.AT_RISK, who=gone, contact=TODAY)
    gone.active = False
    plan = ActionPlan(case_id=fpn.id, goals="Attend", review_on=TODAY, created_by_id=officer.id)
    db.session.add(plan)
    db.session.flush()
    db.session.add(
        Action(
            plan_id=plan.id,
            description="Call",
            owner=ActionOwner.SCHOOL,
            due_on=TODAY - timedelta(days=1),
            created_by_id=officer.id,
        )
    )
    db.session.flush()
    team = oversight.caseloads(manager)
    people = {person.name: person for person in team.officers}
    assert set(people) >= {"Olu Officer", "Ida Idle", "Gus Gone"}
    olu = people["Olu Officer"]
    assert olu.by_stage == {CaseStage.PERSISTENT: 2, CaseStage.FPN: 1}
    assert (olu.total, olu.legal, olu.overdue_actions, olu.no_contact, olu.drifting) == (3, 1, 1, 1, 1)
    assert people["Ida Idle"].total == 0 and not people["Gus Gone"].active
    assert team.totals.total == 4 and team.totals.by_stage[CaseStage.AT_RISK] == 1

    sign_in(manager)
    page = client.get("/oversight/caseloads")
    assert page.status_code == 200
    assert f'href="/cases/?officer={officer.id}&amp;stage=persistent">2' in page.text
    hidden = '<span class="govuk-visually-hidden"> {} of Olu Officer at {}</span>'
    assert hidden.format("cases", "Persistent absence") in page.text
    assert hidden.format("case", "Penalty notice") in page.text  # one case, read out as one
    assert f'href="/cases/?officer={gone.id}' not in page.text  # a closed account is not a filter of the case list
    assert "Account closed" in page.text and "Ida Idle" in page.text
    listed = client.get(f"/cases/?officer={officer.id}&stage=persistent")
    assert listed.status_code == 200 and "2 cases" in listed.text


# --- outcomes ---------------------------------------------------------------------------------------------


def test_the_outcomes_page_shows_entries_and_closure_reasons(client, sign_in, manager, new_case):
    closed = new_case()
    closed.stage, closed.closed_at, closed.closure_reason = CaseStage.CLOSED, moment(TODAY), ClosureReason.IMPROVED
    new_case()
    db.session.flush()
    sign_in(manager)
    page = client.get("/oversight/outcomes")
    assert page.status_code == 200
    assert "Attendance before and after entering each stage" in page.text
    assert "Attendance improved" in page.text and "100.0%" in page.text
    assert '<svg viewBox="0 0 720' in page.text
    assert client.get("/oversight/outcomes?group_by=officer&year=2025").status_code == 200


@pytest.mark.parametrize("query", ["year=1999", "year=abc", "group_by=pupil", "school=999999"])
def test_bad_outcome_filters_are_refused(client, sign_in, manager, query):
    sign_in(manager)
    assert client.get(f"/oversight/outcomes?{query}").status_code == 400


# --- access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SCHOOL_LEAD, Role.ADMIN])
def test_only_managers_may_open_the_oversight_pages(client, sign_in, make_user, school, role):
    sign_in(make_user(role, schools=[school] if role != Role.ADMIN else None))
    for url in ("/oversight/caseloads", "/oversight/drift", "/oversight/drift.csv", "/oversight/outcomes"):
        assert client.get(url).status_code == 403, url


def test_the_drift_filters_of_the_service(manager, new_case, make_user, make_school, make_pupil):
    other = make_school()
    case = new_case(pupil=make_pupil(other), who=make_user(Role.OFFICER, schools=[other]), contact=date(2026, 1, 5))
    assert [row.case_id for row in oversight.drift(manager, DriftFilters(school_id=other.id))] == [case.id]
    assert oversight.drift(manager, DriftFilters(reason="meeting")) == []


# --- the authority's drift, kept between requests -------------------------------------------------------


def test_the_authoritys_drift_is_kept_until_a_change_is_recorded(new_case, manager, officer):
    case = new_case(opened=date(2026, 1, 5))
    assert reasons(manager, case) == ("no_contact",)
    # Written behind the services' back (no audit event): the kept drift cannot know, which shows it is kept.
    add_contact(case, TODAY - timedelta(days=1))
    assert reasons(manager, case) == ("no_contact",)
    # Any change through a service is audited, and the next request works the drift out again.
    chronology.add_note(
        case, kind=NoteKind.HOME_VISIT, occurred_at=moment(TODAY), summary="Visited", significant=False, actor=officer
    )
    assert reasons(manager, case) == ()


def test_the_authoritys_drift_is_worked_out_again_when_the_school_calendars_change(new_case, manager):
    case = new_case(contact=date(2026, 1, 30), opened=date(2026, 1, 5), since=TODAY - timedelta(days=1))
    assert reasons(manager, case) == ("no_contact",)  # 21 weekdays, with no registers to tell school days
    attended_every_school_day(case.pupil)
    figures.refresh()  # renews the figures' stamp: half term is now known not to be school days
    assert reasons(manager, case) == ()


def test_the_authoritys_drift_is_worked_out_again_on_another_day(app, monkeypatch, new_case, manager):
    case = new_case(opened=date(2026, 2, 3))  # 19 school days ago
    assert reasons(manager, case) == ()
    monkeypatch.setitem(app.config, "TODAY", (TODAY + timedelta(days=1)).isoformat())
    assert reasons(manager, case) == ("no_contact",)


def test_an_officer_s_drift_is_never_kept(new_case, officer):
    case = new_case(opened=date(2026, 1, 5))
    assert [row.case_id for row in oversight.drift(officer)] == [case.id]
    add_contact(case, TODAY - timedelta(days=1))
    assert oversight.drift(officer) == []


def test_the_pages_explain_themselves_before_there_are_any_cases(client, sign_in, manager):
    sign_in(manager)
    assert "No drifting cases" in client.get("/oversight/drift").text
    assert "No referrals waiting too long" in client.get("/oversight/drift").text
    assert "No case entered a stage in this year" in client.get("/oversight/outcomes").text
    assert "No cases closed in this year" in client.get("/oversight/outcomes").text
    assert client.get("/oversight/caseloads").status_code == 200
    assert client.get("/oversight/drift?page=2").status_code == 200


@pytest.mark.parametrize(
    ("role", "shown", "on_home"),
    [
        (Role.MANAGER, {"Oversight"}, True),
        (Role.OFFICER, set(), True),
        (Role.SCHOOL_LEAD, {"Targeting meetings"}, True),
        (Role.ADMIN, set(), False),
    ],
)
def test_the_menu_leads_each_role_to_the_oversight_pages_it_may_use(
    client, sign_in, make_user, school, role, shown, on_home
):
    """Targeting meetings are in the menu of the school leads who hold them; the others reach them from home."""
    sign_in(make_user(role, schools=[school]))
    home = client.get("/").text
    menu = home.split('aria-label="Main menu"', 1)[1].split("</nav>", 1)[0]
    assert {text for text in ("Oversight", "Targeting meetings") if re.search(rf">\s*{text}\s*<", menu)} == shown
    assert ('href="/targeting/"' in home) is on_home


# --- reassigning ------------------------------------------------------------------------------------------


def test_the_reassign_message_counts_only_the_cases_that_moved(
    client, sign_in, manager, officer, new_case, make_user, school
):
    other = make_user(Role.OFFICER, schools=[school], name="Nadia New")
    moving, already = new_case(surname="Moving"), new_case(who=other, surname="Already")
    sign_in(manager)
    response = client.post(
        "/cases/reassign",
        data={"cases": [moving.id, already.id], "officer": other.id, "reason": "Caseload balance"},
        follow_redirects=True,
    )
    assert "1 case reassigned to Nadia New. 1 was Nadia New&#39;s already." in response.text
    assert db.session.get(Case, moving.id).assigned_officer_id == other.id


def test_a_manager_reassigns_a_case_from_its_own_page(client, sign_in, manager, officer, new_case, make_user):
    case = new_case()
    other = make_user(Role.OFFICER, name="Nadia New")
    sign_in(officer)
    assert "Reassign" not in client.get(f"/cases/{case.id}").text.split('id="main-content"')[-1].split("<nav")[0]
    client.post("/sign-out")
    sign_in(manager)
    assert f'href="/cases/{case.id}/reassign">Reassign' in client.get(f"/cases/{case.id}").text
    page = client.get(f"/cases/{case.id}/reassign")
    assert page.status_code == 200 and "The case is Olu Officer's" in page.text

    for data, error in (
        ({"officer": "", "reason": "Cover"}, "Choose the officer"),
        ({"officer": other.id, "reason": ""}, "Say why the cases are being reassigned"),
        ({"officer": "999999", "reason": "Cover"}, "Choose an officer from the list"),
    ):
        refused = client.post(f"/cases/{case.id}/reassign", data={"cases": case.id, **data})
        assert refused.status_code == 400 and error in refused.text
        assert db.session.get(Case, case.id).assigned_officer_id == officer.id

    done = client.post(f"/cases/{case.id}/reassign", data={"cases": case.id, "officer": other.id, "reason": "Cover"})
    assert done.status_code == 302 and done.headers["Location"] == f"/cases/{case.id}"
    assert db.session.get(Case, case.id).assigned_officer_id == other.id
    assert "from Olu Officer to Nadia New" in client.get(f"/cases/{case.id}/audit").text


def test_a_closed_case_and_another_case_cannot_be_reassigned_from_a_case_page(
    client, sign_in, manager, officer, new_case, make_user
):
    closed, this_case, other_case = new_case(), new_case(), new_case()
    closed.stage, closed.closure_reason = CaseStage.CLOSED, ClosureReason.IMPROVED
    db.session.flush()
    other = make_user(Role.OFFICER)
    sign_in(manager)
    assert client.get(f"/cases/{closed.id}/reassign").status_code == 404
    # The page reassigns its own case only, whatever else is posted.
    sneaked = client.post(
        f"/cases/{this_case.id}/reassign", data={"cases": other_case.id, "officer": other.id, "reason": "x"}
    )
    assert sneaked.status_code == 400
    assert {db.session.get(Case, c.id).assigned_officer_id for c in (this_case, other_case)} == {officer.id}
