"""Watching the SQL an import sends, to show that it reads stored rows a chunk at a time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def selects_from(*tables: str) -> Iterator[list[str]]:
    """Collect every SELECT that reads any of ``tables``."""
    pattern = re.compile(r"\bFROM\s+(" + "|".join(tables) + r")\b", re.IGNORECASE)
    seen: list[str] = []

    def record(_connection, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and pattern.search(statement):
            seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def reads_by_key(statement: str) -> bool:
    """Whether a SELECT is narrowed to listed keys (``IN (...)``) rather than reading a whole table."""
    return " IN (" in statement.upper()
