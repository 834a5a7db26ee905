"""Cases: finding them, opening them, moving them on, and the records and people on them."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms import TextAreaField as WTTextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.attendance import GetForm
from forms.base import VersionedForm, strip
from forms.widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)

LONG_TEXT = 5000


def text_area(label: str, *, required: str | None = None, description: str = "", max_length: int = LONG_TEXT):
    """A GOV.UK text area, required (with ``required`` as the message) or optional."""
    validators = [DataRequired(required)] if required else [Optional()]
    return WTTextAreaField(
        label,
        description=description,
        widget=GovTextArea(),
        filters=[strip],
        validators=[*validators, Length(max=max_length)],
    )


class CaseFilterForm(GetForm):
    """Narrow the list of cases (the view supplies the choices)."""

    q = StringField(
        "Name, UPN or case reference", widget=GovTextInput(), filters=[strip], validators=[Optional(), Length(max=100)]
    )
    status = SelectField(
        "Cases",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[
            SelectChoice("open", "Open cases"),
            SelectChoice("closed", "Closed cases"),
            SelectChoice("all", "All cases"),
        ],
    )
    school = SelectField("School", widget=GovSelect(), validators=[Optional()])
    officer = SelectField("Officer", widget=GovSelect(), validators=[Optional()])
    stage = SelectField("Stage", widget=GovSelect(), validators=[Optional()])
    band = SelectField("Attendance band", widget=GovSelect(), validators=[Optional()])
    cohort = SelectMultipleField(
        "Only children who (any of these)",
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        invalid_choice_message="Select the groups of children from the list",
    )
    #: The list's order, from the column headings (the view supplies the columns).
    sort = SelectField("Sort by", validators=[Optional()], invalid_choice_message="Sort by one of the columns")
    order = SelectField(
        "Order",
        validators=[Optional()],
        choices=[SelectChoice("asc", "Ascending"), SelectChoice("desc", "Descending")],
        invalid_choice_message="Sort ascending or descending",
    )


class OpenCaseForm(VersionedForm):
    """Open a case for a pupil (the view supplies stages, officers and school contacts)."""

    stage = RadioField(
        "Stage to open the case at",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the stage to open the case at")],
    )
    reason = text_area(
        "Why is the case being opened?",
        required="Say why the case is being opened",
        description="What the data or the school's referral shows, and what support is needed",
    )
    override_reason = text_area(
        "Why open at a stage that does not match the attendance band?",
        description="Only needed when the stage is not the one the band suggests",
    )
    officer = SelectField(
        "Education welfare officer",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Choose the officer for the case")],
    )
    school_contact = SelectField(
        "School attendance lead",
        widget=GovSelect(),
        coerce=int,
        description="The school's contact for this case",
        validators=[Optional()],
    )
    submit = SubmitField("Open the case", widget=GovSubmitInput())


class TransitionForm(VersionedForm):
    """Confirm one step of the workflow. The view removes the fields a step does not use."""

    target = RadioField(
        "Where should the case go?",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose where the case should go")],
    )
    closure_reason = RadioField(
        "Why is the case being closed?",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose why the case is being closed")],
    )
    override_reason = text_area(
        "Why escalate before the attendance band has changed?",
        description="Needs a manager's approval of an escalation",
    )
    reopen_reason = text_area("Why is the case being reopened?", required="Say why the case is being reopened")
    reason = text_area("Note for the case record", description="Recorded with the step in the case's audit trail")
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class CaseRecordForm(VersionedForm):
    """A dated fact on the case."""

    kind = RadioField(
        "What are you recording?", widget=GovRadioInput(), validators=[InputRequired("Choose what you are recording")]
    )
    occurred_on = DateField(
        "Date",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[InputRequired("Enter the date, for example 27 3 2026")],
        description="For example, 27 3 2026",
    )
    details = text_area("Details", required="Give the details")
    submit = SubmitField("Save the record", widget=GovSubmitInput())


class WithdrawRecordForm(VersionedForm):
    """Withdraw a record made in error."""

    reason = text_area("Why is this record being withdrawn?", required="Say why the record is being withdrawn")
    submit = SubmitField("Withdraw the record", widget=GovSubmitInput())


class PersonChoiceForm(GetForm):
    """The first question of adding someone to a case: who (the view supplies the people)."""

    person = SelectField(
        "Who are you adding?",
        widget=GovSelect(),
        validators=[InputRequired("Select the person to add")],
        description="A parent or carer of the child, a professional from the directory, or a member of staff",
        invalid_choice_message="Select the person to add from the list",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


def role_field() -> RadioField:
    """A participant's role (the view offers only the roles that fit the person)."""
    return RadioField(
        "Role on the case",
        widget=GovRadioInput(),
        validators=[InputRequired("Select their role on the case")],
        invalid_choice_message="Select one of the roles listed",
    )


class ParticipantForm(VersionedForm):
    """Add the chosen person to a case: their role, whether they lead, and since when."""

    role = role_field()
    lead_practitioner = BooleanField(
        "They are the lead practitioner",
        widget=GovCheckboxInput(),
        description="The one person who coordinates the family's support. Anyone who leads now hands over to them.",
    )
    started_on = DateField(
        "Involved from",
        format="%d %m %Y",
        widget=GovDateInput(),
        description="For example, 27 3 2026",
        validators=[InputRequired("Enter the date they became involved")],
    )
    notes = text_area("Notes (optional)", max_length=2000)
    submit = SubmitField("Add to the case", widget=GovSubmitInput())


class ParticipantRoleForm(VersionedForm):
    """Change a participant's role on the case."""

    role = role_field()
    submit = SubmitField("Change their role", widget=GovSubmitInput())


class MakeLeadForm(VersionedForm):
    """Hand the lead practitioner's part to a participant."""

    submit = SubmitField("Make them the lead practitioner", widget=GovSubmitInput())


class SchoolContactForm(VersionedForm):
    """The school attendance lead the officer works with on a case (the view supplies the school's leads)."""

    school_contact = RadioField(
        "Who is the school's contact for this case?",
        widget=GovRadioInput(),
        coerce=int,
        validators=[InputRequired("Select the school's contact for this case")],
        invalid_choice_message="Select one of the school's attendance leads listed",
    )
    submit = SubmitField("Save the school contact", widget=GovSubmitInput())


class EndParticipationForm(VersionedForm):
    """Record that someone is no longer involved."""

    ended_on = DateField(
        "Involved until",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[InputRequired("Enter the date their involvement ended")],
    )
    submit = SubmitField("End their involvement", widget=GovSubmitInput())


class ApprovalRequestForm(VersionedForm):
    """Ask a manager to approve a step. The view keeps ``parents`` only for penalty notices."""

    parents = SelectMultipleField(
        "Who should receive a penalty notice?",
        description="The approval covers notices to exactly these parents",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[InputRequired("Choose at least one parent to receive a notice")],
    )
    reason = text_area(
        "Why should this step be taken?",
        required="Say why the step should be taken",
        description="The manager reads this with the case's records",
    )
    submit = SubmitField("Ask for approval", widget=GovSubmitInput())


class ApprovalDecisionForm(VersionedForm):
    """A manager's decision."""

    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[SelectChoice("approve", "Approve"), SelectChoice("reject", "Reject")],
        validators=[InputRequired("Choose approve or reject")],
    )
    comment = text_area("Comment", description="Needed when you reject: the officer sees it")
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class ReferralForm(VersionedForm):
    """A school asks the local authority to open a case."""

    reason = text_area("Why are you referring this pupil?", required="Say why you are referring this pupil")
    support_so_far = text_area("What has the school tried so far?", required="Say what support the school has given")
    submit = SubmitField("Send the referral", widget=GovSubmitInput())


class ReferralDecisionForm(VersionedForm):
    """Accept a referral by opening a case, or decline it with a reason."""

    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[SelectChoice("accept", "Accept and open a case"), SelectChoice("decline", "Decline")],
        validators=[InputRequired("Choose accept or decline")],
    )
    stage = RadioField("Stage to open the case at", widget=GovRadioInput(), validators=[Optional()])
    officer = SelectField("Education welfare officer", widget=GovSelect(), coerce=int, validators=[Optional()])
    override_reason = text_area("Why open at a stage that does not match the attendance band?")
    reason = text_area("Reason for declining", description="The school sees this")
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class ReassignForm(VersionedForm):
    """Give one case or many to an officer."""

    cases = SelectMultipleField(
        "Cases", widget=GovCheckboxesInput(), coerce=int, validators=[DataRequired("Choose at least one case")]
    )
    #: Starts unchosen, so a manager who forgets to choose is asked rather than defaulted to the first name.
    officer = SelectField(
        "New officer",
        id="new-officer",  # the case list's filter, on the same page, has its own "officer"
        widget=GovSelect(),
        validators=[DataRequired("Choose the officer")],
        invalid_choice_message="Choose an officer from the list",
    )
    reason = text_area("Reason", required="Say why the cases are being reassigned", max_length=1000)
    submit = SubmitField("Reassign", widget=GovSubmitInput())
