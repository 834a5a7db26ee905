"""A team manager's oversight in a real browser, each page checked with axe-core (issue 7).

An officer opens three cases and asks a manager to approve escalating one of them before its attendance
band has changed; the manager finds the request in the approvals queue, approves it with a comment and sees
the decision on the case's timeline; the officer escalates with it; the manager reassigns the other two cases
in bulk from the case list, and reads the first case's audit: its steps, the approval with its reasons and
decision, and who has looked at the child's records. Everything is done through the pages; only the choice
of pupils without a case is read from the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from ewo_cases.extensions import db
from ewo_cases.models import Case, Pupil, PupilAttendance, Role, School
from tests.browser.conftest import accessible, long_date, switch, today
from workflows.attendance import Band

pytestmark = pytest.mark.browser

SCHOOL_URN = "100003"  # in the demo officer's patch; no other browser journey opens cases there
OFFICER, OTHER_OFFICER, MANAGER = "Priya Shah", "Daniel Hughes", "Grace Okafor"
ESCALATE = "Escalate before the attendance band has changed"


def at_risk_pupils_without_a_case(app, count: int) -> list[tuple[int, str]]:
    """Pupils at risk at the school who have never had a case: (id, name)."""
    with app.app_context():
        pupils = db.session.scalars(
            sa.select(Pupil)
            .join(School, School.id == Pupil.school_id)
            .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
            .where(
                School.urn == SCHOOL_URN,
                PupilAttendance.band == Band.AT_RISK,
                Pupil.id.not_in(sa.select(Case.pupil_id)),
            )
            .order_by(Pupil.id.desc())
            .limit(count)
        ).all()
        assert len(pupils) == count, "the demo data has too few pupils at risk without a case at the school"
        return [(pupil.id, pupil.name) for pupil in pupils]


def open_case(page: Page, pupil_id: int, name: str) -> str:
    """Open a case from the pupil's page, at the stage the band suggests; return its reference."""
    page.goto(f"/pupils/{pupil_id}")
    page.get_by_role("button", name="Open a case").click()
    page.get_by_label("Why is the case being opened?").fill("Attendance has slipped below 95% this term.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_text(f"opened for {name}")).to_be_visible()
    return page.locator(".app-identity .govuk-caption-l").inner_text().split(" · ")[0]


def test_a_manager_approves_reassigns_and_audits(page: Page, live_server):
    (first_id, first), *others = at_risk_pupils_without_a_case(live_server.app, 3)

    # The officer opens three cases, and asks to escalate the first before its band has changed.
    switch(page, Role.OFFICER)
    references = [open_case(page, pupil_id, name) for pupil_id, name in others]
    reference = open_case(page, first_id, first)
    case_path = page.url.removeprefix(live_server.url)
    accessible(page)
    page.get_by_role("link", name="Ask a manager to approve escalate").click()
    expect(page.get_by_role("heading", name=f"Ask for approval: {ESCALATE.lower()}")).to_be_visible()
    accessible(page)
    reason = "Two fixed-term exclusions and a sibling now refusing school: needs targeted support now."
    page.get_by_label("Why should this step be taken?").fill(reason)
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.get_by_text("Your request is with the team managers")).to_be_visible()

    # The manager's queue: the request, its case, and the decision.
    switch(page, Role.MANAGER)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    waiting = page.get_by_role("table", name="Waiting for a decision, oldest first")
    expect(waiting.get_by_role("row", name=reference)).to_contain_text(ESCALATE)
    expect(waiting.get_by_role("row", name=reference)).to_contain_text(OFFICER)
    accessible(page)
    waiting.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Request: {ESCALATE.lower()}")).to_be_visible()
    expect(page.get_by_text(reason)).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose approve or reject")
    accessible(page)
    page.get_by_label("Approve").check()
    comment = "Agreed: escalate now and review the band at half term."
    page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Request approved.")).to_be_visible()
    decided = page.get_by_role("table", name="Recent decisions")
    expect(decided.get_by_role("row", name=reference)).to_contain_text(f"Approved by {MANAGER}")
    expect(page.get_by_role("table", name="Waiting for a decision, oldest first").get_by_text(reference)).to_have_count(
        0
    )
    accessible(page)

    # The decision is on the case's timeline, with the request before it.
    page.goto(case_path)
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Timeline").click()
    timeline = page.locator(".moj-timeline")
    item = timeline.locator(".moj-timeline__item")
    given = item.filter(has=page.get_by_role("heading", name=f"Approval given: {ESCALATE}"))
    expect(given).to_contain_text(comment)
    expect(given).to_contain_text(f"by {MANAGER}")
    asked = item.filter(has=page.get_by_role("heading", name=f"Approval asked for: {ESCALATE}"))
    expect(asked).to_contain_text(reason)
    accessible(page)

    # The officer escalates with the approval.
    switch(page, Role.OFFICER)
    page.goto(case_path)
    page.get_by_role("button", name="Escalate to persistent absence").click()
    accessible(page)
    page.get_by_label("Why escalate before the attendance band has changed?").fill("Approved by the team manager.")
    page.get_by_label("Note for the case record").fill("Escalated on the manager's approval.")
    page.get_by_role("button", name="Escalate", exact=True).click()
    expect(page.get_by_text("the case is now at persistent absence")).to_be_visible()

    # The manager moves the other two cases to another officer in one go.
    switch(page, Role.MANAGER)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    filters = page.get_by_role("form", name="Filter the cases")
    filters.get_by_label("Officer").select_option(label=f"{OFFICER} (education welfare officer)")
    filters.get_by_label("Stage").select_option(label="At risk")
    filters.get_by_role("button", name="Apply filters").click()
    accessible(page)
    for other in references:
        expect(page.get_by_role("row", name=other)).to_contain_text(OFFICER)
        page.get_by_label(f"Select {other}").check()
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the cases are being reassigned")
    accessible(page)
    for other in references:
        expect(page.get_by_label(f"Select {other}")).to_be_checked()
    page.get_by_label("New officer").select_option(label=f"{OTHER_OFFICER} (education welfare officer)")
    page.get_by_label("Reason").fill("Balancing caseloads while Priya covers the Riverside patch.")
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text(f"2 cases reassigned to {OTHER_OFFICER}.")).to_be_visible()
    for other in references:
        expect(page.get_by_role("row", name=other)).to_have_count(0)
    filters.get_by_label("Officer").select_option(label=f"{OTHER_OFFICER} (education welfare officer)")
    filters.get_by_role("button", name="Apply filters").click()
    for other in references:
        expect(page.get_by_role("row", name=other)).to_contain_text(OTHER_OFFICER)
    accessible(page)
    page.get_by_role("link", name=references[0]).click()
    expect(page.locator(".app-identity__facts")).to_contain_text(OTHER_OFFICER)
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="People").click()
    expect(page.get_by_role("row", name=OTHER_OFFICER)).to_contain_text("Education welfare officer")
    expect(page.get_by_role("row", name=OTHER_OFFICER)).to_contain_text("to now")
    expect(page.get_by_role("row", name=OFFICER)).not_to_contain_text("to now")
    accessible(page)

    # The first case's audit: its steps, the approval, and who has looked at the child's records.
    page.goto(case_path)
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Audit").click()
    expect(page.get_by_text("The case's history replays through the workflow to its current stage.")).to_be_visible()
    steps = page.get_by_role("table", name="Every step of the case, oldest first")
    escalation = steps.get_by_role("row", name="At risk to Persistent absence")
    expect(escalation).to_contain_text(OFFICER)
    expect(escalation).to_contain_text(f"Approved by {MANAGER} on {long_date(today())}")
    requests = page.get_by_role("table", name="Approval requests and decisions")
    request = requests.get_by_role("row", name=ESCALATE)
    expect(request).to_contain_text(reason)
    expect(request).to_contain_text(f"Approved by {MANAGER}")
    expect(request).to_contain_text(comment)
    expect(request).to_contain_text("Used")
    looked = page.get_by_role("table", name="Views and exports of the child's records, latest first")
    expect(looked.get_by_role("row", name=f"{OFFICER} (education welfare officer)").first).to_contain_text(
        "Viewed the case"
    )
    expect(looked.get_by_role("row", name=f"{MANAGER} (team manager)").first).to_be_visible()
    accessible(page)
