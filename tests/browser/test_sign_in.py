"""Signing in and out in a real browser, for each role."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ewo_cases.models import Role
from ewo_cases.services.demo import DEMO_ACCOUNTS
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

ONE_ACCOUNT_PER_ROLE = list({account.role: account for account in reversed(DEMO_ACCOUNTS)}.values())

HOME_HEADINGS = {
    Role.OFFICER: "My caseload",
    Role.SCHOOL_LEAD: "Attendance at your school",
    Role.MANAGER: "Team overview",
    Role.ADMIN: "Administration",
}


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.email)
def test_each_role_signs_in_to_its_home_page_and_signs_out(page, account):
    sign_in(page, account.email, account.password)
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADINGS[account.role])
    expect(page.get_by_text(account.name)).to_be_visible()
    expect(page.get_by_text(account.role.label).first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to EWO Cases")


def test_a_wrong_password_shows_the_error_summary(page):
    sign_in(page, DEMO_ACCOUNTS[0].email, "not-the-right-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct email address and password")
    assert axe_violations(page) == []


@pytest.mark.parametrize("account", ONE_ACCOUNT_PER_ROLE, ids=lambda account: account.role.value)
def test_each_roles_navigation_fits_on_one_line_at_1280_pixels(page, account):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, account.email, account.password)
    items = page.get_by_role("navigation", name="Main menu").get_by_role("listitem")
    tops = {round(box["y"]) for box in (items.nth(index).bounding_box() for index in range(items.count()))}
    assert items.count() > 1 and len(tops) == 1, f"{items.count()} items on {len(tops)} lines"


def test_the_header_search_box_says_what_it_is_for(page):
    """A sighted user sees a button labelled Search beside the box (its full label is for screen readers)."""
    officer = next(account for account in DEMO_ACCOUNTS if account.role is Role.OFFICER)
    sign_in(page, officer.email, officer.password)
    box = page.get_by_label("Search pupils and cases by name, UPN or case reference")
    button = page.get_by_role("button", name="Search", exact=True)
    expect(box).to_be_visible()
    expect(button).to_be_visible()
    expect(button).to_have_text("Search")
