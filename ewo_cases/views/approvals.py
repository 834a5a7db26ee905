"""Approvals: officers ask, managers decide (never their own request), and the queue of what waits."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Approval, ApprovalStatus, Case, Role
from ewo_cases.scoping import case_or_404, of_visible_cases, one_or_404
from ewo_cases.services import approvals as approval_service
from ewo_cases.services.legal.common import parent_choices
from ewo_cases.services.transitions import load_facts
from ewo_cases.views import render_case_page, saved, status_for
from ewo_cases.views.case_steps import next_steps
from forms.cases import ApprovalDecisionForm, ApprovalRequestForm

bp = Blueprint("approvals", __name__, url_prefix="/approvals")

RECENT_DECISIONS = 25


@bp.get("/")
@allow(Role.OFFICER, Role.MANAGER)
def index():
    """Requests waiting for a manager (managers: all; officers: their own), and recent decisions."""
    visible = (
        of_visible_cases(sa.select(Approval), Approval.case_id, current_user)
        # The table names each request's case, child, requester and decider: load them with the requests, not
        # one query per row.
        .options(
            selectinload(Approval.case).selectinload(Case.pupil),
            selectinload(Approval.requested_by),
            selectinload(Approval.decided_by),
        )
    )
    if current_user.role == Role.OFFICER:
        visible = visible.where(Approval.requested_by_id == current_user.id)
    pending = db.session.scalars(
        visible.where(Approval.status == ApprovalStatus.PENDING).order_by(Approval.requested_at)
    ).all()
    decided = db.session.scalars(
        visible.where(Approval.status != ApprovalStatus.PENDING)
        .order_by(Approval.decided_at.desc())
        .limit(RECENT_DECISIONS)
    ).all()
    return render_template(
        "approvals/index.html", pending=pending, decided=decided, labels=approval_service.APPROVAL_LABELS
    )


@bp.route("/new/<int:case_id>/<trigger>", methods=["GET", "POST"])
@allow(Role.OFFICER, Role.MANAGER)
def new(case_id: int, trigger: str):
    """Ask a manager to approve a step on a case."""
    case = case_or_404(current_user, case_id)
    if trigger not in approval_service.APPROVABLE:
        abort(404)
    form = _request_form(case, trigger)
    if form.validate_on_submit() and saved(
        form,
        lambda: approval_service.request(
            case,
            trigger,
            reason=form.reason.data,
            actor=current_user,
            parent_ids=form.parents.data if form.parents else None,
        ),
    ):
        flash("Your request is with the team managers.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_case_page(
        "approvals/new.html", case, status_for(form), form=form, label=approval_service.APPROVAL_LABELS[trigger]
    )


def _request_form(case: Case, trigger: str) -> ApprovalRequestForm:
    """A request names the parents only for penalty notices: those who may receive one, all ticked at first
    (with none on the case, there is no one to name, and the approval names no one)."""
    eligible = [choice for choice in parent_choices(case) if choice.eligible]
    form = ApprovalRequestForm(data={"parents": [choice.id for choice in eligible]})
    if trigger == "issue_fpn" and eligible:
        form.parents.choices = [(choice.id, choice.name) for choice in eligible]
    else:
        del form.parents
    return form


@bp.route("/<int:approval_id>", methods=["GET", "POST"])
@allow(Role.OFFICER, Role.MANAGER)
def show(approval_id: int):
    """A request with the case's facts beside it; a manager other than the requester decides it."""
    approval = one_or_404(
        of_visible_cases(sa.select(Approval).where(Approval.id == approval_id), Approval.case_id, current_user)
    )
    case = approval.case
    form = ApprovalDecisionForm(data={"version": approval.version})
    can_decide = (
        current_user.role == Role.MANAGER
        and approval.status == ApprovalStatus.PENDING
        and approval.requested_by_id != current_user.id
    )
    if form.is_submitted() and current_user.role != Role.MANAGER:
        abort(403)
    # The service, not the page, refuses a manager's own request or a request already decided.
    if form.validate_on_submit() and saved(
        form,
        lambda: approval_service.decide(
            approval,
            approve=form.decision.data == "approve",
            comment=form.comment.data or "",
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"Request {approval.status.value}.", "success")
        return redirect(url_for("approvals.index"))
    return render_case_page(
        "approvals/show.html",
        case,
        status_for(form),
        approval=approval,
        form=form,
        can_decide=can_decide,
        label=approval_service.APPROVAL_LABELS[approval.trigger],
        covers=approval_service.approved_step(approval),
        changed=approval_service.why_not_usable(approval, case, current_user),
        step=_step_for(approval),
    )


def _step_for(approval: Approval):
    """The step the request is for, from the case's current stage, with what it has and needs (the manager is
    deciding the approval here, so no link to ask for one)."""
    steps = next_steps(approval.case, load_facts(approval.case, current_user), current_user)
    step = next((step for step in steps if step.trigger == approval.trigger), None)
    return dataclasses.replace(step, approval_href=None) if step else None
