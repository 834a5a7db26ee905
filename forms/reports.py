"""Choosing a governors' report and the period it covers."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, Optional

from forms.attendance import GetForm
from forms.widgets import GovDateInput, GovRadioInput, GovSelect, GovSubmitInput

PERIODS = [
    SelectChoice("year", "Academic year to date"),
    SelectChoice("term", "This term to date"),
    SelectChoice("custom", "Other dates"),
]


class PeriodForm(GetForm):
    """The period of a report: the year or term to date, or dates of the user's choosing."""

    period = RadioField(
        "Period",
        choices=PERIODS,
        default="year",
        widget=GovRadioInput(),
        description="Terms are taken as September to December, January to Easter, and Easter to August.",
        validators=[DataRequired("Choose the period the report covers")],
    )
    start = DateField(
        "From",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[Optional()],
        description="Only for other dates. For example, 1 9 2025",
    )
    end = DateField(
        "To",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[Optional()],
        description="Only for other dates. For example, 31 12 2025",
    )
    submit = SubmitField("Show the report", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then that dates are given exactly when other dates are chosen, and make sense."""
        valid = super().validate(extra_validators)
        if self.period.data == "custom":
            return self._check_dates() and valid
        if _typed(self.start) or _typed(self.end):
            self.start.errors, self.end.errors = [], []
            self.period.errors = ["Choose other dates to see the report for the dates you entered"]
            return False
        return valid

    def _check_dates(self) -> bool:
        """Give each missing, unreal or out-of-order date its message; return whether both are right."""
        for field, which in ((self.start, "first"), (self.end, "last")):
            if field.data is None:
                field.errors = [f"The {which} date must be a real date" if _typed(field) else f"Enter the {which} date"]
        if self.start.data and self.end.data and self.end.data < self.start.data:
            self.end.errors = ["The last date must be the same as or after the first date"]
        elif self.start.data and self.end.data and self.end.data > _one_year_after(self.start.data):
            self.end.errors = ["The period must be a year or shorter"]
        return not (self.start.errors or self.end.errors)


class ChooseReportForm(PeriodForm):
    """Which report, and for which period (the view supplies the reports the user may open)."""

    report = SelectField(
        "Report for", widget=GovSelect(), validators=[DataRequired("Choose a school, a trust or the local authority")]
    )
    submit = SubmitField("Show the report", widget=GovSubmitInput())


def _typed(field: DateField) -> bool:
    """Return whether anything was typed into a date's boxes."""
    return any(str(part).strip() for part in field.raw_data or [])


def _one_year_after(day: date) -> date:
    """Return the same day a year later (28 February after 29 February)."""
    if (day.month, day.day) == (2, 29):
        return date(day.year + 1, 2, 28)
    return day.replace(year=day.year + 1)
