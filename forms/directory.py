"""The directory of agencies and professionals."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from forms.base import VersionedForm, strip
from forms.widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextInput


class AgencyForm(VersionedForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter the agency's name"), Length(max=200)],
    )
    kind = SelectField("Type of agency", widget=GovSelect(), validators=[InputRequired("Choose the type of agency")])
    phone = StringField("Phone", widget=GovTextInput(), filters=[strip], validators=[Optional(), Length(max=40)])
    email = EmailField(
        "Email",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Email("Enter an email address like name@example.gov.uk"), Length(max=254)],
    )
    active = BooleanField("In use", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save", widget=GovSubmitInput())


class ProfessionalForm(VersionedForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter their full name"), Length(max=200)],
    )
    agency = SelectField("Agency", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose their agency")])
    job_title = StringField(
        "Job title", widget=GovTextInput(), filters=[strip], validators=[Optional(), Length(max=200)]
    )
    phone = StringField("Phone", widget=GovTextInput(), filters=[strip], validators=[Optional(), Length(max=40)])
    email = EmailField(
        "Email",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Email("Enter an email address like name@example.gov.uk"), Length(max=254)],
    )
    active = BooleanField("Still working with families", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save", widget=GovSubmitInput())
