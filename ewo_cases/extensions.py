"""Flask extensions, created once at import and bound to each app in ``create_app``."""

from __future__ import annotations

import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ewo_cases.models.base import Base

# join_transaction_mode only matters when the bind is a Connection, which happens in the test suite's
# per-test transaction; in production the bind is an Engine and the option is inert.
db = SQLAlchemy(model_class=Base, session_options={"join_transaction_mode": "create_savepoint"})
migrate = Migrate()
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
