"""Signing in and out: throttling, idle timeout, ended sessions, cookies, headers and CSRF."""

from __future__ import annotations

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


def test_cookies_are_secure_outside_debug_and_testing(database_url):
    app = make_test_app(database_url, TESTING=False, SECRET_KEY="a-real-secret-for-this-test")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_security_headers_are_on_every_page(client):
    headers = client.get("/sign-in").headers
    assert "script-src 'self' 'nonce-" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_logins_are_throttled_with_a_clear_message(database_url):
    client = make_test_app(database_url, LOGIN_RATE_LIMIT="3 per minute").test_client()
    statuses = [sign_in(client, "someone@council.example", "wrong-password-guess").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = sign_in(client, "someone-else@council.example")  # this computer is throttled, whatever the account
    assert response.status_code == 429
    assert "Too many attempts" in response.text and "Wait a minute" in response.text


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


def test_forms_refuse_a_missing_csrf_token(database_url):
    client = make_test_app(database_url, WTF_CSRF_ENABLED=True).test_client()
    response = sign_in(client, "someone@council.example")
    assert response.status_code == 400
    assert "The form had expired or was not sent by this service" in response.text
