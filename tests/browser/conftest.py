"""Browser fixtures: the app served on a free port with the demo data, and Debian's Chromium.

Playwright cannot download browsers here, so it drives ``/usr/bin/chromium``. Outside CI a missing
Chromium skips these tests; under ``CI=true`` it fails them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Role
from ewo_cases.services import demo
from tests.conftest import IN_CI, fresh_database_url, make_test_app
from workflows import ENGLAND

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: The first demo account of each role (the demo has a second officer).
ACCOUNT = {account.role: account for account in reversed(demo.DEMO_ACCOUNTS)}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the app, configured as in production but over http, on a database holding the demo data."""
    database = fresh_database_url(tmp_path_factory, "browser")
    app = make_test_app(next(database), TESTING=False, WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=False)
    with app.app_context():
        demo.load_demo(today=clock.today())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.port}", app)
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()
        next(database, None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    # axe-core is injected as an inline script, which the service's CSP rightly forbids.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def today() -> date:
    """The live server's today: it runs on the real clock, in England."""
    return datetime.now(ENGLAND).date()


def long_date(day: date) -> str:
    """A date as the service writes it: 3 March 2026."""
    return f"{day.day} {day:%B %Y}"


def switch(page: Page, role: Role) -> None:
    """Sign out whoever is signed in (as a person would), then sign in with the role's demo account."""
    sign_out = page.get_by_role("button", name="Sign out")
    if sign_out.count():
        sign_out.click()
        expect(page.get_by_text("You have signed out")).to_be_visible()
    account = ACCOUNT[role]
    sign_in(page, account.email, account.password)


def fill_date(page: Page, name: str, day: date) -> None:
    """Type a date into the GOV.UK date input whose fields are named ``name``."""
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def accessible(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the current page and return its WCAG 2.2 A/AA violations.

    axe is added as an inline script unless the page already has it (a context that enforces the CSP loads it
    with ``add_init_script`` instead, since the policy rightly refuses inline scripts).
    """
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "where": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
