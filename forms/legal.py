"""Legal interventions: notices to improve, penalty notices, education supervision orders and prosecutions.

The forms check only what can be checked without the database (dates in order, amounts well formed); the
legal rules themselves are applied by ``ewo_cases.services.legal`` with ``workflows.legal``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from forms.attendance import GetForm
from forms.base import GovForm, VersionedForm, strip
from forms.widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from workflows.legal import (
    NTI_MAX_HOLIDAY_WEEKS,
    NTI_MAX_WEEKS,
    NTI_MIN_WEEKS,
    SECTION_LABELS,
    SENTENCE_LABELS,
    VERDICT_LABELS,
    WITHDRAWAL_GROUND_LABELS,
)

TEXT_LIMIT = 4000
_POUNDS = re.compile(r"(\d{1,6})(?:\.00?)?")


class Answered:
    """Require an answer, keeping a field's own message when what was typed could not be read."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None or field.data == "":
            raise StopValidation(self.message)


class DayField(DateField):
    """A GOV.UK date input (day, month and year boxes); blank means no answer."""

    widget = GovDateInput()

    def __init__(self, label: str, *, required: str | None = None, **kwargs: object) -> None:
        validators = [Answered(required)] if required else [Optional()]
        kwargs.setdefault("description", "For example, 27 3 2026")
        super().__init__(label, validators=validators, format="%d %m %Y", **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        super().process(formdata, data, extra_filters)
        # The widget redraws exactly three boxes from what was sent, even when the boxes were not sent at all.
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = [*self.raw_data, "", "", ""][:3]

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [value.strip() for value in valuelist or []]
        if not "".join(parts):
            self.data = None
            return
        name = self.label.text.removesuffix(" (optional)")
        try:
            super().process_formdata(parts)
        except ValueError:
            raise ValueError(f"{name} must be a real date") from None
        if not 2000 <= self.data.year <= 2099:
            self.data = None
            raise ValueError(f"{name} must be a real date, with a 4-digit year")


class PoundsField(StringField):
    """A sum in whole pounds ("80", "£80" or "80.00")."""

    widget = GovTextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip().lstrip("£").replace(",", "").strip()
        self.data = None
        if not text:
            return
        match = _POUNDS.fullmatch(text)
        if not match:
            raise ValueError(f"{self.label.text} must be a whole number of pounds, like 80")
        self.data = int(match.group(1))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def note_field(label: str, *, required: str | None = None, description: str | None = None) -> TextAreaField:
    """A text area, required or not, of at most TEXT_LIMIT characters."""
    validators = [InputRequired(required)] if required else [Optional()]
    return TextAreaField(
        label,
        description=description,
        widget=GovTextArea(),
        filters=[strip],
        validators=[*validators, Length(max=TEXT_LIMIT, message=f"{label} must be {TEXT_LIMIT} characters or fewer")],
    )


def check_order(earlier: DayField, later: DayField, message: str) -> None:
    """Refuse ``later`` when it falls before ``earlier`` (both answered)."""
    if earlier.data and later.data and later.data < earlier.data:
        raise ValidationError(message)


class StepForm(GovForm):
    """A step that moves the case on: it carries the case's version, so a second submission is a conflict.

    When the child has needs to weigh before a legal step (an EHC plan, a social worker, ...) the view sets
    ``needs_to_consider``: the page interrupts with them first, and continuing past the interruption is the
    answer this form carries.
    """

    #: Not an input: where the workflow's refusal of the step is shown, beside what the step needs.
    step = HiddenField()
    case_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    needs_considered = BooleanField(widget=HiddenInput())
    needs_to_consider: Sequence[str] = ()

    def validate_needs_considered(self, field: BooleanField) -> None:
        if self.needs_to_consider and not field.data:
            raise ValidationError("Confirm that you have considered the child's needs and circumstances")


# --- notices to improve -----------------------------------------------------------------------------------


class NoticeToImproveForm(StepForm):
    """Issue a notice to improve with its improvement period."""

    issued_on = DayField("Date issued", required="Enter the date the notice was issued")
    received_on = DayField(
        "Date received (optional)",
        description="Leave blank if you do not know yet. For example, 29 3 2026",
    )
    improvement_starts_on = DayField(
        "Improvement period starts", required="Enter the date the improvement period starts"
    )
    weeks = RadioField(
        "How long is the improvement period?",
        description="Between 3 and 6 school weeks",
        widget=GovRadioInput(),
        coerce=int,
        choices=[SelectChoice(weeks, f"{weeks} school weeks") for weeks in range(NTI_MIN_WEEKS, NTI_MAX_WEEKS + 1)],
        validators=[InputRequired("Choose how long the improvement period is")],
    )
    holiday_weeks = RadioField(
        "How many weeks of school holiday fall within the period?",
        description="Half term, Christmas or Easter: a week the school is closed is not a school week, "
        "so the period ends that much later",
        widget=GovRadioInput(),
        coerce=int,
        default=0,
        choices=[
            SelectChoice(weeks, "None" if weeks == 0 else f"{weeks} week{'s' if weeks > 1 else ''}")
            for weeks in range(NTI_MAX_HOLIDAY_WEEKS + 1)
        ],
        validators=[InputRequired("Choose how many weeks of holiday fall within the period")],
        invalid_choice_message="Choose how many weeks of holiday from the list",
    )
    sufficient_improvement = note_field(
        "What counts as sufficient improvement",
        required="Say what counts as sufficient improvement",
        description="As written on the notice, for example: no unauthorised absence during the period",
    )
    threshold_reason = note_field(
        "Why a notice is right although the penalty threshold is not met",
        description="Only needed when the pupil has fewer than 10 unauthorised sessions in 10 school weeks",
    )
    submit = SubmitField("Issue the notice to improve", widget=GovSubmitInput())

    def validate_received_on(self, field: DayField) -> None:
        check_order(self.issued_on, field, "The date received must be the same as or after the date issued")

    def validate_improvement_starts_on(self, field: DayField) -> None:
        check_order(self.issued_on, field, "The improvement period must start on or after the date issued")


class NoticeOutcomeForm(VersionedForm):
    """Whether attendance improved enough over the improvement period."""

    improved = RadioField(
        "Did attendance improve enough over the improvement period?",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes, it improved enough"), SelectChoice("no", "No, it did not improve enough")],
        validators=[InputRequired("Choose whether attendance improved enough")],
    )
    assessed_on = DayField("Date assessed", required="Enter the date the improvement was assessed")
    note = note_field("What the attendance was over the period", description="Optional")
    submit = SubmitField("Save the outcome", widget=GovSubmitInput())


# --- penalty notices --------------------------------------------------------------------------------------


class PenaltyNoticesForm(StepForm):
    """Issue one penalty notice to each parent chosen (the view supplies the parents)."""

    parents = SelectMultipleField(
        "Who should receive a penalty notice?",
        description="One notice to each parent chosen. Only a parent under section 576 of the Education Act 1996 "
        "(with parental responsibility or day-to-day care of the child) can receive one.",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[InputRequired("Choose at least one parent to receive a notice")],
    )
    issued_on = DayField("Date issued", required="Enter the date the notices were issued")
    period_start = DayField("Absence from", required="Enter the first day of the absence the notices are for")
    period_end = DayField("Absence to", required="Enter the last day of the absence the notices are for")
    submit = SubmitField("Issue the penalty notices", widget=GovSubmitInput())

    def validate_period_end(self, field: DayField) -> None:
        check_order(self.period_start, field, "The last day of absence must be the same as or after the first")
        check_order(field, self.issued_on, "A notice can only be for absence before it was issued")


class NoticeReceivedForm(VersionedForm):
    """When the parent received the notice: the payment clocks start the next day."""

    received_on = DayField("Date received", required="Enter the date the notice was received")
    submit = SubmitField("Save the date received", widget=GovSubmitInput())


class PaymentForm(VersionedForm):
    """A payment of a notice (the view drops ``received_on`` once the date of receipt is known)."""

    received_on = DayField(
        "Date the notice was received",
        description="Needed to work out the amount due. For example, 27 3 2026",
    )
    paid_on = DayField("Date paid", required="Enter the date the payment was made")
    amount = PoundsField("Amount paid, in pounds", validators=[Answered("Enter the amount paid")])
    submit = SubmitField("Record the payment", widget=GovSubmitInput())


class WithdrawalForm(VersionedForm):
    """Withdraw a notice on one of the grounds in regulation 8."""

    withdrawn_on = DayField("Date withdrawn", required="Enter the date the notice was withdrawn")
    ground = RadioField(
        "Why is the notice withdrawn?",
        widget=GovRadioInput(),
        choices=[SelectChoice(ground.value, label) for ground, label in WITHDRAWAL_GROUND_LABELS.items()],
        validators=[InputRequired("Choose the ground for withdrawing the notice")],
    )
    note = note_field("What happened", required="Say what happened")
    submit = SubmitField("Withdraw the notice", widget=GovSubmitInput())


# --- education supervision orders ------------------------------------------------------------------------


class EsoApplicationForm(StepForm):
    """Apply to the family court for an education supervision order."""

    applied_on = DayField("Date applied", required="Enter the date the application was made")
    hearing_on = DayField("Hearing date (optional)", description="If the court has listed it. For example, 27 3 2026")
    notes = note_field("Notes", description="Optional")
    subject_to_care_order = RadioField(
        "Is the child subject to a care order?",
        description="An order cannot be made for a child in the care of a local authority under a care order. "
        "A child accommodated by agreement with the parents (section 20) is not in care.",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes, a care order (or interim care order)"), SelectChoice("no", "No")],
        validators=[InputRequired("Say whether the child is subject to a care order")],
    )
    submit = SubmitField("Apply for the order", widget=GovSubmitInput())

    def validate_hearing_on(self, field: DayField) -> None:
        check_order(self.applied_on, field, "The hearing must be on or after the date applied")


ESO_DECISIONS = [
    SelectChoice("applied", "Waiting for the court's decision"),
    SelectChoice("made", "The court made the order"),
    SelectChoice("refused", "The court refused the application"),
]


class EsoForm(VersionedForm):
    """The court's decision and the order's supervisor and directions (the view supplies supervisors)."""

    status = RadioField(
        "What has the court decided?",
        widget=GovRadioInput(),
        choices=ESO_DECISIONS,
        validators=[InputRequired("Choose what the court has decided")],
    )
    hearing_on = DayField("Hearing date (optional)")
    made_on = DayField(
        "Date the order was made",
        description="Only when the court made the order; it expires a year later unless extended",
    )
    supervisor = SelectField("Supervisor", widget=GovSelect(), validators=[Optional()])
    directions = note_field("Directions", description="The supervisor's directions to the child and parents")
    notes = note_field("Notes", description="Optional")
    submit = SubmitField("Save the order", widget=GovSubmitInput())

    def validate(self, extra_validators: dict | None = None) -> bool:
        """Check the fields, then that a date of the order is given exactly when the court made one."""
        valid = super().validate(extra_validators)
        made, field = self.status.data == "made", self.made_on
        if made and field.data is None and not field.errors:
            field.errors.append("Enter the date the order was made")
        elif not made and field.data is not None:
            field.errors.append("Leave the date the order was made blank unless the court made the order")
        return valid and not field.errors


class EsoBreachForm(GovForm):
    """A failure to follow the order's directions."""

    occurred_on = DayField("Date of the breach", required="Enter the date of the breach")
    description = note_field("What happened", required="Say which direction was not followed, and how")
    submit = SubmitField("Record the breach", widget=GovSubmitInput())


class EsoExtensionForm(GovForm):
    """The court's extension of the order."""

    granted_on = DayField("Date the court extended the order", required="Enter the date the court extended it")
    new_expires_on = DayField("New expiry date", required="Enter the new expiry date")
    submit = SubmitField("Record the extension", widget=GovSubmitInput())


# --- prosecutions -----------------------------------------------------------------------------------------

NOT_PROSECUTED = "no"


class ProsecutionForm(VersionedForm):
    """The prosecution file before it is laid (``prosecution_form`` adds one question per parent)."""

    period_start = DayField("Absence from", required="Enter the first day of the absence prosecuted")
    period_end = DayField("Absence to", required="Enter the last day of the absence prosecuted")
    court = StringField(
        "Magistrates' court",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=200, message="The court's name must be 200 characters or fewer")],
    )
    interview_under_caution_on = DayField("Date of the interview under caution (optional)")
    notes = note_field("Notes", description="Optional")
    submit = SubmitField("Save the prosecution file", widget=GovSubmitInput())

    parent_fields: Sequence[str] = ()

    def validate_period_end(self, field: DayField) -> None:
        check_order(self.period_start, field, "The last day of absence must be the same as or after the first")

    def sections(self) -> dict[int, str | None]:
        """Return the section chosen for each parent (None for parents not prosecuted)."""
        answers = {int(name.removeprefix("parent_")): getattr(self, name).data for name in self.parent_fields}
        return {carer_id: None if answer == NOT_PROSECUTED else answer for carer_id, answer in answers.items()}


def prosecution_form(parents: Sequence[tuple[int, str]], **kwargs: object) -> ProsecutionForm:
    """Return a prosecution form asking, for each (carer id, name), whether and under which section."""
    choices = [
        SelectChoice(NOT_PROSECUTED, "Not prosecuted"),
        *(SelectChoice(section.value, label) for section, label in SECTION_LABELS.items()),
    ]

    class Form(ProsecutionForm):
        parent_fields = tuple(f"parent_{carer_id}" for carer_id, _name in parents)

    for carer_id, name in parents:
        field = RadioField(
            f"Is {name} prosecuted, and for which offence?",
            widget=GovRadioInput(),
            choices=choices,
            default=NOT_PROSECUTED,
            validators=[InputRequired(f"Choose whether {name} is prosecuted")],
        )
        setattr(Form, f"parent_{carer_id}", field)
    return Form(**kwargs)


class LayProsecutionForm(StepForm):
    """Lay the information before the court: the case enters the prosecution stage."""

    laid_on = DayField("Date the information was laid", required="Enter the date the information was laid")
    submit = SubmitField("Lay the prosecution", widget=GovSubmitInput())


class HearingForm(VersionedForm):
    """A hearing in the proceedings."""

    hearing_on = DayField("Hearing date", required="Enter the date of the hearing")
    court = StringField(
        "Court",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter the court"),
            Length(max=200, message="The court must be 200 characters or fewer"),
        ],
    )
    purpose = StringField(
        "Purpose",
        description="For example, first hearing, trial or sentencing",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter what the hearing is for"),
            Length(max=200, message="The purpose must be 200 characters or fewer"),
        ],
    )
    result = note_field("Result", description="Leave blank until the hearing has taken place")
    submit = SubmitField("Save the hearing", widget=GovSubmitInput())


class OutcomeForm(VersionedForm):
    """How the proceedings ended for one parent."""

    verdict = RadioField(
        "Verdict",
        widget=GovRadioInput(),
        choices=[SelectChoice(verdict.value, label) for verdict, label in VERDICT_LABELS.items()],
        validators=[InputRequired("Choose the verdict")],
    )
    sentences = SelectMultipleField(
        "Sentence",
        description="Only for a guilty verdict. Choose everything the court ordered.",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(sentence.value, label) for sentence, label in SENTENCE_LABELS.items()],
    )
    fine_pounds = PoundsField("Fine, in pounds", description="Only when the court fined the parent")
    costs_pounds = PoundsField("Costs, in pounds", description="Only when the court awarded costs")
    outcome_on = DayField("Date of the outcome", required="Enter the date of the outcome")
    note = note_field("Notes", description="Optional, for example the terms of a parenting order")
    submit = SubmitField("Save the outcome", widget=GovSubmitInput())


# --- the register -----------------------------------------------------------------------------------------


class RegisterFilterForm(GetForm):
    """Narrow the penalty notice register (the view supplies schools and statuses)."""

    school = SelectField("School", widget=GovSelect(), validators=[Optional()])
    status = SelectField("Status", widget=GovSelect(), validators=[Optional()])
    issued_from = DayField("Issued from")
    issued_to = DayField("Issued to")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def validate_issued_to(self, field: DayField) -> None:
        check_order(self.issued_from, field, "The end date must be the same as or after the start date")
