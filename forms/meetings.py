"""Scheduling, recording and cancelling meetings (the view supplies kinds, invitees and owners)."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import FieldList, FormField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import VersionedForm, strip
from forms.dates import DateGiven, GovDateField, TimeOfDayField
from forms.plans import DATE_HINT, ActionRowForm, ActionsAgreedAtMeeting
from forms.widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)

#: A row of the record form for each invitee is a field named with this prefix and the attendee's id.
ATTENDEE_PREFIX = "attendee_"
ATTENDANCE_CHOICES = [
    SelectChoice("attended", "Attended"),
    SelectChoice("apologies", "Sent apologies"),
    SelectChoice("did_not_attend", "Did not attend"),
]
#: Blank action rows on a new record form, and the most it can grow to.
BLANK_ACTION_ROWS, MOST_ACTION_ROWS = 2, 10


def text_area(label: str, *, hint: str = "", required: str | None = None, length: int = 5000) -> TextAreaField:
    first = DataRequired(required) if required else Optional()
    return TextAreaField(
        label, description=hint, widget=GovTextArea(), filters=[strip], validators=[first, Length(max=length)]
    )


class MeetingArrangementsForm(VersionedForm):
    """When and where a meeting is, and who is invited: to arrange one, or to change the arrangements."""

    date = GovDateField(
        "Date",
        description=DATE_HINT,
        validators=[DateGiven("The date of the meeting must be a real date", missing="Enter the date of the meeting")],
    )
    time = TimeOfDayField(
        "Time",
        description="For example, 9:30am or 2pm",
        validators=[InputRequired("Enter the time of the meeting")],
    )
    place = StringField(
        "Place",
        description="For example, the school's family room, the family home, or online",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired("Enter where the meeting will be"), Length(max=200)],
    )
    invitees = SelectMultipleField(
        "Who is invited",
        description="People taking part in the case. Add others on the case's People page first.",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[DataRequired("Choose who is invited")],
        invalid_choice_message="Choose who is invited from the list",
    )
    submit = SubmitField("Save the changes", widget=GovSubmitInput())


class ScheduleMeetingForm(MeetingArrangementsForm):
    """What kind of meeting, when, where and who is invited."""

    kind = RadioField(
        "Kind of meeting",
        widget=GovRadioInput(),
        validators=[DataRequired("Choose the kind of meeting")],
        invalid_choice_message="Choose the kind of meeting from the list",
    )
    submit = SubmitField("Schedule the meeting", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Asked first on the page, so listed first in the error summary.
        self._fields = {"kind": self._fields.pop("kind"), **self._fields}


class RecordMeetingForm(ActionsAgreedAtMeeting, VersionedForm):
    """What happened at a meeting, and the actions it agreed (``record_meeting_form`` adds attendance)."""

    held_on = GovDateField(
        "Date the meeting was held",
        description=DATE_HINT,
        validators=[
            DateGiven(
                "The date the meeting was held must be a real date", missing="Enter the date the meeting was held"
            )
        ],
    )
    others_attended = text_area(
        "Anyone else who attended (optional)", hint="One person on each line, with their role", length=2000
    )
    child_attended = RadioField(
        "Did the child attend?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=GovRadioInput(),
        validators=[DataRequired("Say whether the child attended")],
    )
    child_views = text_area("The child's views (optional)", hint="In their own words where you can")
    family_views = text_area("The family's views (optional)")
    summary = text_area("Summary of the meeting", required="Enter a summary of the meeting")
    decisions = text_area(
        "Decisions (optional)", hint="If the case has no action plan yet, these become the goals of the new plan"
    )
    actions = FieldList(FormField(ActionRowForm), min_entries=BLANK_ACTION_ROWS, max_entries=MOST_ACTION_ROWS)
    plan_review_on = GovDateField(
        "When should the new action plan be reviewed?",
        description=DATE_HINT,
        validators=[DateGiven("The review date must be a real date")],
    )
    add_action = SubmitField("Add another action", widget=GovSubmitInput())
    submit = SubmitField("Save the record of the meeting", widget=GovSubmitInput())

    def attendance_fields(self) -> list[RadioField]:
        """The attendance question for each invitee, in the order they were invited."""
        return [field for name, field in self._fields.items() if name.startswith(ATTENDEE_PREFIX)]

    def attendance(self) -> dict[int, str]:
        """Each invitee's attendance, keyed by attendee id."""
        return {int(field.name.removeprefix(ATTENDEE_PREFIX)): field.data for field in self.attendance_fields()}


def record_meeting_form(attendees: Sequence[tuple[int, str]], **kwargs) -> RecordMeetingForm:
    """The record form with one attendance question for each invitee (``attendees``: id and name)."""
    questions = {
        f"{ATTENDEE_PREFIX}{attendee_id}": RadioField(
            name,
            choices=ATTENDANCE_CHOICES,
            widget=GovRadioInput(),
            validators=[DataRequired(f"Say whether {name} attended")],
        )
        for attendee_id, name in attendees
    }
    form = type("RecordThisMeetingForm", (RecordMeetingForm,), questions)(**kwargs)
    # Attendance is asked straight after the date, so the error summary lists problems in the page's order.
    names = list(form._fields)
    asked = [name for name in names if name.startswith(ATTENDEE_PREFIX)]
    rest = [name for name in names if not name.startswith(ATTENDEE_PREFIX)]
    order = rest[: rest.index("held_on") + 1] + asked + rest[rest.index("held_on") + 1 :]
    form._fields = {name: form._fields[name] for name in order}
    return form


class CorrectMeetingForm(VersionedForm):
    """The corrected text of a held meeting's record, and why it needed correcting."""

    child_views = text_area("The child's views (optional)", hint="In their own words where you can")
    family_views = text_area("The family's views (optional)")
    summary = text_area("Summary of the meeting", required="Enter a summary of the meeting")
    decisions = text_area("Decisions (optional)")
    reason = text_area(
        "Why does the record need correcting?",
        hint="What the record said before stays on the meeting, with this reason, your name and the time",
        required="Say why the record needs correcting",
        length=2000,
    )
    submit = SubmitField("Save the correction", widget=GovSubmitInput())


class CancelMeetingForm(VersionedForm):
    """Why a meeting will not happen."""

    reason = text_area(
        "Why is the meeting cancelled?",
        hint="For example, the parent asked to rearrange. Schedule a new meeting if it will happen on another day.",
        required="Enter why the meeting is cancelled",
        length=2000,
    )
    submit = SubmitField("Cancel the meeting", widget=GovSubmitInput())
