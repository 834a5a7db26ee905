"""Configuration: safe defaults, then ``EWO_*`` environment variables, then a test mapping."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

#: The key the app ships with. It only exists so that ``make run`` works out of the box;
#: outside debug and testing the factory refuses to start with it.
DEVELOPMENT_SECRET_KEY = "development-only-not-secret"  # noqa: S105


class Config:
    """Defaults. Every name can be overridden by ``EWO_<NAME>`` in the environment."""

    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    #: Shown in the header: the council that runs the service.
    AUTHORITY_NAME = "Local authority"
    #: SQLAlchemy URL. Empty means a SQLite file in the instance folder.
    DATABASE_URL = ""
    #: Minutes a signed-in session may sit idle before the user must sign in again.
    SESSION_IDLE_MINUTES = 30
    #: Attendance below this percentage puts a pupil in the "at risk" band.
    AT_RISK_THRESHOLD = 95
    #: School days without a recorded contact before a case counts as drifting.
    NO_CONTACT_SCHOOL_DAYS = 20
    #: Overrides "today" (YYYY-MM-DD) for demonstrations; empty means the real date.
    TODAY = ""

    LOGIN_RATE_LIMIT = "5 per minute;20 per hour"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    SESSION_COOKIE_NAME = "ewo_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(0)
    MAX_CONTENT_LENGTH = 1024 * 1024 * 1024  # imports of a whole year's marks run to hundreds of MB

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # the session's own idle timeout bounds the token's life


class ConfigurationError(RuntimeError):
    """The app was asked to start with settings that are unsafe or incomplete."""


def finalise(config: dict, instance_path: str, *, serving: bool) -> None:
    """Derive settings that depend on others, and refuse to serve with unsafe ones.

    ``serving`` is False only for command-line tasks (migrations, imports), which never issue
    session cookies and so may run without the secret key.
    """
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'ewo_cases.sqlite'}"
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=int(config["SESSION_IDLE_MINUTES"]))
    relaxed = config.get("DEBUG") or config.get("TESTING")
    if relaxed:
        # Plain http on 127.0.0.1 must still carry the session cookie.
        config["SESSION_COOKIE_SECURE"] = False
    elif serving and config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        raise ConfigurationError(
            "EWO_SECRET_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_hex(32))") before serving the app.'
        )
