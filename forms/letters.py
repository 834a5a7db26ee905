"""Choosing a letter to make, recording its service, and administrators' wording."""

from __future__ import annotations

from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ewo_cases.models import LetterKind, ServiceMethod
from ewo_cases.models.letters import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from forms.base import GovForm, VersionedForm, strip
from forms.widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)


class LetterChoiceForm(GovForm):
    """Which letter, to whom, and the record it is about (the view supplies the choices)."""

    kind = RadioField(
        "Which letter?",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in LetterKind],
        validators=[DataRequired("Choose which letter to make")],
    )
    addressee = RadioField(
        "Who is it to?",
        widget=GovRadioInput(),
        coerce=int,
        validators=[InputRequired("Choose who the letter is to")],
    )
    meeting = SelectField(
        "Meeting",
        description="For an invitation, a meeting still to come; for a summary, one that has been held",
        widget=GovSelect(),
        validators=[Optional()],
    )
    notice_to_improve = SelectField("Notice to improve", widget=GovSelect(), validators=[Optional()])
    penalty_notice = SelectField(
        "Penalty notice",
        description="A notice goes only to the parent it was issued to",
        widget=GovSelect(),
        validators=[Optional()],
    )
    contract = SelectField("Attendance contract", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Preview the letter", widget=GovSubmitInput())


class PreviewForm(LetterChoiceForm):
    """The choices again, read from the query string to show a preview (nothing is saved)."""

    class Meta:
        csrf = False


class ServiceForm(VersionedForm):
    """When and how a letter reached the person it is to."""

    served_on = DateField(
        "Date of service",
        description="The day it was posted, handed over or emailed. For example, 27 3 2026",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[InputRequired("Enter the date of service as day, month and year")],
    )
    method = RadioField(
        "How was it served?",
        widget=GovRadioInput(),
        choices=[SelectChoice(method.value, method.label) for method in ServiceMethod],
        validators=[DataRequired("Choose how the letter was served")],
    )
    submit = SubmitField("Record service", widget=GovSubmitInput())


class WordingForm(VersionedForm):
    """The subject and wording of one kind of letter."""

    subject = StringField(
        "Subject line",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter a subject line"), Length(max=MAX_SUBJECT_LENGTH)],
    )
    body = TextAreaField(
        "Wording",
        description="A blank line starts a new paragraph. Start a line with ## for a heading, "
        "or with - for a bulleted list.",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter the wording of the letter"),
            Length(max=MAX_BODY_LENGTH, message=f"The wording must be {MAX_BODY_LENGTH:,} characters or fewer"),
        ],
    )
    preview = SubmitField("Preview", widget=GovSubmitInput())
    submit = SubmitField("Save wording", widget=GovSubmitInput())
