"""Two people acting on the same record at the same moment, over two real PostgreSQL connections: exactly
one wins and the other gets a clear conflict, never a silent overwrite."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from ewo_cases.extensions import db
from ewo_cases.models import Approval, ApprovalStatus, Case, CaseTransition, Role, School, User
from ewo_cases.services import approvals, users
from ewo_cases.services.errors import ConflictError
from ewo_cases.services.transitions import Inputs, apply_transition
from tests.conftest import fresh_database_url, make_test_app
from workflows import CaseStage, ClosureReason

pytestmark = pytest.mark.skipif(
    not os.environ.get("EWO_TEST_DATABASE_URL"),
    reason="needs PostgreSQL's row locks and two real connections (SQLite serialises every writer)",
)


@pytest.fixture(scope="module")
def committed_app(tmp_path_factory):
    """An app on its own schema, where each thread commits for real."""
    database = fresh_database_url(tmp_path_factory, "concurrency")
    app = make_test_app(next(database))
    yield app
    with app.app_context():
        db.engine.dispose()
    next(database, None)


@pytest.fixture
def world(committed_app, make_world) -> dict[str, int]:
    return make_world()


@pytest.fixture
def make_world(committed_app) -> Callable[[], dict[str, int]]:
    """A school, an officer, two managers and a case at persistent, committed; returns their ids."""

    def make() -> dict[str, int]:
        with committed_app.app_context():
            number = db.session.scalar(sa.select(sa.func.count(School.id))) + 1
            school = School(urn=f"{700000 + number}", name=f"School {number}", phase="primary")
            people = {
                name: User(
                    email=f"{name}{number}@council.example",
                    name=name.title(),
                    role=role,
                    password_hash=generate_password_hash("x", method="pbkdf2:sha256:1"),
                    schools=[school] if role == Role.OFFICER else [],
                )
                for name, role in (("officer", Role.OFFICER), ("manager_a", Role.MANAGER), ("manager_b", Role.MANAGER))
            }
            db.session.add_all([school, *people.values()])
            db.session.flush()
            case = _open_case(school, people["officer"])
            db.session.commit()
            ids = {name: user.id for name, user in people.items()}
            return {"case": case.id, "case_version": case.version, "officer_version": people["officer"].version, **ids}

    return make


def _open_case(school: School, officer: User) -> Case:
    from datetime import date

    from ewo_cases.models import Pupil, SenStatus
    from ewo_cases.services.cases import open_case
    from tests.factories import valid_upn

    pupil = Pupil(
        upn=valid_upn(),
        school=school,
        forename="Sam",
        surname="Same",
        date_of_birth=date(2015, 1, 1),
        year_group="5",
        sex="F",
        pupil_premium=False,
        sen_status=SenStatus.NONE,
        looked_after=False,
        previously_looked_after=False,
        child_protection=False,
        child_in_need=False,
    )
    db.session.add(pupil)
    db.session.flush()
    return open_case(
        pupil,
        CaseStage.PERSISTENT,
        actor=officer,
        officer=officer,
        reason="Test",
        override_reason="No figures in this test",
    )


def race(app, *actions: Callable[[], object]) -> list[object]:
    """Run each action in its own thread, app context and connection, all starting together; commit each."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                action()
                db.session.commit()
                outcomes[index] = "won"
            except Exception as error:
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def conflicts(outcomes: list[object]) -> list[object]:
    return [o for o in outcomes if isinstance(o, ConflictError | sa.orm.exc.StaleDataError)]


def test_two_officers_moving_one_case_at_once_exactly_one_wins(committed_app, world):
    def close(reason: ClosureReason):
        def action():
            case = db.session.get(Case, world["case"])
            officer = db.session.get(User, world["officer"])
            apply_transition(
                case,
                "close",
                actor=officer,
                expected_version=world["case_version"],
                inputs=Inputs(closure_reason=reason),
            )

        return action

    outcomes = race(committed_app, close(ClosureReason.IMPROVED), close(ClosureReason.LEFT_SCHOOL))
    assert outcomes.count("won") == 1 and len(conflicts(outcomes)) == 1, outcomes
    with committed_app.app_context():
        moves = db.session.scalars(sa.select(CaseTransition.trigger).where(CaseTransition.case_id == world["case"]))
        assert list(moves) == ["open", "close"]


def test_two_managers_deciding_one_request_at_once_exactly_one_wins(committed_app, world):
    with committed_app.app_context():
        case = db.session.get(Case, world["case"])
        approval_id = approvals.request(
            case, "close", reason="Moved away", actor=db.session.get(User, world["officer"])
        ).id
        db.session.commit()

    def decide(manager: str, approve: bool):
        def action():
            approval = db.session.get(Approval, approval_id)
            approvals.decide(
                approval,
                approve=approve,
                comment="Seen the records",
                expected_version=1,
                actor=db.session.get(User, world[manager]),
            )

        return action

    outcomes = race(committed_app, decide("manager_a", True), decide("manager_b", False))
    assert outcomes.count("won") == 1 and len(conflicts(outcomes)) == 1, outcomes
    with committed_app.app_context():
        assert db.session.get(Approval, approval_id).status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)


def test_two_people_saving_one_record_at_once_do_not_overwrite_each_other(committed_app, world):
    def rename(name: str):
        def action():
            officer = db.session.get(User, world["officer"])
            users.update_user(
                officer,
                email=officer.email,
                name=name,
                role=Role.OFFICER,
                schools=officer.schools,
                active=True,
                expected_version=1,
                actor=db.session.get(User, world["manager_a"]),
            )

        return action

    outcomes = race(committed_app, rename("First Edit"), rename("Second Edit"))
    assert outcomes.count("won") == 1 and len(conflicts(outcomes)) == 1, outcomes
    with committed_app.app_context():
        assert db.session.get(User, world["officer"]).name in ("First Edit", "Second Edit")
