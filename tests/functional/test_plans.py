"""Action plans: written, revised at every change, co-owned by the school, overdue flagged; contracts kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionOwner,
    ActionPlan,
    ActionPlanRevision,
    ActionProgress,
    ActionStatus,
    AppendOnlyError,
    AttendanceContract,
    Case,
    ParticipantRole,
    Role,
)
from ewo_cases.services import contracts as contract_service
from ewo_cases.services import plans as plan_service
from ewo_cases.services.errors import ConflictError
from ewo_cases.services.transitions import load_facts
from tests.case_records import TODAY, add_parent, add_user_participant, count, day, opened_before, participant
from workflows import CaseStage


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def case(make_case):
    case = opened_before(make_case())
    add_parent(case)
    return case


@pytest.fixture
def officer(case, sign_in):
    sign_in(case.assigned_officer)
    return case.assigned_officer


@pytest.fixture
def plan(case):
    return plan_service.create_plan(
        case, goals="Attendance above 90%", review_on=TODAY + timedelta(days=28), actor=case.assigned_officer
    )


def add(plan, description="Phone home on absence", owner="local_authority", due=TODAY + timedelta(days=7), actor=None):
    """Add an action through the service."""
    actor = actor or db.session.get(Case, plan.case_id).assigned_officer
    return plan_service.add_action(plan, plan_service.NewAction(description, owner, due), actor=actor)


def revisions(plan) -> list[ActionPlanRevision]:
    return list(
        db.session.scalars(
            sa.select(ActionPlanRevision)
            .where(ActionPlanRevision.plan_id == plan.id)
            .order_by(ActionPlanRevision.number)
        )
    )


# --- the plan ---------------------------------------------------------------------------------------------


def test_an_empty_plan_page_offers_to_write_one(client, case, officer):
    page = client.get(f"/cases/{case.id}/plan/")
    assert page.status_code == 200 and "No action plan yet" in page.text and "Write the action plan" in page.text


def test_officer_writes_the_plan_and_its_first_revision(client, case, officer):
    response = client.post(
        f"/cases/{case.id}/plan/new", data={"goals": "Back to full days", "review_on": day(TODAY + timedelta(days=30))}
    )
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(ActionPlan))
    assert (plan.case_id, plan.goals, plan.review_on) == (case.id, "Back to full days", TODAY + timedelta(days=30))
    (revision,) = revisions(plan)
    assert (revision.number, revision.change, revision.revised_by_id) == (1, "Plan written", officer.id)
    assert revision.snapshot == {"goals": "Back to full days", "review_on": "2026-04-01", "actions": []}
    assert load_facts(case, officer).action_plan_on is not None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"goals": "", "review_on": day(TODAY)}, "Enter the goals of the plan"),
        ({"goals": "Goals", "review_on": day(None)}, "Enter the review date"),
        ({"goals": "Goals", "review_on": ["32", "1", "2026"]}, "The review date must be a real date"),
        (
            {"goals": "Goals", "review_on": day(TODAY - timedelta(days=1))},
            "The review date must be today or in the future",
        ),
        (
            {"goals": "Goals", "review_on": ["31", "12", "9999"]},
            "The review date must be on or before 1 March 2028, within 2 years",
        ),
    ],
)
def test_a_bad_plan_is_explained_and_nothing_is_written(client, case, officer, form, message):
    response = client.post(f"/cases/{case.id}/plan/new", data=form)
    assert response.status_code == 400 and message in response.text and "There is a problem" in response.text
    assert count(ActionPlan) == 0 and count(ActionPlanRevision) == 0


def test_changing_the_plan_appends_a_revision_and_a_stale_change_is_a_conflict(client, case, officer, plan):
    form = {"goals": "Attendance above 95%", "review_on": day(TODAY + timedelta(days=14)), "version": plan.version}
    assert client.post(f"/cases/{case.id}/plan/edit", data=form).status_code == 302
    first, second = revisions(plan)
    assert second.number == 2 and "goals changed" in second.change and "review date" in second.change
    assert second.snapshot["goals"] == "Attendance above 95%" and first.snapshot["goals"] == "Attendance above 90%"
    response = client.post(f"/cases/{case.id}/plan/edit", data={**form, "goals": "Lost\nover two lines"})
    assert response.status_code == 409
    assert db.session.get(ActionPlan, plan.id).goals == "Attendance above 95%" and len(revisions(plan)) == 2
    # What was typed is given back to copy, and the page links back to the plan as it now is.
    assert "What you typed" in response.text and "Lost\nover two lines" in response.text
    assert f'href="/cases/{case.id}/plan/edit"' in response.text


def test_a_change_that_does_not_say_which_version_it_was_made_on_is_refused(client, case, officer, plan):
    form = {"goals": "Overwritten", "review_on": day(TODAY + timedelta(days=14))}
    for version in ({}, {"version": ""}):
        response = client.post(f"/cases/{case.id}/plan/edit", data={**form, **version})
        assert response.status_code == 400 and "This page is out of date" in response.text
    with pytest.raises(ConflictError):
        plan_service.update_plan(
            plan, goals="Overwritten", review_on=plan.review_on, expected_version=None, actor=officer
        )
    assert db.session.get(ActionPlan, plan.id).goals == "Attendance above 90%" and len(revisions(plan)) == 1


def test_saving_the_plan_unchanged_is_refused(client, case, officer, plan):
    form = {"goals": plan.goals, "review_on": day(plan.review_on), "version": plan.version}
    response = client.post(f"/cases/{case.id}/plan/edit", data=form)
    assert response.status_code == 400 and "Nothing has changed" in response.text and len(revisions(plan)) == 1


def test_a_second_plan_is_not_written(client, case, officer, plan):
    assert client.get(f"/cases/{case.id}/plan/new").headers["Location"].endswith("/plan/edit")


# --- actions ----------------------------------------------------------------------------------------------


def test_officer_adds_an_action_owned_by_a_parent(client, case, officer, plan):
    parent = participant(case, ParticipantRole.PARENT_CARER)
    page = client.get(f"/cases/{case.id}/plan/actions/new")
    assert f'value="participant-{parent.id}"' in page.text
    response = client.post(
        f"/cases/{case.id}/plan/actions/new",
        data={
            "description": "Bring Sam to school by 8:45",
            "owner": f"participant-{parent.id}",
            "due_on": day(TODAY + timedelta(days=5)),
        },
    )
    assert response.status_code == 302
    (action,) = db.session.get(ActionPlan, plan.id).actions
    assert (action.owner, action.owner_participant_id, action.created_by_id) == (
        ActionOwner.FAMILY,
        parent.id,
        officer.id,
    )
    latest = revisions(plan)[-1]
    assert latest.number == 2 and latest.change == "Action added: Bring Sam to school by 8:45"
    assert latest.snapshot["actions"][0]["owner_label"] == "Mia Parent (Family)"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": " "}, "Enter what will be done"),
        ({"owner": ""}, "Choose who will do it"),
        ({"owner": "the_neighbours"}, "Choose who will do it from the list"),
        ({"due_on": day(None)}, "Enter the date it is due by"),
        ({"due_on": ["29", "2", "2026"]}, "The due date must be a real date"),
        ({"due_on": day(TODAY - timedelta(days=1))}, "The due date must be today or in the future"),
        ({"due_on": ["31", "12", "9999"]}, "The due date must be on or before 1 March 2028, within 2 years"),
    ],
)
def test_a_bad_action_is_explained_and_nothing_is_written(client, case, officer, plan, changes, message):
    form = {"description": "Phone home", "owner": "local_authority", "due_on": day(TODAY), **changes}
    response = client.post(f"/cases/{case.id}/plan/actions/new", data=form)
    assert response.status_code == 400 and message in response.text and "There is a problem" in response.text
    assert count(Action) == 0 and len(revisions(plan)) == 1


def test_an_action_needs_a_plan_first(client, case, officer):
    response = client.get(f"/cases/{case.id}/plan/actions/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/plan/new")


def test_progress_is_appended_with_a_revision_and_old_revisions_never_change(client, case, officer, plan):
    action = add(plan)
    before = [(r.number, r.change, r.snapshot) for r in revisions(plan)]
    form = {
        "status": "in_progress",
        "note": "Called mum on Monday",
        "description": action.description,
        "owner": "local_authority",
        "due_on": day(action.due_on),
        "version": action.version,
    }
    assert client.post(f"/cases/{case.id}/plan/actions/{action.id}", data=form).status_code == 302
    (progress,) = db.session.scalars(sa.select(ActionProgress)).all()
    assert (progress.note, progress.status, progress.author_id) == ("Called mum on Monday", "in_progress", officer.id)
    assert db.session.get(Action, action.id).status == ActionStatus.IN_PROGRESS
    after = revisions(plan)
    assert [(r.number, r.change, r.snapshot) for r in after[:-1]] == before
    assert after[-1].number == 3 and after[-1].snapshot["actions"][0]["status"] == "in_progress"
    assert "Not started → In progress" in after[-1].change
    page = client.get(f"/cases/{case.id}/plan/").text
    assert "Called mum on Monday" in page
    after[0].change = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_an_update_that_changes_nothing_is_refused(client, case, officer, plan):
    action = add(plan)
    form = {
        "status": "not_started",
        "note": "",
        "description": action.description,
        "owner": "local_authority",
        "due_on": day(action.due_on),
        "version": action.version,
    }
    response = client.post(f"/cases/{case.id}/plan/actions/{action.id}", data=form)
    assert response.status_code == 400 and "Enter a progress note" in response.text
    assert count(ActionProgress) == 0 and len(revisions(plan)) == 2


def test_officer_changes_an_actions_owner_and_due_date(client, case, officer, plan):
    action = add(plan)
    form = {
        "status": "not_started",
        "note": "",
        "description": "Phone home on every absence",
        "owner": "school",
        "due_on": day(TODAY + timedelta(days=21)),
        "version": action.version,
    }
    assert client.post(f"/cases/{case.id}/plan/actions/{action.id}", data=form).status_code == 302
    action = db.session.get(Action, action.id)
    assert (action.description, action.owner, action.due_on) == (
        "Phone home on every absence",
        ActionOwner.SCHOOL,
        TODAY + timedelta(days=21),
    )
    assert count(ActionProgress) == 0
    change = revisions(plan)[-1].change
    assert "description changed" in change and "owner Local authority → School" in change


def test_a_stale_action_update_is_a_conflict(client, case, officer, plan):
    action = add(plan)
    form = {"status": "done", "note": "Done", "version": action.version, "description": "x", "owner": "school"}
    form["due_on"] = day(action.due_on)
    action.status = ActionStatus.IN_PROGRESS
    db.session.flush()
    assert client.post(f"/cases/{case.id}/plan/actions/{action.id}", data=form).status_code == 409
    assert count(ActionProgress) == 0 and db.session.get(Action, action.id).status == ActionStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": ""}, "Choose the action&#39;s status"),
        ({"status": "abandoned"}, "Choose the action&#39;s status from the list"),
        ({"due_on": ["1", "2", ""]}, "The due date must be a real date"),
        ({"owner": "participant-999999"}, "Choose who will do it from the list"),
    ],
)
def test_a_bad_action_update_is_explained_and_nothing_is_written(client, case, officer, plan, changes, message):
    action = add(plan)
    form = {
        "status": "done",
        "note": "Done",
        "description": action.description,
        "owner": "local_authority",
        "due_on": day(action.due_on),
        "version": action.version,
        **changes,
    }
    response = client.post(f"/cases/{case.id}/plan/actions/{action.id}", data=form)
    assert response.status_code == 400 and message in response.text
    assert count(ActionProgress) == 0 and len(revisions(plan)) == 2


# --- school leads co-own ----------------------------------------------------------------------------------


@pytest.fixture
def lead(case, make_user, sign_in):
    lead = make_user(Role.SCHOOL_LEAD, schools=[case.pupil.school])
    add_user_participant(case, lead, ParticipantRole.SCHOOL_ATTENDANCE_LEAD)
    sign_in(lead)
    return lead


def test_a_school_lead_adds_an_action_and_records_progress_on_any_action(client, case, plan, lead):
    las = add(plan, owner="local_authority")
    response = client.post(
        f"/cases/{case.id}/plan/actions/new",
        data={"description": "Daily check-in with form tutor", "owner": "school", "due_on": day(TODAY)},
    )
    assert response.status_code == 302
    schools = db.session.scalar(sa.select(Action).where(Action.owner == ActionOwner.SCHOOL))
    assert schools.created_by_id == lead.id
    page = client.get(f"/cases/{case.id}/plan/actions/{las.id}")
    assert page.status_code == 200 and 'name="description"' not in page.text
    form = {"status": "done", "note": "Officer rang, says the school", "version": las.version}
    # Fields the lead may not change are ignored even if sent.
    response = client.post(f"/cases/{case.id}/plan/actions/{las.id}", data={**form, "description": "Changed"})
    assert response.status_code == 302
    las = db.session.get(Action, las.id)
    assert (las.status, las.description) == (ActionStatus.DONE, "Phone home on absence")
    assert db.session.scalar(sa.select(ActionProgress.author_id)) == lead.id
    assert [r.revised_by_id for r in revisions(plan)][-2:] == [lead.id, lead.id]


def test_a_school_lead_changes_the_details_of_the_schools_own_actions(client, case, plan, lead):
    schools = add(plan, owner="school")
    assert 'name="description"' in client.get(f"/cases/{case.id}/plan/actions/{schools.id}").text
    form = {
        "status": "in_progress",
        "note": "",
        "description": "Check in at lunch too",
        "owner": "school",
        "due_on": day(TODAY + timedelta(days=10)),
        "version": schools.version,
    }
    assert client.post(f"/cases/{case.id}/plan/actions/{schools.id}", data=form).status_code == 302
    assert db.session.get(Action, schools.id).description == "Check in at lunch too"


@pytest.mark.parametrize(
    ("due_on", "message"),
    [
        (date(2000, 1, 1), "The due date must be today or in the future"),
        (date(9999, 12, 31), "The due date must be on or before 1 March 2028, within 2 years"),
    ],
)
def test_editing_an_action_follows_the_same_date_rules_as_adding_one(client, case, officer, plan, due_on, message):
    action = add(plan)
    form = {
        "status": "in_progress",
        "note": "",
        "description": action.description,
        "owner": plan_service.owner_choice_of(action),
        "due_on": day(due_on),
        "version": action.version,
    }
    response = client.post(f"/cases/{case.id}/plan/actions/{action.id}", data=form)
    assert response.status_code == 400 and message in response.text
    assert db.session.get(Action, action.id).due_on == action.due_on and len(revisions(plan)) == 2


def test_an_overdue_action_can_still_be_updated_without_moving_its_due_date(client, case, officer, plan):
    action = add(plan)
    action.due_on = TODAY - timedelta(days=5)
    db.session.flush()
    form = {
        "status": "in_progress",
        "note": "Started late",
        "description": "Phone home every Friday",
        "owner": plan_service.owner_choice_of(action),
        "due_on": day(action.due_on),
        "version": action.version,
    }
    assert client.post(f"/cases/{case.id}/plan/actions/{action.id}", data=form).status_code == 302
    assert db.session.get(Action, action.id).description == "Phone home every Friday"


def test_only_the_la_or_an_actions_owner_may_change_its_details(case, plan, make_user):
    officer = case.assigned_officer
    lead = make_user(Role.SCHOOL_LEAD, schools=[case.pupil.school])
    mine = add_user_participant(case, lead, ParticipantRole.SCHOOL_ATTENDANCE_LEAD)
    las, families = add(plan, owner="local_authority"), add(plan, owner="family")
    theirs = add(plan, owner=f"participant-{mine.id}")
    added = add(plan, owner="agency", actor=lead)
    assert [plan_service.may_change_details(lead, a) for a in (las, families, theirs, added)] == [
        False,
        False,
        True,
        True,
    ]
    assert theirs.owner == ActionOwner.SCHOOL
    assert all(plan_service.may_change_details(officer, a) for a in (las, families, theirs, added))
    with pytest.raises(plan_service.ServiceError):
        plan_service.update_action(
            las,
            status=ActionStatus.DONE,
            note="",
            details=plan_service.NewAction("x", "school", TODAY),
            expected_version=las.version,
            actor=lead,
        )


def test_a_lead_of_another_school_cannot_reach_the_plan(client, case, plan, make_user, make_school, sign_in):
    action = add(plan)
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[make_school()]))
    base = f"/cases/{case.id}/plan"
    urls = ["/", "/new", "/edit", "/actions/new", f"/actions/{action.id}", "/revisions", "/contract"]
    for url in urls:
        assert client.get(base + url).status_code == 404, url
    for url in ["/edit", "/actions/new", f"/actions/{action.id}"]:
        assert client.post(base + url, data={"status": "done", "note": "x"}).status_code == 404, url
    for url in ["/contract/edit", "/contract/end"]:
        assert client.get(base + url).status_code == 403, url
    assert count(ActionProgress) == 0 and len(revisions(plan)) == 2


def test_an_action_of_another_case_is_not_found_under_this_one(client, case, officer, make_case, make_pupil):
    other = make_case(make_pupil(school=case.pupil.school), officer=officer)
    other_plan = plan_service.create_plan(other, goals="G", review_on=TODAY, actor=officer)
    action = add(other_plan)
    assert client.get(f"/cases/{case.id}/plan/actions/{action.id}").status_code == 404


# --- overdue ----------------------------------------------------------------------------------------------


def test_overdue_actions_and_reviews_are_flagged_with_words(client, case, officer, plan, app, monkeypatch):
    late = add(plan, description="Late one", due=TODAY)
    add(plan, description="Finished one", due=TODAY)
    finished = db.session.scalar(sa.select(Action).where(Action.description == "Finished one"))
    finished.status = ActionStatus.DONE
    db.session.flush()
    monkeypatch.setitem(app.config, "TODAY", (TODAY + timedelta(days=60)).isoformat())
    page = client.get(f"/cases/{case.id}/plan/").text
    assert "Review overdue" in page
    assert page.count(">\n  Overdue\n</strong>") == 2  # the summary line and the late action, not the finished one
    assert "1 action is past its due date" in page
    assert [item.action for item in plan_service.overdue_actions(officer)] == [late]
    assert plan_service.overdue_actions(officer)[0].overdue


def test_the_actions_can_be_sorted_by_owner_status_or_due_date(client, case, officer, plan):
    add(plan, description="Bravo", owner="school", due=TODAY + timedelta(days=3))
    add(plan, description="Alpha", owner="family", due=TODAY + timedelta(days=9))
    page = client.get(f"/cases/{case.id}/plan/?sort=owner&order=desc").text
    assert page.index("Bravo") < page.index("Alpha") and 'aria-sort="descending"' in page
    page = client.get(f"/cases/{case.id}/plan/?sort=due").text
    assert page.index("Bravo") < page.index("Alpha")
    assert client.get(f"/cases/{case.id}/plan/?sort=nonsense").status_code == 200


def test_actions_owned_by_school_are_those_open_on_cases_the_lead_may_see(case, plan, make_user, make_school):
    lead = make_user(Role.SCHOOL_LEAD, schools=[case.pupil.school])
    later = add(plan, owner="school", due=TODAY + timedelta(days=9))
    sooner = add(plan, owner="school", due=TODAY + timedelta(days=2))
    add(plan, owner="family")
    done = add(plan, owner="school")
    done.status = ActionStatus.DONE
    db.session.flush()
    assert [item.action for item in plan_service.actions_owned_by_school(lead)] == [sooner, later]
    assert plan_service.actions_owned_by_school(lead)[0].case == case
    assert plan_service.actions_owned_by_school(make_user(Role.SCHOOL_LEAD, schools=[make_school()])) == []


# --- history ----------------------------------------------------------------------------------------------


def test_the_history_shows_every_revision_newest_first(client, case, officer, plan):
    add(plan, description="Phone home")
    page = client.get(f"/cases/{case.id}/plan/revisions").text
    assert page.index("Action added: Phone home") < page.index("Plan written")
    assert "The plan as it stood in version 2" in page and "Local authority" in page


# --- the attendance contract ------------------------------------------------------------------------------


def contract_form(case, **changes) -> dict:
    parent = participant(case, ParticipantRole.PARENT_CARER)
    return {
        "parent_commitments": "Sam arrives by 8:45 every day.",
        "support_commitments": "The school gives Sam a morning mentor.",
        "parties": [parent.id],
        "agreed_on": day(TODAY),
        "review_on": day(TODAY + timedelta(days=42)),
        **changes,
    }


def test_officer_records_a_contract_the_workflow_can_read(client, case, officer):
    assert "Draft an attendance contract" in client.get(f"/cases/{case.id}/plan/contract").text
    assert client.post(f"/cases/{case.id}/plan/contract/edit", data=contract_form(case)).status_code == 302
    contract = db.session.scalar(sa.select(AttendanceContract))
    assert [party.role for party in contract.parties] == [ParticipantRole.PARENT_CARER]
    facts = load_facts(case, officer).contract
    assert (facts.terms_recorded, facts.parties_recorded, facts.review_on) == (True, True, TODAY + timedelta(days=42))
    page = client.get(f"/cases/{case.id}/plan/contract").text
    assert "Sam arrives by 8:45 every day." in page and "Agreed" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"parent_commitments": ""}, "Enter what the parents agree to do"),
        ({"support_commitments": ""}, "Enter the support that will be given"),
        ({"parties": []}, "Choose who is party to the contract"),
        ({"parties": ["999999"]}, "Choose who is party to the contract from the list"),
        ({"agreed_on": day(TODAY + timedelta(days=1))}, "The date agreed must be today or in the past"),
        ({"agreed_on": ["1", "x", "2026"]}, "The date agreed must be a real date"),
        ({"review_on": day(None)}, "Enter the review date"),
        ({"review_on": day(TODAY)}, "The review date must be after the date the contract was agreed"),
        ({"agreed_on": day(None), "review_on": day(TODAY - timedelta(days=1))}, "must be today or in the future"),
    ],
)
def test_a_bad_contract_is_explained_and_nothing_is_written(client, case, officer, changes, message):
    response = client.post(f"/cases/{case.id}/plan/contract/edit", data=contract_form(case, **changes))
    assert response.status_code == 400 and message in response.text and "There is a problem" in response.text
    assert count(AttendanceContract) == 0


def test_a_contract_needs_a_parent_among_its_parties(client, case, officer):
    officers = participant(case, ParticipantRole.CASE_OFFICER)
    response = client.post(f"/cases/{case.id}/plan/contract/edit", data=contract_form(case, parties=[officers.id]))
    assert response.status_code == 400 and "Choose at least one parent or carer" in response.text
    assert count(AttendanceContract) == 0


def test_a_draft_contract_is_changed_ended_and_a_stale_change_is_a_conflict(client, case, officer):
    draft = contract_form(case, agreed_on=day(None))
    assert client.post(f"/cases/{case.id}/plan/contract/edit", data=draft).status_code == 302
    contract = db.session.scalar(sa.select(AttendanceContract))
    assert contract.agreed_on is None and "Draft" in client.get(f"/cases/{case.id}/plan/contract").text
    signed = contract_form(case, version=contract.version)
    assert client.post(f"/cases/{case.id}/plan/contract/edit", data=signed).status_code == 302
    assert db.session.get(AttendanceContract, contract.id).agreed_on == TODAY and count(AttendanceContract) == 1
    stale = {**signed, "parent_commitments": "Lost"}
    assert client.post(f"/cases/{case.id}/plan/contract/edit", data=stale).status_code == 409
    unversioned = {**signed, "parent_commitments": "Lost", "version": ""}
    refused = client.post(f"/cases/{case.id}/plan/contract/edit", data=unversioned)
    assert refused.status_code == 400 and "This page is out of date" in refused.text
    assert db.session.get(AttendanceContract, contract.id).parent_commitments != "Lost"
    contract = db.session.get(AttendanceContract, contract.id)
    end = {"ended_on": day(TODAY), "reason": "Attendance improved", "version": contract.version}
    assert client.post(f"/cases/{case.id}/plan/contract/end", data={**end, "reason": ""}).status_code == 400
    bad = {**end, "ended_on": day(TODAY + timedelta(days=1))}
    assert client.post(f"/cases/{case.id}/plan/contract/end", data=bad).status_code == 400
    assert db.session.get(AttendanceContract, contract.id).ended_on is None
    assert client.post(f"/cases/{case.id}/plan/contract/end", data=end).status_code == 302
    assert db.session.get(AttendanceContract, contract.id).ended_on == TODAY
    assert contract_service.current_contract(case) is None and load_facts(case, officer).contract is None
    assert "Earlier contracts" in client.get(f"/cases/{case.id}/plan/contract").text


def test_school_leads_see_the_contract_but_do_not_change_it(client, case, lead):
    contract_service.save_contract(
        case,
        parent_commitments="On time",
        support_commitments="Mentor",
        party_ids=[participant(case, ParticipantRole.PARENT_CARER).id],
        agreed_on=TODAY,
        review_on=TODAY + timedelta(days=30),
        expected_version=None,
        actor=case.assigned_officer,
    )
    page = client.get(f"/cases/{case.id}/plan/contract")
    assert page.status_code == 200 and "On time" in page.text and "Change the contract" not in page.text
    assert client.get(f"/cases/{case.id}/plan/contract/edit").status_code == 403
    assert client.post(f"/cases/{case.id}/plan/contract/end", data={}).status_code == 403


def test_a_closed_case_plan_cannot_change(client, case, officer, plan):
    case.stage = CaseStage.CLOSED
    db.session.flush()
    form = {"description": "Phone home", "owner": "school", "due_on": day(TODAY)}
    response = client.post(f"/cases/{case.id}/plan/actions/new", data=form)
    assert response.status_code == 400 and "The case is closed" in response.text and count(Action) == 0
