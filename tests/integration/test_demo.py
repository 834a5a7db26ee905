"""``flask --app wsgi demo-data``: the demo authority, the same on every run."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AttendanceRegister,
    AuditEvent,
    Base,
    Case,
    Eso,
    ImportKind,
    ImportOutcome,
    ImportRun,
    Letter,
    PenaltyNotice,
    ProsecutedParent,
    Pupil,
    School,
    SchoolAction,
    Trust,
    User,
)
from ewo_cases.services.demo import DEMO_ACCOUNTS
from workflows import CaseStage

#: The demo's today in these tests: the demo must not depend on the day the suite runs.
DEMO_TODAY = "2026-12-03"


@pytest.fixture(autouse=True)
def _demo_today(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TODAY", DEMO_TODAY)


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Trust, School, User))


def rows_in_every_table() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def registers_digest() -> str:
    """One digest of every pupil's marks, so that a second run rewriting them differently is seen."""
    digest = hashlib.sha256()
    rows = db.session.execute(
        sa.select(AttendanceRegister).order_by(
            AttendanceRegister.pupil_id, AttendanceRegister.school_id, AttendanceRegister.academic_year
        )
    ).scalars()
    for register in rows:
        digest.update(f"{register.pupil_id}/{register.school_id}/{register.academic_year}:".encode())
        digest.update(register.marks.encode())
    return digest.hexdigest()


def test_demo_data_creates_five_schools_in_two_trusts_and_a_user_per_role(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert counts() == (2, 5, len(DEMO_ACCOUNTS))
    assert {user.role for user in db.session.scalars(sa.select(User))} == {a.role for a in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        assert account.email in result.output and account.password in result.output


def test_demo_data_is_idempotent(runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    before, marks = rows_in_every_table(), registers_digest()
    assert all(before[table.__tablename__] for table in (Pupil, AttendanceRegister, Case, AuditEvent))
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0, again.output
    assert rows_in_every_table() == before
    assert registers_digest() == marks


@pytest.mark.parametrize(
    "live_data",
    ["an account", "a school"],
)
def test_demo_data_refuses_a_database_with_anyone_elses_data(runner, make_user, make_school, live_data):
    """A live service must never gain the demo's published sign-ins or its pupils."""
    if live_data == "an account":
        make_user(email="real.person@council.example")
    else:
        make_school(urn="100001", name="A Real School")  # a demo URN, but not the demo's school
    before = rows_in_every_table()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 1
    assert "may be a live service" in result.output and "Nothing was loaded" in result.output
    assert DEMO_ACCOUNTS[0].password not in result.output
    assert rows_in_every_table() == before


def test_demo_data_loads_into_a_database_declared_a_demonstration(runner, make_user):
    make_user(email="trainer@council.example")
    result = runner.invoke(args=["demo-data", "--demonstration"])
    assert result.exit_code == 0, result.output
    assert counts()[1] == 5


def test_demo_data_runs_again_on_a_large_demo_authority(runner):
    """The benchmark's synthetic authority (--schools N) is demo data too."""
    assert runner.invoke(args=["demo-data", "--schools", "6"]).exit_code == 0
    again = runner.invoke(args=["demo-data", "--schools", "6"])
    assert again.exit_code == 0, again.output
    assert counts()[1] == 6


def test_if_empty_leaves_a_database_in_use_alone(runner, make_school):
    make_school()
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output
    assert DEMO_ACCOUNTS[0].password not in result.output  # there are no demo accounts here to sign in with
    assert counts()[1] == 1


def test_if_empty_on_a_demo_database_reprints_the_sign_ins(runner):
    """``make run`` a second time: nothing is loaded again, and the demo sign-ins are shown."""
    runner.invoke(args=["demo-data"])
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in result.output and DEMO_ACCOUNTS[0].password in result.output


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
    runs = {run.kind: run for run in db.session.scalars(sa.select(ImportRun))}
    assert runs[ImportKind.SCHOOLS].outcome is ImportOutcome.SUCCEEDED
    assert runs[ImportKind.MARKS].outcome is ImportOutcome.FAILED and runs[ImportKind.MARKS].error_count == 2
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize(
    "today",
    [
        pytest.param("2026-05-20", id="notices to improve near the May half term"),
        pytest.param("2026-10-20", id="penalty notices paid in the summer holiday"),
        pytest.param("2027-07-20", id="the last days of the summer term"),
    ],
)
def test_demo_cases_load_on_any_day_of_the_year(runner, app, monkeypatch, today):
    monkeypatch.setitem(app.config, "TODAY", today)
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert set(db.session.scalars(sa.select(Case.stage))) == set(CaseStage)
    assert db.session.scalar(sa.select(sa.func.count(SchoolAction.id)))


def test_early_in_the_school_year_the_demo_loads_without_cases_and_says_why(runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", "2026-09-15")
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "No demo cases yet" in result.output and "EWO_TODAY" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AttendanceRegister.pupil_id)))
