"""Cases: opening, the overview's next steps, confirming steps, records, people, approvals, referrals."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    Agency,
    AgencyKind,
    Approval,
    ApprovalStatus,
    AuditEvent,
    Carer,
    Case,
    CaseParticipant,
    CaseRecord,
    CaseTransition,
    ParticipantRole,
    Professional,
    PupilCarer,
    Referral,
    ReferralStatus,
    Role,
)
from ewo_cases.services import approvals, participants
from ewo_cases.services.cases import reassign
from ewo_cases.services.errors import ServiceError
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
        ({"kind": "made_up", "occurred_on": ["1", "1", "2025"], "details": "x"}, "Select an answer from the list"),
        ({"kind": "family_consent", "occurred_on": ["1", "1", "2025"], "details": ""}, "Give the details"),
    ],
)
def test_a_bad_record_is_refused(client, sign_in, officer, pupil, make_case, form, message):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    response = client.post(f"/cases/{case.id}/records/new", data=form)
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(CaseRecord.id))) == 0


def boxes(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def add_url(case, key: str) -> str:
    return f"/cases/{case.id}/people/new?person={key}"


@pytest.fixture
def social_worker(db_session):
    agency = Agency(name="Children's Services", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    db_session.add(agency)
    db_session.flush()
    worker = Professional(agency_id=agency.id, name="Sam Social", job_title="Social worker")
    db_session.add(worker)
    db_session.flush()
    return worker


def add_social_worker(case, social_worker, officer, *, lead: bool = False) -> CaseParticipant:
    return participants.add_participant(
        case,
        social_worker,
        role=ParticipantRole.SOCIAL_WORKER,
        lead_practitioner=lead,
        started_on=date.today(),
        notes="",
        actor=officer,
    )


def audit_actions(case) -> list[str]:
    ids = sa.select(CaseParticipant.id).where(CaseParticipant.case_id == case.id)
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_type == "case_participants", AuditEvent.entity_id.in_(ids))
            .order_by(AuditEvent.id)
        )
    )


@pytest.mark.parametrize(
    ("who", "role", "allowed"),
    [
        ("carer", ParticipantRole.PARENT_CARER, True),
        ("carer", ParticipantRole.SOCIAL_WORKER, False),
        ("carer", ParticipantRole.OTHER, False),
        ("professional", ParticipantRole.PARENT_CARER, False),
        ("professional", ParticipantRole.SOCIAL_WORKER, True),
        ("professional", ParticipantRole.CASE_OFFICER, False),
        ("officer", ParticipantRole.PARENT_CARER, False),
        ("officer", ParticipantRole.KEY_WORKER, True),
        ("school_lead", ParticipantRole.PARENT_CARER, False),
        ("school_lead", ParticipantRole.SCHOOL_ATTENDANCE_LEAD, True),
        ("school_lead", ParticipantRole.CASE_OFFICER, False),
    ],
)
def test_a_role_must_fit_the_kind_of_person(officer, pupil, make_case, make_user, social_worker, who, role, allowed):
    case = make_case(pupil, officer=officer)
    db.session.execute(sa.delete(CaseParticipant).where(CaseParticipant.case_id == case.id))
    person = {
        "carer": lambda: pupil.carer_links[0].carer,
        "professional": lambda: social_worker,
        "officer": lambda: make_user(Role.OFFICER),
        "school_lead": lambda: make_user(Role.SCHOOL_LEAD, schools=[pupil.school]),
    }[who]()
    add = partial(
        participants.add_participant,
        case,
        person,
        role=role,
        lead_practitioner=False,
        started_on=date.today(),
        notes="",
        actor=officer,
    )
    if allowed:
        assert add().role == role
    else:
        with pytest.raises(ServiceError) as refusal:
            add()
        assert refusal.value.field == "role"
        assert db.session.scalar(sa.select(sa.func.count(CaseParticipant.id))) == 0


def test_the_form_offers_only_the_roles_that_fit_the_person(client, sign_in, officer, pupil, make_case, social_worker):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    choose = client.get(f"/cases/{case.id}/people/new").text
    assert (
        "Sam Social, Children" in choose
        and "Mia Child (Mother; Parental responsibility and lives with the child)" in choose
    )
    professional = client.get(add_url(case, f"professional-{social_worker.id}")).text
    assert 'value="social_worker"' in professional and 'value="parent_carer"' not in professional
    before = db.session.scalar(sa.select(sa.func.count(CaseParticipant.id)))
    faked = client.post(
        add_url(case, f"professional-{social_worker.id}"),
        data={"role": "parent_carer", "started_on": boxes(date.today())},
    )
    assert faked.status_code == 400 and "Select one of the roles listed" in faked.text
    assert db.session.scalar(sa.select(sa.func.count(CaseParticipant.id))) == before
    unknown = client.get(add_url(case, "professional-999999"))
    assert unknown.status_code == 400 and "Select the person to add from the list" in unknown.text


def test_the_staff_offered_are_the_local_authority_and_the_childs_own_school(
    client, sign_in, officer, pupil, make_case, make_user, make_school
):
    case = make_case(pupil, officer=officer)
    own_lead = make_user(Role.SCHOOL_LEAD, schools=[pupil.school], name="Own Lead")
    elsewhere = make_user(Role.SCHOOL_LEAD, schools=[make_school(name="Other School")], name="Far Lead")
    make_user(Role.MANAGER, name="Mo Manager")
    sign_in(officer)
    page = client.get(f"/cases/{case.id}/people/new").text
    assert "Own Lead" in page and "Mo Manager" in page and "Far Lead" not in page
    response = client.post(
        add_url(case, f"user-{elsewhere.id}"),
        data={"role": "school_attendance_lead", "started_on": boxes(date.today())},
    )
    assert response.status_code == 400
    assert elsewhere.id not in set(db.session.scalars(sa.select(CaseParticipant.user_id)))
    assert own_lead.id is not None


def test_adding_a_lead_hands_over_from_the_previous_one_who_stays_involved(
    client, sign_in, officer, pupil, make_case, make_user
):
    case = make_case(pupil, officer=officer)
    colleague, other = make_user(Role.OFFICER, name="Lee Lead"), make_user(Role.OFFICER, name="Nia Next")
    sign_in(officer)
    for person in (colleague, other):
        response = client.post(
            add_url(case, f"user-{person.id}"),
            data={"role": "key_worker", "lead_practitioner": "y", "started_on": boxes(date.today())},
        )
        assert response.status_code == 302
    people = {
        p.name: p for p in db.session.scalars(sa.select(CaseParticipant).where(CaseParticipant.case_id == case.id))
    }
    assert people["Nia Next"].is_lead_practitioner and not people["Lee Lead"].is_lead_practitioner
    assert people["Lee Lead"].is_current
    page = client.get(f"/cases/{case.id}/people").text
    assert len(re.findall(r'govuk-tag--blue">\s*Lead practitioner', page)) == 1
    assert audit_actions(case).count("participant.lead_handed_over") == 1


def test_make_lead_practitioner_moves_the_lead_and_the_timeline_records_the_handover(
    client, sign_in, officer, pupil, make_case, social_worker
):
    case = make_case(pupil, officer=officer)
    officer_part = db.session.scalar(
        sa.select(CaseParticipant).where(CaseParticipant.case_id == case.id, CaseParticipant.user_id == officer.id)
    )
    worker = add_social_worker(case, social_worker, officer, lead=True)
    sign_in(officer)
    assert (
        "Sam Social is the lead practitioner now" in client.get(f"/cases/{case.id}/people/{officer_part.id}/lead").text
    )
    stale = client.post(f"/cases/{case.id}/people/{officer_part.id}/lead", data={"version": officer_part.version + 1})
    assert stale.status_code == 409 and db.session.get(CaseParticipant, worker.id).is_lead_practitioner
    response = client.post(f"/cases/{case.id}/people/{officer_part.id}/lead", data={"version": officer_part.version})
    assert response.status_code == 302
    assert db.session.get(CaseParticipant, officer_part.id).is_lead_practitioner
    assert not db.session.get(CaseParticipant, worker.id).is_lead_practitioner
    assert db.session.get(CaseParticipant, worker.id).is_current
    timeline = client.get(f"/cases/{case.id}/timeline?kinds=people").text
    assert "Sam Social is no longer the lead practitioner; Olive Officer took over" in timeline
    assert "Sam Social joined the case as social worker" in timeline


def test_a_parent_cannot_be_made_the_lead_practitioner(client, sign_in, officer, pupil, make_case):
    case = make_case(pupil, officer=officer)
    parent = db.session.scalar(
        sa.select(CaseParticipant).where(CaseParticipant.case_id == case.id, CaseParticipant.carer_id.is_not(None))
    )
    sign_in(officer)
    response = client.post(f"/cases/{case.id}/people/{parent.id}/lead", data={"version": parent.version})
    assert response.status_code == 400 and "A parent or carer cannot be the lead practitioner" in response.text
    assert not db.session.get(CaseParticipant, parent.id).is_lead_practitioner


def test_changing_a_role_offers_roles_that_fit_and_keeps_the_change(
    client, sign_in, officer, pupil, make_case, social_worker
):
    case = make_case(pupil, officer=officer)
    worker = add_social_worker(case, social_worker, officer)
    sign_in(officer)
    url = f"/cases/{case.id}/people/{worker.id}/role"
    assert 'value="parent_carer"' not in client.get(url).text
    refused = client.post(url, data={"role": "parent_carer", "version": worker.version})
    assert (
        refused.status_code == 400 and db.session.get(CaseParticipant, worker.id).role == ParticipantRole.SOCIAL_WORKER
    )
    assert client.post(url, data={"role": "key_worker", "version": worker.version}).status_code == 302
    assert db.session.get(CaseParticipant, worker.id).role == ParticipantRole.KEY_WORKER
    assert "participant.role_changed" in audit_actions(case)


@pytest.mark.parametrize(
    ("started", "message"),
    [
        (date(1066, 1, 1), "The date they became involved must be on or after"),
        (date.today() + timedelta(days=1), "The date they became involved must be today or in the past"),
    ],
)
def test_an_implausible_start_date_is_refused(
    client, sign_in, officer, pupil, make_case, social_worker, started, message
):
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    before = db.session.scalar(sa.select(sa.func.count(CaseParticipant.id)))
    response = client.post(
        add_url(case, f"professional-{social_worker.id}"), data={"role": "social_worker", "started_on": boxes(started)}
    )
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(CaseParticipant.id))) == before


def test_the_people_page_shows_each_carers_s576_basis(client, sign_in, officer, pupil, make_case, db_session):
    grandmother = Carer(carer_ref="GRAN1", forename="Gwen", surname="Gran", address="2 Road")
    db_session.add(grandmother)
    db_session.flush()
    db_session.add(
        PupilCarer(
            pupil_id=pupil.id,
            carer_id=grandmother.id,
            relationship_to_pupil="Grandmother",
            parental_responsibility=False,
            lives_with_pupil=False,
        )
    )
    case = make_case(pupil, officer=officer)
    sign_in(officer)
    page = client.get(f"/cases/{case.id}/people").text
    assert "s576 parent: parental responsibility and lives with the child" in page
    assert "Not a parent under s576" in page
    assert "Gwen Gran (Grandmother; Not a parent under s576)" in client.get(f"/cases/{case.id}/people/new").text


def test_the_school_contact_is_named_after_opening(client, sign_in, officer, pupil, make_case, make_user, make_school):
    case = make_case(pupil, officer=officer)
    lead = make_user(Role.SCHOOL_LEAD, schools=[pupil.school], name="Lou Lead")
    elsewhere = make_user(Role.SCHOOL_LEAD, schools=[make_school(name="Other School")], name="Far Lead")
    sign_in(officer)
    assert f'href="/cases/{case.id}/school-contact"' in client.get(f"/cases/{case.id}").text
    url = f"/cases/{case.id}/school-contact"
    assert "Far Lead" not in client.get(url).text
    refused = client.post(url, data={"school_contact": elsewhere.id, "version": case.version})
    assert refused.status_code == 400 and db.session.get(Case, case.id).school_contact_id is None
    assert client.post(url, data={"school_contact": lead.id, "version": case.version}).status_code == 302
    changed = db.session.get(Case, case.id)
    assert changed.school_contact_id == lead.id
    assert lead.id in set(
        db.session.scalars(sa.select(CaseParticipant.user_id).where(CaseParticipant.case_id == case.id))
    )
    assert client.post(url, data={"school_contact": lead.id, "version": changed.version - 1}).status_code == 409


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, name="Mo Manager")


def test_an_approval_is_decided_by_another_manager_only(client, sign_in, officer, manager, pupil, make_case):
    case = make_case(pupil, officer=officer, unauthorised_in_window=12)
    sign_in(officer)
    assert (
        client.post(
            f"/approvals/new/{case.id}/issue_fpn",
            data={"reason": "Holiday in term time", "parents": [pupil.carer_links[0].carer_id]},
        ).status_code
        == 302
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
    # What the school tried travels with the case, into its opening reason and first timeline entry.
    assert "Support the school has given so far: Two meetings" in case.opening_reason
    assert "Support the school has given so far: Two meetings" in client.get(f"/cases/{case.id}/timeline").text


def test_a_child_already_on_an_open_case_is_not_referred(client, sign_in, make_user, officer, pupil, school, make_case):
    case = make_case(pupil, officer=officer)
    lead = make_user(Role.SCHOOL_LEAD, schools=[school], name="Lou Lead")
    sign_in(lead)
    assert f"is already on case {case.reference}, which is open" in client.get(f"/referrals/new?pupil={pupil.id}").text
    response = client.post(
        f"/referrals/new?pupil={pupil.id}", data={"reason": "Absent most Mondays", "support_so_far": "Two meetings"}
    )
    assert response.status_code == 400
    assert f"Casey Child is already on case {case.reference}, which is open" in response.text
    assert "contact its officer, Olive Officer" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


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
        f"/cases/{case.id}/people/new",
        f"/cases/{case.id}/school-contact",
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


# --- the case list ----------------------------------------------------------------------------------------


@pytest.fixture
def three_cases(make_pupil, make_case, make_school, officer, make_user, school):
    """Three open cases: different children, schools, officers, stages and days opened."""
    other_school = make_school(name="Abbey School")
    officer.schools.append(other_school)
    second_officer = make_user(Role.OFFICER, schools=[school, other_school], name="Ada Officer")
    made = []
    for index, (forename, surname, where, by, stage, sen) in enumerate(
        [
            ("Zed", "Young", school, officer, CaseStage.AT_RISK, "K"),
            ("Amy", "Adams", other_school, second_officer, CaseStage.SEVERE, "E"),
            ("Max", "Moss", school, second_officer, CaseStage.PERSISTENT, "N"),
        ]
    ):
        case = make_case(make_pupil(where, forename=forename, surname=surname, sen_status=sen), stage, officer=by)
        case.opened_at -= timedelta(days=10 * index)
        case.stage_changed_at -= timedelta(days=3 * (2 - index))
        made.append(case)
    db.session.flush()
    return made


def listed(response) -> list[str]:
    """The children's names in the order the list shows them."""
    return re.findall(r'<td class="govuk-table__cell">(\w+ \w+)<br>', response.text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Max Moss", "Amy Adams", "Zed Young"]),
        ("?sort=child", ["Amy Adams", "Max Moss", "Zed Young"]),
        ("?sort=child&order=desc", ["Zed Young", "Max Moss", "Amy Adams"]),
        ("?sort=school", ["Amy Adams", "Max Moss", "Zed Young"]),
        ("?sort=officer", ["Amy Adams", "Max Moss", "Zed Young"]),
        ("?sort=opened", ["Zed Young", "Amy Adams", "Max Moss"]),
        ("?sort=opened&order=asc", ["Max Moss", "Amy Adams", "Zed Young"]),
        ("?sort=in_stage", ["Max Moss", "Amy Adams", "Zed Young"]),
        ("?sort=stage", ["Zed Young", "Max Moss", "Amy Adams"]),
    ],
)
def test_the_case_list_sorts_by_each_column(client, sign_in, officer, three_cases, query, expected):
    sign_in(officer)
    response = client.get(f"/cases/{query}")
    assert response.status_code == 200 and listed(response) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?band=severe", ["Amy Adams"]),
        ("?band=at_risk", ["Zed Young"]),
        ("?band=none", []),
        ("?cohort=sen_support", ["Zed Young"]),
        ("?cohort=sen_support&cohort=ehcp", ["Amy Adams", "Zed Young"]),
        ("?stage=persistent", ["Max Moss"]),
        ("?q=moss", ["Max Moss"]),
        ("?status=closed", []),
    ],
)
def test_the_case_list_filters_and_counts_what_it_shows(client, sign_in, officer, three_cases, query, expected):
    sign_in(officer)
    response = client.get(f"/cases/{query}&sort=child")
    assert response.status_code == 200 and listed(response) == expected
    count = len(expected)
    assert f"{count} {'case' if count == 1 else 'cases'}</p>" in response.text


def test_the_case_list_filters_by_school_and_officer(client, sign_in, officer, three_cases):
    _zed, amy, max_ = three_cases
    sign_in(officer)
    by_school = client.get(f"/cases/?school={amy.pupil.school_id}&sort=child")
    assert listed(by_school) == ["Amy Adams"] and "1 case</p>" in by_school.text
    by_officer = client.get(f"/cases/?officer={max_.assigned_officer_id}&sort=child")
    assert listed(by_officer) == ["Amy Adams", "Max Moss"] and "2 cases</p>" in by_officer.text


def test_sorting_keeps_the_filters_and_paging_keeps_both(client, sign_in, officer, three_cases, monkeypatch):
    from ewo_cases.views import cases as case_views

    monkeypatch.setattr(case_views, "PAGE_SIZE", 1)
    sign_in(officer)
    page = client.get("/cases/?status=open&sort=child&order=asc").text
    assert "sort=child" in page and 'name="sort" value="child"' in page
    assert 'href="/cases/?status=open&amp;sort=child&amp;order=asc&amp;page=2"' in page
    assert 'aria-sort="ascending"' in page


def test_ticking_two_cohorts_shows_children_in_either(client, sign_in, officer, three_cases):
    sign_in(officer)
    response = client.get("/cases/?cohort=sen_support&cohort=ehcp&sort=child")
    assert listed(response) == ["Amy Adams", "Zed Young"]
    assert "Only children who (any of these)" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?q=" + "x" * 101, "Name, UPN or case reference must be 100 characters or fewer"),
        ("?stage=nowhere", "Select the stage from the list"),
        ("?cohort=left_handed", "Select the groups of children from the list"),
        ("?sort=shoe_size", "Sort by one of the columns"),
        ("?order=sideways", "Sort ascending or descending"),
    ],
)
def test_bad_list_filters_show_the_list_with_an_error_summary(client, sign_in, officer, three_cases, query, message):
    sign_in(officer)
    response = client.get(f"/cases/{query}")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and message in response.text
    assert "There is a problem with your request" not in response.text
    assert len(listed(response)) == 3 and response.text.count("<title>Error: Cases") == 1


# --- the directory ----------------------------------------------------------------------------------------


def test_an_agency_is_added_then_changed_only_over_the_version_loaded(client, sign_in, officer):
    sign_in(officer)
    form = {"name": "Anytown Homes", "kind": "housing", "phone": "", "email": "", "active": "y"}
    assert client.post("/directory/agencies/new", data=form).status_code == 302
    agency = db.session.scalars(sa.select(Agency)).one()
    url = f"/directory/agencies/{agency.id}"
    unversioned = client.post(url, data={**form, "name": "Overwritten"})
    assert unversioned.status_code == 400 and "This page is out of date" in unversioned.text
    loaded = agency.version
    assert client.post(url, data={**form, "name": "Anytown Housing", "version": loaded}).status_code == 302
    stale = client.post(url, data={**form, "name": "Lost", "version": loaded})
    assert stale.status_code == 409 and "Lost" in stale.text and f'href="{url}"' in stale.text
    assert db.session.get(Agency, agency.id).name == "Anytown Housing"
    bad = client.post("/directory/agencies/new", data={**form, "name": "x" * 201, "email": "nobody"})
    assert bad.status_code == 400
    assert "Name must be 200 characters or fewer" in bad.text and "Enter an email address like" in bad.text
    assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == 1
