"""Governors' reports over HTTP: figures, charts with tables, CSV files, scoping and bad input."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AccessLog, EnrolmentAttendance, Role
from ewo_cases.services import reports
from tests.report_area import TODAY, build_area, expected_authority, expected_rows, expected_school

CSV_HEADER = (
    "scope,dimension,group,pupils,possible,absence_sessions,overall_absence_pct,unauthorised_pct,"
    "persistent_pupils,persistent_pct,severe_pupils,severe_pct,small_group"
)
OTHER_SCHOOLS = ("Birch Primary", "Cedar Primary", "Damson Academy", "700002", "700003", "700004")


@pytest.fixture(autouse=True)
def _today(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TODAY", TODAY)


@pytest.fixture
def area(make_trust, make_school, make_pupil, runner, tmp_path):
    return build_area(make_trust, make_school, make_pupil, runner, tmp_path)


@pytest.fixture
def as_role(make_user, sign_in):
    def sign_in_as(role: Role, schools=()):
        user = make_user(role, schools=list(schools))
        sign_in(user)
        return user

    return sign_in_as


def csv_rows(response) -> list[dict[str, str]]:
    """The rows of a report's CSV file, each group flagged small exactly when it has fewer than 5 pupils."""
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == CSV_HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        assert row["small_group"] == ("true" if int(row["pupils"]) < reports.SMALL_GROUP else "false"), row
    return rows


def figures(rows: list[dict[str, str]], scope: str) -> list[dict[str, str]]:
    """One scope's rows with the contract's columns only, as ``attendance cohorts`` writes them."""
    return [
        {k: v for k, v in row.items() if k not in ("scope", "small_group")} for row in rows if row["scope"] == scope
    ]


def as_csv_cells(rows: list[dict]) -> list[dict[str, str]]:
    """Rows of figures as the CSV file writes them."""
    return [{key: "" if value is None else str(value) for key, value in row.items()} for row in rows]


def cli_csv(runner, *options: str) -> list[dict[str, str]]:
    result = runner.invoke(args=["attendance", "cohorts", *options])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


# Figures ------------------------------------------------------------------------------------------------


def test_the_school_csv_equals_attendance_cohorts_and_the_brute_force_breakdown(area, as_role, client, runner):
    as_role(Role.MANAGER)
    rows = csv_rows(client.get(f"/reports/schools/{area.alder.id}.csv"))
    own = figures(rows, "school")
    assert own == cli_csv(runner, "--school", area.alder.urn)
    assert own == as_csv_cells(expected_school(area.alder))
    assert figures(rows, "authority") == as_csv_cells(expected_authority()) == cli_csv(runner)
    # Alder's trust and the other primary schools (Birch and Cedar), group by group for the authority's staff.
    assert figures(rows, "other_schools") == as_csv_cells(
        expected_rows(EnrolmentAttendance, [area.birch.id, area.cedar.id])
    )
    assert [row["scope"] for row in rows] == sorted(
        (row["scope"] for row in rows), key=["school", "trust", "other_schools", "authority"].index
    )


def test_a_chosen_period_is_computed_for_the_page_and_the_csv(area, as_role, client, runner):
    as_role(Role.MANAGER)
    query = "period=custom&start=8&start=9&start=2025&end=10&end=10&end=2025"
    rows = csv_rows(client.get(f"/reports/schools/{area.birch.id}.csv?{query}"))
    own = figures(rows, "school")
    assert own == cli_csv(runner, "--school", area.birch.urn, "--from", "2025-09-08", "--to", "2025-10-10")
    page = client.get(f"/reports/schools/{area.birch.id}?{query}")
    assert page.status_code == 200
    assert "Chosen dates: 8 September 2025 to 10 October 2025" in page.text
    assert f"/reports/schools/{area.birch.id}.csv?period=custom&amp;start=8&amp;start=9" in page.text


def test_this_term_is_a_period(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get("/reports/authority?period=term")
    assert page.status_code == 200
    assert "Autumn term to date: 1 September 2025 to 1 December 2025" in page.text


def test_the_authority_csv_holds_only_the_authority(area, as_role, client, runner):
    as_role(Role.OFFICER)
    rows = csv_rows(client.get("/reports/authority.csv"))
    assert {row["scope"] for row in rows} == {"authority"}
    assert figures(rows, "authority") == cli_csv(runner)


def test_the_trust_csv_holds_the_trust_then_the_authority(area, as_role, client):
    as_role(Role.MANAGER)
    rows = csv_rows(client.get(f"/reports/trusts/{area.trust.id}.csv"))
    scopes = [row["scope"] for row in rows]
    assert scopes == sorted(scopes, key=["trust", "authority"].index) and set(scopes) == {"trust", "authority"}
    everyone = next(row for row in rows if row["scope"] == "trust" and row["dimension"] == "all")
    assert everyone["pupils"] == str(4 + 2 + 2)  # Alder's enrolments, Birch's and Damson's


# Pages --------------------------------------------------------------------------------------------------


def figures_then_tables(html: str) -> list[str]:
    """The order of charts and tables on a page: 'f' for each chart, 't' for each table."""
    return ["f" if tag == "figure" else "t" for tag in re.findall(r"<(figure|table)\b", html)]


def test_a_report_page_draws_each_chart_followed_by_a_table_of_its_figures(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.alder.id}")
    assert page.status_code == 200
    order = "".join(figures_then_tables(page.text))
    assert order.count("f") >= 2 * (1 + 9)  # the headline and each of the nine dimensions: absence and persistent
    # Every chart is followed by a table before the next group of charts begins.
    assert re.fullmatch(r"(f+t+)+", order), order
    assert page.text.count('role="img"') == order.count("f")
    assert page.text.count("<title id=") == order.count("f") and page.text.count("<desc id=") == order.count("f")
    for heading in reports.DIMENSION_LABELS.values():
        assert heading in page.text
    assert "Questions governors may ask" in page.text
    for prompt in ("Nursery", "Sixth form", "Year 11 study leave", "Strategies and communications"):
        assert prompt in page.text
    assert "Download this report as a CSV file" in page.text


def test_the_page_shows_the_figures_and_the_comparisons(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.birch.id}").text
    assert "Birch Primary" in page and "Oak Trust" in page and "Other primary schools in the authority" in page
    assert "85.0%" in page and "15.0%" in page  # attendance and overall absence
    ranking = page[page.index('id="ranking"') : page.index('id="characteristics"')]
    assert ranking.index("Cedar Primary") < ranking.index("Birch Primary (this school)") < ranking.index("Alder")


def test_the_trust_and_authority_pages_list_their_parts(area, as_role, client):
    as_role(Role.MANAGER)
    trust = client.get(f"/reports/trusts/{area.trust.id}")
    assert trust.status_code == 200 and "Schools in the trust" in trust.text
    for name in ("Alder Primary", "Birch Primary", "Damson Academy"):
        assert name in trust.text
    authority = client.get("/reports/authority")
    assert authority.status_code == 200
    assert "By phase" in authority.text and "Maintained schools (no trust)" in authority.text


def test_a_small_group_is_flagged(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.alder.id}").text
    assert "Small group" in page


def test_the_index_offers_each_role_its_reports_and_redirects_with_the_period(area, as_role, client):
    as_role(Role.SCHOOL_LEAD, [area.alder])
    page = client.get("/reports/")
    assert page.status_code == 200
    assert "Alder Primary" in page.text and "Oak Trust" not in page.text and "whole local authority" not in page.text
    response = client.get(f"/reports/?report=school-{area.alder.id}&period=term")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/schools/{area.alder.id}?period=term"


def test_the_index_for_the_local_authority(area, as_role, client):
    as_role(Role.OFFICER, [area.birch])
    page = client.get("/reports/").text
    assert "Birch Primary" in page and "Alder Primary" not in page  # officers: the schools of their patch
    assert "Oak Trust (trust)" in page and "The whole local authority" in page
    response = client.get("/reports/?report=authority&period=custom&start=1&start=9&start=2025&end=30&end=9&end=2025")
    assert response.headers["Location"] == (
        "/reports/authority?period=custom&start=1&start=9&start=2025&end=30&end=9&end=2025"
    )


# Bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "period=fortnight",
        "period=custom",
        "period=custom&start=1&start=9&start=2025",
        "period=custom&start=31&start=2&start=2025&end=1&end=3&end=2025",
        "period=custom&start=2&start=10&start=2025&end=1&end=10&end=2025",
        "period=custom&start=a&start=b&start=c&end=1&end=10&end=2025",
        "period=year&start=99&start=99&start=2025",
        "period=term&end=1&end=10&end=2025",
        "period=custom&start=1&start=9&start=2024&end=2&end=9&end=2025",
    ],
)
def test_bad_query_input_is_answered_with_400(area, as_role, client, query):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.alder.id}?{query}")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert client.get(f"/reports/schools/{area.alder.id}.csv?{query}").status_code == 400
    assert client.get(f"/reports/authority.csv?{query}").status_code == 400


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=custom", "Enter the first date"),
        ("period=custom&start=31&start=2&start=2025&end=1&end=3&end=2025", "The first date must be a real date"),
        (
            "period=custom&start=2&start=10&start=2025&end=1&end=10&end=2025",
            "The last date must be the same as or after the first date",
        ),
        ("period=custom&start=1&start=9&start=2024&end=2&end=9&end=2025", "The period must be a year or shorter"),
        ("start=1&start=9&start=2025", "Choose other dates to see the report for the dates you entered"),
    ],
)
def test_bad_dates_are_explained(area, as_role, client, query, message):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/authority?{query}")
    assert page.status_code == 400
    assert message in page.text
    assert "Academic year to date: 1 September 2025 to 1 December 2025" in page.text  # the report still shows


def test_a_year_to_the_day_is_allowed(area, as_role, client):
    as_role(Role.MANAGER)
    query = "period=custom&start=1&start=9&start=2024&end=1&end=9&end=2025"
    assert client.get(f"/reports/schools/{area.alder.id}?{query}").status_code == 200


@pytest.mark.parametrize("query", ["report=school-999999", "report=", "report=authority&period=never"])
def test_the_index_refuses_bad_choices(area, as_role, client, query):
    as_role(Role.SCHOOL_LEAD, [area.alder])
    assert client.get(f"/reports/?{query}").status_code == 400


# Scoping ------------------------------------------------------------------------------------------------


def test_a_school_lead_gets_404_for_another_schools_report_and_csv(area, as_role, client):
    as_role(Role.SCHOOL_LEAD, [area.alder])
    assert client.get(f"/reports/schools/{area.birch.id}").status_code == 404
    assert client.get(f"/reports/schools/{area.birch.id}.csv").status_code == 404
    assert client.get("/reports/schools/999999").status_code == 404
    assert client.get(f"/reports/trusts/{area.trust.id}").status_code == 403
    assert client.get("/reports/authority.csv").status_code == 403


def test_a_school_lead_cannot_learn_other_schools_names(area, as_role, client):
    as_role(Role.SCHOOL_LEAD, [area.alder])
    page = client.get(f"/reports/schools/{area.alder.id}")
    assert page.status_code == 200
    for other in OTHER_SCHOOLS:
        assert other not in page.text
    assert "School A" in page.text and "School B" in page.text
    ranking = page.text[page.text.index('id="ranking"') : page.text.index('id="characteristics"')]
    assert "/reports/schools/" not in ranking  # no links to schools they cannot open
    csv_text = client.get(f"/reports/schools/{area.alder.id}.csv").get_data(as_text=True)
    for other in OTHER_SCHOOLS:
        assert other not in csv_text


def test_a_school_leads_csv_holds_no_other_schools_breakdown(area, as_role, client, monkeypatch):
    monkeypatch.setattr(reports, "MIN_OTHER_PUPILS", 2)
    as_role(Role.SCHOOL_LEAD, [area.alder])
    rows = csv_rows(client.get(f"/reports/schools/{area.alder.id}.csv"))
    for scope in ("trust", "other_schools"):  # their headline only, never group by group
        assert [(row["dimension"], row["group"]) for row in rows if row["scope"] == scope] == [("all", "all")]
    authority = {(row["dimension"], row["group"]) for row in rows if row["scope"] == "authority"}
    assert ("looked_after", "Y") not in authority and ("sex", "M") in authority


def test_a_school_lead_sees_withheld_comparisons_as_not_shown(area, as_role, client):
    as_role(Role.SCHOOL_LEAD, [area.alder])
    page = client.get(f"/reports/schools/{area.alder.id}").text
    assert "Not shown" in page and "fewer than 10 pupils from other schools" in page


def test_an_officer_opens_their_patch_and_the_aggregates_only(area, as_role, client):
    as_role(Role.OFFICER, [area.birch])
    assert client.get(f"/reports/schools/{area.birch.id}").status_code == 200
    assert client.get(f"/reports/schools/{area.alder.id}").status_code == 404
    assert client.get(f"/reports/schools/{area.alder.id}.csv").status_code == 404
    assert client.get(f"/reports/trusts/{area.trust.id}").status_code == 200
    assert client.get("/reports/trusts/999999").status_code == 404
    page = client.get(f"/reports/schools/{area.birch.id}").text
    assert "Alder Primary" in page and "Cedar Primary" in page  # officers see names, not the reports
    assert f"/reports/schools/{area.alder.id}" not in page


def test_a_manager_sees_every_school_named_and_linked(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.alder.id}").text
    for school in (area.birch, area.cedar):
        assert school.name in page and f"/reports/schools/{school.id}" in page


def test_administrators_have_no_reports(area, as_role, client):
    as_role(Role.ADMIN)
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/schools/{area.alder.id}").status_code == 403


def test_every_export_is_logged(area, as_role, client):
    user = as_role(Role.MANAGER)
    client.get(f"/reports/schools/{area.alder.id}.csv")
    client.get(f"/reports/trusts/{area.trust.id}.csv?period=term")
    client.get("/reports/authority.csv")
    client.get(f"/reports/schools/{area.alder.id}")  # viewing aggregates is not an export
    entries = db.session.scalars(sa.select(AccessLog).where(AccessLog.user_id == user.id).order_by(AccessLog.id)).all()
    assert [(entry.action, entry.record_type, entry.record_id) for entry in entries] == [
        ("exported", "report:school", area.alder.id),
        ("exported", "report:trust", area.trust.id),
        ("exported", "report:authority", None),
    ]
    assert "Alder Primary; 2025-09-01 to 2025-12-01" in entries[0].detail


# Fidelity to the briefing ------------------------------------------------------------------------------


def charts(html: str) -> list[str]:
    """The title of every chart on a page."""
    return re.findall(r'<title id="[^"]+">([^<]+)</title>', html)


def test_each_characteristic_is_charted_for_absence_persistent_and_severe_absence(area, as_role, client):
    as_role(Role.MANAGER)
    titles = charts(client.get(f"/reports/schools/{area.alder.id}").text)
    for measure in ("Overall absence rate", "Persistent absence", "Severe absence"):
        assert any(title.startswith(measure) for title in titles), measure  # the headline
        for label in reports.DIMENSION_LABELS.values():
            assert any(title.startswith(f"{label}: {measure.lower()}") for title in titles), (label, measure)


def test_groups_compare_with_the_trust_the_other_schools_of_the_phase_and_the_authority(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.alder.id}").text
    sex = page[page.index('id="sex"') : page.index('id="year_group"')]
    for name in ("Oak Trust", "Other primary schools in the authority", "Local authority"):
        assert f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">{name}</th>' in sex
    # Three measures, each for Alder and its three comparisons.
    assert sex.count('scope="colgroup" colspan="4"') == 3


def test_a_school_lead_is_told_why_group_comparisons_are_the_authoritys_only(area, as_role, client, monkeypatch):
    monkeypatch.setattr(reports, "MIN_OTHER_PUPILS", 2)
    as_role(Role.SCHOOL_LEAD, [area.alder])
    page = client.get(f"/reports/schools/{area.alder.id}").text
    assert "given group by group to local authority staff only" in page
    sex = page[page.index('id="sex"') : page.index('id="year_group"')]
    assert "Oak Trust</th>" not in sex and "Local authority</th>" in sex


def test_small_groups_are_left_out_of_the_charts_but_kept_in_the_tables(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.alder.id}").text
    looked_after = page[page.index('id="looked_after"') : page.index('id="previously_looked_after"')]
    chart, table = looked_after.split("<table", 1)
    assert "Fewer than 5 pupils: not shown" in chart and "Looked after" in chart
    assert ("Small group" in table and "100.0%" in table) or "%" in table
    assert "never publish them" in page


def test_ethnicity_is_named_as_the_department_names_it(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get(f"/reports/schools/{area.alder.id}").text
    ethnicity = page[page.index('id="ethnicity"') : page.index('id="questions"')]
    assert "White British" in ethnicity and "Bangladeshi" in ethnicity
    assert ">WBRI" not in ethnicity and ">ABAN" not in ethnicity


def test_year_groups_read_in_school_order_on_the_page_and_as_text_in_the_csv(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get("/reports/authority").text
    table = page[page.index('id="year_group"') : page.index('id="ethnicity"')].split("<tbody", 1)[1]
    shown = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+?)\s*(?:<|$)', table)
    rows = csv_rows(client.get("/reports/authority.csv"))
    groups = [row["group"] for row in rows if row["dimension"] == "year_group"]
    assert groups == sorted(groups)  # the contract: the group as written, compared as text
    assert shown == [reports.group_label("year_group", g) for g in sorted(groups, key=reports.school_order)]
    assert shown != [reports.group_label("year_group", g) for g in groups]  # the area has R, 3, 4 and 10


def test_the_authority_report_has_headline_charts_and_every_school(area, as_role, client):
    as_role(Role.MANAGER)
    page = client.get("/reports/authority").text
    headline = page[page.index('id="headline"') : page.index('id="part-1"')]
    assert charts(headline)[:3] == [
        "Overall absence rate",
        "Persistent absence (pupils missing 10% or more)",
        "Severe absence (pupils missing 50% or more)",
    ]
    assert "Primary" in headline.split("<table", 1)[0] and "Secondary" in headline.split("<table", 1)[0]
    by_school = page[page.index(">By school<") :]
    for school in (area.alder, area.birch, area.cedar, area.damson):
        assert f'href="/reports/schools/{school.id}">{school.name}</a>' in by_school
