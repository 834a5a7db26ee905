"""Each role's home page in a real browser with the demo data, checked with axe-core.

Other browser tests change the demo data as they go, so these check what the demo always holds: the demo
officer's open cases, the lead's school and its figures, the manager's team."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from ewo_cases.extensions import db
from ewo_cases.models import Case, Pupil, PupilAttendance, Role, School, User
from ewo_cases.services.cases import open_case
from ewo_cases.services.demo import DEMO_ACCOUNTS
from tests.browser.conftest import axe_violations, sign_in
from workflows import CaseStage
from workflows.attendance import Band

pytestmark = pytest.mark.browser

ACCOUNT = {account.role: account for account in reversed(DEMO_ACCOUNTS)}


def open_home(page: Page, role: Role) -> None:
    account = ACCOUNT[role]
    sign_in(page, account.email, account.password)
    page.goto("/")


@pytest.fixture(scope="module")
def colleagues_case(live_server) -> tuple[str, str]:
    """A case at a school in the demo officer's patch held by another officer there: (reference, child)."""
    with live_server.app.app_context():
        school = db.session.scalar(sa.select(School).where(School.urn == "100001"))
        colleague = User(
            email="colleague@demo.example",
            name="Casey Colleague",
            role=Role.OFFICER,
            password_hash="!",
            schools=[school],
        )
        db.session.add(colleague)
        pupil = db.session.scalars(
            sa.select(Pupil)
            .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
            .where(
                Pupil.school_id == school.id,
                PupilAttendance.band == Band.SEVERE,
                Pupil.id.not_in(sa.select(Case.pupil_id)),
            )
            .order_by(Pupil.id)
        ).first()
        case = open_case(pupil, CaseStage.SEVERE, actor=colleague, officer=colleague, reason="Severe absence")
        db.session.commit()
        return case.reference, pupil.name


def test_the_officer_home_shows_their_caseload_meetings_and_alerts(page: Page, colleagues_case):
    open_home(page, Role.OFFICER)
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    for heading in ("Alerts", "Meetings to record", "Upcoming meetings", "Open cases", "Your patch"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    # How many stand over each threshold with no case is a link to the list, not an alert.
    standing = page.locator("#lists + ul")
    expect(standing.get_by_role("link", name=re.compile(r"^Persistent absence: \d+ pupils?$"))).to_have_attribute(
        "href", "/lists/bands?band=persistent"
    )
    cases = page.locator("table", has=page.get_by_role("columnheader", name="Next action or review"))
    expect(cases.get_by_role("row").nth(1)).to_contain_text("EWO-")
    # Only the officer's own cases: not the other demo officer's patch, and not a colleague's case in their own
    # patch, which the officer may open (scoping lets them) but does not hold.
    expect(cases).not_to_contain_text("Riverside")
    reference, child = colleagues_case
    expect(cases).not_to_contain_text(reference)
    expect(cases).not_to_contain_text(child)
    page.goto("/cases/?officer=")
    expect(page.get_by_role("row", name=reference)).to_be_visible()  # in scope: the check above means something
    page.goto("/")
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
