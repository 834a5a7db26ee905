"""Shared fixtures: a database built by the migrations, one transaction per test, clients and factories.

The suite runs on SQLite by default and on PostgreSQL when ``EWO_TEST_DATABASE_URL`` is set (each run
gets its own schema there, dropped at the end). Each test runs inside one outer transaction on one
connection that is rolled back afterwards; the app's own ``commit()`` calls only release SAVEPOINTs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade

from ewo_cases import create_app
from ewo_cases.extensions import db, limiter
from ewo_cases.services import kept

pytest_plugins = ["tests.factories"]

IN_CI = os.environ.get("CI") == "true"
#: Read once, before the EWO_* variables are cleared for the tests.
TEST_DATABASE_URL = os.environ.get("EWO_TEST_DATABASE_URL")

#: Settings every test app shares. CSRF is off for the test client (a test switches it on to prove
#: it works); the login throttle is generous so that only the throttling test meets it.
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-of-the-minimum-length",
    "WTF_CSRF_ENABLED": False,
    "LOGIN_RATE_LIMIT": "10000 per minute",
}


def fresh_database_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """Yield a fresh, empty database URL: a SQLite file, or a new schema in the PostgreSQL test database."""
    server_url = TEST_DATABASE_URL
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.sqlite'}"
        return
    schema = f"ewo_{name}_{uuid.uuid4().hex[:10]}"
    server = sa.create_engine(server_url)
    with server.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            sa.make_url(server_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with server.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


def make_test_app(database_url: str, **overrides: object) -> Flask:
    """Create an app on ``database_url`` and migrate its database to the latest revision."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, **overrides})
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session", autouse=True)
def _no_ewo_settings_from_the_shell() -> Iterator[None]:
    """Build every app from the test's own settings: an exported EWO_DEBUG=1 or EWO_TODAY must not leak in.

    Session-scoped and autouse, so it runs before the session's app is built; a test's own
    ``monkeypatch.setenv`` still applies on top.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("EWO_")]:
            patch.delenv(name)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from fresh_database_url(tmp_path_factory, "test")


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The application, on a database the migrations built."""
    app = make_test_app(database_url)
    app.test_client_class = ContextFreeClient
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[sa.orm.scoped_session]:
    """An app context whose database work, and every request's, is rolled back after the test."""
    with app.app_context():
        engine = db.engines[None]
        connection = engine.connect()
        outer = connection.begin()
        # Flask-SQLAlchemy picks binds from db.engines; swapping in the connection makes every
        # session (the test's and each request's) join this transaction with SAVEPOINTs.
        db.engines[None] = connection
        try:
            yield db.session
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            db.engines[None] = engine


class ContextFreeClient(FlaskClient):
    """A test client whose requests each get their own app context, as they do in production.

    Without this, a request would reuse the test's app context and with it ``g`` (where Flask-Login
    caches the user) and the test's session. Before each request the test's own work is committed
    (to a SAVEPOINT) so the request sees it, and its objects are expired so that afterwards they
    show what the request changed.
    """

    def open(self, *args, **kwargs):
        if _cv_app.get(None) is not None:
            db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def client(app: Flask, db_session) -> FlaskClient:
    """A test client on the per-test transaction."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db_session):
    """A CLI runner on the per-test transaction."""
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Flask) -> None:
    """Start every test with empty throttling counters."""
    limiter.reset()


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    """Start every test as a new process would, keeping nothing from another test's database state.

    Each test's work is rolled back, and SQLite then gives the same ids (and a frozen clock the same
    times) to the next test's records, which the keys of kept values could not tell apart.
    """
    kept.forget_all()
