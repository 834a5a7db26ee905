"""The GOV.UK widgets keep each question's text and survive a post that leaves fields out; WTForms' own
error messages come out in GOV.UK words on every form."""

from __future__ import annotations

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from forms.attendance import GetForm
from forms.base import GovForm, GovSubform
from forms.widgets import GovDateInput, GovRadioInput


class QuestionForm(GetForm):
    when = DateField("When did it happen?", format="%d %m %Y", widget=GovDateInput())
    how = RadioField(
        "How was it served?",
        widget=GovRadioInput(),
        choices=[SelectChoice("post", "Post"), SelectChoice("hand", "Hand")],
    )


STYLED = (
    '{{ form.when(params={"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}}) }}'
    '{{ form.how(params={"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}}) }}'
)


def render(app, data: MultiDict) -> str:
    with app.test_request_context():
        form = QuestionForm(formdata=data)
        form.validate()
        return render_template_string(STYLED, form=form)


def test_a_styled_legend_keeps_the_question(app):
    page = render(app, MultiDict())
    assert "When did it happen?" in page and "How was it served?" in page
    assert "govuk-fieldset__legend--s" in page


def test_a_date_posted_without_its_boxes_shows_an_error_instead_of_crashing(app):
    page = render(app, MultiDict([("when", "12")]))
    assert "When did it happen?" in page and "govuk-date-input" in page


class EveryKindOfFieldForm(GovForm):
    reason = StringField("Reason", validators=[Length(max=5000)])
    upn = StringField("UPN (optional)", validators=[Length(max=13)])
    held_on = DateField("Date the meeting was held", format="%d %m %Y")
    school = SelectField("School", choices=[SelectChoice("1", "Home School")])
    how = RadioField("How was it served?", choices=[SelectChoice("post", "Post")])
    cases = SelectMultipleField("Cases", coerce=int, choices=[SelectChoice(1, "EWO-26-0001")])
    sessions = IntegerField("Sessions missed")
    email = StringField("Email", validators=[Optional(), Email()])
    name = StringField("Full name", validators=[DataRequired()])
    why = StringField("Why is it late?", validators=[DataRequired(), Length(max=10)])


class Row(GovSubform):
    note = StringField("Progress note", validators=[Length(max=10)])


class RowsForm(GovForm):
    rows = FieldList(FormField(Row), min_entries=1)


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"reason": "x" * 5001}, "reason", "Reason must be 5,000 characters or fewer"),
        ({"upn": "x" * 14}, "upn", "UPN must be 13 characters or fewer"),
        ({"held_on": ["31", "2", "2026"]}, "held_on", "Date the meeting was held must be a real date"),
        ({"school": "2"}, "school", "Select the school from the list"),
        ({"how": "pigeon"}, "how", "Select an answer from the list"),
        ({"cases": ["1", "7"]}, "cases", "Select the cases from the list"),
        ({"cases": ["x"]}, "cases", "Select the cases from the list"),
        ({"sessions": "lots"}, "sessions", "Sessions missed must be a whole number"),
        ({"email": "nobody"}, "email", "Enter an email address in the correct format, like name@example.com"),
        ({"name": ""}, "name", "Enter full name"),
        ({"why": ""}, "why", "Answer ‘Why is it late?’"),
        ({"why": "x" * 11}, "why", "The answer to ‘Why is it late?’ must be 10 characters or fewer"),
    ],
)
def test_every_form_gives_wtforms_own_errors_in_govuk_words(app, posted, field, message):
    with app.test_request_context(method="POST"):
        form = EveryKindOfFieldForm(formdata=MultiDict(_boxes(posted)), meta={"csrf": False})
        form.validate()
        assert form.errors[field] == [message]


def test_a_row_of_a_list_gets_the_same_words(app):
    with app.test_request_context(method="POST"):
        form = RowsForm(formdata=MultiDict({"rows-0-note": "x" * 11}), meta={"csrf": False})
        form.validate()
        assert form.errors == {"rows": [{"note": ["Progress note must be 10 characters or fewer"]}]}


def test_every_form_in_forms_builds_on_the_govuk_base():
    """A form that bypassed the base would show WTForms' own messages again."""
    import forms

    bypassing = [
        f"{module.__name__}.{name}"
        for module in _form_modules(forms)
        for name, value in vars(module).items()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and issubclass(value, Form)
        and not issubclass(value, GovForm | GovSubform)
    ]
    assert bypassing == []


def _form_modules(package):
    import importlib
    import pkgutil

    return [
        importlib.import_module(f"{package.__name__}.{info.name}") for info in pkgutil.iter_modules(package.__path__)
    ]


def _boxes(posted: dict) -> list[tuple[str, str]]:
    pairs = []
    for key, value in posted.items():
        pairs += [(key, part) for part in value] if isinstance(value, list) else [(key, value)]
    return pairs
