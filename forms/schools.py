"""Schools and trusts."""

from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from forms.base import VersionedForm, strip
from forms.widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput


class SchoolForm(VersionedForm):
    """A school's details (the view supplies phase and trust choices)."""

    urn = StringField(
        "Unique reference number (URN)",
        description="6 digits, from Get Information about Schools",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter the school's URN"), Regexp(r"^\d{6}$", message="URN must be 6 digits")],
    )
    name = StringField(
        "School name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter the school's name"), Length(max=200)],
    )
    phase = RadioField("Phase", widget=GovRadioInput(), validators=[DataRequired("Choose the school's phase")])
    trust = SelectField(
        "Trust",
        description="Leave as 'None' for a school maintained by the local authority",
        widget=GovSelect(),
        coerce=int,
    )
    submit = SubmitField("Save school", widget=GovSubmitInput())


class TrustForm(VersionedForm):
    """A trust's name."""

    name = StringField(
        "Trust name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter the trust's name"), Length(max=200)],
    )
    submit = SubmitField("Save trust", widget=GovSubmitInput())
