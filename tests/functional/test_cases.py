"""Cases: opening, the overview's next steps, confirming steps, records, people, approvals, referrals."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    Approval,
    ApprovalStatus,
    Carer,
    Case,
    CaseParticipant,
    CaseRecord,
    CaseTransition,
    ParticipantRole,
    PupilCarer,
    Referral,
    ReferralStatus,
    Role,
)
from ewo_cases.services import approvals
from ewo_cases.services.cases import reassign
from workflows import CaseStage
from workflows.attendance import Band


@pytest.fixture
def school(make_school):
    return make_school(name="Home School")


@pytest.fixture
def officer(make_user, school):
    return make_user(Role.OFFICER, schools=[school], name="Olive Officer")


@pytest.fixture
def pupil(make_pupil, make_figures, school, db_session):
    pupil = make_pupil(school, forename="Casey", surname="Child")
    mother = Carer(carer_ref="MUM1", forename="Mia", surname="Child", address="1 Road")
    db_session.add(mother)
    db_session.flush()
    db_session.add(
        PupilCarer(
            pupil_id=pupil.id,
            carer_id=mother.id,
            relationship_to_pupil="Mother",
            parental_responsibility=True,
            lives_with_pupil=True,
        )
    )
    make_figures(pupil, Band.PERSISTENT, unauthorised_in_window=12)
    return pupil


def transitions(case_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(
        sa.select(CaseTransition).where(CaseTransition.case_id == case_id).order_by(CaseTransition.id)
    )
    return [(row.from_stage, row.trigger, row.to_stage) for row in rows]


def open_form(**overrides):
    return {"stage": "persistent", "reason": "Missing 1 day in 5", "officer": "", "school_contact": "0", **overrides}


def test_an_officer_opens_a_case_from_the_pupil_page(client, sign_in, officer, pupil):
    sign_in(officer)
    assert "Open a case" in client.get(f"/pupils/{pupil.id}").text
    response = client.post(f"/cases/new?pupil={pupil.id}", data=open_form(officer=str(officer.id)))
    case = db.session.scalars(sa.select(Case)).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.id}"
    assert case.stage == CaseStage.PERSISTENT and case.reference.startswith("EWO-")
    assert transitions(case.id) == [("none", "open", "persistent")]
    people = {(p.role, p.name) for p in db.session.scalars(sa.select(CaseParticipant))}
    assert people == {(ParticipantRole.PARENT_CARER, "Mia Child"), (ParticipantRole.CASE_OFFICER, "Olive Officer")}
    assert "Case EWO-" in client.get(f"/cases/{case.id}").text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": ""}, "Say why the case is being opened"),
        ({"stage": ""}, "Choose the stage to open the case at"),
        ({"officer": ""}, "Choose the officer for the case"),
        ({"stage": "severe"}, "The attendance band is severe absence, or a reason for opening at this stage is given"),
    ],
)
def test_opening_with_bad_input_is_explained_and_writes_nothing(client, sign_in, officer, pupil, overrides, message):
    sign_in(officer)
    response = client.post(f"/cases/new?pupil={pupil.id}", data=open_form(**{"officer": str(officer.id), **overrides}))
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_a_stage_that_does_not_match_the_band_needs_a_reason(client, sign_in, officer, pupil):
    sign_in(officer)
    response = client.post(
        f"/cases/new?pupil={pupil.id}",
        data=open_form(
            officer=str(officer.id), stage="severe", override_reason="Whole-family crisis; school asks for urgency"
        ),
    )
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Case)).one().stage == CaseStage.SEVERE


def test_a_child_has_one_open_case_at_a_time(client, sign_in, officer, pupil, make_case):
    make_case(pupil, officer=officer)
    sign_in(officer)
    response = client.post(f"/cases/new?pupil={pupil.id}", data=open_form(officer=str(officer.id)))
    assert response.status_code == 400 and "already has an open case" in response.text


def test_the_overview_explains_what_each_step_needs_and_links_to_it(client, sign_in, officer, pupil, make_case):
    case = make_case(pupil, officer=officer, unauthorised_in_window=12)
    sign_in(officer)
    page = client.get(f"/cases/{case.id}").text
    assert "Start early help" in page
    assert "The family&#39;s consent to early help has been recorded" in page
    assert f"/cases/{case.id}/records/new?kind=family_consent" in page
    assert f"/approvals/new/{case.id}/issue_fpn" in page


def test_closing_a_case_needs_a_reason_and_is_audited(client, sign_in, officer, pupil, make_case):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    refused = client.post(f"/cases/{case.id}/steps/close", data={"version": case.version})
    assert refused.status_code == 400 and "Choose why the case is being closed" in refused.text
    response = client.post(
        f"/cases/{case.id}/steps/close",
        data={"version": case.version, "closure_reason": "improved", "reason": "Back to 97%"},
    )
    assert response.status_code == 302
    assert db.session.get(Case, case.id).stage == CaseStage.CLOSED
    assert transitions(case.id)[-1] == ("persistent", "close", "closed")
    assert (
        db.session.scalars(sa.select(CaseTransition).order_by(CaseTransition.id.desc())).first().reason == "Back to 97%"
    )


def test_a_step_the_workflow_refuses_is_explained_and_changes_nothing(client, sign_in, officer, pupil, make_case):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    response = client.post(f"/cases/{case.id}/steps/start_early_help", data={"version": case.version})
    assert response.status_code == 400
    assert "A meeting with the family has been recorded" in response.text
    assert db.session.get(Case, case.id).stage == CaseStage.PERSISTENT
    assert transitions(case.id) == [("none", "open", "persistent")]


def test_a_step_on_a_stale_page_is_a_conflict(client, sign_in, officer, pupil, make_case):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    stale = case.version
    case.school_contact_id = officer.id  # someone else's change
    db.session.flush()
    response = client.post(f"/cases/{case.id}/steps/close", data={"version": stale, "closure_reason": "improved"})
    assert response.status_code == 409
    assert db.session.get(Case, case.id).stage == CaseStage.PERSISTENT


def test_records_are_added_and_withdrawn_never_changed(client, sign_in, officer, pupil, make_case):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    today = date.today()
    form = {
        "kind": "family_consent",
        "occurred_on": [str(today.day), str(today.month), str(today.year)],
        "details": "Signed at the family meeting",
    }
    assert client.post(f"/cases/{case.id}/records/new", data=form).status_code == 302
    record = db.session.scalars(sa.select(CaseRecord)).one()
    response = client.post(f"/cases/{case.id}/records/{record.id}/withdraw", data={"reason": "Wrong family"})
    assert response.status_code == 302
    withdrawal = db.session.scalars(sa.select(CaseRecord).where(CaseRecord.withdraws_id == record.id)).one()
    assert (
        withdrawal.details == "Wrong family"
        and db.session.get(CaseRecord, record.id).details == "Signed at the family meeting"
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "family_consent", "details": "x"}, "Enter the date"),
        ({"kind": "family_consent", "occurred_on": ["1", "1", "2099"], "details": "x"}, "The date must be today or"),
        ({"kind": "made_up", "occurred_on": ["1", "1", "2025"], "details": "x"}, "Not a valid choice"),
        ({"kind": "family_consent", "occurred_on": ["1", "1", "2025"], "details": ""}, "Give the details"),
    ],
)
def test_a_bad_record_is_refused(client, sign_in, officer, pupil, make_case, form, message):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    response = client.post(f"/cases/{case.id}/records/new", data=form)
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(CaseRecord.id))) == 0


def test_one_lead_practitioner_at_a_time(client, sign_in, officer, pupil, make_case, make_user):
    case = make_case(pupil, officer=officer)
    colleague, other = make_user(Role.OFFICER, name="Lee Lead"), make_user(Role.OFFICER, name="Nia Next")
    sign_in(officer)
    today = date.today()
    when = [str(today.day), str(today.month), str(today.year)]
    first = client.post(
        f"/cases/{case.id}/people/new",
        data={
            "person": f"user-{colleague.id}",
            "role": "lead_practitioner",
            "lead_practitioner": "y",
            "started_on": when,
        },
    )
    assert first.status_code == 302
    second = client.post(
        f"/cases/{case.id}/people/new",
        data={"person": f"user-{other.id}", "role": "lead_practitioner", "lead_practitioner": "y", "started_on": when},
    )
    assert second.status_code == 400 and "Lee Lead is the lead practitioner" in second.text


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, name="Mo Manager")


def test_an_approval_is_decided_by_another_manager_only(client, sign_in, officer, manager, pupil, make_case):
    case = make_case(pupil, officer=officer, unauthorised_in_window=12)
    sign_in(officer)
    assert (
        client.post(f"/approvals/new/{case.id}/issue_fpn", data={"reason": "Holiday in term time"}).status_code == 302
    )
    approval = db.session.scalars(sa.select(Approval)).one()
    assert (
        client.post(f"/approvals/{approval.id}", data={"decision": "approve", "version": approval.version}).status_code
        == 403
    )
    client.post("/sign-out")
    sign_in(manager)
    assert "Holiday in term time" in client.get(f"/approvals/{approval.id}").text
    rejected = client.post(f"/approvals/{approval.id}", data={"decision": "reject", "version": approval.version})
    assert rejected.status_code == 400 and "Say why the request is rejected" in rejected.text
    assert (
        client.post(f"/approvals/{approval.id}", data={"decision": "approve", "version": approval.version}).status_code
        == 302
    )
    decided = db.session.get(Approval, approval.id)
    assert decided.status == ApprovalStatus.APPROVED and decided.decided_by_id == manager.id


def test_a_manager_cannot_decide_their_own_request(client, sign_in, manager, pupil, make_case):
    case = make_case(pupil, officer=manager)
    approval = approvals.request(case, "close", reason="Family moved away", actor=manager)
    db.session.flush()
    sign_in(manager)
    assert "another team manager must decide it" in client.get(f"/approvals/{approval.id}").text
    response = client.post(f"/approvals/{approval.id}", data={"decision": "approve", "version": approval.version})
    assert response.status_code == 400 and "You cannot decide your own request" in response.text
    assert db.session.get(Approval, approval.id).status == ApprovalStatus.PENDING


@pytest.mark.parametrize(("role", "linked"), [(Role.SCHOOL_LEAD, False), (Role.OFFICER, True)])
def test_the_case_lists_its_approvals_linking_only_for_la_staff(
    client, sign_in, make_user, officer, pupil, make_case, role, linked
):
    case = make_case(pupil, officer=officer, unauthorised_in_window=12)
    approval = approvals.request(case, "issue_fpn", reason="Holiday in term time", actor=officer)
    db.session.flush()
    sign_in(officer if role is Role.OFFICER else make_user(role, schools=[pupil.school]))

    page = client.get(f"/cases/{case.id}").text

    assert "Issue penalty notices" in page
    assert (f'href="/approvals/{approval.id}"' in page) is linked


def test_a_school_refers_and_an_officer_accepts_by_opening_a_case(client, sign_in, make_user, officer, pupil, school):
    lead = make_user(Role.SCHOOL_LEAD, schools=[school], name="Lou Lead")
    sign_in(lead)
    assert "Refer to the attendance team" in client.get(f"/pupils/{pupil.id}").text
    assert (
        client.post(
            f"/referrals/new?pupil={pupil.id}", data={"reason": "Absent most Mondays", "support_so_far": "Two meetings"}
        ).status_code
        == 302
    )
    referral = db.session.scalars(sa.select(Referral)).one()
    assert client.post(f"/referrals/{referral.id}", data={"decision": "accept"}).status_code == 403
    client.post("/sign-out")
    sign_in(officer)
    response = client.post(
        f"/referrals/{referral.id}",
        data={"decision": "accept", "stage": "persistent", "officer": officer.id, "version": referral.version},
    )
    case = db.session.scalars(sa.select(Case)).one()
    assert response.headers["Location"] == f"/cases/{case.id}"
    referral = db.session.get(Referral, referral.id)
    assert referral.status == ReferralStatus.ACCEPTED and referral.case_id == case.id
    assert case.school_contact_id == lead.id


def test_declining_a_referral_needs_a_reason_the_school_sees(client, sign_in, make_user, officer, pupil, school):
    lead = make_user(Role.SCHOOL_LEAD, schools=[school])
    sign_in(lead)
    client.post(f"/referrals/new?pupil={pupil.id}", data={"reason": "Late", "support_so_far": "Calls"})
    referral = db.session.scalars(sa.select(Referral)).one()
    client.post("/sign-out")
    sign_in(officer)
    refused = client.post(f"/referrals/{referral.id}", data={"decision": "decline", "version": referral.version})
    assert refused.status_code == 400 and "Say why the referral is declined" in refused.text
    client.post(
        f"/referrals/{referral.id}",
        data={"decision": "decline", "reason": "Attendance now 97%", "version": referral.version},
    )
    client.post("/sign-out")
    sign_in(lead)
    assert "Attendance now 97%" in client.get(f"/referrals/{referral.id}").text


def test_a_manager_reassigns_cases_in_bulk(client, sign_in, manager, officer, make_case, make_pupil, school, make_user):
    cases = [make_case(make_pupil(school), officer=officer) for _ in range(3)]
    new_officer = make_user(Role.OFFICER, name="Nadia New")
    sign_in(manager)
    response = client.post(
        "/cases/reassign",
        data={"cases": [cases[0].id, cases[1].id], "officer": new_officer.id, "reason": "Caseload balance"},
    )
    assert response.status_code == 302
    assert [db.session.get(Case, c.id).assigned_officer_id for c in cases] == [
        new_officer.id,
        new_officer.id,
        officer.id,
    ]
    refused = client.post("/cases/reassign", data={"officer": new_officer.id, "reason": "x"})
    assert refused.status_code == 400 and "Choose at least one case" in refused.text
    unchosen = client.post("/cases/reassign", data={"cases": [cases[2].id], "officer": "", "reason": "x"})
    assert unchosen.status_code == 400 and "Choose the officer" in unchosen.text
    assert db.session.get(Case, cases[2].id).assigned_officer_id == officer.id
    audit = client.get(f"/cases/{cases[0].id}/audit").text
    assert "Reassigned" in audit and "from Olive Officer to Nadia New" in audit and "Caseload balance" in audit
    assert "Caseload balance" not in client.get(f"/cases/{cases[2].id}/audit").text


def test_reassigning_a_case_hands_over_its_officer_among_the_people_involved(
    client, sign_in, manager, officer, make_case, make_pupil, school, make_user
):
    case = make_case(make_pupil(school), officer=officer)
    new_officer = make_user(Role.OFFICER, name="Nadia New")
    sign_in(manager)
    client.post("/cases/reassign", data={"cases": [case.id], "officer": new_officer.id, "reason": "Caseload balance"})
    officers = {
        (person.name, person.ended_on is None)
        for person in db.session.scalars(
            sa.select(CaseParticipant).where(
                CaseParticipant.case_id == case.id, CaseParticipant.role == ParticipantRole.CASE_OFFICER
            )
        )
    }
    assert officers == {("Olive Officer", False), ("Nadia New", True)}
    # A new meeting invites the new officer, not the old one.
    page = client.get(f"/cases/{case.id}/meetings/new").text
    assert "Nadia New (Education welfare officer)" in page and "Olive Officer" not in page


def test_an_escalation_before_the_band_offers_to_ask_a_manager(client, sign_in, officer, manager, pupil, make_case):
    case = make_case(pupil, CaseStage.AT_RISK, officer=officer)
    sign_in(officer)
    ask = f"/approvals/new/{case.id}/escalate"
    assert ask in client.get(f"/cases/{case.id}").text
    approval = approvals.request(case, "escalate", reason="Two exclusions this term", actor=officer)
    approvals.decide(approval, approve=True, comment="", actor=manager, expected_version=approval.version)
    db.session.flush()
    assert ask not in client.get(f"/cases/{case.id}").text


def test_a_school_lead_cannot_reach_another_schools_case(
    client, sign_in, make_user, make_school, officer, pupil, make_case
):
    case = make_case(pupil, officer=officer)
    outsider = make_user(Role.SCHOOL_LEAD, schools=[make_school()])
    sign_in(outsider)
    for url in (
        f"/cases/{case.id}",
        f"/cases/{case.id}/people",
        f"/cases/{case.id}/steps/close",
        f"/cases/{case.id}/records/new",
        f"/approvals/new/{case.id}/close",
    ):
        assert client.get(url).status_code in (403, 404), url
    for search in (case.reference, pupil.upn, "Casey"):
        assert f"/cases/{case.id}" not in client.get(f"/cases/?q={search}").text


def test_an_officer_sees_a_case_assigned_to_them_outside_their_patch(
    client, sign_in, make_user, make_school, pupil, make_case, manager
):
    away = make_user(Role.OFFICER, schools=[make_school()])
    case = make_case(pupil, officer=manager)
    reassign([case], away, actor=manager, reason="Covering a colleague's patch")
    assert client.get("/").status_code == 302  # not signed in yet
    sign_in(away)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get(f"/pupils/{pupil.id}").status_code == 200


def test_the_audit_shows_steps_decisions_and_who_looked(client, sign_in, manager, officer, pupil, make_case):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    client.get(f"/cases/{case.id}")
    client.get(f"/cases/{case.id}/plan/")
    client.post("/sign-out")
    sign_in(manager)
    page = client.get(f"/cases/{case.id}/audit").text
    assert "replays through the workflow" in page and "Opened at the persistent absence stage" in page
    assert "Olive Officer (education welfare officer)" in page
    assert "Viewed the case" in page and "Viewed the action plan" in page
    assert db.session.scalar(sa.select(sa.func.count(AccessLog.id)).where(AccessLog.record_type == "case")) >= 1


def test_the_case_list_filters_and_reassigns_with_distinct_field_ids(
    client, sign_in, manager, officer, pupil, make_case
):
    make_case(pupil, officer=officer)
    sign_in(manager)
    page = client.get("/cases/").text
    assert page.count('id="officer"') == 1 and page.count('id="new-officer"') == 1
    assert '<label class="govuk-label govuk-label--s" for="new-officer">' in page
