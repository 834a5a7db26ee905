"""The service's date and time: the real ones, or ``EWO_TODAY`` for a demonstration or a test.

Everything that decides by date (the workflow's guards, clocks, "not in the future" checks) asks here,
so a configured day moves all of them together.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Return the service's today."""
    configured = current_app.config.get("TODAY")
    return date.fromisoformat(configured) if configured else date.today()


def now() -> datetime:
    """Return the service's now (aware, UTC): the real moment, or the configured day at this time of day."""
    real = datetime.now(UTC)
    if not current_app.config.get("TODAY"):
        return real
    return datetime.combine(today(), real.astimezone(LONDON).time(), LONDON).astimezone(UTC)
