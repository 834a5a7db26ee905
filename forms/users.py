"""Managing accounts."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from forms.base import GovForm, VersionedForm, strip
from forms.widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)


class UserDetailsForm(VersionedForm):
    """Email, name, role and schools (the view supplies the role and school choices)."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired("Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.gov.uk"),
        ],
    )
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    role = RadioField("Role", widget=GovRadioInput(), validators=[DataRequired("Choose a role")])
    schools = SelectMultipleField(
        "Schools",
        description="An officer's patch, or the school an attendance lead works for. "
        "Managers and administrators see every school.",
        widget=GovCheckboxesInput(),
        coerce=int,
        validate_choice=True,
    )
    active = BooleanField("Account is active", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewPasswordMixin:
    password = PasswordField(
        "Password",
        description="At least 12 characters. Three random words make a good password.",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter a password"), Length(max=128)],
    )
    confirm = PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter the password again"), EqualTo("password", "Passwords do not match")],
    )


class NewUserForm(NewPasswordMixin, UserDetailsForm):
    """A new account."""

    submit = SubmitField("Create account", widget=GovSubmitInput())


class SetPasswordForm(NewPasswordMixin, GovForm):
    """A new password for an existing account."""

    submit = SubmitField("Set password", widget=GovSubmitInput())
