"""Approvals: an officer asks to take a legal step; a manager other than the requester decides.

A request records the step as it stands when asked (the stage, the parents it names, the prosecution file and
its version), and the workflow's guard accepts the approval only while the step still matches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sqlalchemy as sa

import workflows
from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Approval, ApprovalStatus, Carer, Case, Prosecution, Role, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ConflictError, ServiceError, check_version
from ewo_cases.services.legal.common import eligible_parents, parent_choices
from ewo_cases.services.transitions import load_facts, stage_entered_by

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


def request(case: Case, trigger: str, *, reason: str, actor: User, parent_ids: Sequence[int] | None = None) -> Approval:
    """Ask a manager to approve ``trigger`` on ``case`` as it now stands.

    For penalty notices ``parent_ids`` names the parents to receive one (by default every parent who may be
    named); a prosecution is approved as its file now stands, so the file must be prepared first.
    """
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
    approval = Approval(
        case_id=case.id,
        trigger=trigger,
        reason=reason.strip(),
        requested_by_id=actor.id,
        from_stage=case.stage.value if case.stage else None,
        stage_entered_by_id=stage_entered_by(case),
    )
    _snapshot_step(approval, case, trigger, parent_ids)
    db.session.add(approval)
    audit.record(
        actor,
        "approval.requested",
        approval,
        f"Asked for approval to {APPROVAL_LABELS[trigger].lower()} on {case}",
        case=case.id,
    )
    return approval


def _snapshot_step(approval: Approval, case: Case, trigger: str, parent_ids: Sequence[int] | None) -> None:
    """Record what the step acts on: the parents to receive notices, or the prosecution file and its version."""
    if trigger == "issue_fpn":
        if parent_ids is None:
            approval.parent_ids = [choice.id for choice in parent_choices(case) if choice.eligible]
            return
        carers = eligible_parents(case, list(parent_ids), field="parents")
        if not carers:
            raise ServiceError("Choose the parents to receive a penalty notice", field="parents")
        approval.parent_ids = [carer.id for carer in carers]
    elif trigger == "prosecute":
        # The file being prepared; the latest, laid or not, otherwise (the guard then refuses a laid one).
        file = db.session.scalars(
            sa.select(Prosecution).where(Prosecution.case_id == case.id).order_by(Prosecution.id.desc())
        ).first()
        if file is None or file.laid_on is not None:
            raise ServiceError(
                "Prepare the prosecution file first: the manager approves the file as it stands", field="reason"
            )
        approval.prosecution_id, approval.prosecution_version = file.id, file.version
        approval.parent_ids = [parent.carer_id for parent in file.parents]


def approved_step(approval: Approval) -> str:
    """Say what an approval covers (a sentence's start): the stage it was asked from and the parents or file
    it names, as in "Issue penalty notices at the persistent absence stage with notices to Ann Smith"."""
    parts = [f"{APPROVAL_LABELS[approval.trigger]} at the {_stage_label(approval.from_stage)} stage"]
    names = [carer.name for carer in _carers(approval.parent_ids or [])]
    if approval.trigger == "issue_fpn" and names:
        parts.append(f"with notices to {' and '.join(names)}")
    if approval.trigger == "prosecute" and approval.prosecution_id:
        parts.append(f"with the prosecution file (version {approval.prosecution_version}) naming {' and '.join(names)}")
    return " ".join(parts)


def why_not_usable(approval: Approval, case: Case, actor: User) -> list[str]:
    """Return what has changed since an approved request was made (empty when it still covers the step)."""
    facts = load_facts(case, actor)
    approval_facts = next((a for a in facts.approvals if a.id == approval.id), None)
    if approval_facts is None or approval.status != ApprovalStatus.APPROVED or approval.used_at is not None:
        return []
    if approval.trigger == "issue_fpn":
        # The parents named on the notices page are the ones asked for: only the stage can have changed.
        facts = dataclasses.replace(facts, fpn_parent_ids=approval_facts.parent_ids)
    return facts.approval_differences(approval_facts)


def _stage_label(stage: str | None) -> str:
    return workflows.STAGE_LABELS[stage].lower() if stage else "unrecorded"


def _carers(ids: Sequence[int]) -> list[Carer]:
    return list(db.session.scalars(sa.select(Carer).where(Carer.id.in_(ids)).order_by(Carer.id))) if ids else []


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
