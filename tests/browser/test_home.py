"""Each role's home page in a real browser with the demo data, checked with axe-core.

Other browser tests change the demo data as they go, so these check what the demo always holds: the demo
officer's open cases, the lead's school and its figures, the manager's team."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ewo_cases.models import Role
from ewo_cases.services.demo import DEMO_ACCOUNTS
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

ACCOUNT = {account.role: account for account in reversed(DEMO_ACCOUNTS)}


def open_home(page: Page, role: Role) -> None:
    account = ACCOUNT[role]
    sign_in(page, account.email, account.password)
    page.goto("/")


def test_the_officer_home_shows_their_caseload_meetings_and_alerts(page: Page):
    open_home(page, Role.OFFICER)
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    for heading in ("Alerts", "Meetings to record", "Upcoming meetings", "Open cases", "Your patch"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    cases = page.locator("table", has=page.get_by_role("columnheader", name="Next action or review"))
    expect(cases.get_by_role("row").nth(1)).to_contain_text("EWO-")
    # Only the officer's own cases: the other demo officer's patch never appears.
    expect(cases).not_to_contain_text("Riverside")
    assert axe_violations(page) == []

    cases.get_by_role("row").nth(1).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/cases/" in page.url


def test_the_school_lead_home_shows_the_schools_figures_cases_and_a_way_to_refer(page: Page):
    open_home(page, Role.SCHOOL_LEAD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance at your school")
    expect(page.get_by_role("heading", name="Northfield Academy")).to_be_visible()
    expect(page.get_by_text("attendance rate", exact=True)).to_be_visible()
    expect(page.get_by_text("Local authority:").first).to_be_visible()
    expect(page.get_by_role("table", name="Pupils on roll by attendance band")).to_be_visible()
    for heading in ("Open cases", "Actions your school owns", "Upcoming meetings"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    # Never another school's figures or pupils.
    for other in ("Northfield Primary School", "Riverside High School", "Hilltop Infant and Junior School"):
        expect(page.get_by_text(other)).to_have_count(0)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Refer a pupil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")
    assert axe_violations(page) == []


def test_the_manager_home_shows_approvals_drift_and_the_team(page: Page):
    open_home(page, Role.MANAGER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Team overview")
    for heading in ("Waiting for approval", "Drift", "Team caseloads", "Oversight and reports"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    team = page.get_by_role("table", name="Open cases by officer")
    for name in ("Priya Shah", "Daniel Hughes", "All officers"):
        expect(team.get_by_role("rowheader", name=name)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="See team caseloads by stage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team caseloads")
    page.go_back()
    page.get_by_role("link", name="Penalty notice register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("register")
