"""Results a process keeps between requests until what they were worked out from changes.

Some pages need the whole authority worked out (every enrolment's figures for a governors' report, every
open case's drift for a manager); doing it again on each request costs more than the rest of the page. A
``Kept`` value is worked out once per process and reused for as long as its key, read from the database
on each request, is unchanged: the key names everything the value depends on, so a change committed by
any process is seen by the next request of every other. The database is always part of the key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from ewo_cases.extensions import db
from ewo_cases.services import audit
from ewo_cases.services.attendance import figures

Value = TypeVar("Value")

#: Every kept value, so that tests can start each from a cold process.
_ALL: list[Kept] = []


class Kept(Generic[Value]):
    """One value a process keeps, with the key it was worked out under."""

    def __init__(self, name: str) -> None:
        self.name = name
        #: (key, value) in one attribute, so that a thread never reads one's key with another's value.
        self._kept: tuple[Hashable, Value] | None = None
        _ALL.append(self)

    def get(self, key: Hashable, work_out: Callable[[], Value]) -> Value:
        """Return the value kept under ``key``, or work it out (and keep it) when the key has changed."""
        key = (db.session.get_bind().engine.url, key)
        kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        value = work_out()
        self._kept = (key, value)
        return value

    def forget(self) -> None:
        self._kept = None


def forget_all() -> None:
    """Forget every kept value (a new process would start with none)."""
    for kept in _ALL:
        kept.forget()


def casework_changes() -> Hashable:
    """A key that moves on whenever anything changes that work on cases reads: the cases and their records,
    pupils, schools and people (every change to them is audited), and the registers and school calendars
    (renewed with the stored figures' stamp)."""
    return audit.latest(), figures.stamp()
