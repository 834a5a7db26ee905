"""Recording a termly targeting support meeting (the view supplies the pupils an action may be for)."""

from __future__ import annotations

from wtforms import BooleanField, FieldList, FormField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired

from ewo_cases.models import ActionOwner
from forms.base import GovForm
from forms.dates import DateGiven, GovDateField
from forms.meetings import text_area
from forms.plans import DATE_HINT, ActionsAgreedAtMeeting, OptionalRow, description_field, due_on_field
from forms.widgets import GovCheckboxInput, GovSelect, GovSubmitInput

#: Blank pupil action rows on a new form, and the most it can grow to.
BLANK_ACTION_ROWS, MOST_ACTION_ROWS = 1, 10
ONE_A_LINE = "One person on each line, with their role: for example, Jo Bloggs, deputy head (attendance lead)"


class PupilActionForm(OptionalRow):
    """An action agreed for one pupil; a row left blank is ignored."""

    pupil = SelectField(
        "Pupil",
        widget=GovSelect(),
        validators=[DataRequired("Choose the pupil")],
        invalid_choice_message="Choose a pupil from the list",
    )
    description = description_field()
    owner = SelectField(
        "Who will do it",
        widget=GovSelect(),
        choices=[
            SelectChoice("", "Choose who will do it"),
            *(SelectChoice(owner.value, owner.label) for owner in ActionOwner),
        ],
        validators=[DataRequired("Choose who will do it")],
        invalid_choice_message="Choose who will do it from the list",
    )
    due_on = due_on_field()


class TargetingMeetingForm(ActionsAgreedAtMeeting, GovForm):
    """What a termly targeting support meeting discussed and agreed, who came, and when the next one is."""

    held_on = GovDateField(
        "Date the meeting was held",
        description=DATE_HINT,
        validators=[
            DateGiven(
                "The date the meeting was held must be a real date", missing="Enter the date the meeting was held"
            )
        ],
    )
    recorder_attended = BooleanField("I attended this meeting", widget=GovCheckboxInput(), default=True)
    attended = text_area("Who else attended", hint=ONE_A_LINE, length=2000)
    apologies = text_area("Who sent apologies (optional)", hint=ONE_A_LINE, length=2000)
    summary = text_area(
        "Summary of the discussion",
        hint="The school's data and trends, the cohorts discussed, and the pupils' progress",
        required="Enter a summary of the discussion",
    )
    decisions = text_area(
        "Decisions and actions agreed for the school (optional)",
        hint="Who will do what, by when. Actions for one pupil go below.",
    )
    actions = FieldList(FormField(PupilActionForm), min_entries=BLANK_ACTION_ROWS, max_entries=MOST_ACTION_ROWS)
    next_meeting_on = GovDateField(
        "Date of the next meeting (optional)",
        description=DATE_HINT,
        validators=[DateGiven("The date of the next meeting must be a real date")],
    )
    add_action = SubmitField("Add another pupil action", widget=GovSubmitInput())
    submit = SubmitField("Save the record of the meeting", widget=GovSubmitInput())
