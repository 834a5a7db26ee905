"""The GOV.UK widgets keep each question's text and survive a post that leaves fields out."""

from __future__ import annotations

from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import DateField, RadioField, SelectChoice

from forms.attendance import GetForm
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
