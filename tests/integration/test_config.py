"""Configuration from EWO_* variables, and refusing to serve with unsafe settings."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import redis

from ewo_cases import create_app
from ewo_cases.access import public
from ewo_cases.config import DEVELOPMENT_SECRET_KEY, MIN_SECRET_KEY_LENGTH, ConfigurationError
from tests.conftest import IN_CI, TEST_CONFIG, make_test_app

A_GOOD_KEY = "k" * MIN_SECRET_KEY_LENGTH
REDIS_URL = "redis://127.0.0.1:6379/15"


def test_the_app_refuses_to_start_with_the_development_secret_key(monkeypatch):
    monkeypatch.delenv("EWO_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="EWO_SECRET_KEY is not set"):
        create_app({"DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "must be text and not empty"),
        (12345, "must be text and not empty"),
        (None, "must be text and not empty"),
        ("x", f"must be {MIN_SECRET_KEY_LENGTH} characters or more"),
        ("k" * (MIN_SECRET_KEY_LENGTH - 1), f"must be {MIN_SECRET_KEY_LENGTH} characters or more"),
    ],
    ids=["empty", "a number", "none", "one character", "one short"],
)
def test_the_app_refuses_a_key_that_is_empty_short_or_not_text(key, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": key})


def test_a_key_of_the_minimum_length_is_accepted():
    assert create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": A_GOOD_KEY}).config["SECRET_KEY"] == A_GOOD_KEY


@pytest.mark.parametrize("mode", ["DEBUG", "TESTING"])
def test_an_empty_key_is_refused_even_in_debug_and_testing(mode):
    """Flask cannot sign a session with it: every page would fail."""
    with pytest.raises(ConfigurationError, match="must be text and not empty"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "", mode: True})


def test_a_key_of_digits_from_the_environment_stays_text(monkeypatch):
    digits = "1" * MIN_SECRET_KEY_LENGTH
    monkeypatch.setenv("EWO_SECRET_KEY", digits)
    assert create_app({"DATABASE_URL": "sqlite://"}).config["SECRET_KEY"] == digits


def test_command_line_tasks_may_run_without_a_key(monkeypatch):
    """Migrations and imports issue no cookies; ``flask run`` is still checked."""
    monkeypatch.setattr("ewo_cases._serving", lambda: False)
    assert create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": ""}).config["SECRET_KEY"] == ""


def test_debug_and_testing_may_use_the_development_key():
    for mode in ("DEBUG", "TESTING"):
        app = create_app({"DATABASE_URL": "sqlite://", mode: True})
        assert app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY and app.config["SESSION_COOKIE_SECURE"] is False


def test_settings_come_from_ewo_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("EWO_SECRET_KEY", "from-the-environment-and-long-enough")
    monkeypatch.setenv("EWO_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("EWO_AT_RISK_THRESHOLD", "96")
    monkeypatch.setenv("EWO_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("EWO_PROXY_FIX_HOPS", "2")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment-and-long-enough"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite")
    assert app.config["AT_RISK_THRESHOLD"] == 96
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=15)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.wsgi_app.x_for == 2 and app.wsgi_app.x_proto == 2  # ProxyFix, trusting two proxies


def test_no_proxy_is_trusted_by_default():
    app = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})
    assert app.config["PROXY_FIX_HOPS"] == 0
    assert not hasattr(app.wsgi_app, "x_for")


def test_the_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("EWO_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/ewo_cases.sqlite"
    assert app.config["AT_RISK_THRESHOLD"] == 95


def test_ewo_variables_from_the_shell_do_not_reach_the_tests():
    """``EWO_DEBUG=1 pytest`` would otherwise turn off the checks these tests are about."""
    assert [name for name in os.environ if name.startswith("EWO_")] == []


def test_a_debug_demo_shows_the_styled_error_page_for_a_crash():
    app = create_app({"DATABASE_URL": "sqlite://", "DEBUG": True})
    app.add_url_rule("/crash", "crash", public(lambda: 1 / 0))
    response = app.test_client().get("/crash")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text


@pytest.fixture
def redis_server():
    """Redis on 127.0.0.1:6379: skipped when absent, except under CI=true where it must run."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        message = "Redis is not running on 127.0.0.1:6379"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_the_login_throttle_keeps_its_counters_in_redis(database_url, redis_server):
    """The production recipe (EWO_RATELIMIT_STORAGE_URI=redis://...) builds an app that throttles sign-in."""
    app = make_test_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    attempts = [
        client.post("/sign-in", data={"email": "someone@council.example", "password": "a-wrong-guess"}).status_code
        for _ in range(3)
    ]
    assert attempts == [400, 400, 429]
    assert redis_server.exists("LIMITS:LIMITER/127.0.0.1/auth.sign_in/2/1/minute")
