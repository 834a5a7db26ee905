"""Choosing what attendance to look at: a date range, list filters, and files to import."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Optional, ValidationError

from forms.base import GovForm
from forms.dates import DateGiven, GovDateField
from forms.widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)


class GetForm(GovForm):
    """A form read from the query string: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False


class DateRangeForm(GetForm):
    """A range of dates, both included."""

    start = GovDateField(
        "From",
        validators=[DateGiven("The start date must be a real date, like 1 9 2025")],
        description="For example, 1 9 2025",
    )
    end = GovDateField(
        "To",
        validators=[DateGiven("The end date must be a real date, like 31 12 2025")],
        description="For example, 31 12 2025",
    )
    submit = SubmitField("Show attendance for these dates", widget=GovSubmitInput())

    def validate_end(self, field: DateField) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date must be the same as or after the start date")


class ListFilterForm(GetForm):
    """Narrow a list of pupils (the view supplies the choices)."""

    school = SelectField("School", widget=GovSelect(), validators=[Optional()])
    year_group = SelectField("Year group", widget=GovSelect(), validators=[Optional()])
    band = SelectField("Attendance band", widget=GovSelect(), validators=[Optional()])
    cohort = SelectMultipleField("Pupils who", widget=GovCheckboxesInput(), validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class ImportForm(GovForm):
    """A contract CSV file and what it holds (the view supplies kinds and schools)."""

    kind = RadioField(
        "What does the file hold?", widget=GovRadioInput(), validators=[DataRequired("Choose what the file holds")]
    )
    school = SelectField("School", widget=GovSelect(), coerce=int, validators=[Optional()])
    file = FileField(
        "CSV file",
        widget=GovFileInput(),
        description="UTF-8 CSV with a header row, in the format of the data contract",
        validators=[FileRequired("Choose a CSV file to import")],
    )
    submit = SubmitField("Import the file", widget=GovSubmitInput())
