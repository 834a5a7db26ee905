"""A governors' report in a real browser: it renders with its charts and tables, exports CSV and passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ewo_cases.models import Role
from tests.browser.conftest import ACCOUNT, axe_violations, sign_in

pytestmark = pytest.mark.browser


def open_first_school_report(page) -> None:
    page.goto("/reports/")
    page.locator("main ul.govuk-list a").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("role", [Role.SCHOOL_LEAD, Role.OFFICER, Role.MANAGER], ids=lambda role: role.value)
def test_a_school_report_renders_with_charts_and_tables_and_passes_axe(page, role):
    account = ACCOUNT[role]
    sign_in(page, account.email, account.password)
    open_first_school_report(page)
    expect(page.get_by_role("heading", level=2, name="Headline figures")).to_be_visible()
    charts = page.locator("figure.app-chart svg[role=img]")
    assert charts.count() >= 10
    assert page.locator("table.govuk-table").count() >= 10
    expect(page.get_by_role("heading", name="Questions governors may ask")).to_be_visible()
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report as a CSV file").click()
    path = download.value.path()
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("scope,dimension,group,pupils,possible,absence_sessions")


def test_the_authority_report_and_a_chosen_period_pass_axe(page):
    account = ACCOUNT[Role.MANAGER]
    sign_in(page, account.email, account.password)
    page.goto("/reports/authority")
    expect(page.get_by_role("heading", level=1)).to_have_text("Local authority")
    assert axe_violations(page) == []
    page.get_by_text("Choose another period").click()
    page.get_by_label("This term to date").check()
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_text("term to date:")).to_be_visible()
    assert axe_violations(page) == []


def test_the_index_and_its_errors_pass_axe(page):
    account = ACCOUNT[Role.MANAGER]
    sign_in(page, account.email, account.password)
    page.goto("/reports/")
    assert axe_violations(page) == []
    page.get_by_label("Other dates").check()
    page.get_by_role("button", name="Show the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a school, a trust or the local authority")
    assert axe_violations(page) == []
    page.goto("/reports/trusts/1")
    assert axe_violations(page) == []
