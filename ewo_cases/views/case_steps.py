"""What the case page shows about the workflow: every step from the current stage, with each guard ticked
or explained and linked to the page where the missing record is made. The rules are ``workflows``'; this
module only decides where to send the user."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

import workflows
from ewo_cases import clock
from ewo_cases.access import can_use
from ewo_cases.extensions import db
from ewo_cases.models import Case, RecordKind, Role, User
from ewo_cases.scoping import schools
from ewo_cases.services.identification import COHORTS
from ewo_cases.services.legal.common import parent_choices
from ewo_cases.services.transitions import actor_of
from forms.cases import CaseFilterForm
from workflows import CaseFacts, CaseStage, ClosureReason
from workflows.attendance import Band

#: Steps that create legal records as they are taken have their own pages.
LEGAL_STEP_PAGES = {
    "issue_notice_to_improve": "legal.new_notice_to_improve",
    "issue_fpn": "legal.new_penalty_notices",
    "apply_eso": "legal.new_eso",
    "prosecute": "legal.lay_prosecution",
}
#: The approval that lets a case escalate before its attendance band has (``services.approvals.APPROVABLE``).
ESCALATION_OVERRIDE = "escalate"
#: Guards satisfied by a dated case record: the guard's name and the kind of record to make.
GUARD_RECORDS = {
    "support_offered": RecordKind.SUPPORT_OFFERED,
    "support_not_appropriate": RecordKind.SUPPORT_NOT_APPROPRIATE,
    "voluntary_support_failed": RecordKind.SUPPORT_FAILED,
    "family_consent_recorded": RecordKind.FAMILY_CONSENT,
    "social_care_consulted": RecordKind.SOCIAL_CARE_CONSULTED,
    "eso_considered": RecordKind.ESO_CONSIDERED,
    "attendance_certificate_obtained": RecordKind.ATTENDANCE_CERTIFICATE,
}
#: Where each kind of record is made: (endpoint, extra URL arguments).
RECORD_PAGES: dict[str, tuple[str, dict[str, str]]] = {
    "meeting": ("meetings.new", {}),
    "action_plan": ("plans.show", {}),
    "lead_practitioner": ("cases.people", {}),
    "contract": ("plans.contract", {}),
    "notice_to_improve": ("legal.show", {}),
    "penalty_notice": ("legal.show", {}),
    "eso": ("legal.show", {}),
    "prosecution": ("legal.prosecution", {}),
    "letter": ("letters.new", {"kind": "warning_of_legal_action"}),
}


#: Guards answered on the step's own form (a reason, the parents to serve): on the overview they are
#: assumed answered, and shown as asked for on the next page rather than as missing.
ASKED_ON_THE_STEP = frozenset(
    {"closure_reason_given", "reopen_reason_given", "parents_named_for_notice", "child_not_in_care"}
)


@dataclass(frozen=True)
class GuardView:
    #: True when in place, False when missing, None when it is asked for on the step's own page.
    met: bool | None
    message: str
    #: Where to go to make the missing record, if there is such a page, and what to call the link.
    href: str | None
    link_text: str = "record this"


@dataclass(frozen=True)
class StepView:
    trigger: str
    label: str
    target: CaseStage
    allowed: bool
    guards: list[GuardView]
    #: The page that takes the step (for a legal step, the page that also makes its records).
    href: str | None
    #: The approval to ask a manager for, when the step needs one that has not been given.
    approval_href: str | None


def next_steps(case: Case, facts: CaseFacts, user: User) -> list[StepView]:
    """Every step out of the case's stage, with each guard's verdict and where to satisfy it."""
    options = workflows.evaluate(case.stage, _as_if_answered(case, facts), clock.now(), actor_of(user))
    # A request already with the managers is not asked for again.
    waiting = {a.trigger for a in facts.approvals if not a.approved and a.decided_by is None}
    return [_step(case, option, waiting) for option in options if option.trigger != "open"]


def _as_if_answered(case: Case, facts: CaseFacts) -> CaseFacts:
    """The facts as they will be once the step's own form is filled in: the parents a manager approved notices
    for, or else every parent who may receive one."""
    asked = next((a for a in reversed(facts.approvals) if _open_request(a, "issue_fpn")), None)
    parents = asked.parent_ids if asked else [choice.id for choice in parent_choices(case) if choice.eligible]
    return dataclasses.replace(
        facts, closure_reason=ClosureReason.OTHER, reopen_reason="asked on the form", fpn_parent_ids=tuple(parents)
    )


def _open_request(approval: workflows.ApprovalFacts, trigger: str) -> bool:
    """A request for ``trigger`` still waiting for a manager, or approved and not yet used."""
    return approval.trigger == trigger and not approval.used and (approval.approved or approval.decided_by is None)


def _step(case: Case, option: workflows.Option, waiting: set[str]) -> StepView:
    guards = [_guard_view(case, guard) for guard in option.guards]
    approval = _approval_to_ask_for(option)
    approval = None if approval in waiting else approval
    return StepView(
        trigger=option.trigger,
        label=workflows.TRIGGER_LABELS[option.trigger],
        target=option.target,
        allowed=all(guard.met is not False for guard in guards),
        guards=guards,
        href=_step_page(case, option.trigger),
        approval_href=_link("approvals.new", case, trigger=approval) if approval else None,
    )


def _approval_to_ask_for(option: workflows.Option) -> str | None:
    """The approval a step is waiting for: a legal step's own, or an override to escalate before the band has
    (the escalation's only guard is met by the band or by that approval, so it is missing while it fails)."""
    if option.approval and any(not g.met and g.record == "approval" for g in option.guards):
        return option.approval
    if option.trigger == ESCALATION_OVERRIDE and not option.allowed:
        return ESCALATION_OVERRIDE
    return None


def _guard_view(case: Case, guard: workflows.GuardResult) -> GuardView:
    if guard.name in ASKED_ON_THE_STEP:
        return GuardView(None, guard.message, None)
    if guard.met:
        return GuardView(True, guard.message, None)
    # Attendance is seen on the pupil's page; a record that satisfies a guard (a certificate) is made.
    text = "see attendance" if guard.record == "attendance" and guard.name not in GUARD_RECORDS else "record this"
    return GuardView(False, guard.message, _record_page(case, guard), text)


def _step_page(case: Case, trigger: str) -> str | None:
    return _link(LEGAL_STEP_PAGES.get(trigger, "cases.act"), case, trigger=trigger)


def _record_page(case: Case, guard: workflows.GuardResult) -> str | None:
    if guard.name in GUARD_RECORDS:
        return _link("cases.new_record", case, kind=GUARD_RECORDS[guard.name].value)
    if guard.record == "attendance":
        return _link("pupils.show", None, pupil_id=case.pupil_id)
    if guard.record == "approval":
        return None  # offered as the step's own "ask for approval" link
    endpoint, arguments = RECORD_PAGES.get(guard.record, (None, {}))
    return _link(endpoint, case, **arguments) if endpoint else None


def _link(endpoint: str, case: Case | None, **arguments: str) -> str | None:
    """A URL for an endpoint that exists and the user may use; None otherwise."""
    if endpoint not in current_app.view_functions or not can_use(endpoint):
        return None
    if case is not None:
        arguments["case_id"] = case.id
    try:
        return url_for(endpoint, **arguments)
    except BuildError:  # an endpoint that needs other arguments simply gets no link
        return None


def officer_choices() -> list[tuple[int, str]]:
    """Active officers and managers, who may hold cases."""
    people = db.session.scalars(
        sa.select(User).where(User.role.in_((Role.OFFICER, Role.MANAGER)), User.active.is_(True)).order_by(User.name)
    )
    return [(person.id, f"{person.name} ({person.role.label.lower()})") for person in people]


def case_filters(form: CaseFilterForm) -> CaseFilterForm:
    """Give the case filters their choices, within the user's scope."""
    form.school.choices = [("", "All schools")] + [
        (str(school.id), school.name) for school in db.session.scalars(schools(current_user))
    ]
    form.officer.choices = [("", "All officers")] + [(str(i), name) for i, name in officer_choices()]
    form.stage.choices = [("", "All stages")] + [(stage.value, workflows.STAGE_LABELS[stage]) for stage in CaseStage]
    form.band.choices = [("", "All bands")] + [(band.value, band.label) for band in Band]
    form.cohort.choices = [(key, label) for key, (label, _condition) in COHORTS.items()]
    return form
