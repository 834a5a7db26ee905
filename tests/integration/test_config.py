"""Configuration from EWO_* variables, and refusing to serve with unsafe settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ewo_cases import create_app
from ewo_cases.config import ConfigurationError


def test_the_app_refuses_to_start_with_the_development_secret_key(monkeypatch):
    monkeypatch.delenv("EWO_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="EWO_SECRET_KEY is not set"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_debug_and_testing_may_use_the_development_key():
    assert create_app({"DATABASE_URL": "sqlite://", "DEBUG": True}).config["SESSION_COOKIE_SECURE"] is False
    assert create_app({"DATABASE_URL": "sqlite://", "TESTING": True}).config["SESSION_COOKIE_SECURE"] is False


def test_settings_come_from_ewo_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("EWO_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("EWO_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("EWO_AT_RISK_THRESHOLD", "96")
    monkeypatch.setenv("EWO_SESSION_IDLE_MINUTES", "15")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite")
    assert app.config["AT_RISK_THRESHOLD"] == 96
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=15)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_the_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("EWO_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/ewo_cases.sqlite"
    assert app.config["AT_RISK_THRESHOLD"] == 95
