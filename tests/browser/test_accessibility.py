"""Every page each role can reach, found by following links from its home page, passes axe-core
(WCAG 2.2 A and AA). New pages are scanned as soon as something links to them."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import NotFound

from ewo_cases.models import Role
from ewo_cases.services.demo import DEMO_ACCOUNTS
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

ONE_ACCOUNT_PER_ROLE = {account.role: account for account in reversed(DEMO_ACCOUNTS)}
#: Pages of one endpoint differ only in their record, so a few of each are enough.
PAGES_PER_ENDPOINT = 2
#: Files, not pages: downloads end in these.
DOWNLOAD_SUFFIXES = (".csv", ".pdf")


def links_on(page, base: str) -> list[str]:
    """Same-site page links on the current page, as paths with their query strings."""
    hrefs = page.eval_on_selector_all("a[href]", "anchors => anchors.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(urljoin(page.url, href))
        if parts.netloc != urlsplit(base).netloc or parts.path.startswith("/static/"):
            continue
        if parts.path.endswith(DOWNLOAD_SUFFIXES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def endpoint_of(adapter, path: str) -> str:
    try:
        return adapter.match(urlsplit(path).path)[0]
    except NotFound:
        return "not-found"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_reachable_page_passes_axe(page, live_server, role):
    account = ONE_ACCOUNT_PER_ROLE[role]
    sign_in(page, account.email, account.password)
    adapter = live_server.app.url_map.bind("127.0.0.1")
    queue, seen, per_endpoint, problems = ["/"], set(), Counter(), {}
    while queue:
        path = queue.pop(0)
        endpoint = endpoint_of(adapter, path)
        if path in seen or per_endpoint[endpoint] >= PAGES_PER_ENDPOINT:
            continue
        seen.add(path)
        per_endpoint[endpoint] += 1
        response = page.goto(path)
        if response.status >= 400:
            problems[path] = f"answered {response.status}"
            continue
        if violations := axe_violations(page):
            problems[path] = violations
        queue.extend(links_on(page, live_server.url))
    assert len(seen) > 3, "the crawl found almost nothing: is the role's navigation broken?"
    assert problems == {}


def test_the_scan_reports_a_known_violation(page):
    """The harness itself can fail: an image without alternative text and an unlabelled field are caught."""
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    assert {violation["rule"] for violation in axe_violations(page)} >= {"image-alt", "label"}
