"""Shared pieces of forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput


class VersionedForm(FlaskForm):
    """A form that edits an existing record and carries the version the user loaded.

    The service compares it with the stored version, so a save over someone else's change
    becomes a conflict instead of a silent overwrite.
    """

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


def strip(value: str | None) -> str | None:
    """Strip surrounding whitespace from text input (a WTForms filter)."""
    return value.strip() if isinstance(value, str) else value
