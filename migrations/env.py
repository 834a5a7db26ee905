"""Alembic environment for Flask-Migrate: migrate the app's database to the models' schema."""

import logging
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from flask import current_app

from ewo_cases.models.base import UtcDateTime

config = context.config
# Keep the app's own loggers working when migrations run inside it (tests, `make run`).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
engine = migrate_extension.db.engine
config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
target_metadata = migrate_extension.db.metadata


def render_item(type_, obj, autogen_context):
    """Write our UTC column type as the plain type it stores, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_revisions(context, revision, directives):
    """Do not write a migration when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_item=render_item,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    options = dict(migrate_extension.configure_args)
    options.setdefault("process_revision_directives", skip_empty_revisions)
    options.setdefault("render_item", render_item)
    # SQLite's DDL is transactional (given the BEGIN recipe in extensions.py): one transaction for the whole
    # upgrade lets the foreign-key check below undo every step, not just the last.
    options.setdefault("transactional_ddl", True)
    with engine.connect() as connection, foreign_keys_deferred_on_sqlite(connection):
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()
            check_foreign_keys_on_sqlite(connection)


@contextmanager
def foreign_keys_deferred_on_sqlite(connection):
    """Let SQLite rebuild tables that others refer to, as batch migrations do (copy, drop, rename).

    With foreign keys enforced, dropping the old table fails while other tables refer to it. SQLite changes
    the setting only outside a transaction, so it is set on the driver's connection before the migration
    begins one, and restored after; ``check_foreign_keys_on_sqlite`` then proves nothing was left dangling.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        # The pragma is ignored inside a transaction, and reading the version after the upgrade autobegins one.
        if connection.in_transaction():
            connection.rollback()
        driver.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys_on_sqlite(connection):
    """Fail the migration (rolling it back) if any row refers to a row that is not there."""
    if connection.dialect.name == "sqlite":
        dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"The migration left rows referring to missing rows: {dangling[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
