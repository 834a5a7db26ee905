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
    #: Check every limit, not just the first breached, so the throttle page can say when all of them lift.
    RATELIMIT_FAIL_ON_FIRST_BREACH = False
    #: How many proxies (load balancer, ingress) sit in front of the app and set X-Forwarded-For/-Proto/-Host.
    #: 0 trusts none of those headers; set it to the exact number, or clients could forge their address.
    PROXY_FIX_HOPS = 0

    SESSION_COOKIE_NAME = "ewo_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(0)
    MAX_CONTENT_LENGTH = 1024 * 1024 * 1024  # imports of a whole year's marks run to hundreds of MB

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # the session's own idle timeout bounds the token's life


#: Shorter keys can be guessed offline from one signed cookie (32 characters is what secrets.token_hex(16) gives).
MIN_SECRET_KEY_LENGTH = 32

RANDOM_VALUE_ADVICE = 'Set it to a long random value (python -c "import secrets; print(secrets.token_hex(32))")'


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
    if config.get("DEBUG") and not config.get("TESTING"):
        # A demonstration shows the service's own error page; the traceback still goes to the log.
        config["PROPAGATE_EXCEPTIONS"] = False
    if serving:
        _check_secret_key(config["SECRET_KEY"], strict=not relaxed)


def _check_secret_key(key: object, *, strict: bool) -> None:
    """Refuse a key that cannot sign sessions at all, and, outside debug and testing, one that is guessable."""
    if not isinstance(key, str) or not key:
        raise ConfigurationError(f"EWO_SECRET_KEY must be text and not empty. {RANDOM_VALUE_ADVICE}.")
    if not strict:
        return
    if key == DEVELOPMENT_SECRET_KEY:
        raise ConfigurationError(f"EWO_SECRET_KEY is not set. {RANDOM_VALUE_ADVICE} before serving the app.")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"EWO_SECRET_KEY must be {MIN_SECRET_KEY_LENGTH} characters or more. {RANDOM_VALUE_ADVICE}."
        )
