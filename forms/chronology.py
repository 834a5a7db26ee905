"""Notes on a case's chronology, their corrections, and the timeline's filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

from wtforms import BooleanField, DateField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ewo_cases.models import NoteKind
from ewo_cases.models.chronology import TIMELINE_KINDS
from forms.attendance import GetForm
from forms.base import GovForm, strip
from forms.dates import DateGiven, GovDateField
from forms.widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from workflows import ENGLAND

MAX_NOTE_LENGTH = 10_000
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)


def parse_time(text: str) -> time | None:
    """Read a time as people type it: 14:30, 2:30pm, 2.30pm, 9am. None if it cannot be read."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None or hour > 23:
        return None
    return time(hour, minute) if minute < 60 else None


class NoteForm(GovForm):
    """What happened, when, and whether it was a significant event."""

    kind = RadioField(
        "What kind of contact or event?",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in NoteKind],
        validators=[DataRequired("Choose what kind of contact or event it was")],
    )
    occurred_on = DateField(
        "Date it happened",
        description="For example, 27 3 2026",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[InputRequired("Enter the date it happened as day, month and year")],
    )
    occurred_time = StringField(
        "Time it happened",
        description="For example, 2:30pm or 14:30",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter the time it happened, like 2:30pm")],
    )
    summary = TextAreaField(
        "What happened",
        description="Who was involved, what was said or seen, and what was agreed",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            DataRequired("Enter what happened"),
            Length(max=MAX_NOTE_LENGTH, message=f"What happened must be {MAX_NOTE_LENGTH:,} characters or fewer"),
        ],
    )
    significant = BooleanField("This is a significant event", widget=GovCheckboxInput())
    submit = SubmitField("Add to the timeline", widget=GovSubmitInput())

    def validate_occurred_time(self, field: StringField) -> None:
        if field.data and parse_time(field.data) is None:
            raise ValidationError("Enter the time it happened like 2:30pm or 14:30")

    @property
    def occurred_at(self) -> datetime:
        """The date and time typed, in UK time, as a UTC moment (call only after validating)."""
        local = datetime.combine(self.occurred_on.data, parse_time(self.occurred_time.data), ENGLAND)
        return local.astimezone(UTC)


class CorrectionForm(NoteForm):
    """A note that replaces an earlier one, and why."""

    reason = TextAreaField(
        "Why does the note need correcting?",
        description="The original note stays on the timeline, marked as corrected, with this reason",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired("Say why the note needs correcting"), Length(max=2000)],
    )
    submit = SubmitField("Add the correction", widget=GovSubmitInput())


class TimelineFilterForm(GetForm):
    """Which kinds of entry and note to show, from and to which days."""

    kinds = SelectMultipleField(
        "Show",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(key, label) for key, label in TIMELINE_KINDS.items()],
        validators=[Optional()],
        invalid_choice_message="Select the kinds of entry to show from the list",
    )
    note_kinds = SelectMultipleField(
        "Kinds of note",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in NoteKind],
        validators=[Optional()],
        invalid_choice_message="Select the kinds of note to show from the list",
    )
    since = GovDateField(
        "From", description="For example, 1 9 2026", validators=[DateGiven("From must be a real date")]
    )
    until = GovDateField("To", description="For example, 31 12 2026", validators=[DateGiven("To must be a real date")])
    significant = BooleanField("Only significant events", widget=GovCheckboxInput())
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def validate_until(self, field: GovDateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("To must be the same as or after from")
