"""Signing in and out: throttling, idle timeout, ended sessions, cookies, headers and CSRF."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from ewo_cases.extensions import db
from ewo_cases.models import AuditEvent, Role, User
from tests.conftest import make_test_app
from tests.factories import PASSWORD


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_signing_in_opens_the_home_page_for_the_role(client, make_user):
    user = make_user(Role.MANAGER, name="Grace Okafor")
    response = sign_in(client, user.email.upper())  # emails are case-insensitive
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").text
    assert "Team overview" in page and "Grace Okafor" in page and "Team manager" in page
    assert db.session.get(User, user.id).last_signed_in_at is not None
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.signed_in")).actor_id == user.id


def test_a_wrong_password_is_refused_with_a_clear_message(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, "not-the-password")
    assert response.status_code == 400
    assert "Enter a correct email address and password" in response.text
    assert client.get("/").status_code == 302


def test_an_unknown_email_gets_the_same_answer(client):
    response = sign_in(client, "nobody@council.example", "whatever-it-is")
    assert response.status_code == 400 and "Enter a correct email address and password" in response.text


def test_a_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    assert sign_in(client, user.email).status_code == 400


def test_empty_fields_are_explained(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert "Enter your email address" in response.text and "Enter your password" in response.text
    assert "There is a problem" in response.text


def test_next_only_follows_paths_on_this_site(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post("/sign-in?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = client.post("/sign-in?next=/users/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/users/"


def test_sign_out_ends_the_session(client, make_user):
    sign_in(client, make_user().email)
    assert client.post("/sign-out").headers["Location"] == "/sign-in"
    assert client.get("/").status_code == 302


def test_changing_the_password_ends_other_sessions(client, app, make_user):
    user = make_user()
    sign_in(client, user.email)
    assert client.get("/").status_code == 200
    db.session.get(User, user.id).session_generation += 1
    db.session.commit()
    assert client.get("/").status_code == 302


def test_an_idle_session_times_out(client, make_user, monkeypatch):
    sign_in(client, make_user().email)
    assert client.get("/").status_code == 200
    idle = 31 * 60  # the default idle limit is 30 minutes
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + idle)
    assert client.get("/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    response = sign_in(client, make_user().email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


#: A key good enough for an app that is neither in debug nor in testing.
PRODUCTION_KEY = "a-real-secret-for-this-test-and-long-enough"


def session_cookie(response) -> str:
    return next(cookie for cookie in response.headers.getlist("Set-Cookie") if cookie.startswith("ewo_session="))


def test_cookies_are_secure_outside_debug_and_testing(database_url):
    app = make_test_app(database_url, TESTING=False, WTF_CSRF_ENABLED=True, SECRET_KEY=PRODUCTION_KEY)
    cookie = session_cookie(app.test_client().get("/sign-in"))  # the CSRF token starts a session
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_not_secure_in_debug_so_the_demo_works_over_http(database_url):
    app = make_test_app(database_url, TESTING=False, DEBUG=True, WTF_CSRF_ENABLED=True)
    cookie = session_cookie(app.test_client().get("/sign-in"))
    assert "; Secure" not in cookie and "; HttpOnly" in cookie


def a_signed_in_page(client, make_user, _database_url):
    sign_in(client, make_user().email)
    return client.get("/")


def a_missing_page(client, _make_user, _database_url):
    return client.get("/no-such-page")


def a_throttled_sign_in(_client, _make_user, database_url):
    throttled = make_test_app(database_url, LOGIN_RATE_LIMIT="1 per minute").test_client()
    sign_in(throttled, "someone@council.example", "a-wrong-guess")
    return sign_in(throttled, "someone@council.example", "a-wrong-guess")


def the_sign_in_page(client, _make_user, _database_url):
    return client.get("/sign-in")


def a_forbidden_page(client, make_user, _database_url):
    """Refused by the access hook, before any other hook has run."""
    sign_in(client, make_user(Role.OFFICER).email)
    return client.get("/users/")


def a_form_without_its_csrf_token(_client, _make_user, database_url):
    return sign_in(make_test_app(database_url, WTF_CSRF_ENABLED=True).test_client(), "someone@council.example")


@pytest.mark.parametrize(
    ("fetch", "status"),
    [
        (the_sign_in_page, 200),
        (a_signed_in_page, 200),
        (a_missing_page, 404),
        (a_forbidden_page, 403),
        (a_throttled_sign_in, 429),
        (a_form_without_its_csrf_token, 400),
    ],
    ids=["sign-in", "signed-in", "404", "403", "429", "csrf"],
)
def test_security_headers_are_on_every_page(client, make_user, database_url, fetch, status):
    response = fetch(client, make_user, database_url)
    assert response.status_code == status
    headers = response.headers
    # The page's one inline script carries the nonce the policy allows (an empty one would block it).
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", headers["Content-Security-Policy"])
    assert nonce and f'<script nonce="{nonce[1]}">' in response.text
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    # Sent even over the plain http a TLS-ending proxy forwards (request.is_secure is False here).
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_strict_transport_security_in_debug(database_url):
    """The demo on http://127.0.0.1 must not teach the browser to insist on https for localhost."""
    response = make_test_app(database_url, DEBUG=True).test_client().get("/sign-in")
    assert "Strict-Transport-Security" not in response.headers


def test_a_wrong_method_keeps_the_allow_header(client):
    response = client.delete("/sign-in")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert "This page cannot be used in that way" in response.text


def test_logins_are_throttled_with_a_clear_message(database_url):
    client = make_test_app(database_url, LOGIN_RATE_LIMIT="3 per minute").test_client()
    statuses = [sign_in(client, "someone@council.example", "wrong-password-guess").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = sign_in(client, "someone-else@council.example")  # this computer is throttled, whatever the account
    assert response.status_code == 429
    assert "Too many attempts" in response.text and "Wait a minute, then try again" in response.text
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_the_throttle_message_says_how_long_the_hourly_limit_lasts(database_url):
    client = make_test_app(database_url, LOGIN_RATE_LIMIT="100 per minute;2 per hour").test_client()
    for _ in range(2):
        sign_in(client, "someone@council.example", "wrong-password-guess")
    response = sign_in(client, "someone@council.example", "wrong-password-guess")
    assert response.status_code == 429
    wait = re.search(r"Wait (\d+) minutes, then try again", response.text)
    assert wait and 55 <= int(wait[1]) <= 60, response.text


def test_one_account_is_throttled_even_from_many_computers(database_url):
    client = make_test_app(database_url, LOGIN_RATE_LIMIT="3 per minute").test_client()
    statuses = [
        client.post(
            "/sign-in",
            data={"email": "target@council.example", "password": "guess-number-one"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"},
        ).status_code
        for attempt in range(4)
    ]
    assert statuses == [400, 400, 400, 429]


def through_the_load_balancer(client, email: str, client_address: str):
    """A sign-in attempt as the app sees it behind one proxy: every request comes from the proxy's address."""
    return client.post(
        "/sign-in",
        data={"email": email, "password": "a-wrong-guess"},
        environ_base={"REMOTE_ADDR": "10.1.1.1"},
        headers={"X-Forwarded-For": client_address},
    )


def test_behind_a_proxy_the_throttle_counts_each_client_not_the_proxy(database_url):
    client = make_test_app(database_url, LOGIN_RATE_LIMIT="2 per minute", PROXY_FIX_HOPS=1).test_client()
    guesser = [through_the_load_balancer(client, "a@council.example", "203.0.113.7").status_code for _ in range(3)]
    assert guesser == [400, 400, 429]
    assert through_the_load_balancer(client, "b@council.example", "198.51.100.9").status_code == 400


def test_without_proxy_fix_the_proxy_address_is_all_the_throttle_sees(database_url):
    """Why the setting exists: by default X-Forwarded-For is not trusted (it could be forged)."""
    client = make_test_app(database_url, LOGIN_RATE_LIMIT="2 per minute").test_client()
    for _ in range(2):
        through_the_load_balancer(client, "a@council.example", "203.0.113.7")
    assert through_the_load_balancer(client, "b@council.example", "198.51.100.9").status_code == 429


def test_a_failed_sign_in_is_logged_and_audited_against_the_account(client, make_user, caplog):
    user = make_user()
    with caplog.at_level(logging.WARNING, logger="ewo_cases"):
        sign_in(client, user.email, "not-the-password")
    assert f"Sign-in refused for {user.email} from 127.0.0.1: wrong password" in caplog.text
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed"))
    assert event.entity_id == user.id and event.actor_id is None
    assert event.data == {"reason": "wrong password", "address": "127.0.0.1"}


def test_a_sign_in_to_a_deactivated_account_is_audited_as_such(client, make_user):
    user = make_user(active=False)
    sign_in(client, user.email)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed"))
    assert event.entity_id == user.id and event.data["reason"] == "account deactivated"


def test_a_sign_in_to_no_account_is_logged_but_not_audited(client, caplog):
    with caplog.at_level(logging.WARNING, logger="ewo_cases"):
        sign_in(client, "Nobody@Council.example", "whatever-it-is")
    assert "Sign-in refused for nobody@council.example from 127.0.0.1: no such account" in caplog.text
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed")) is None


@pytest.fixture
def one_attempt_a_minute(database_url):
    """Built in a fixture: migrating re-configures logging, which would unhook caplog inside the test."""
    return make_test_app(database_url, LOGIN_RATE_LIMIT="1 per minute").test_client()


def test_a_throttled_sign_in_is_logged(one_attempt_a_minute, caplog):
    client = one_attempt_a_minute
    sign_in(client, "someone@council.example", "wrong-password-guess")
    with caplog.at_level(logging.WARNING, logger="ewo_cases"):
        assert sign_in(client, "someone@council.example", "wrong-password-guess").status_code == 429
    assert "Sign-in throttled for someone@council.example from 127.0.0.1: more than 1 per 1 minute" in caplog.text


def test_forms_refuse_a_missing_csrf_token(database_url):
    client = make_test_app(database_url, WTF_CSRF_ENABLED=True).test_client()
    response = sign_in(client, "someone@council.example")
    assert response.status_code == 400
    assert "The form had expired or was not sent by this service" in response.text
