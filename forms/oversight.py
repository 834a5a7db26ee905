"""Filters of the manager's oversight pages (the views supply the officer, school and year choices)."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField
from wtforms.validators import Optional

from forms.attendance import GetForm
from forms.widgets import GovSelect


class DriftFilterForm(GetForm):
    """Narrow the drift report to one officer, one school or one reason."""

    officer = SelectField("Officer", widget=GovSelect(), validators=[Optional()])
    school = SelectField("School", widget=GovSelect(), validators=[Optional()])
    reason = SelectField("Drifting because", widget=GovSelect(), validators=[Optional()])


class OutcomeFilterForm(GetForm):
    """Choose the academic year, narrow to an officer or a school, and break the figures down."""

    year = SelectField("Academic year", widget=GovSelect(), validators=[Optional()])
    officer = SelectField("Officer", widget=GovSelect(), validators=[Optional()])
    school = SelectField("School", widget=GovSelect(), validators=[Optional()])
    group_by = SelectField(
        "Also show",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[
            SelectChoice("", "Stages only"),
            SelectChoice("school", "Each school"),
            SelectChoice("officer", "Each officer"),
        ],
    )
