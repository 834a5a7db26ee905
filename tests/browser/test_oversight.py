"""Oversight and targeting support meetings in a real browser, each page checked with axe-core.

An officer arranges a family meeting on a case that then goes unrecorded (so the case drifts), then
prepares, prints and records a school's termly targeting support meeting; the team manager reads the
caseloads, the drift report (and exports it) and the outcomes. Everything is done through the pages; only
the choice of a pupil without a case is read from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from ewo_cases.extensions import db
from ewo_cases.models import Case, Pupil, PupilAttendance, Role, School
from tests.browser.conftest import accessible, fill_date, switch, today
from workflows import CaseStage
from workflows.attendance import Band

pytestmark = pytest.mark.browser

SCHOOL_URN = "100001"  # in the demo officer's patch


def a_case_opened_weeks_ago(app) -> tuple[int, int, str]:
    """An open case of a child in a band at the school, opened more than a week ago: (case id, school id,
    child's name). A meeting can be arranged for yesterday only on a case open then."""
    with app.app_context():
        case = db.session.scalars(
            sa.select(Case)
            .join(Pupil, Pupil.id == Case.pupil_id)
            .join(School, School.id == Pupil.school_id)
            .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
            .where(
                School.urn == SCHOOL_URN,
                Case.stage != CaseStage.CLOSED,
                Case.opened_at < datetime.now(UTC) - timedelta(weeks=1),
                PupilAttendance.band != Band.NONE,
            )
            .order_by(Case.id)
        ).first()
        return case.id, case.pupil.school_id, case.pupil.name


def test_an_officer_prepares_records_a_targeting_meeting_and_a_manager_oversees(page: Page, live_server):
    case_id, school_id, name = a_case_opened_weeks_ago(live_server.app)
    switch(page, Role.OFFICER)

    # A family meeting yesterday, on a case open for weeks, that nobody records.
    page.goto(f"/cases/{case_id}/meetings/new")
    page.get_by_label("Family attendance meeting").check()
    fill_date(page, "date", today() - timedelta(days=1))
    page.get_by_label("Time").fill("10am")
    page.get_by_label("Place").fill("School family room")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_text("Now record what happened at it")).to_be_visible()

    # The termly pack: the list of schools, the pack, its printable version and the record.
    page.goto("/targeting/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Targeting support meetings")
    accessible(page)
    page.goto(f"/targeting/schools/{school_id}")
    expect(page.get_by_role("link", name=name).first).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Print the pack").click()
    expect(page.get_by_role("heading", name="Attendance at this meeting")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    accessible(page)
    page.goto(f"/targeting/schools/{school_id}/meetings/new")
    accessible(page)
    page.get_by_role("button", name="Save the record of the meeting").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a summary of the discussion")
    accessible(page)
    page.get_by_label("Who else attended").fill("Jo Bloggs, deputy head (attendance lead)")
    page.get_by_label("Summary of the discussion").fill("Mondays are the problem in Year 5.")
    page.get_by_label("Decisions and actions agreed for the school (optional)").fill("Breakfast club on Mondays.")
    # Most pupils discussed have no case: an action for one of them is the school's.
    pupils = page.locator("#actions-0-pupil option").all_inner_texts()
    page.locator("#actions-0-pupil").select_option(label=next(p for p in pupils if "no case: the school" in p))
    page.locator("#actions-0-description").fill("Meet at the gate on Mondays")
    page.locator("#actions-0-owner").select_option(label="School")
    fill_date(page, "actions-0-due_on", today() + timedelta(weeks=2))
    fill_date(page, "next_meeting_on", today() + timedelta(weeks=10))
    page.get_by_role("button", name="Save the record of the meeting").click()
    expect(page.get_by_text("Targeting support meeting recorded")).to_be_visible()
    expect(page.get_by_text("Breakfast club on Mondays.")).to_be_visible()
    carried = page.get_by_role("row", name="Meet at the gate on Mondays")
    expect(carried).to_contain_text("(no case)")
    accessible(page)
    carried.get_by_role("link", name="Update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update a school action")
    accessible(page)
    page.get_by_role("radio", name="In progress").check()
    page.get_by_role("button", name="Save the update").click()
    expect(page.get_by_role("row", name="Meet at the gate on Mondays")).to_contain_text("In progress")
    page.goto(f"/targeting/schools/{school_id}?period=term")
    expect(page.get_by_role("link", name="Show the academic year to date")).to_be_visible()
    accessible(page)

    # The manager: caseloads, drift (with the unrecorded meeting), its CSV, and outcomes.
    switch(page, Role.MANAGER)
    page.goto("/oversight/caseloads")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team caseloads")
    accessible(page)
    page.goto(f"/oversight/drift?reason=meeting&school={school_id}")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Child").click()
    accessible(page)
    page.locator("summary", has_text="How drift is worked out").click()
    expect(page.get_by_text("holidays, bank holidays and closures are left out")).to_be_visible()
    accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these cases as a CSV file").click()
    header = download.value.path().read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("case_reference,upn,forename,surname")
    page.goto("/oversight/outcomes")
    expect(page.get_by_role("heading", name="Why cases closed")).to_be_visible()
    accessible(page)
    page.get_by_label("Also show").select_option("officer")
    page.get_by_role("button", name="Show outcomes").click()
    accessible(page)
