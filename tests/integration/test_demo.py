"""``flask --app wsgi demo-data``: the demo authority, the same on every run."""

from __future__ import annotations

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Case, Eso, Letter, PenaltyNotice, ProsecutedParent, School, Trust, User
from ewo_cases.services.demo import DEMO_ACCOUNTS
from workflows import CaseStage


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Trust, School, User))


def test_demo_data_creates_five_schools_in_two_trusts_and_a_user_per_role(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert counts() == (2, 5, len(DEMO_ACCOUNTS))
    assert {user.role for user in db.session.scalars(sa.select(User))} == {a.role for a in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        assert account.email in result.output and account.password in result.output


def test_demo_data_is_idempotent(runner):
    runner.invoke(args=["demo-data"])
    before = counts()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    assert counts() == before


def test_if_empty_leaves_a_database_in_use_alone(runner, make_school):
    make_school()
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in result.output
    assert counts()[1] == 1


def test_demo_accounts_can_sign_in(client, runner):
    runner.invoke(args=["demo-data"])
    for account in DEMO_ACCOUNTS:
        response = client.post("/sign-in", data={"email": account.email, "password": account.password})
        assert response.status_code == 302, account.email
        client.post("/sign-out")


def test_demo_cases_reach_every_stage_and_replay_to_their_stored_stage(runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0

    stages = set(db.session.scalars(sa.select(Case.stage)))
    assert stages == set(CaseStage)
    notices = db.session.scalars(sa.select(PenaltyNotice)).all()
    assert any(notice.paid_on for notice in notices)
    assert any(notice.withdrawn_on for notice in notices)
    assert any(not notice.paid_on and not notice.withdrawn_on for notice in notices)
    assert db.session.scalar(sa.select(sa.func.count(Eso.id)))
    assert db.session.scalar(sa.select(sa.func.count(Letter.id)))
    assert db.session.scalar(
        sa.select(sa.func.count(ProsecutedParent.id)).where(ProsecutedParent.outcome_on.is_not(None))
    )
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
