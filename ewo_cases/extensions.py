"""Flask extensions, created once at import and bound to each app in ``create_app``."""

from __future__ import annotations

import sqlite3
from typing import Any

import click
from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ewo_cases.models.base import Base

# join_transaction_mode only matters when the bind is a Connection, which happens in the test suite's
# per-test transaction; in production the bind is an Engine and the option is inert.
db = SQLAlchemy(model_class=Base, session_options={"join_transaction_mode": "create_savepoint"})


class DeferredMigrate:
    """Flask-Migrate, imported only when a migration runs: it imports Alembic, half a second of every
    command's start-up otherwise. ``flask db …`` and ``flask_migrate.upgrade()`` work as usual."""

    def init_app(self, app: Flask, database: SQLAlchemy, **options: Any) -> None:
        app.extensions["migrate"] = _DeferredConfig(app, database, options)
        app.cli.add_command(_MigrationCommands("db", help="Perform database migrations."))


def _migrate_config(app: Flask) -> Any:
    """Flask-Migrate's own configuration of ``app``, setting it up on first use."""
    config = app.extensions["migrate"]
    if isinstance(config, _DeferredConfig):
        from flask_migrate import Migrate

        Migrate(app, config.database, **config.options)  # replaces the deferred config and ``flask db``
    return app.extensions["migrate"]


class _DeferredConfig:
    def __init__(self, app: Flask, database: SQLAlchemy, options: dict[str, Any]) -> None:
        self.app, self.database, self.options = app, database, options

    def __getattr__(self, name: str) -> Any:
        return getattr(_migrate_config(self.app), name)


class _MigrationCommands(click.Group):
    """``flask db``: stands in for Flask-Migrate's group, which takes over as soon as the command runs."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra):
        _migrate_config(current_app._get_current_object())
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


migrate = DeferredMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """Give SQLite foreign keys, WAL, a lock timeout and real transactions with SAVEPOINTs."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling (Python < 3.12) breaks SAVEPOINT; take control of BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    """Emit BEGIN ourselves, the other half of the pysqlite SAVEPOINT recipe."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
