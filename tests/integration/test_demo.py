"""``flask --app wsgi demo-data``: the demo authority, the same on every run."""

from __future__ import annotations

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import School, Trust, User
from ewo_cases.services.demo import DEMO_ACCOUNTS


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
