"""The workflow's commands: the diagram drawn from the definition, and ``audit verify`` holding every audit row
to the workflow: its edge, who made it, the approval it cites and the evidence it keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

import workflows
from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Approval, ApprovalStatus, CaseTransition, Role
from workflows import CaseStage

SNAPSHOT = Path(__file__).parents[1] / "unit" / "workflows" / "snapshots" / "case_lifecycle.mmd"
EVIDENCE = {"attendance_pct": 88.0, "band": "persistent", "unauth_10wk_latest": 12, "guards": {"approved": True}}


def test_workflows_diagram_prints_the_reviewed_definition(runner):
    result = runner.invoke(args=["workflows", "diagram"])

    assert result.exit_code == 0
    assert result.output == workflows.diagram() + "\n"
    assert result.output.rstrip("\n") == SNAPSHOT.read_text().rstrip("\n")


@pytest.fixture
def opened(make_case, make_user, pupil_and_officer):
    pupil, officer = pupil_and_officer
    return make_case(pupil, CaseStage.PERSISTENT, officer=officer)


@pytest.fixture
def pupil_and_officer(make_pupil, make_user):
    pupil = make_pupil()
    return pupil, make_user(Role.OFFICER, schools=[pupil.school])


def approval(case, requested_by, decided_by, trigger="issue_fpn", **values) -> Approval:
    row = Approval(
        case_id=case.id,
        trigger=trigger,
        reason="Needed",
        requested_by_id=requested_by.id,
        decided_by_id=decided_by.id,
        status=values.pop("status", ApprovalStatus.APPROVED),
        used_at=values.pop("used_at", clock.now()),
        **values,
    )
    db.session.add(row)
    db.session.flush()
    return row


def forge(case, actor, *, trigger="issue_fpn", source="persistent", dest="fpn", approval_id=None, evidence=None):
    """Append a row as if a move had been made (rows can be added, never changed), and move the stored stage."""
    db.session.add(
        CaseTransition(
            case_id=case.id,
            trigger=trigger,
            from_stage=source,
            to_stage=dest,
            actor_id=actor.id,
            approval_id=approval_id,
            evidence=EVIDENCE if evidence is None else evidence,
        )
    )
    case.stage = CaseStage(dest)
    db.session.flush()


def test_audit_verify_passes_a_history_made_through_the_service(runner, opened):
    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 0 and "All 1 cases match their history." in result.output


def test_audit_verify_fails_a_forged_legal_step(runner, opened, make_user, pupil_and_officer):
    """The reported forgery: a school lead, no approval and no evidence, and the shape alone passed."""
    pupil, _officer = pupil_and_officer
    lead = make_user(Role.SCHOOL_LEAD, schools=[pupil.school])
    forge(opened, lead, evidence={})

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"{opened.reference}: step 2: issue_fpn was made by a school_lead, who may not make it" in result.output
    assert "step 2: issue_fpn needs an approval of issue_fpn and cites none" in result.output
    assert "step 2: the evidence lacks attendance_pct, band, unauth_10wk_latest" in result.output
    assert "1 of 1 cases do not match their history." in result.output


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"trigger": "apply_eso"}, "is for apply_eso, not issue_fpn"),
        ({"status": ApprovalStatus.PENDING}, "was not approved by a manager other than the requester"),
        ({"self_approved": True}, "was not approved by a manager other than the requester"),
        ({"used_at": None}, "is not used by this step alone"),
        ({"other_case": True}, "is for another case"),
    ],
    ids=["other-trigger", "pending", "self-approved", "never-used", "other-case"],
)
def test_audit_verify_checks_the_approval_a_step_cites(
    runner, opened, make_user, make_case, pupil_and_officer, change, problem
):
    _pupil, officer = pupil_and_officer
    manager, other = make_user(Role.MANAGER), make_user(Role.MANAGER)
    case = make_case() if change.pop("other_case", False) else opened
    decided_by = manager if change.pop("self_approved", False) else other
    cited = approval(case, manager, decided_by, **change)
    forge(opened, officer, approval_id=cited.id)

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"step 2: approval {cited.id} {problem}" in result.output


def test_audit_verify_refuses_one_approval_used_by_two_steps(runner, opened, make_user, pupil_and_officer):
    _pupil, officer = pupil_and_officer
    cited = approval(opened, make_user(Role.MANAGER), make_user(Role.MANAGER))
    forge(opened, officer, approval_id=cited.id)
    forge(opened, officer, trigger="close", source="fpn", dest="closed", approval_id=cited.id)

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"step 2: approval {cited.id} is not used by this step alone" in result.output
    assert f"step 3: approval {cited.id} is for issue_fpn, not close" in result.output


def test_audit_verify_passes_a_properly_approved_step(runner, opened, make_user, pupil_and_officer):
    _pupil, officer = pupil_and_officer
    cited = approval(opened, make_user(Role.MANAGER), make_user(Role.MANAGER))
    forge(opened, officer, approval_id=cited.id)

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 0, result.output


def test_audit_verify_refuses_evidence_recording_a_failed_guard(runner, opened, pupil_and_officer):
    _pupil, officer = pupil_and_officer
    forge(
        opened,
        officer,
        trigger="step_down",
        source="persistent",
        dest="at_risk",
        evidence={**EVIDENCE, "guards": {"band_improved_to_at_risk": False}},
    )

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "step 2: the evidence records guards that were not met: band_improved_to_at_risk" in result.output
