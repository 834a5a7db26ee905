"""Pupil pages and identification lists: the right pupils, the right figures, scoped, exported and logged."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AccessLog, Carer, Pupil, PupilAttendance, PupilCarer, Role
from ewo_cases.services import audit, identification
from ewo_cases.services.attendance import figures, registers
from ewo_cases.services.cases import open_case
from ewo_cases.services.identification import LISTS, Filters, listed
from workflows import CaseStage, stage_for_band
from workflows.attendance import CODE_TO_CHAR, NO_MARK

TODAY = date(2025, 12, 5)  # a Friday in the autumn term
TERM_START = date(2025, 9, 8)


def school_days(count: int, start: date = TERM_START) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def register(marks: dict[date, tuple[str, str]]) -> bytearray:
    """A 2025/26 register from {day: (AM code, PM code)}."""
    buffer = bytearray(NO_MARK.encode() * registers.LENGTH)
    start = registers.register_start(2025)
    for day, codes in marks.items():
        for session, code in enumerate(codes):
            buffer[(day - start).days * 2 + session] = ord(CODE_TO_CHAR[code])
    return buffer


def attendance(present_days: int, **absences: int) -> dict[date, tuple[str, str]]:
    """Present on the first ``present_days`` school days, then whole days of each absence code given."""
    codes = ["/"] * present_days + [code for code, days in absences.items() for _ in range(days)]
    days = school_days(len(codes))
    return {day: ("/", "\\") if code == "/" else (code, code) for day, code in zip(days, codes, strict=True)}


@pytest.fixture
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def make_pupil(make_pupil):
    """The factory's pupil, named in order and with marks, as these lists need them."""

    def make(school, forename="Alex", surname="Pupil", marks=None, **characteristics) -> Pupil:
        characteristics = {"year_group": "6", "date_of_birth": date(2014, 3, 1), **characteristics}
        pupil = make_pupil(school, forename=forename, surname=surname, **characteristics)
        if marks is not None:
            registers.merge({(pupil.id, school.id, 2025): register(marks)})
        return pupil

    return make


@pytest.fixture
def authority(make_school, make_pupil, today):
    """Two schools; at each, pupils on each list."""
    home, other = make_school(name="Home School"), make_school(name="Other School")
    pupils = {
        "good": make_pupil(home, "Gemma", "Good", attendance(60)),
        "threshold": make_pupil(home, "Tariq", "Threshold", attendance(50, N=5), pupil_premium=True),
        "approaching": make_pupil(home, "Amy", "Approaching", attendance(56, O=4)),
        "run": make_pupil(home, "Ravi", "Runner", attendance(40, O=12)),
        "ill": make_pupil(home, "Iris", "Illness", attendance(40, I=16)),
        "elsewhere": make_pupil(other, "Eli", "Elsewhere", attendance(50, N=6)),
    }
    figures.refresh(today=today)
    return home, other, pupils


def names(response) -> set[str]:
    return {
        name
        for name in ("Good", "Threshold", "Approaching", "Runner", "Illness", "Elsewhere")
        if f"{name}," in response.text
    }


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("bands", {"Threshold", "Approaching", "Runner", "Illness"}),
        ("penalty-threshold", {"Threshold", "Runner"}),
        ("approaching-threshold", {"Approaching"}),
        ("unauthorised-runs", {"Runner"}),
        ("sickness", {"Illness"}),
    ],
)
def test_each_list_holds_exactly_its_pupils(client, make_user, sign_in, authority, slug, expected):
    home, _other, _pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    response = client.get(f"/lists/{slug}")
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER])
def test_the_counts_are_how_many_are_on_each_list(make_user, authority, role):
    home, _other, _pupils = authority
    user = make_user(role, schools=[] if role == Role.MANAGER else [home])
    counted = identification.counts(user)
    on_each = {
        slug: len(db.session.execute(listed(pupil_list, user, Filters())).all()) for slug, pupil_list in LISTS.items()
    }
    assert counted == on_each
    assert counted["penalty-threshold"] == (3 if role == Role.MANAGER else 2)  # Eli is at the other school


def test_the_authoritys_counts_are_kept_until_a_case_is_opened_or_closed(make_user, authority):
    home, _other, pupils = authority
    manager, officer = make_user(Role.MANAGER), make_user(Role.OFFICER, schools=[home])
    assert identification.counts(manager)["bands"] == 5
    threshold = pupils["threshold"]
    band = db.session.get(PupilAttendance, threshold.id).band
    case = open_case(threshold, stage_for_band(band), actor=officer, officer=officer, reason="Unauthorised absence")
    assert identification.counts(manager)["bands"] == 4  # opening the case was audited
    case.stage = CaseStage.CLOSED  # behind the services' back, with no audit event: the kept count stands
    db.session.flush()
    assert identification.counts(manager)["bands"] == 4
    audit.record(officer, "case.closed", case, "Closed")
    assert identification.counts(manager)["bands"] == 5


def test_a_pupil_on_an_open_case_leaves_the_band_list_and_is_marked_on_the_others(
    client, make_user, sign_in, authority
):
    home, _other, pupils = authority
    officer = make_user(Role.OFFICER, schools=[home])
    threshold = pupils["threshold"]
    band = db.session.get(PupilAttendance, threshold.id).band
    case = open_case(threshold, stage_for_band(band), actor=officer, officer=officer, reason="Unauthorised absence")
    sign_in(officer)

    assert names(client.get("/lists/bands")) == {"Approaching", "Runner", "Illness"}
    listed = client.get("/lists/penalty-threshold").text
    assert f'href="/cases/{case.id}">{case.reference}</a>' in listed
    exported = {
        row["surname"]: row for row in csv.DictReader(io.StringIO(client.get("/lists/penalty-threshold.csv").text))
    }
    assert (exported["Threshold"]["open_case"], exported["Runner"]["open_case"]) == (case.reference, "")

    case.stage = CaseStage.CLOSED
    db.session.flush()
    assert "Threshold" in names(client.get("/lists/bands"))


def test_the_pupils_on_a_list_can_be_filtered_by_cohort_and_sorted(client, make_user, sign_in, authority):
    home, _other, _pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    assert names(client.get("/lists/penalty-threshold?cohort=pupil_premium")) == {"Threshold"}
    ascending = client.get("/lists/bands?sort=name&order=asc").text
    assert ascending.index("Approaching,") < ascending.index("Threshold,")
    descending = client.get("/lists/bands?sort=name&order=desc").text
    assert descending.index("Approaching,") > descending.index("Threshold,")


def test_a_filter_outside_the_users_schools_is_refused(client, make_user, sign_in, authority):
    home, other, _pupils = authority
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[home]))
    assert client.get(f"/lists/bands?school={other.id}").status_code == 400


@pytest.mark.parametrize(
    ("role", "linked", "visible"),
    [
        (Role.SCHOOL_LEAD, "home", {"Threshold", "Runner"}),
        (Role.OFFICER, "other", {"Elsewhere"}),
        (Role.MANAGER, None, {"Threshold", "Runner", "Elsewhere"}),
    ],
)
def test_lists_are_scoped_to_the_users_schools(client, make_user, sign_in, authority, role, linked, visible):
    home, other, _pupils = authority
    sign_in(make_user(role, schools=[{"home": home, "other": other}[linked]] if linked else []))
    assert names(client.get("/lists/penalty-threshold")) == visible


def test_a_school_lead_cannot_reach_another_schools_pupil_by_url_search_or_export(
    client, make_user, sign_in, authority
):
    home, _other, pupils = authority
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[home]))
    elsewhere = pupils["elsewhere"]
    assert client.get(f"/pupils/{elsewhere.id}").status_code == 404
    assert "Elsewhere" not in client.get(f"/pupils/?q={elsewhere.upn}").text
    assert "Elsewhere" not in client.get("/pupils/?q=Eli").text
    exported = client.get("/lists/penalty-threshold.csv").text
    assert elsewhere.upn not in exported and pupils["threshold"].upn in exported


def test_the_export_has_the_lists_columns_and_is_logged(client, make_user, sign_in, authority):
    home, _other, _pupils = authority
    officer = make_user(Role.OFFICER, schools=[home])
    sign_in(officer)
    response = client.get("/lists/penalty-threshold.csv?sort=figure&order=desc")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["surname"] for row in rows] == ["Runner", "Threshold"]
    assert rows[0]["unauth_10wk_latest"] == "24" and rows[0]["band"] == "persistent"
    entry = db.session.scalars(sa.select(AccessLog).where(AccessLog.action == "exported")).one()
    assert entry.user_id == officer.id and entry.record_type == "list:penalty-threshold"


def test_the_pupil_page_shows_the_figures_register_and_trend(client, make_user, sign_in, authority):
    home, _other, pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    page = client.get(f"/pupils/{pupils['threshold'].id}").text
    assert "90.9%" in page  # 100 of 110 sessions attended
    assert '10<span class="app-headline__of"> of 10</span>' in page
    assert "The penalty notice threshold is met" in page
    assert 'title="Reason for absence not yet established">N<' in page
    assert "Attendance each week" in page and "<svg" in page
    assert "Pupil premium" in page


def test_viewing_a_pupil_is_logged(client, make_user, sign_in, authority):
    home, _other, pupils = authority
    officer = make_user(Role.OFFICER, schools=[home])
    sign_in(officer)
    client.get(f"/pupils/{pupils['good'].id}")
    entry = db.session.scalars(sa.select(AccessLog).where(AccessLog.action == "viewed")).one()
    assert (entry.user_id, entry.record_type, entry.pupil_id) == (officer.id, "pupil", pupils["good"].id)


def test_a_chosen_date_range_changes_the_figures(client, make_user, sign_in, authority):
    home, _other, pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    first_week = school_days(5)
    page = client.get(f"/pupils/{pupils['threshold'].id}?start=8&start=9&start=2025&end=12&end=9&end=2025").text
    assert f"Attendance between {first_week[0].day} September 2025 and 12 September 2025" in page
    assert "100.0%" in page


def test_an_end_date_before_the_start_is_explained(client, make_user, sign_in, authority):
    home, _other, pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    response = client.get(f"/pupils/{pupils['good'].id}?start=12&start=9&start=2025&end=8&end=9&end=2025")
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.text


def test_carers_and_siblings_respect_scope_and_flag_adults_who_are_not_parents(
    client, make_user, sign_in, make_pupil, authority, db_session
):
    home, other, pupils = authority
    sister = make_pupil(home, "Sasha", "Sister", attendance(20))
    brother_elsewhere = make_pupil(other, "Ben", "Brother", attendance(20))
    mother = Carer(carer_ref="M1", forename="Mary", surname="Good", address="1 Lane")
    grandad = Carer(carer_ref="G1", forename="George", surname="Old", address="2 Lane")
    db_session.add_all([mother, grandad])
    db_session.flush()
    for child in (pupils["good"], sister, brother_elsewhere):
        db_session.add(
            PupilCarer(
                pupil_id=child.id,
                carer_id=mother.id,
                relationship_to_pupil="Mother",
                parental_responsibility=True,
                lives_with_pupil=True,
            )
        )
    db_session.add(
        PupilCarer(
            pupil_id=pupils["good"].id,
            carer_id=grandad.id,
            relationship_to_pupil="Grandfather",
            parental_responsibility=False,
            lives_with_pupil=False,
        )
    )
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[home]))
    page = client.get(f"/pupils/{pupils['good'].id}").text
    assert "Mary Good" in page and "Yes: parental responsibility and day-to-day care" in page
    assert "George Old" in page and "Not a parent under s576" in page
    assert "Sasha Sister" in page and "Ben Brother" not in page
    assert "1 more child shares a parent or carer with Gemma at a school you do not work with" in page


@pytest.fixture
def moved_school(make_school, make_pupil, authority, today):
    """Mo spent September at the other school, with 10 unexplained absences there, then joined this one."""
    home, other, _pupils = authority
    september = attendance(10, N=5)
    mo = make_pupil(home, "Mo", "Mover")
    at_home = dict.fromkeys(school_days(40, date(2025, 10, 6)), ("/", "\\"))
    registers.merge({(mo.id, other.id, 2025): register(september), (mo.id, home.id, 2025): register(at_home)})
    figures.refresh(today=today)
    return mo


def test_an_officers_lists_count_a_pupils_marks_at_every_school(client, make_user, sign_in, authority, moved_school):
    home, _other, _pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    assert "Mover," in client.get("/lists/penalty-threshold").text
    assert "90.9%" in client.get(f"/pupils/{moved_school.id}").text


def test_a_school_leads_lists_and_pupil_page_use_their_schools_own_marks(
    client, make_user, sign_in, authority, moved_school
):
    """Mo's 10 unauthorised sessions were at the other school; the school lead, as DfE counts their school,
    sees Mo's 100% there, on every list, in the CSV file and on the pupil page alike."""
    home, _other, _pupils = authority
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[home]))
    listed = client.get("/lists/penalty-threshold")
    assert "Mover," not in listed.text and "Threshold," in listed.text
    assert "They count only the marks your school recorded" in listed.text
    assert moved_school.upn not in client.get("/lists/penalty-threshold.csv").text
    assert "Mover," not in client.get("/lists/bands").text
    pupils_page = client.get("/pupils/?q=Mover").text
    assert "100.0%" in pupils_page
    page = client.get(f"/pupils/{moved_school.id}").text
    assert "100.0%" in page and '0<span class="app-headline__of"> of 10</span>' in page
    assert 'title="Reason for absence not yet established"' not in page, "the other school's register is not shown"
    assert "They count only the marks your school recorded" in page


def test_pages_say_how_recent_the_figures_are(client, make_user, sign_in, authority):
    """An import refreshes only its own pupils: a list can promise the oldest of its figures' dates."""
    home, _other, pupils = authority
    figures.refresh([pupils["threshold"].id], today=TODAY + timedelta(days=3))
    sign_in(make_user(Role.OFFICER, schools=[home]))
    assert "Figures as at 8 December 2025." in client.get(f"/pupils/{pupils['threshold'].id}").text
    for url in ("/lists/", "/lists/bands", "/pupils/", f"/pupils/{pupils['good'].id}"):
        page = client.get(url).text
        assert "Figures as at 5 December 2025. They count every school each pupil attended" in page, url


def test_the_penalty_list_in_september_counts_the_summer_terms_sessions(
    client, make_user, sign_in, make_school, make_pupil, app, monkeypatch
):
    """The 10 school weeks may span school years: 8 sessions in July and 2 in September meet the threshold."""
    monkeypatch.setitem(app.config, "TODAY", "2025-09-12")
    school = make_school(name="Home School")
    pupil = make_pupil(school, "Sam", "Summer")
    july, july_start = bytearray(NO_MARK.encode() * registers.LENGTH), registers.register_start(2024)
    for day in school_days(4, date(2025, 7, 14)):
        july[(day - july_start).days * 2 : (day - july_start).days * 2 + 2] = b"NN"
    september = register({**attendance(4), date(2025, 9, 12): ("G", "G")})
    registers.merge({(pupil.id, school.id, 2024): july, (pupil.id, school.id, 2025): september})
    figures.refresh(today=date(2025, 9, 12))
    sign_in(make_user(Role.OFFICER, schools=[school]))
    assert "Summer," in client.get("/lists/penalty-threshold").text
    assert '10<span class="app-headline__of"> of 10</span>' in client.get(f"/pupils/{pupil.id}").text


def test_year_groups_sort_in_school_order(client, make_user, sign_in, make_school, make_pupil, today):
    school = make_school()
    for year in ("10", "2", "R", "N1", "11", "1"):
        make_pupil(school, "Pat", f"Year{year}", attendance(40, N=5), year_group=year)
    figures.refresh(today=today)
    sign_in(make_user(Role.OFFICER, schools=[school]))
    page = client.get("/lists/penalty-threshold?sort=year&order=asc").text
    order = sorted(("10", "2", "R", "N1", "11", "1"), key=lambda year: page.index(f"Year{year},"))
    assert order == ["N1", "R", "1", "2", "10", "11"]
    page = client.get("/lists/penalty-threshold?sort=year&order=desc").text
    assert sorted(order, key=lambda year: page.index(f"Year{year},")) == ["11", "10", "2", "1", "R", "N1"]


@pytest.mark.parametrize(
    ("slug", "own_figure"),
    [
        ("bands", []),
        ("penalty-threshold", []),
        ("approaching-threshold", []),
        ("falling-below-90", ["sessions_until_below_90"]),
        ("unauthorised-runs", ["longest_unauth_days"]),
        ("sickness", ["illness"]),
    ],
)
def test_each_csv_names_every_column_once(client, make_user, sign_in, authority, slug, own_figure):
    home, _other, _pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    header = client.get(f"/lists/{slug}.csv").text.splitlines()[0].split(",")
    common = "upn,forename,surname,school_urn,school,year_group,attendance_pct,band,unauth_10wk_latest".split(",")
    assert header == [*common, *own_figure, "figures_as_at", "open_case"]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.OFFICER, 'Open a case<span class="govuk-visually-hidden"> for Tariq Threshold</span></a>'),
        (Role.SCHOOL_LEAD, '<span class="govuk-visually-hidden">No open case</span>'),
    ],
)
def test_a_pupil_without_an_open_case_is_offered_one_or_shows_a_dash(
    client, make_user, sign_in, authority, role, shown
):
    home, _other, pupils = authority
    sign_in(make_user(role, schools=[home]))
    page = client.get("/lists/penalty-threshold").text
    assert shown in page and ">None<" not in page
    if role is Role.OFFICER:
        assert f'href="/cases/new?pupil={pupils["threshold"].id}"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=31&start=2&start=2025", "The start date must be a real date, like 1 9 2025"),
        ("start=1&start=9&start=25", "The start date must be a real date, like 1 9 2025"),
        ("end=x&end=9&end=2025", "The end date must be a real date, like 31 12 2025"),
    ],
)
def test_an_impossible_date_is_explained_in_plain_words(client, make_user, sign_in, authority, query, message):
    home, _other, pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    response = client.get(f"/pupils/{pupils['good'].id}?{query}")
    assert response.status_code == 400
    assert message in response.text and "Not a valid date value" not in response.text


def test_the_pupil_page_says_when_attendance_is_already_below_90(client, make_user, sign_in, authority):
    home, _other, pupils = authority
    sign_in(make_user(Role.OFFICER, schools=[home]))
    assert "attendance is already below 90%" in client.get(f"/pupils/{pupils['run'].id}").text
    page = client.get(f"/pupils/{pupils['good'].id}").text
    assert "attendance is already below 90%" not in page and "more absences would take attendance below 90%" in page
