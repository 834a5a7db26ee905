"""Migrations on a database that already holds a local authority's data, as a live service's does.

An empty database (which every other test starts from) cannot show a migration that fails on real rows:
on SQLite a batch migration rebuilds a table, and with foreign keys enforced the rebuild of a table that
others refer to fails only once rows refer to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from ewo_cases.extensions import db
from ewo_cases.services.demo import load_demo
from tests.conftest import fresh_database_url, make_test_app

#: The newest revision a live service may be on from before this work: the migrations after it must
#: carry its data forward (and back, for a release that has to be undone).
LANDED_REVISION = "0004"
DEMO_DAY = date(2026, 3, 2)


@pytest.fixture
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A database of its own (migrations change the schema), holding the demonstration authority."""
    database = fresh_database_url(tmp_path_factory, "migrations")
    app = make_test_app(next(database), TODAY=DEMO_DAY.isoformat())
    with app.app_context():
        load_demo(today=DEMO_DAY)
        db.session.commit()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
    next(database, None)


def row_counts() -> dict[str, int]:
    """Rows in every table of the database as it now is."""
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as connection:
        return {
            table: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }


def test_the_migrations_since_the_landed_revision_go_down_and_up_again_keeping_every_row(demo_database):
    with demo_database.app_context():
        at_head = row_counts()
        assert at_head["case_transitions"] and at_head["approvals"] and at_head["attendance_registers"]

        downgrade(revision=LANDED_REVISION)
        at_landed = row_counts()
        upgrade()
        again = row_counts()

    kept = {table: count for table, count in at_head.items() if table in at_landed}
    assert {table: at_landed[table] for table in kept} == kept
    assert {table: again[table] for table in kept} == kept
