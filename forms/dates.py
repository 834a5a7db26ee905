"""GOV.UK date inputs (day, month, year) and a time of day, with the error messages the Design System asks for."""

from __future__ import annotations

import re
from datetime import time

from wtforms import DateField, StringField
from wtforms.validators import StopValidation

from forms.widgets import GovDateInput, GovTextInput

DATE_FORMAT = "%d %m %Y"
TIME_PATTERN = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$", re.IGNORECASE)


class GovDateField(DateField):
    """A date typed as day, month and year in three boxes."""

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, format=DATE_FORMAT, **kwargs)


class DateGiven:
    """Check a date typed in three boxes: missing (an error only when ``missing`` is given) or a real date."""

    def __init__(self, invalid: str, missing: str | None = None) -> None:
        self.invalid, self.missing = invalid, missing

    def __call__(self, form, field: GovDateField) -> None:
        parts = [str(part).strip() for part in field.raw_data or []]
        field.errors[:] = []
        if not any(parts):
            if self.missing:
                raise StopValidation(self.missing)
            raise StopValidation()
        if field.data is None or len(parts[2]) != 4:
            raise StopValidation(self.invalid)


class TimeOfDayField(StringField):
    """A time of day typed as 9:30am, 2pm or 14:00."""

    widget = GovTextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_time(self.raw_text) if self.raw_text else None
        if self.raw_text and self.data is None:
            raise ValueError("Enter a real time, like 9:30am or 2pm")

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return format_time(self.data) if self.data else ""


def parse_time(text: str) -> time | None:
    """Read a time of day, or None if it is not one."""
    match = TIME_PATTERN.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match["hour"]), int(match["minute"] or 0), (match["half"] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_time(value: time) -> str:
    """Show a time the GOV.UK way: 9:30am, 2pm."""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"
