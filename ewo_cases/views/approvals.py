"""Approvals: officers ask, managers decide (never their own request), and the queue of what waits."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Approval, ApprovalStatus, Case, Role
from ewo_cases.scoping import case_or_404, cases, one_or_404
from ewo_cases.services import approvals as approval_service
from ewo_cases.services.transitions import load_facts
from ewo_cases.views import render_case_page, saved, status_for
from forms.cases import ApprovalDecisionForm, ApprovalRequestForm

bp = Blueprint("approvals", __name__, url_prefix="/approvals")

RECENT_DECISIONS = 25


@bp.get("/")
@allow(Role.OFFICER, Role.MANAGER)
def index():
    """Requests waiting for a manager (managers: all; officers: their own), and recent decisions."""
    visible = (
        sa.select(Approval)
        .join(Case, Case.id == Approval.case_id)
        .where(Approval.case_id.in_(cases(current_user).with_only_columns(Case.id)))
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
    form = ApprovalRequestForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: approval_service.request(
            case,
            trigger,
            reason=form.reason.data,
            actor=current_user,
        ),
    ):
        flash("Your request is with the team managers.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_case_page(
        "approvals/new.html", case, status_for(form), form=form, label=approval_service.APPROVAL_LABELS[trigger]
    )


@bp.route("/<int:approval_id>", methods=["GET", "POST"])
@allow(Role.OFFICER, Role.MANAGER)
def show(approval_id: int):
    """A request with the case's facts beside it; a manager other than the requester decides it."""
    approval = one_or_404(
        sa.select(Approval).where(
            Approval.id == approval_id, Approval.case_id.in_(cases(current_user).with_only_columns(Case.id))
        )
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
        facts=load_facts(case, current_user),
        label=approval_service.APPROVAL_LABELS[approval.trigger],
    )
