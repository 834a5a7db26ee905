"""Turning rows into records: per-column checks, and writing many records by key at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Base
from ewo_cases.services.imports.base import CsvFile, ErrorReport, text_problem

Check = Callable[[str], tuple[Any, str | None]]
#: Rows written (and stored rows loaded) at a time: within any database's limit on values in one IN (...).
CHUNK = 500
T = TypeVar("T")


def chunked(items: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    """Yield lists of up to ``size`` (default ``CHUNK``) items, reading ``items`` lazily."""
    iterator, size = iter(items), size or CHUNK
    while chunk := list(islice(iterator, size)):
        yield chunk


def text(max_length: int, *, required: bool = True) -> Check:
    """A check for free text: present (unless optional), not too long, no control characters."""

    def check(value: str) -> tuple[str | None, str | None]:
        problem = text_problem(value, max_length, required=required)
        return (None, problem) if problem else (value or None, None)

    return check


class RowParser:
    """Check each column of a row with its own function and collect the parsed values."""

    def __init__(self, csv_file: CsvFile, checks: dict[str, Check], report: ErrorReport) -> None:
        self._columns = [(name, csv_file.getter(name), check) for name, check in checks.items()]
        self._report = report

    def parse(self, line: int, row: list[str]) -> dict[str, Any] | None:
        """Return the row's values by column, or None after reporting each bad value."""
        parsed, ok = {}, True
        for name, get, check in self._columns:
            raw = get(row)
            value, problem = check(raw)
            if problem:
                self._report.add(line, name, raw, problem)
                ok = False
            parsed[name] = value
        return parsed if ok else None


def upsert_by_key(model: type[Base], key: str | tuple[str, ...], records: Iterable[dict[str, Any]]) -> int:
    """Insert records with a new key and update stored ones that differ; return how many changed."""
    return len(upsert_changed_keys(model, key, records))


def upsert_changed_keys(
    model: type[Base], key: str | tuple[str, ...], records: Iterable[dict[str, Any]]
) -> set[tuple[Any, ...]]:
    """Insert records with a new key and update stored ones that differ; return the keys that changed.

    Records are written ``CHUNK`` at a time, and for each chunk only the stored rows sharing its first
    key column's values are loaded, so memory follows the records given, never the size of the table.
    Unchanged rows are not touched, so importing the same file again changes nothing. A versioned
    model's changed rows are updated from their stored version (which the ORM checks and increments).
    """
    keys = (key,) if isinstance(key, str) else key
    changed_keys: set[tuple[Any, ...]] = set()
    for chunk in chunked(records):
        changed_keys |= _upsert_chunk(model, keys, chunk)
    return changed_keys


def _upsert_chunk(model: type[Base], keys: tuple[str, ...], records: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    columns = [name for name in records[0] if name not in keys]
    version_column = sa.inspect(model).version_id_col
    stored_columns = ("id",) if version_column is None else ("id", version_column.key)
    selected = [getattr(model, name) for name in (*keys, *stored_columns, *columns)]
    first_key = getattr(model, keys[0])
    query = sa.select(*selected).where(first_key.in_({record[keys[0]] for record in records}))
    stored = {tuple(row[: len(keys)]): row[len(keys) :] for row in db.session.execute(query)}
    now = clock.now()
    new, changed, changed_keys = [], [], set()
    for record in records:
        record_key = tuple(record[name] for name in keys)
        current = stored.get(record_key)
        if current is None:
            new.append({**record, "created_at": now, "updated_at": now})
        elif tuple(current[len(stored_columns) :]) != tuple(record[name] for name in columns):
            ids = dict(zip(stored_columns, current[: len(stored_columns)], strict=True))
            changed.append({**record, **ids, "updated_at": now})
        else:
            continue
        changed_keys.add(record_key)
    if new:
        db.session.execute(sa.insert(model), new)
    if changed:
        db.session.execute(sa.update(model), changed)
    db.session.flush()
    return changed_keys


def values_by_key(key: sa.orm.InstrumentedAttribute, value: sa.orm.InstrumentedAttribute, keys: Iterable) -> dict:
    """A column's stored value for each of ``keys`` that is stored, read ``CHUNK`` keys at a time."""
    found = {}
    for chunk in chunked(keys):
        found.update(db.session.execute(sa.select(key, value).where(key.in_(chunk))).all())
    return found
