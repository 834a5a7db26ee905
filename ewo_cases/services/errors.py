"""Errors that services raise for the person using the service to read."""

from __future__ import annotations


class ServiceError(ValueError):
    """A request the service refuses. ``field`` names the form field to attach the message to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else saved the record after this person opened it; saving would lose their change."""


def check_version(record: object, expected_version: int | None) -> None:
    """Refuse to save over a version of ``record`` the user has not seen."""
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(f"{type(record).__name__.lower()} was changed by someone else while you were editing it")
