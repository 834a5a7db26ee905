"""Meetings, plans, actions and the people on a case changed by two people at the same moment, over two real
PostgreSQL connections."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionPlan,
    ActionPlanRevision,
    ActionProgress,
    ActionStatus,
    AuditEvent,
    CaseParticipant,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
    Pupil,
    Role,
    School,
    SenStatus,
    User,
)
from ewo_cases.services import meetings, participants, plans
from ewo_cases.services.cases import open_case
from ewo_cases.services.errors import ConflictError
from tests.conftest import fresh_database_url, make_test_app
from tests.factories import valid_upn
from workflows import CaseStage

pytestmark = pytest.mark.skipif(
    not os.environ.get("EWO_TEST_DATABASE_URL"),
    reason="needs PostgreSQL's row locks and two real connections (SQLite serialises every writer)",
)


@pytest.fixture(scope="module")
def committed_app(tmp_path_factory):
    """An app on its own schema, where each thread commits for real."""
    database = fresh_database_url(tmp_path_factory, "records")
    app = make_test_app(next(database))
    yield app
    with app.app_context():
        db.engine.dispose()
    next(database, None)


@pytest.fixture
def world(committed_app) -> dict[str, int]:
    """An officer's case with a plan of two actions and a meeting to record, committed; returns their ids."""
    with committed_app.app_context():
        number = db.session.scalar(sa.select(sa.func.count(School.id))) + 1
        school = School(urn=f"{800000 + number}", name=f"School {number}", phase="primary")
        officer = User(
            email=f"officer{number}@council.example",
            name="Officer",
            role=Role.OFFICER,
            password_hash=generate_password_hash("x", method="pbkdf2:sha256:1"),
            schools=[school],
        )
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
        db.session.add_all([school, officer, pupil])
        db.session.flush()
        case = open_case(
            pupil, CaseStage.PERSISTENT, actor=officer, officer=officer, reason="Test", override_reason="No figures"
        )
        today = clock.today()
        plan = plans.create_plan(case, goals="Goals", review_on=today + timedelta(days=30), actor=officer)
        first, second = (
            plans.add_action(plan, plans.NewAction(text, "school", today + timedelta(days=7)), actor=officer)
            for text in ("First", "Second")
        )
        meeting = meetings.schedule_meeting(
            case,
            kind=MeetingKind.FAMILY_ATTENDANCE,
            arrangements=meetings.MeetingArrangements(today, time(9), "School", meetings.default_invitees(case)),
            actor=officer,
        )
        colleague = User(
            email=f"colleague{number}@council.example",
            name="Colleague",
            role=Role.OFFICER,
            password_hash=generate_password_hash("x", method="pbkdf2:sha256:1"),
            schools=[school],
        )
        db.session.add(colleague)
        db.session.flush()
        helper = participants.add_participant(
            case,
            colleague,
            role=ParticipantRole.KEY_WORKER,
            lead_practitioner=False,
            started_on=today,
            notes="",
            actor=officer,
        )
        officer_part = db.session.scalar(
            sa.select(CaseParticipant).where(CaseParticipant.case_id == case.id, CaseParticipant.user_id == officer.id)
        )
        db.session.commit()
        return {
            "case": case.id,
            "plan": plan.id,
            "first": first.id,
            "second": second.id,
            "meeting": meeting.id,
            "officer": officer.id,
            "officer_part": officer_part.id,
            "helper": helper.id,
        }


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


def test_progress_on_two_actions_at_once_gives_two_revisions_in_turn(committed_app, world):
    def progress(action_key: str):
        def action():
            item = db.session.get(Action, world[action_key])
            officer = db.session.get(User, world["officer"])
            plans.update_action(
                item, status=ActionStatus.IN_PROGRESS, note="Started", details=None, expected_version=1, actor=officer
            )

        return action

    outcomes = race(committed_app, progress("first"), progress("second"))
    assert outcomes == ["won", "won"]
    with committed_app.app_context():
        numbers = db.session.scalars(
            sa.select(ActionPlanRevision.number)
            .where(ActionPlanRevision.plan_id == world["plan"])
            .order_by(ActionPlanRevision.number)
        )
        assert list(numbers) == [1, 2, 3, 4, 5]
        latest = db.session.scalar(
            sa.select(ActionPlanRevision.snapshot).where(
                ActionPlanRevision.plan_id == world["plan"], ActionPlanRevision.number == 5
            )
        )
        # The later revision was taken after the earlier one committed, so it shows both changes.
        assert [item["status"] for item in latest["actions"]] == ["in_progress", "in_progress"]


def test_two_people_recording_one_meeting_at_once_exactly_one_wins(committed_app, world):
    def record(summary: str):
        def action():
            meeting = db.session.get(Meeting, world["meeting"])
            answers = {attendee.id: MeetingAttendance.ATTENDED for attendee in meeting.attendees}
            meetings.record_meeting(
                meeting,
                meetings.MeetingRecord(held_on=clock.today(), attendance=answers, child_attended=True, summary=summary),
                expected_version=1,
                actor=db.session.get(User, world["officer"]),
            )

        return action

    outcomes = race(committed_app, record("First"), record("Second"))
    assert outcomes.count("won") == 1, outcomes
    assert next(type(o) for o in outcomes if o != "won") in (ConflictError, sa.orm.exc.StaleDataError)
    with committed_app.app_context():
        meeting = db.session.get(Meeting, world["meeting"])
        assert meeting.status == MeetingStatus.HELD and meeting.summary in ("First", "Second")


def exactly_one_won(outcomes: list[object]) -> None:
    """One save went through; the other was refused as a conflict, not applied over it."""
    assert outcomes.count("won") == 1, outcomes
    assert next(type(o) for o in outcomes if o != "won") in (ConflictError, sa.orm.exc.StaleDataError), outcomes


def officer_of(world):
    return db.session.get(User, world["officer"])


def test_two_people_saving_one_action_at_once_exactly_one_wins(committed_app, world):
    def change(description: str):
        def action():
            item = db.session.get(Action, world["first"])
            plans.update_action(
                item,
                status=ActionStatus.IN_PROGRESS,
                note=description,
                details=plans.NewAction(description, "school", item.due_on),
                expected_version=1,
                actor=officer_of(world),
            )

        return action

    exactly_one_won(race(committed_app, change("Ours"), change("Theirs")))
    with committed_app.app_context():
        assert db.session.get(Action, world["first"]).description in ("Ours", "Theirs")
        notes = db.session.scalar(
            sa.select(sa.func.count(ActionProgress.id)).where(ActionProgress.action_id == world["first"])
        )
        assert notes == 1


def test_two_people_saving_one_plan_at_once_exactly_one_wins(committed_app, world):
    def change(goals: str):
        def action():
            plan = db.session.get(ActionPlan, world["plan"])
            plans.update_plan(
                plan, goals=goals, review_on=plan.review_on, expected_version=plan_version, actor=officer_of(world)
            )

        return action

    with committed_app.app_context():
        plan_version = db.session.get(ActionPlan, world["plan"]).version
    exactly_one_won(race(committed_app, change("Ours"), change("Theirs")))
    with committed_app.app_context():
        assert db.session.get(ActionPlan, world["plan"]).goals in ("Ours", "Theirs")


def test_two_people_changing_one_participant_at_once_exactly_one_wins(committed_app, world):
    def change(role: ParticipantRole):
        def action():
            helper = db.session.get(CaseParticipant, world["helper"])
            participants.change_role(helper, role=role, actor=officer_of(world), expected_version=1)

        return action

    exactly_one_won(race(committed_app, change(ParticipantRole.OTHER), change(ParticipantRole.CASE_OFFICER)))
    with committed_app.app_context():
        changed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "participant.role_changed")).all()
        assert len([event for event in changed if event.entity_id == world["helper"]]) == 1


def test_two_leads_named_at_once_hand_over_in_turn_leaving_one(committed_app, world):
    def make_lead(key: str):
        def action():
            person = db.session.get(CaseParticipant, world[key])
            participants.make_lead(person, actor=officer_of(world), expected_version=person.version)

        return action

    assert race(committed_app, make_lead("officer_part"), make_lead("helper")) == ["won", "won"]
    with committed_app.app_context():
        leads = db.session.scalars(
            sa.select(CaseParticipant).where(
                CaseParticipant.case_id == world["case"], CaseParticipant.is_lead_practitioner.is_(True)
            )
        ).all()
        assert len(leads) == 1
        handovers = db.session.scalars(
            sa.select(AuditEvent.entity_id).where(AuditEvent.action == "participant.lead_handed_over")
        ).all()
        assert set(handovers) & {world["officer_part"], world["helper"]}
