"""HTTP views, one blueprint per domain. Each view declares who may use it (``ewo_cases.access``),
loads records through ``ewo_cases.scoping``, validates a form, calls one service, and commits once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm

from ewo_cases.extensions import db
from ewo_cases.services.errors import ConflictError, ServiceError

Result = TypeVar("Result")


def saved(form: FlaskForm, change: Callable[[], Result]) -> Result | None:
    """Run one service call and commit; if the service refuses, roll back and show why on the form.

    Services return the record they changed, so the result is truthy on success and None on refusal.
    """
    try:
        result = change()
    except ConflictError:
        raise  # answered with the 409 page, not as a field error
    except ServiceError as error:
        db.session.rollback()
        field = getattr(form, error.field, None) if error.field else None
        field = field if field is not None else next(iter(form))
        field.errors = [*field.errors, error.message]
        return None
    db.session.commit()
    return result


def status_for(form: FlaskForm) -> int:
    """400 when a submitted form has errors, else 200: bad input is answered with a 4xx."""
    return 400 if form.errors else 200
