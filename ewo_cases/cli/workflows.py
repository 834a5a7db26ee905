"""``flask --app wsgi workflows diagram`` and ``flask --app wsgi audit verify``"""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

import workflows
from ewo_cases.extensions import db
from ewo_cases.models import Case, CaseTransition

workflows_group = AppGroup("workflows", help="The case workflow's definition.")
audit_group = AppGroup("audit", help="Checks on the audit trail.")


@workflows_group.command("diagram")
def diagram() -> None:
    """Print the case state machine as Mermaid, drawn from its definition."""
    click.echo(workflows.diagram())


@audit_group.command("verify")
def verify() -> None:
    """Replay every case's history against the workflow; list any case whose stored stage does not match."""
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
    """Each case's problems (an empty list when its history replays to its stored stage)."""
    steps: dict[int, list[tuple[str, str, str]]] = {}
    rows = db.session.execute(
        sa.select(
            CaseTransition.case_id, CaseTransition.from_stage, CaseTransition.trigger, CaseTransition.to_stage
        ).order_by(CaseTransition.case_id, CaseTransition.occurred_at, CaseTransition.id)
    )
    for case_id, from_stage, trigger, to_stage in rows:
        steps.setdefault(case_id, []).append((from_stage, trigger, to_stage))
    return {
        case_id: workflows.replay(steps.get(case_id, []), stage)
        for case_id, stage in db.session.execute(sa.select(Case.id, Case.stage))
    }
