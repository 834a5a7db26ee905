"""``flask --app wsgi workflows diagram`` and ``flask --app wsgi audit verify``"""

from __future__ import annotations

import sys
from collections import Counter

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm import aliased

import workflows
from ewo_cases.extensions import db
from ewo_cases.models import Approval, ApprovalStatus, Case, CaseTransition, User

workflows_group = AppGroup("workflows", help="The case workflow's definition.")
audit_group = AppGroup("audit", help="Checks on the audit trail.")

#: What every audit row's evidence must hold (workflow.md, "Audit"): the attendance behind the decision.
REQUIRED_EVIDENCE = ("attendance_pct", "band", "unauth_10wk_latest")


@workflows_group.command("diagram")
def diagram() -> None:
    """Print the case state machine as Mermaid, drawn from its definition."""
    click.echo(workflows.diagram())


@audit_group.command("verify")
def verify() -> None:
    """Replay every case's history against the workflow, and check each row's actor, approval and evidence;
    list any case that does not match (exit status 1)."""
    problems = {case_id: issues for case_id, issues in replay_all().items() if issues}
    for case_id, issues in problems.items():
        reference = db.session.scalar(sa.select(Case.reference).where(Case.id == case_id))
        for issue in issues:
            click.echo(f"{reference or case_id}: {issue}")
    cases = db.session.scalar(sa.select(sa.func.count(Case.id)))
    if problems:
        click.echo(f"{len(problems)} of {cases} cases do not match their history.", err=True)
        sys.exit(1)
    click.echo(f"All {cases} cases match their history.")


def replay_all() -> dict[int, list[str]]:
    """Each case's problems (an empty list when its history replays to its stored stage and every row holds)."""
    actor = aliased(User)
    rows = db.session.execute(
        sa.select(CaseTransition, actor.role, Approval)
        .join(actor, actor.id == CaseTransition.actor_id)
        .outerjoin(Approval, Approval.id == CaseTransition.approval_id)
        .order_by(CaseTransition.case_id, CaseTransition.occurred_at, CaseTransition.id)
    ).all()
    uses = Counter(row.approval_id for row, _role, _approval in rows if row.approval_id)
    steps: dict[int, list[tuple[str, str, str]]] = {}
    row_problems: dict[int, list[str]] = {}
    for row, role, approval in rows:
        history = steps.setdefault(row.case_id, [])
        history.append((row.from_stage, row.trigger, row.to_stage))
        # A move that is no edge at all is reported by the replay; only edges are checked row by row.
        found = _row_problems(row, role, approval, uses) if workflows.is_edge(*history[-1]) else []
        row_problems.setdefault(row.case_id, []).extend(f"step {len(history)}: {problem}" for problem in found)
    return {
        case_id: workflows.replay(steps.get(case_id, []), stage) + row_problems.get(case_id, [])
        for case_id, stage in db.session.execute(sa.select(Case.id, Case.stage))
    }


def _row_problems(row: CaseTransition, role: str, approval: Approval | None, uses: Counter) -> list[str]:
    """What is wrong with one recorded move that is an edge of the workflow: who made it, the approval it cites
    and the evidence it keeps."""
    problems = []
    if role not in workflows.roles_allowed(row.from_stage, row.trigger, row.to_stage):
        problems.append(f"{row.trigger} was made by a {role}, who may not make it")
    needed = workflows.approval_needed(row.from_stage, row.trigger, row.to_stage)
    if needed or approval is not None or row.approval_id is not None:
        problems += _approval_problems(row, needed, approval, uses)
    missing = [key for key in REQUIRED_EVIDENCE if key not in (row.evidence or {})]
    if missing:
        problems.append(f"the evidence lacks {', '.join(missing)}")
    failed = [name for name, met in (row.evidence or {}).get("guards", {}).items() if not met]
    if failed:
        problems.append(f"the evidence records guards that were not met: {', '.join(failed)}")
    return problems


def _approval_problems(row: CaseTransition, needed: str | None, approval: Approval | None, uses: Counter) -> list[str]:
    # An escalation cites an override only when the band did not justify it; any other step, its own approval.
    expected = needed or ("escalate" if row.trigger == "escalate" else None)
    if approval is None:
        return [f"{row.trigger} needs an approval of {needed} and cites none"] if needed else []
    problems = []
    if expected is None:
        problems.append(f"{row.trigger} cites approval {approval.id}, though it needs none")
    elif approval.trigger != expected:
        problems.append(f"approval {approval.id} is for {approval.trigger}, not {expected}")
    if approval.case_id != row.case_id:
        problems.append(f"approval {approval.id} is for another case")
    if approval.status != ApprovalStatus.APPROVED or approval.decided_by_id in (None, approval.requested_by_id):
        problems.append(f"approval {approval.id} was not approved by a manager other than the requester")
    if approval.used_at is None or uses[approval.id] > 1:
        problems.append(f"approval {approval.id} is not used by this step alone")
    return problems
