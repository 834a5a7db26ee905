"""The one access-control mechanism: every endpoint declares who may use it, and the hook enforces it."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint, Flask, url_for
from werkzeug.routing.converters import NumberConverter

import ewo_cases
from ewo_cases import create_app
from ewo_cases.access import PUBLIC, allowed_roles, undeclared_endpoints
from ewo_cases.models import Role
from ewo_cases.templating import NAVIGATION
from tests.access import expected_access
from tests.conftest import TEST_CONFIG

#: Who may use each endpoint, written out by hand per blueprint in ``tests/access/``, so a change to any
#: declaration has to be made there too, and a new endpoint fails test_every_endpoint_is_in_the_expected_matrix
#: until it is listed.
EXPECTED_ACCESS = expected_access()


def placeholder(converter: object) -> int | str:
    """A value for a URL variable: records need not exist, since access is decided before the view runs."""
    return 999999 if isinstance(converter, NumberConverter) else "x"


def endpoint_urls(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule, filling URL variables with placeholders."""
    urls = []
    for rule in app.url_map.iter_rules():
        values = {name: placeholder(converter) for name, converter in rule._converters.items()}
        method = "GET" if "GET" in rule.methods else "POST"
        urls.append((rule.endpoint, method, rule.build(values)[1]))
    return sorted(urls)


def test_no_endpoint_is_undeclared(app):
    assert undeclared_endpoints(app) == []


def test_every_endpoint_is_in_the_expected_matrix(app):
    assert sorted(EXPECTED_ACCESS) == sorted({rule.endpoint for rule in app.url_map.iter_rules()})


@pytest.mark.parametrize("endpoint", sorted(EXPECTED_ACCESS))
def test_declarations_match_the_matrix(app, endpoint):
    assert allowed_roles(app, endpoint) == EXPECTED_ACCESS[endpoint]


def test_an_undeclared_route_is_reported_and_refused(app):
    """A route added without a declaration makes the suite fail and is refused for everyone."""
    bare = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})
    bare.add_url_rule("/forgotten", "forgotten", lambda: "child data")
    assert undeclared_endpoints(bare) == ["forgotten"]
    with pytest.raises(AssertionError):
        test_no_endpoint_is_undeclared(bare)
    assert bare.test_client().get("/forgotten").status_code == 403


def test_the_app_refuses_to_start_with_an_undeclared_route(monkeypatch):
    forgotten = Blueprint("forgotten", __name__)
    forgotten.add_url_rule("/forgotten", "page", lambda: "child data")
    register = ewo_cases._register_blueprints
    monkeypatch.setattr(
        ewo_cases, "_register_blueprints", lambda app: (register(app), app.register_blueprint(forgotten))
    )
    with pytest.raises(RuntimeError, match=r"forgotten\.page"):
        create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})


def request(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url)


@pytest.mark.parametrize(
    ("endpoint", "method", "url"),
    [
        pytest.param(*entry, id=entry[0])
        for entry in endpoint_urls(create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"}))
        if EXPECTED_ACCESS.get(entry[0]) != PUBLIC
    ],
)
def test_anonymous_users_are_sent_to_sign_in(client, endpoint, method, url):
    response = request(client, method, url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_is_allowed_or_forbidden_as_declared(app, client, make_school, make_user, sign_in, role):
    sign_in(make_user(role, schools=[make_school()]))
    for endpoint, method, url in endpoint_urls(app):
        if endpoint in {"auth.sign_out", "static"}:
            continue
        response = request(client, method, url)
        sent_to_sign_in = response.status_code == 302 and response.headers["Location"].startswith("/sign-in?")
        if EXPECTED_ACCESS[endpoint] == PUBLIC or role in EXPECTED_ACCESS[endpoint]:
            assert response.status_code not in {401, 403} and not sent_to_sign_in, (endpoint, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, response.status_code)


#: At 1280 pixels the service navigation holds about eight sections on one line.
MOST_NAVIGATION_ITEMS = 8


def links_in(html: str, container_class: str) -> set[str]:
    """The hrefs of the links inside the first element with ``container_class``."""
    start = html.index(f'class="{container_class}')
    end = html.index("</nav>" if "navigation" in container_class else "</main>", start)
    return set(re.findall(r'href="([^"]+)"', html[start:end]))


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_reaches_every_section_it_may_use_from_a_short_navigation_or_its_home_page(
    app, client, make_school, make_user, sign_in, role
):
    sign_in(make_user(role, schools=[make_school()]))
    home = client.get("/").text
    navigation = links_in(home, "govuk-service-navigation__wrapper")
    assert 2 <= len(navigation) <= MOST_NAVIGATION_ITEMS, navigation
    with app.test_request_context():
        usable = {
            url_for(item.endpoint)
            for item in NAVIGATION
            if role in (roles := allowed_roles(app, item.endpoint)) or roles == PUBLIC
        }
    assert usable <= navigation | links_in(home, "govuk-main-wrapper")


@pytest.mark.parametrize(
    ("role", "forbidden", "contact"),
    [
        (Role.OFFICER, "/users/", "ask your team manager"),
        (Role.SCHOOL_LEAD, "/users/", "ask your school&#39;s education welfare officer"),
        (Role.MANAGER, "/users/", "ask an administrator of this service"),
        (Role.ADMIN, "/cases/", "ask another administrator or your IT service desk"),
    ],
    ids=lambda value: value.value if isinstance(value, Role) else None,
)
def test_the_forbidden_page_and_the_phase_banner_say_whom_to_ask_for_the_role(
    client, make_school, make_user, sign_in, role, forbidden, contact
):
    sign_in(make_user(role, schools=[make_school()]))
    response = client.get(forbidden)
    assert response.status_code == 403
    assert f"If you need it for your work, {contact}." in response.text
    assert f"Report a problem to {contact.removeprefix('ask ')}." in client.get("/").text


def test_before_signing_in_the_phase_banner_points_to_whoever_set_up_the_account(client):
    assert "Report a problem to whoever set up your account." in client.get("/sign-in").text


def test_the_favicon_is_the_services_own(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/sign-in").text
