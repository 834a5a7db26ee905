"""Errors that services raise for the person using the service to read."""

from __future__ import annotations

import re


class ServiceError(ValueError):
    """A request the service refuses. ``field`` names the form field to attach the message to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else saved the record after this person opened it; saving would lose their change.

    ``typed`` holds what the person entered (label and text), so the conflict page can give it back to them.
    """

    typed: tuple[tuple[str, str], ...] = ()


def check_version(record: object, expected_version: int | None) -> None:
    """Refuse to save over a version of ``record`` the user has not seen, or an edit that does not say which
    version it was made on (it could be over any later change)."""
    noun = re.sub(r"(?<!^)(?=[A-Z])", " ", type(record).__name__).lower()  # ActionPlan: "action plan"
    if expected_version is None:
        raise ConflictError(f"change did not say which version of the {noun} it was made on")
    if record.version != expected_version:
        raise ConflictError(f"{noun} was changed by someone else while you were editing it")
