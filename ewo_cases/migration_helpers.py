"""DDL that Alembic cannot autogenerate, kept stable for migrations to call.

Append-only tables refuse UPDATE and DELETE in the database itself, so not even a bug or a
hand-typed SQL statement can rewrite the audit trail. (SQLite batch migrations rebuild a table and
drop its triggers: a migration that batch-alters an append-only table must call
``make_append_only`` again; the test suite checks every append-only table refuses changes.)
"""

from __future__ import annotations

from alembic import op

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION ewo_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$
"""


def make_append_only(table: str) -> None:
    """Install triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of ``table``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ewo_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ewo_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def drop_append_only(table: str) -> None:
    """Remove the triggers ``make_append_only`` installed."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
