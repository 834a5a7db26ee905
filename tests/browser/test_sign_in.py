"""Signing in and out in a real browser, for each role."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ewo_cases.models import Role
from ewo_cases.services.demo import DEMO_ACCOUNTS
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

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
