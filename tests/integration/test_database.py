"""The schema comes from the migrations and matches the models; the audit trail is append-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ewo_cases.extensions import db
from ewo_cases.models import AccessLog, AppendOnlyError, AuditEvent
from ewo_cases.models.audit import APPEND_ONLY_MODELS
from ewo_cases.models.base import Base

APPEND_ONLY_TABLES = ["audit_events", "access_log"]


def test_migrations_build_exactly_the_models_schema(db_session):
    context = MigrationContext.configure(db_session.connection(), opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


@pytest.fixture
def audit_event(db_session):
    event = AuditEvent(action="test.recorded", entity_type="users", entity_id=1, summary="Something happened")
    db_session.add(event)
    db_session.flush()
    return event


def test_the_orm_refuses_to_change_an_audit_event(db_session, audit_event):
    audit_event.summary = "Rewritten history"
    with pytest.raises(AppendOnlyError):
        db_session.flush()


def test_the_orm_refuses_to_delete_an_audit_event(db_session, audit_event):
    db_session.delete(audit_event)
    with pytest.raises(AppendOnlyError):
        db_session.flush()


@pytest.fixture
def access_entry(db_session, make_user):
    entry = AccessLog(user_id=make_user().id, action="viewed", record_type="pupil", record_id=1)
    db_session.add(entry)
    db_session.flush()
    return entry


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_database_refuses_to_change_append_only_tables(db_session, audit_event, access_entry, table, statement):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db_session.begin_nested():
        db_session.execute(sa.text(statement.format(table=table)))


def test_sqlite_runs_with_foreign_keys_and_wal(db_session):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    assert db_session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    assert db_session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def installed_triggers(session) -> set[str]:
    if session.get_bind().dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return set(session.execute(sa.text(query)).scalars())


@pytest.mark.parametrize("model", APPEND_ONLY_MODELS, ids=lambda model: model.__tablename__)
def test_every_append_only_table_has_refusing_triggers(db_session, model):
    table = model.__tablename__
    expected = (
        {f"{table}_append_only", f"{table}_no_truncate"}
        if db_session.get_bind().dialect.name == "postgresql"
        else {f"{table}_no_update", f"{table}_no_delete"}
    )
    assert expected <= installed_triggers(db_session)
