"""The ``legal`` blueprint and what its views share: who may use them, loading records, and the step panel."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

import workflows
from ewo_cases.access import can_use
from ewo_cases.extensions import db
from ewo_cases.models import Approval, Case, RecordKind, Role
from ewo_cases.scoping import case_or_404
from ewo_cases.services.approvals import approved_step, why_not_usable
from ewo_cases.services.pupils import legal_considerations
from ewo_cases.services.transitions import load_facts
from ewo_cases.views.case_steps import StepView, next_steps
from forms.legal import StepForm
from workflows import legal as rules
from workflows.engine import Guard, TransitionNotAllowed, guard_info

bp = Blueprint("legal", __name__)

#: The local authority's caseworkers take every legal step.
LEGAL_STAFF = (Role.OFFICER, Role.MANAGER)
#: School leads may also read a case's legal page (their own school's cases only, by scope).
CASE_READERS = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)
CASE_URL = "/cases/<int:case_id>/legal"
#: The display names legal pages use, by the name templates know them by.
LABELS = {
    "withdrawal_labels": rules.WITHDRAWAL_GROUND_LABELS,
    "section_labels": rules.SECTION_LABELS,
    "verdict_labels": rules.VERDICT_LABELS,
    "sentence_labels": rules.SENTENCE_LABELS,
}


def load_case(case_id: int) -> Case:
    """Return a case the user may see, or answer 404."""
    return case_or_404(current_user, case_id)


def one_on_case(model, record_id: int, case: Case, *conditions):
    """Return a record of ``model`` belonging to ``case``, or answer 404."""
    record = db.session.scalar(sa.select(model).where(model.id == record_id, model.case_id == case.id, *conditions))
    return record if record is not None else abort(404)


def step_panel(case: Case, trigger: str, *, asked: tuple[Guard, ...] = ()) -> dict[str, object]:
    """Return what a step's page shows about the step: its guards, the approval it needs, the child's needs.

    Guards in ``asked`` are answered by the page's own form, so they are shown as asked for, not as missing.
    """
    steps = [s for s in next_steps(case, load_facts(case, current_user), current_user) if s.trigger == trigger]
    approval = latest_approval(case, trigger) if trigger in workflows.TRIGGERS_NEEDING_APPROVAL else None
    return {
        "step": _with_asked(steps[0], asked) if steps else None,
        "step_not_possible": None if steps else _not_possible(case, trigger),
        "approval": approval,
        "approval_covers": approved_step(approval) if approval else "",
        "approval_changed": why_not_usable(approval, case, current_user) if approval else [],
    }


def prepare_step_form(form: StepForm, case: Case) -> StepForm:
    """Before a legal step for a child with needs to weigh, the page interrupts; continuing answers it."""
    form.needs_to_consider = tuple(legal_considerations(case.pupil))
    if not form.needs_to_consider:
        del form.needs_considered
    return form


def interruption(case: Case, form: StepForm) -> dict[str, object] | None:
    """The MOJ interruption card to show instead of a legal step's form until the child's needs are weighed."""
    field = getattr(form, "needs_considered", None)
    if field is None or field.data or request.args.get("considered"):
        if field is not None and request.args.get("considered"):
            field.data = True
        return None
    return {
        "considerations": form.needs_to_consider,
        "continue_href": url_for(request.endpoint, **request.view_args, considered=1),
        "back_href": url_for("cases.show", case_id=case.id),
    }


def considered(form: StepForm) -> bool:
    """Return whether the person confirmed they considered the child's needs."""
    field = getattr(form, "needs_considered", None)
    return bool(field is not None and field.data)


def _with_asked(step: StepView, asked: tuple[Guard, ...]) -> StepView:
    messages = {guard_info(guard).message for guard in asked}
    guards = [
        dataclasses.replace(guard, met=None, href=None) if guard.message in messages else guard for guard in step.guards
    ]
    return dataclasses.replace(step, guards=guards, allowed=all(guard.met is not False for guard in guards))


def _not_possible(case: Case, trigger: str) -> str:
    return TransitionNotAllowed(trigger, case.stage.value, labels=workflows.WORKFLOW.labels).user_message


def latest_approval(case: Case, trigger: str) -> Approval | None:
    return db.session.scalars(
        sa.select(Approval).where(Approval.case_id == case.id, Approval.trigger == trigger).order_by(Approval.id.desc())
    ).first()


def link(endpoint: str, **arguments: object) -> str | None:
    """Return a URL for an endpoint that exists and the user may use, or None."""
    if endpoint not in current_app.view_functions or not can_use(endpoint):
        return None
    try:
        return url_for(endpoint, **arguments)
    except BuildError:
        return None


def evidence_links(case: Case) -> dict[str, str | None]:
    """Return where each piece of a prosecution's evidence is recorded."""
    return {
        "attendance_certificate": link(
            "cases.new_record", case_id=case.id, kind=RecordKind.ATTENDANCE_CERTIFICATE.value
        ),
        "letter": link("letters.new", case_id=case.id, kind="warning_of_legal_action"),
        "action_plan": link("plans.show", case_id=case.id),
        "eso_considered": link("cases.new_record", case_id=case.id, kind=RecordKind.ESO_CONSIDERED.value),
        "prosecution": link("legal.prosecution", case_id=case.id),
        "penalty_notice": link("legal.show", case_id=case.id, _anchor="penalty-notices"),
    }
