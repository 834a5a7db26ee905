"""Approvals: an officer asks to take a legal step; a manager other than the requester decides."""

from __future__ import annotations

import sqlalchemy as sa

import workflows
from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Approval, ApprovalStatus, Case, Role, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ConflictError, ServiceError, check_version

#: Steps a manager's approval can authorise: the legal steps, closing a legal case, and an escalation
#: the attendance band does not (yet) justify.
APPROVABLE = frozenset({*workflows.TRIGGERS_NEEDING_APPROVAL, "escalate"})
APPROVAL_LABELS = {
    "issue_fpn": "Issue penalty notices",
    "apply_eso": "Apply for an education supervision order",
    "prosecute": "Prosecute",
    "close": "Close a case in a legal stage",
    "escalate": "Escalate before the attendance band has changed",
}


def request(case: Case, trigger: str, *, reason: str, actor: User) -> Approval:
    """Ask a manager to approve ``trigger`` on ``case``."""
    if trigger not in APPROVABLE:
        raise ServiceError("This step does not need a manager's approval", field="trigger")
    if actor.role not in (Role.OFFICER, Role.MANAGER):
        raise ServiceError("Only officers and managers can ask for approval", field="reason")
    pending = db.session.scalar(
        sa.select(Approval.id).where(
            Approval.case_id == case.id, Approval.trigger == trigger, Approval.status == ApprovalStatus.PENDING
        )
    )
    if pending:
        raise ServiceError("A request for this step is already waiting for a manager", field="reason")
    approval = Approval(case_id=case.id, trigger=trigger, reason=reason.strip(), requested_by_id=actor.id)
    db.session.add(approval)
    audit.record(
        actor,
        "approval.requested",
        approval,
        f"Asked for approval to {APPROVAL_LABELS[trigger].lower()} on {case}",
        case=case.id,
    )
    return approval


def decide(approval: Approval, *, approve: bool, comment: str, actor: User, expected_version: int | None) -> Approval:
    """A manager approves or rejects a request; nobody decides their own."""
    db.session.execute(sa.select(Approval.id).where(Approval.id == approval.id).with_for_update())
    db.session.refresh(approval)
    check_version(approval, expected_version)
    if approval.status != ApprovalStatus.PENDING:
        raise ConflictError("request has already been decided")
    if actor.role != Role.MANAGER:
        raise ServiceError("Only a team manager can decide", field="comment")
    if actor.id == approval.requested_by_id:
        raise ServiceError("You cannot decide your own request: another manager must", field="comment")
    if not approve and not comment.strip():
        raise ServiceError("Say why the request is rejected", field="comment")
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by_id, approval.decided_at, approval.comment = actor.id, clock.now(), comment.strip()
    audit.record(
        actor,
        f"approval.{approval.status.value}",
        approval,
        f"{approval.status.value.capitalize()}: {APPROVAL_LABELS[approval.trigger].lower()} on case {approval.case_id}",
        case=approval.case_id,
    )
    db.session.flush()
    return approval
