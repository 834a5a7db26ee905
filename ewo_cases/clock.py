"""Today's date for the service: the real date, or ``EWO_TODAY`` for a demonstration or a test."""

from __future__ import annotations

from datetime import date

from flask import current_app


def today() -> date:
    """Return the service's today."""
    configured = current_app.config.get("TODAY")
    return date.fromisoformat(configured) if configured else date.today()
