"""Action plans, their actions, and attendance contracts (the view supplies owner, status and party choices)."""

from __future__ import annotations

from wtforms import RadioField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.base import GovSubform, VersionedForm, strip
from forms.dates import DateGiven, GovDateField
from forms.widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)

DATE_HINT = "For example, 27 3 2026"


def description_field() -> TextAreaField:
    return TextAreaField(
        "What will be done",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired("Enter what will be done"), Length(max=2000)],
    )


def owner_field() -> SelectField:
    return SelectField(
        "Who will do it",
        description="A named person, or the child, family, school, local authority or an agency",
        widget=GovSelect(),
        validators=[DataRequired("Choose who will do it")],
        invalid_choice_message="Choose who will do it from the list",
    )


def due_on_field() -> GovDateField:
    return GovDateField(
        "Due by",
        description=DATE_HINT,
        validators=[DateGiven("The due date must be a real date", missing="Enter the date it is due by")],
    )


class ActionForm(VersionedForm):
    """A new action on the plan."""

    description = description_field()
    owner = owner_field()
    due_on = due_on_field()
    submit = SubmitField("Add the action", widget=GovSubmitInput())


class OptionalRow(GovSubform):
    """A row of a list that grows on the page; a row left blank is ignored."""

    def is_blank(self) -> bool:
        """Say whether nothing was typed or chosen in the row."""
        return not any(str(part).strip() for field in self for part in field.raw_data or [])

    def validate(self, extra_validators=None) -> bool:
        if self.is_blank():
            for field in self:
                field.errors = []
            return True
        return super().validate(extra_validators)


class ActionsAgreedAtMeeting:
    """For the record of a meeting (with ``held_on`` and rows of ``actions``): no action falls due before it."""

    def filled_action_rows(self) -> list[OptionalRow]:
        """Return the action rows with something in them."""
        return [entry.form for entry in self.actions if not entry.form.is_blank()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        held_on = self.held_on.data if not self.held_on.errors else None
        early = [row for row in self.filled_action_rows() if held_on and row.due_on.data and row.due_on.data < held_on]
        for row in early:
            row.due_on.errors = [*row.due_on.errors, "The due date must be on or after the day of the meeting"]
        if early:
            # The list gathered its rows' errors when it validated; gather them again to include these.
            self.actions.errors = [entry.errors for entry in self.actions]
        return valid and not early


class ActionRowForm(OptionalRow):
    """One action agreed at a meeting; a row left blank is ignored."""

    description = description_field()
    owner = owner_field()
    due_on = due_on_field()


class ActionProgressForm(VersionedForm):
    """Where an action has got to, and a note of progress."""

    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        validators=[DataRequired("Choose the action's status")],
        invalid_choice_message="Choose the action's status from the list",
    )
    note = TextAreaField(
        "Progress note",
        description="What has happened since the last update. Notes are kept with your name and the time.",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Save the update", widget=GovSubmitInput())


class ActionChangeForm(ActionProgressForm):
    """Progress, and also what the action is, who owns it and when it is due."""

    description = description_field()
    owner = owner_field()
    due_on = due_on_field()


class PlanForm(VersionedForm):
    """The plan's goals and when it is next reviewed."""

    goals = TextAreaField(
        "Goals",
        description="What the plan aims to achieve, for example attendance above 90% by the end of term",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired("Enter the goals of the plan"), Length(max=5000)],
    )
    review_on = GovDateField(
        "Review date",
        description=DATE_HINT,
        validators=[DateGiven("The review date must be a real date", missing="Enter the review date")],
    )
    submit = SubmitField("Save the plan", widget=GovSubmitInput())


class ContractForm(VersionedForm):
    """An attendance contract's terms, parties and dates."""

    parent_commitments = TextAreaField(
        "What the parents agree to do",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired("Enter what the parents agree to do"), Length(max=5000)],
    )
    support_commitments = TextAreaField(
        "What support the school, local authority and agencies will give",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired("Enter the support that will be given"), Length(max=5000)],
    )
    parties = SelectMultipleField(
        "Who is party to the contract",
        description="At least one parent or carer. Add people to the case on its People page.",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[DataRequired("Choose who is party to the contract")],
        invalid_choice_message="Choose who is party to the contract from the list",
    )
    agreed_on = GovDateField(
        "Date agreed (optional)",
        description="Leave blank until the contract is signed. " + DATE_HINT,
        validators=[DateGiven("The date agreed must be a real date")],
    )
    review_on = GovDateField(
        "Review date",
        description=DATE_HINT,
        validators=[DateGiven("The review date must be a real date", missing="Enter the review date")],
    )
    submit = SubmitField("Save the contract", widget=GovSubmitInput())


class EndContractForm(VersionedForm):
    """When and why a contract ended."""

    ended_on = GovDateField(
        "Date the contract ended",
        description=DATE_HINT,
        validators=[DateGiven("The end date must be a real date", missing="Enter the date the contract ended")],
    )
    reason = TextAreaField(
        "Why it ended",
        description="For example, reviewed and attendance improved, or the parents did not keep to it",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired("Enter why the contract ended"), Length(max=2000)],
    )
    submit = SubmitField("End the contract", widget=GovSubmitInput())
