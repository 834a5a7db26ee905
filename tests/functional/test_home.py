"""Each role's home page: what it shows, what it must never show (another officer's cases, another school's
pupils), and each alert at its boundary; the page costs the same handful of queries however many cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    REGISTER_DAYS,
    Action,
    ActionOwner,
    ActionPlan,
    ActionStatus,
    Approval,
    ApprovalStatus,
    AttendanceContract,
    EnrolmentAttendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Note,
    NoteKind,
    NoticeToImprove,
    PenaltyNotice,
    ProsecutedParent,
    Prosecution,
    PupilAttendance,
    Role,
    SchoolCalendar,
)
from ewo_cases.services import home, oversight
from tests.case_records import add_parent, moment
from workflows import CaseStage, ClosureReason
from workflows.attendance import Band
from workflows.legal import NoticeKind, Section444

TODAY = date(2026, 3, 2)  # a Monday in spring term


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def school(make_school):
    return make_school(name="Hill School")


@pytest.fixture
def officer(make_user, school):
    return make_user(Role.OFFICER, schools=[school], name="Olu Officer")


@pytest.fixture
def colleague(make_user, school):
    """Another officer working the same school."""
    return make_user(Role.OFFICER, schools=[school], name="Cal Colleague")


@pytest.fixture
def new_case(make_case, make_pupil, school, officer):
    """An open case of ``who`` (the officer by default) for a new pupil called ``forename surname``."""

    def make(stage=CaseStage.PERSISTENT, *, who=None, at=None, **names):
        case = make_case(make_pupil(at or school, **names), stage, officer=who or officer)
        db.session.flush()
        return case

    return make


def add_plan(case, review_on: date, *actions: tuple[str, date, ActionOwner]) -> ActionPlan:
    plan = ActionPlan(case_id=case.id, goals="Attend every day", review_on=review_on, created_by_id=case.opened_by_id)
    db.session.add(plan)
    db.session.flush()
    for description, due_on, owner in actions:
        db.session.add(
            Action(
                plan_id=plan.id, description=description, owner=owner, due_on=due_on, created_by_id=plan.created_by_id
            )
        )
    db.session.flush()
    return plan


def add_meeting(case, day: date, hour: int = 10) -> Meeting:
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.FAMILY_ATTENDANCE,
        scheduled_for=moment(day, hour),
        place="Family room",
        created_by_id=case.opened_by_id,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def add_notice(case, received_on: date | None, **outcome) -> PenaltyNotice:
    notice = PenaltyNotice(
        case_id=case.id,
        pupil_id=case.pupil_id,
        carer_id=add_parent(case).carer_id,
        kind=NoticeKind.FIRST,
        issued_on=received_on - timedelta(days=2) if received_on else TODAY - timedelta(days=3),
        received_on=received_on,
        period_start=TODAY - timedelta(weeks=12),
        period_end=TODAY - timedelta(weeks=4),
        issued_by_id=case.opened_by_id,
        **outcome,
    )
    db.session.add(notice)
    db.session.flush()
    notice.reference = f"PN-26-{notice.id:04d}"
    db.session.flush()
    return notice


def add_notice_to_improve(case, ends_on: date, improved: bool | None = None) -> NoticeToImprove:
    notice = NoticeToImprove(
        case_id=case.id,
        issued_on=ends_on - timedelta(weeks=4),
        improvement_starts_on=ends_on - timedelta(weeks=4),
        improvement_ends_on=ends_on,
        sufficient_improvement="No unauthorised absence",
        improved=improved,
        issued_by_id=case.opened_by_id,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def add_contact(case, day: date) -> None:
    db.session.add(
        Note(
            case_id=case.id,
            kind=NoteKind.PHONE_CALL,
            occurred_at=moment(day),
            summary="Spoke to mum",
            author_id=case.opened_by_id,
        )
    )
    db.session.flush()


def case_alerts(officer) -> dict[str, list[str]]:
    """The officer's case alerts: kind → child names."""
    alerts: dict[str, list[str]] = {}
    for alert in home.officer_home(officer, TODAY).case_alerts:
        alerts.setdefault(alert.kind, []).append(alert.pupil_name)
    return alerts


def close(case) -> None:
    case.stage, case.closure_reason, case.closed_at = CaseStage.CLOSED, ClosureReason.IMPROVED, moment(TODAY)
    db.session.flush()


# --- the officer's caseload -------------------------------------------------------------------------------


def test_an_officer_sees_their_own_open_cases_and_never_another_officers(client, sign_in, officer, colleague, new_case):
    mine = new_case(forename="Mina", surname="Mine")
    new_case(who=colleague, forename="Theo", surname="Theirs")
    close(new_case(forename="Cora", surname="Closed"))
    assert [item.case for item in home.officer_home(officer, TODAY).cases] == [mine]

    sign_in(officer)
    page = client.get("/")
    assert page.status_code == 200
    assert "My caseload" in page.text
    assert f'href="/cases/{mine.id}">Mina Mine</a>' in page.text and mine.reference in page.text
    assert "Theo Theirs" not in page.text and "Cora Closed" not in page.text
    assert "Hill School" in page.text  # the school column, and the patch


def test_the_caseload_lists_overdue_first_then_by_the_next_date(officer, new_case):
    later = new_case(surname="Later")
    add_plan(later, TODAY + timedelta(weeks=6), ("Breakfast club", TODAY + timedelta(days=10), ActionOwner.SCHOOL))
    late_review = new_case(surname="Review")
    add_plan(late_review, TODAY - timedelta(days=3))
    soon = new_case(surname="Soon")
    add_plan(
        soon,
        TODAY + timedelta(weeks=6),
        ("Already done", TODAY - timedelta(days=20), ActionOwner.FAMILY),
        ("Morning call", TODAY + timedelta(days=2), ActionOwner.LOCAL_AUTHORITY),
    )
    db.session.execute(sa.update(Action).where(Action.description == "Already done").values(status=ActionStatus.DONE))
    contract = new_case(CaseStage.PARENTING_CONTRACT, surname="Contract")
    add_plan(contract, TODAY + timedelta(weeks=6), ("Walk to school", TODAY + timedelta(days=5), ActionOwner.FAMILY))
    db.session.add(
        AttendanceContract(
            case_id=contract.id,
            parent_commitments="Mornings",
            support_commitments="Breakfast club",
            review_on=TODAY + timedelta(days=1),
            created_by_id=officer.id,
        )
    )
    notice = new_case(CaseStage.NOTICE_TO_IMPROVE, surname="Notice")
    add_notice_to_improve(notice, TODAY + timedelta(days=4))
    nothing = new_case(surname="Nothing")
    in_court = new_case(CaseStage.PROSECUTION, surname="Court")  # laid, no hearing listed: urgent, with no date
    prosecution = Prosecution(
        case_id=in_court.id,
        period_start=TODAY - timedelta(weeks=20),
        period_end=TODAY - timedelta(weeks=8),
        laid_on=TODAY - timedelta(weeks=2),
        prepared_by_id=officer.id,
    )
    prosecution.parents.append(ProsecutedParent(carer_id=add_parent(in_court).carer_id, section=Section444.S444_1))
    db.session.add(prosecution)
    db.session.flush()

    rows = home.officer_home(officer, TODAY).cases
    assert [row.case for row in rows] == [late_review, in_court, contract, soon, notice, later, nothing]
    steps = {row.pupil.surname: row.next_step for row in rows}
    assert steps["Review"] == home.NextStep(TODAY - timedelta(days=3), "Action plan review", overdue=True)
    assert steps["Contract"] == home.NextStep(TODAY + timedelta(days=1), "Attendance contract review", overdue=False)
    assert steps["Soon"] == home.NextStep(TODAY + timedelta(days=2), "Action due: Morning call", overdue=False)
    assert steps["Notice"].on == TODAY + timedelta(days=4) and steps["Notice"].text.startswith(
        "Improvement period ends"
    )
    assert steps["Court"].on is None and steps["Court"].overdue and steps["Court"].text.startswith("No hearing listed")
    assert steps["Nothing"] is None


def test_the_caseload_page_shows_stage_band_and_next_step(client, sign_in, officer, new_case):
    case = new_case(CaseStage.SEVERE, forename="Sev", surname="Ere")
    add_plan(
        case, TODAY + timedelta(weeks=6), ("Call the family", TODAY - timedelta(days=1), ActionOwner.LOCAL_AUTHORITY)
    )
    sign_in(officer)
    page = client.get("/").text
    table = page.split('id="cases">Open cases</h2>', 1)[1]
    assert "Severe absence" in table  # the stage and the band
    assert "1 Mar 2026" in table and "Action due: Call the family" in table and "Overdue" in table
    assert "1 open case, 1 with something overdue" in table


def test_an_officer_without_cases_sees_what_will_appear(client, sign_in, make_user):
    sign_in(make_user(Role.OFFICER))
    page = client.get("/").text
    assert "You have no open cases" in page and "No alerts" in page
    assert "No meetings in the next 14 days" in page and "Nothing to record" in page
    assert "No schools in your patch yet" in page


def test_an_officer_sees_the_meetings_of_their_own_cases(client, sign_in, officer, colleague, new_case):
    mine, theirs = new_case(forename="Mina", surname="Mine"), new_case(who=colleague, forename="Theo", surname="Theirs")
    coming = add_meeting(mine, TODAY + timedelta(days=3))
    unrecorded = add_meeting(mine, TODAY - timedelta(days=2))
    add_meeting(mine, TODAY + timedelta(days=20))  # beyond the fortnight
    add_meeting(theirs, TODAY + timedelta(days=1))
    add_meeting(theirs, TODAY - timedelta(days=1))
    page = home.officer_home(officer, TODAY)
    assert [item.meeting for item in page.upcoming_meetings] == [coming]
    assert [item.meeting for item in page.meetings_to_record] == [unrecorded]

    sign_in(officer)
    text = client.get("/").text
    assert f"/cases/{mine.id}/meetings/{coming.id}" in text
    assert f"/cases/{mine.id}/meetings/{unrecorded.id}/record" in text
    assert "Theo Theirs" not in text and f"/cases/{theirs.id}/" not in text


def test_a_long_caseload_shows_the_most_pressing_and_links_to_the_rest(client, sign_in, monkeypatch, officer, new_case):
    new_case(surname="Calm")
    urgent = new_case(surname="Urgent")
    add_plan(urgent, TODAY - timedelta(days=1))
    soon = new_case(surname="Soon")
    add_plan(soon, TODAY + timedelta(days=1))
    monkeypatch.setattr(home, "CASELOAD_SHOWN", 2)
    page_data = home.officer_home(officer, TODAY)
    assert [item.case for item in page_data.cases] == [urgent, soon]
    assert (page_data.open_cases, page_data.overdue) == (3, 1)
    sign_in(officer)
    page = client.get("/").text
    assert "3 open cases, 1 with something overdue" in page and "Pupil Calm" not in page
    assert f'href="/cases/?officer={officer.id}">See all 3 of your open cases' in page


# --- the officer's alerts ---------------------------------------------------------------------------------


def test_pupils_over_a_threshold_with_no_open_case_are_counted_and_linked(
    client, sign_in, officer, colleague, school, make_pupil, make_figures, make_school, new_case
):
    for _ in range(2):
        make_figures(make_pupil(school), Band.PERSISTENT)
    covered = new_case(who=colleague)  # persistent, on a colleague's caseload: not an alert
    closed = new_case()
    close(closed)  # its case closed: an alert again
    make_figures(make_pupil(school), Band.SEVERE)
    make_figures(make_pupil(school), Band.AT_RISK)  # at risk is not an alert
    make_figures(make_pupil(make_school()), Band.SEVERE)  # outside the patch
    make_figures(make_pupil(school), Band.NONE, unauthorised_in_window=9)
    make_figures(make_pupil(school), Band.NONE, unauthorised_in_window=10)
    assert covered.is_open

    alerts = {(alert.slug, alert.band): alert for alert in home.list_alerts(officer)}
    assert set(alerts) == {("bands", Band.SEVERE), ("bands", Band.PERSISTENT), ("penalty-threshold", None)}
    assert alerts[("bands", Band.PERSISTENT)].without_case == 3
    assert alerts[("bands", Band.SEVERE)].without_case == 1
    assert alerts[("penalty-threshold", None)].without_case == 1

    sign_in(officer)
    page = client.get("/").text
    assert '<a class="govuk-link" href="/lists/bands?band=persistent">Persistent absence: 3 pupils</a>' in page
    assert 'href="/lists/bands?band=severe"' in page and 'href="/lists/penalty-threshold"' in page
    # A standing count is not an alert: nobody crossed anything recently.
    assert home.officer_home(officer, TODAY).alert_count == 0
    assert "Alerts (0)" in page


def crossed(figures: PupilAttendance, *, band_on: date | None = None, threshold_on: date | None = None) -> None:
    figures.band_entered_on, figures.threshold_met_on = band_on, threshold_on
    if threshold_on:
        figures.penalty_threshold_met = True
    db.session.flush()


def open_every_weekday_but(school, *holidays: tuple[date, date]) -> None:
    """Give the school a calendar of 2025/26 as its registers would: open every weekday up to yesterday but in
    the holidays (marked with ``#``, not a possible session)."""
    first = date(2025, 9, 1)
    days = []
    for offset in range(REGISTER_DAYS):
        day = first + timedelta(days=offset)
        if day >= TODAY:
            days.append(".")
        elif day.weekday() >= 5 or any(start <= day <= end for start, end in holidays):
            days.append("C")
        else:
            days.append("S")
    db.session.add(SchoolCalendar(school_id=school.id, academic_year=2025, days="".join(days)))
    db.session.flush()


def test_pupils_newly_crossing_a_threshold_in_the_last_ten_school_days_are_alerts(
    client, sign_in, officer, colleague, school, make_pupil, make_figures, make_school, new_case
):
    open_every_weekday_but(school, (date(2026, 2, 16), date(2026, 2, 20)))  # half term
    # Ten school days before Monday 2 March, skipping half term, is Monday 9 February.
    newly_severe = make_figures(make_pupil(school, surname="Newly"), Band.SEVERE)
    crossed(newly_severe, band_on=date(2026, 2, 10))  # 9 school days ago, 14 weekdays: still new
    too_old = make_figures(make_pupil(school, surname="Older"), Band.PERSISTENT)
    crossed(too_old, band_on=date(2026, 2, 9))  # 10 school days ago
    met = make_figures(make_pupil(school, surname="Threshold"), Band.AT_RISK, unauthorised_in_window=10)
    crossed(met, threshold_on=date(2026, 2, 27))
    at_risk = make_figures(make_pupil(school, surname="Risky"), Band.AT_RISK)
    crossed(at_risk, band_on=date(2026, 2, 27))  # at risk is not one of the thresholds alerted on
    on_a_case = new_case(who=colleague, surname="Cased")
    crossed(db.session.get(PupilAttendance, on_a_case.pupil_id), band_on=date(2026, 2, 27))
    elsewhere = make_figures(make_pupil(make_school(), surname="Elsewhere"), Band.SEVERE)
    crossed(elsewhere, band_on=date(2026, 2, 27))

    found = home.officer_home(officer, TODAY)
    assert [(c.pupil.surname, c.slug, c.on, c.school_days_ago) for c in found.crossings] == [
        ("Threshold", "penalty-threshold", date(2026, 2, 27), 1),
        ("Newly", "bands", date(2026, 2, 10), 9),
    ]
    assert found.alert_count == 2

    sign_in(officer)
    page = client.get("/").text
    assert "Newly over a threshold in the last 10 school days" in page
    assert "Severe absence on 10 February 2026" in page
    # A pupil over two thresholds is one alert, naming both.
    crossed(met, band_on=date(2026, 2, 26), threshold_on=date(2026, 2, 27))
    met.band = Band.PERSISTENT
    db.session.flush()
    page = client.get("/").text
    assert "Penalty notice threshold met on 27 February 2026; Persistent absence on 26 February 2026" in page
    assert page.count("Pupil Threshold<br>") == 1
    assert f'href="/pupils/{newly_severe.pupil_id}">See the pupil' in page
    for name in ("Older", "Risky", "Cased", "Elsewhere"):
        assert f"Pupil {name}" not in page


def test_without_registers_crossings_count_weekdays(officer, school, make_pupil, make_figures):
    figures = make_figures(make_pupil(school), Band.SEVERE)
    crossed(figures, band_on=date(2026, 2, 16))  # 10 weekdays ago: half term unknown without the registers
    assert home.officer_home(officer, TODAY).crossings == []
    crossed(figures, band_on=date(2026, 2, 17))
    assert [c.school_days_ago for c in home.officer_home(officer, TODAY).crossings] == [9]


def test_no_list_alert_when_every_pupil_over_a_threshold_has_a_case(officer, new_case):
    new_case(CaseStage.SEVERE)
    assert home.list_alerts(officer) == []


def test_a_penalty_notice_is_flagged_once_28_days_from_receipt_have_passed(
    client, sign_in, officer, colleague, new_case
):
    on_day_28 = new_case(CaseStage.FPN, surname="Twentyeight")
    add_notice(on_day_28, TODAY - timedelta(days=28))
    on_day_29 = new_case(CaseStage.FPN, surname="Twentynine")
    notice = add_notice(on_day_29, TODAY - timedelta(days=29))
    paid = new_case(CaseStage.FPN, surname="Paid")
    add_notice(paid, TODAY - timedelta(days=40), paid_on=TODAY - timedelta(days=30), amount_paid=80)
    withdrawn = new_case(CaseStage.FPN, surname="Withdrawn")
    add_notice(withdrawn, TODAY - timedelta(days=40), withdrawn_on=TODAY - timedelta(days=1))
    add_notice(new_case(CaseStage.FPN, surname="Unreceived"), None)
    add_notice(new_case(CaseStage.FPN, who=colleague, surname="Theirs"), TODAY - timedelta(days=40))

    assert case_alerts(officer).get("notice_unpaid") == ["Pupil Twentynine"]
    sign_in(officer)
    page = client.get("/").text
    assert "Penalty notices unpaid after 28 days" in page
    assert f"{notice.reference} to " in page and "the 28 days to pay ended 1 March 2026" in page
    assert f'href="/cases/{on_day_29.id}/legal">Prosecute or withdraw' in page
    assert "Pupil Theirs" not in page


def test_a_notice_to_improve_is_flagged_in_its_last_week_and_once_ended_without_an_outcome(
    client, sign_in, officer, new_case
):
    week_left = new_case(CaseStage.NOTICE_TO_IMPROVE, surname="Week")
    add_notice_to_improve(week_left, TODAY + timedelta(days=7))
    add_notice_to_improve(new_case(CaseStage.NOTICE_TO_IMPROVE, surname="Eight"), TODAY + timedelta(days=8))
    ended = new_case(CaseStage.NOTICE_TO_IMPROVE, surname="Ended")
    add_notice_to_improve(ended, TODAY)
    decided = new_case(CaseStage.NOTICE_TO_IMPROVE, surname="Decided")
    add_notice_to_improve(decided, TODAY - timedelta(days=3), improved=True)
    replaced = new_case(CaseStage.NOTICE_TO_IMPROVE, surname="Replaced")
    add_notice_to_improve(replaced, TODAY - timedelta(weeks=10))
    add_notice_to_improve(replaced, TODAY + timedelta(weeks=3))  # the latest notice is the one that counts

    alerts = case_alerts(officer)
    assert alerts.get("improvement_ending") == ["Pupil Week"]
    assert alerts.get("improvement_ended") == ["Pupil Ended"]
    sign_in(officer)
    page = client.get("/").text
    assert f'href="/cases/{ended.id}/legal/notice-to-improve/outcome">Record the outcome' in page
    assert f'href="/cases/{week_left.id}/legal">See the notice' in page
    assert "Ends 9 March 2026" in page


def test_plans_and_contracts_past_their_review_date_are_flagged(client, sign_in, officer, new_case):
    add_plan(new_case(surname="Today"), TODAY)
    overdue = new_case(surname="Yesterday")
    add_plan(overdue, TODAY - timedelta(days=1))
    contract = new_case(CaseStage.PARENTING_CONTRACT, surname="Contract")
    for review_on, ended_on in (
        (TODAY - timedelta(days=1), None),
        (TODAY - timedelta(days=9), TODAY - timedelta(days=2)),
    ):
        db.session.add(
            AttendanceContract(
                case_id=contract.id,
                parent_commitments="Mornings",
                support_commitments="Breakfast club",
                review_on=review_on,
                ended_on=ended_on,
                created_by_id=officer.id,
            )
        )
    db.session.flush()

    alerts = case_alerts(officer)
    assert alerts.get("plan_review") == ["Pupil Yesterday"]
    assert alerts.get("contract_review") == ["Pupil Contract"]
    sign_in(officer)
    page = client.get("/").text
    assert f'href="/cases/{overdue.id}/plan/">Review the plan' in page
    assert f'href="/cases/{contract.id}/plan/contract">Review the contract' in page
    assert "The action plan was due for review on 1 March 2026" in page


def test_a_case_is_flagged_after_the_configured_school_days_without_contact(
    app, monkeypatch, client, sign_in, officer, colleague, new_case
):
    twenty = new_case(surname="Twenty")
    add_contact(twenty, date(2026, 2, 2))  # 20 school days ago
    nineteen = new_case(surname="Nineteen")
    add_contact(nineteen, date(2026, 2, 3))
    add_contact(new_case(who=colleague, surname="Theirs"), date(2026, 1, 5))
    assert [row.case_id for row in home.officer_home(officer, TODAY).no_contact] == [twenty.id]

    sign_in(officer)
    page = client.get("/").text
    assert "No contact for 20 school days or more" in page
    assert "20 school days; last contact 2 February 2026" in page
    assert f'href="/cases/{twenty.id}/timeline/notes/new">Record a contact' in page
    assert "Pupil Nineteen" not in page.split("No contact for", 1)[1].split("</dl>", 1)[0]
    assert "Pupil Theirs" not in page

    monkeypatch.setitem(app.config, "NO_CONTACT_SCHOOL_DAYS", 19)
    assert {row.case_id for row in home.officer_home(officer, TODAY).no_contact} == {twenty.id, nineteen.id}


def test_the_officer_home_costs_the_same_queries_however_many_cases(app, officer, new_case):
    def statements() -> int:
        db.session.expire_all()  # as in a request: nothing already loaded
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", listener)
        try:
            home.officer_home(officer, TODAY)
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", listener)
        return len(seen)

    def busy_case(stage=CaseStage.PERSISTENT):
        case = new_case(stage)
        add_plan(case, TODAY - timedelta(days=1), ("Call", TODAY + timedelta(days=1), ActionOwner.SCHOOL))
        add_meeting(case, TODAY + timedelta(days=2))
        add_meeting(case, TODAY - timedelta(days=2))
        return case

    add_notice(busy_case(CaseStage.FPN), TODAY - timedelta(days=40))
    add_notice_to_improve(busy_case(CaseStage.NOTICE_TO_IMPROVE), TODAY)
    few = statements()
    for _ in range(4):
        add_notice(busy_case(CaseStage.FPN), TODAY - timedelta(days=40))
        add_notice_to_improve(busy_case(CaseStage.NOTICE_TO_IMPROVE), TODAY)
    assert statements() == few


def add_school_meeting(school, day: date, status=MeetingStatus.SCHEDULED, by=None) -> Meeting:
    meeting = Meeting(
        school_id=school.id,
        kind=MeetingKind.TARGETING_SUPPORT,
        scheduled_for=moment(day, 9),
        status=status,
        created_by_id=by.id,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def test_school_targeting_meetings_are_upcoming_for_the_patch_officer_and_the_schools_lead(
    client, sign_in, officer, school, make_school, make_user, new_case
):
    lead = make_user(Role.SCHOOL_LEAD, schools=[school])
    on_case = add_meeting(new_case(), TODAY + timedelta(days=3))
    soon = add_school_meeting(school, TODAY + timedelta(days=1), by=officer)
    add_school_meeting(school, TODAY + timedelta(days=15), by=officer)  # beyond the 14 days
    add_school_meeting(school, TODAY - timedelta(days=1), by=officer)  # passed
    add_school_meeting(school, TODAY + timedelta(days=2), MeetingStatus.CANCELLED, by=officer)
    elsewhere = add_school_meeting(make_school(name="Far School"), TODAY + timedelta(days=1), by=officer)

    listed = [item.meeting.id for item in home.officer_home(officer, TODAY).upcoming_meetings]
    assert listed == [soon.id, on_case.id]
    assert [item.meeting.id for item in home.school_lead_home(lead, TODAY).upcoming_meetings] == [soon.id, on_case.id]
    assert elsewhere.id not in listed

    sign_in(lead)
    page = client.get("/").text
    assert f'<a class="govuk-link" href="/targeting/schools/{school.id}">Targeting support meeting</a>' in page
    assert "at Hill School" in page and "Far School" not in page


# --- the school attendance lead ---------------------------------------------------------------------------


@pytest.fixture
def two_schools(make_school, make_user, make_pupil, make_figures, make_case):
    """A lead's school and another, each with a pupil on a case (school-owned action, meeting) and figures."""
    ours, theirs = make_school(name="Oak School"), make_school(name="Elm School")
    lead = make_user(Role.SCHOOL_LEAD, schools=[ours])
    cases = {}
    for school, names, bands in (
        (ours, ("Olive", "Ours"), (Band.PERSISTENT, Band.NONE)),
        (theirs, ("Esme", "Theirs"), (Band.SEVERE,)),
    ):
        officer = make_user(Role.OFFICER, schools=[school], name=f"Officer of {school.name}")
        case = make_case(make_pupil(school, forename=names[0], surname=names[1]), CaseStage.PERSISTENT, officer=officer)
        make_figures(case.pupil, bands[0])
        for band in bands[1:]:
            make_figures(make_pupil(school), band)
        add_plan(
            case,
            TODAY + timedelta(weeks=4),
            (f"School task for {names[0]}", TODAY - timedelta(days=1), ActionOwner.SCHOOL),
        )
        add_meeting(case, TODAY + timedelta(days=2))
        cases[school.name] = case
    for figures in db.session.scalars(sa.select(PupilAttendance)):
        pupil = figures.pupil
        db.session.add(
            EnrolmentAttendance(
                pupil_id=pupil.id,
                school_id=pupil.school_id,
                **{column: getattr(figures, column) for column in _FIGURE_COLUMNS},
            )
        )
    db.session.flush()
    return lead, ours, theirs, cases


_FIGURE_COLUMNS = [
    column.key
    for column in sa.inspect(EnrolmentAttendance).columns
    if column.key not in {"pupil_id", "school_id", "computed_at"}
]


def test_a_school_lead_sees_only_their_schools_cases_actions_meetings_and_figures(client, sign_in, two_schools):
    lead, ours, _theirs, cases = two_schools
    page_data = home.school_lead_home(lead, TODAY)
    assert [summary.school for summary in page_data.schools] == [ours]
    assert [item.case for item in page_data.cases] == [cases["Oak School"]] and page_data.open_cases == 1
    assert [item.case for item in page_data.actions] == [cases["Oak School"]]
    assert [item.case for item in page_data.upcoming_meetings] == [cases["Oak School"]]
    assert page_data.schools[0].bands == {Band.AT_RISK: 0, Band.PERSISTENT: 1, Band.SEVERE: 0}

    sign_in(lead)
    page = client.get("/").text
    assert "Attendance at your school" in page and "Oak School" in page
    assert "Olive Ours" in page and "Officer of Oak School" in page and "School task for Olive" in page
    assert "Overdue" in page
    # Oak: 80% and 98% attended; the authority (with Elm's 40%) 218 of 300 sessions.
    assert "89.0%" in page and "Local authority: 72.7%" in page
    assert "50.0%" in page  # persistent absence: 1 of Oak's 2 pupils
    for hidden in ("Elm School", "Esme Theirs", "School task for Esme", "Officer of Elm School"):
        assert hidden not in page
    assert f'href="/lists/bands?band=persistent&amp;school={ours.id}">1' in page
    assert f'href="/reports/schools/{ours.id}"' in page


def test_the_lead_home_has_a_prominent_way_to_refer_a_pupil(client, sign_in, two_schools):
    lead, ours, _theirs, _cases = two_schools
    sign_in(lead)
    page = client.get("/").text
    assert f'href="/pupils/?school={ours.id}" role="button"' in page and ">Refer a pupil</a>" in page
    assert client.get(f"/pupils/?school={ours.id}").status_code == 200


def test_a_lead_of_several_schools_sees_each_schools_headline(client, sign_in, two_schools, make_user):
    _lead, ours, theirs, _cases = two_schools
    lead = make_user(Role.SCHOOL_LEAD, schools=[ours, theirs])
    assert [summary.school.name for summary in home.school_lead_home(lead, TODAY).schools] == [
        "Elm School",
        "Oak School",
    ]
    sign_in(lead)
    page = client.get("/").text
    assert "Elm School" in page and "Oak School" in page and "Esme Theirs" in page
    assert 'href="/pupils/" role="button"' in page  # several schools: the whole pupil list


def test_a_lead_without_cases_or_figures_sees_what_will_appear(client, sign_in, make_user, make_school):
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[make_school(name="New School")]))
    page = client.get("/").text
    assert "New School" in page and "No attendance data yet" in page
    assert "No open cases" in page and "No actions" in page and "No meetings in the next 14 days" in page


def test_the_lead_list_of_cases_stops_at_a_page_and_links_to_the_rest(
    client, sign_in, monkeypatch, make_user, make_school, make_pupil, make_case
):
    school = make_school()
    lead = make_user(Role.SCHOOL_LEAD, schools=[school])
    officer = make_user(Role.OFFICER, schools=[school])
    for _ in range(3):
        make_case(make_pupil(school), officer=officer)
    monkeypatch.setattr(home, "SCHOOL_CASES_SHOWN", 2)
    page_data = home.school_lead_home(lead, TODAY)
    assert (len(page_data.cases), page_data.open_cases) == (2, 3)
    sign_in(lead)
    assert "See all 3 open cases" in client.get("/").text


# --- the team manager -------------------------------------------------------------------------------------


def test_the_manager_home_shows_approvals_drift_and_caseloads(client, sign_in, make_user, officer, new_case):
    manager = make_user(Role.MANAGER, name="Mona Manager")
    asked = []
    for surname, days_ago in (("Newest", 1), ("Oldest", 9), ("Middle", 4)):
        case = new_case(CaseStage.NOTICE_TO_IMPROVE, surname=surname)
        approval = Approval(
            case_id=case.id,
            trigger="issue_fpn",
            reason="Unpaid",
            requested_by_id=officer.id,
            requested_at=moment(TODAY - timedelta(days=days_ago)),
        )
        db.session.add(approval)
        asked.append(approval)
    drifting = new_case(surname="Drifting")
    add_contact(drifting, date(2026, 1, 5))
    db.session.flush()

    page_data = home.manager_home(manager, TODAY)
    assert page_data.pending_approvals == 3
    assert [approval.case.pupil.surname for approval in page_data.oldest_approvals] == ["Oldest", "Middle", "Newest"]
    assert page_data.drift["no_contact"] >= 1
    assert {person.name: person.total for person in page_data.team.officers}["Olu Officer"] == 4

    sign_in(manager)
    page = client.get("/").text
    assert "Team overview" in page and "3</span> requests waiting" in page
    assert f'href="/approvals/{asked[1].id}">Issue penalty notices' in page
    assert 'href="/oversight/drift?reason=no_contact"' in page and 'href="/oversight/drift"' in page
    assert 'href="/oversight/caseloads"' in page and "Olu Officer" in page
    for link in ("/oversight/outcomes", "/targeting/", "/legal/penalty-notices", "/reports/", "/approvals/"):
        assert f'href="{link}"' in page, link


def test_the_manager_home_works_out_drift_once_for_the_summary_and_the_caseloads(monkeypatch, make_user, new_case):
    manager = make_user(Role.MANAGER)
    add_contact(new_case(surname="Quiet"), date(2026, 1, 5))
    calls = []
    drift = oversight.drift
    monkeypatch.setattr(oversight, "drift", lambda *args, **kwargs: calls.append(1) or drift(*args, **kwargs))
    page_data = home.manager_home(manager, TODAY)
    assert len(calls) == 1
    assert page_data.drift["no_contact"] == 1 and page_data.team.totals.no_contact == 1


def test_the_manager_home_shows_only_the_oldest_pending_approvals(make_user, officer, new_case, monkeypatch):
    manager = make_user(Role.MANAGER)
    monkeypatch.setattr(home, "APPROVALS_SHOWN", 1)
    statuses = (
        ("Old", 5, ApprovalStatus.PENDING),
        ("Older", 8, ApprovalStatus.APPROVED),
        ("New", 1, ApprovalStatus.PENDING),
    )
    for surname, days_ago, status in statuses:
        db.session.add(
            Approval(
                case_id=new_case(surname=surname).id,
                trigger="escalate",
                reason="Worse",
                requested_by_id=officer.id,
                requested_at=moment(TODAY - timedelta(days=days_ago)),
                status=status,
            )
        )
    db.session.flush()
    page_data = home.manager_home(manager, TODAY)
    assert page_data.pending_approvals == 2
    assert [approval.case.pupil.surname for approval in page_data.oldest_approvals] == ["Old"]


def test_a_manager_with_an_empty_team_sees_what_will_appear(client, sign_in, make_user):
    sign_in(make_user(Role.MANAGER))
    page = client.get("/").text
    assert "Nothing to approve" in page and "No drifting cases" in page and "No open cases" in page


def test_the_administrator_home_is_unchanged(client, sign_in, make_user):
    sign_in(make_user(Role.ADMIN))
    page = client.get("/").text
    assert "Administration" in page and 'href="/users/"' in page
