"""Searching from the header in a real browser, each page checked with axe-core: an officer finds a pupil in
their patch by surname and opens the record; a school lead searching for another school's child finds
nothing. Only the choice of the children to look for is read from the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from ewo_cases.extensions import db
from ewo_cases.models import Pupil, Role, School
from ewo_cases.services.demo import DEMO_ACCOUNTS
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

ACCOUNT = {account.role: account for account in reversed(DEMO_ACCOUNTS)}
PATCH_SCHOOL_URN = "100001"  # in the demo officer's patch
LEAD_SCHOOL_URN = "100002"  # the demo school lead's school


def accessible(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def pupils_at(app, urn: str) -> list[Pupil]:
    with app.app_context():
        pupils = db.session.scalars(
            sa.select(Pupil).join(School, School.id == Pupil.school_id).where(School.urn == urn).order_by(Pupil.id)
        ).all()
        db.session.expunge_all()
        return pupils


def search_from_header(page: Page, query: str) -> None:
    page.get_by_label("Search pupils and cases by name, UPN or case reference").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()


def test_an_officer_finds_a_pupil_by_surname_from_the_header_and_opens_them(page: Page, live_server):
    pupil = pupils_at(live_server.app, PATCH_SCHOOL_URN)[0]
    sign_in(page, ACCOUNT[Role.OFFICER].email, ACCOUNT[Role.OFFICER].password)
    accessible(page)  # the header with its search box

    search_from_header(page, pupil.surname.lower())
    expect(page.get_by_role("heading", name="Search pupils and cases", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"match ‘{pupil.surname.lower()}’")
    expect(page.get_by_label("Name, UPN or case reference")).to_have_value(pupil.surname.lower())
    accessible(page)

    page.locator(f'a[href="/pupils/{pupil.id}"]').click()
    expect(page).to_have_url(f"{live_server.url}/pupils/{pupil.id}")
    expect(page.get_by_text(pupil.upn).first).to_be_visible()


def test_a_school_lead_finds_nobody_at_another_school(page: Page, live_server):
    own = pupils_at(live_server.app, LEAD_SCHOOL_URN)
    own_names = {pupil.name for pupil in own}
    elsewhere = next(p for p in pupils_at(live_server.app, PATCH_SCHOOL_URN) if p.name not in own_names)
    sign_in(page, ACCOUNT[Role.SCHOOL_LEAD].email, ACCOUNT[Role.SCHOOL_LEAD].password)

    for query in (elsewhere.name, elsewhere.upn):
        page.goto("/")
        search_from_header(page, query)
        expect(page.get_by_role("status")).to_contain_text(f"No pupils or cases match ‘{query}’.")
        expect(page.locator(f'a[href="/pupils/{elsewhere.id}"]')).to_have_count(0)
    accessible(page)

    # Their own school's children are found, from the search page's own box.
    page.get_by_label("Name, UPN or case reference").fill(own[0].upn.lower())
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(f'a[href="/pupils/{own[0].id}"]')).to_be_visible()


def test_short_and_overlong_searches_are_explained_accessibly(page: Page, live_server):
    sign_in(page, ACCOUNT[Role.MANAGER].email, ACCOUNT[Role.MANAGER].password)
    search_from_header(page, "a")
    expect(page.get_by_text("Enter at least 2 characters to search")).to_be_visible()
    accessible(page)

    response = page.goto("/search?q=" + "x" * 101)
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Your search must be 100 characters or fewer")
    assert page.title().startswith("Error: ")
    accessible(page)
