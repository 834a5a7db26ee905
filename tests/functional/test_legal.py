"""Legal pages: each step writes its records and moves the case only when the workflow allows, with the
guards' own explanation when it does not; amounts and clocks at their date boundaries; the hearing
warning; outcomes; the register and its CSV; the caseload; scoping; and bad input writes nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    Approval,
    ApprovalStatus,
    Case,
    CaseRecord,
    CaseTransition,
    CourtHearing,
    Eso,
    EsoBreach,
    EsoExtension,
    EsoStatus,
    NoticeToImprove,
    PenaltyNotice,
    ProsecutedParent,
    Prosecution,
    RecordKind,
    Role,
)
from tests.legal_support import (
    add_notice,
    approve,
    count,
    day_fields,
    family_fixture,  # noqa: F401 (fixtures)
    legal_case_fixture,  # noqa: F401
    make_family_fixture,  # noqa: F401
    mark_school_weeks,
    ready_to_prosecute,
    record,
    staff_fixture,  # noqa: F401
    today_fixture,  # noqa: F401
)
from workflows import CaseStage
from workflows.attendance import Band, monday_on_or_before
from workflows.legal import NoticeKind, WithdrawalGround


def switch_to(client, sign_in, user) -> None:
    """Sign out whoever is signed in, then sign in as ``user``."""
    client.post("/sign-out")
    sign_in(user)


def url(case, path: str = "") -> str:
    return f"/cases/{case.id}/legal{path}"


def notice_to_improve_form(day, weeks: int = 4, **changes) -> dict:
    return {
        "issued_on": day_fields(day),
        "improvement_starts_on": day_fields(day),
        "weeks": str(weeks),
        "holiday_weeks": "0",
        "sufficient_improvement": "No unauthorised absence",
        **changes,
    }


def notices_form(day, *carers, **changes) -> dict:
    return {
        "parents": [str(carer.id) for carer in carers],
        "issued_on": day_fields(day),
        "period_start": day_fields(day - timedelta(days=40)),
        "period_end": day_fields(day - timedelta(days=10)),
        **changes,
    }


# --- notice to improve ------------------------------------------------------------------------------------


def test_a_notice_to_improve_is_issued_with_its_period_and_moves_the_case(client, sign_in, legal_case, staff, today):
    case = legal_case()
    record(case, RecordKind.SUPPORT_OFFERED, staff.officer)
    sign_in(staff.officer)

    response = client.post(url(case, "/notice-to-improve/new"), data=notice_to_improve_form(today, weeks=4))

    assert response.status_code == 302
    notice = db.session.scalar(sa.select(NoticeToImprove).where(NoticeToImprove.case_id == case.id))
    assert (notice.improvement_starts_on, notice.improvement_ends_on) == (today, today + timedelta(weeks=4))
    assert case.stage == CaseStage.NOTICE_TO_IMPROVE
    page = client.get(url(case)).text
    assert "4 school weeks" in page and "the period ends in 28 days" in page


def test_holiday_weeks_within_the_improvement_period_do_not_count_as_school_weeks(
    client, sign_in, legal_case, staff, today
):
    case = legal_case()
    record(case, RecordKind.SUPPORT_OFFERED, staff.officer)
    sign_in(staff.officer)

    response = client.post(
        url(case, "/notice-to-improve/new"), data=notice_to_improve_form(today, weeks=6, holiday_weeks="2")
    )

    assert response.status_code == 302
    notice = db.session.scalar(sa.select(NoticeToImprove).where(NoticeToImprove.case_id == case.id))
    assert notice.improvement_ends_on == today + timedelta(weeks=8)
    assert "6 school weeks, with 2 weeks of holiday" in client.get(url(case)).text


@pytest.mark.parametrize(
    ("holiday_weeks", "message"),
    [(None, "Choose how many weeks of holiday"), ("3", "Choose how many weeks of holiday from the list")],
)
def test_the_holiday_weeks_must_be_chosen_from_the_list(
    client, sign_in, legal_case, staff, today, holiday_weeks, message
):
    case = legal_case()
    record(case, RecordKind.SUPPORT_OFFERED, staff.officer)
    sign_in(staff.officer)
    data = notice_to_improve_form(today)
    data.pop("holiday_weeks")
    if holiday_weeks is not None:
        data["holiday_weeks"] = holiday_weeks

    response = client.post(url(case, "/notice-to-improve/new"), data=data)

    assert response.status_code == 400 and message in response.text
    assert count(NoticeToImprove) == 0 and case.stage == CaseStage.PERSISTENT


def test_a_notice_to_improve_is_refused_without_support_offered_and_writes_nothing(
    client, sign_in, legal_case, staff, today
):
    case = legal_case()
    sign_in(staff.officer)

    response = client.post(url(case, "/notice-to-improve/new"), data=notice_to_improve_form(today))

    assert response.status_code == 400
    assert "Support offered to the family has been recorded" in response.text
    assert count(NoticeToImprove) == 0 and case.stage == CaseStage.PERSISTENT


def test_below_the_threshold_a_notice_to_improve_needs_a_reason(client, sign_in, legal_case, staff, today):
    case = legal_case(unauthorised_in_window=4)
    record(case, RecordKind.SUPPORT_OFFERED, staff.officer)
    sign_in(staff.officer)

    refused = client.post(url(case, "/notice-to-improve/new"), data=notice_to_improve_form(today))
    allowed = client.post(
        url(case, "/notice-to-improve/new"),
        data=notice_to_improve_form(today, threshold_reason="A pattern of Monday absence the school has evidenced"),
    )

    assert refused.status_code == 400 and "or a reason to act is recorded" in refused.text
    assert allowed.status_code == 302 and case.stage == CaseStage.NOTICE_TO_IMPROVE


def test_the_outcome_waits_for_the_end_of_the_improvement_period(client, sign_in, legal_case, staff, today):
    case = legal_case(CaseStage.NOTICE_TO_IMPROVE)
    notice = NoticeToImprove(
        case_id=case.id,
        issued_on=today - timedelta(days=20),
        improvement_starts_on=today - timedelta(days=20),
        improvement_ends_on=today - timedelta(days=20) + timedelta(weeks=3),
        sufficient_improvement="No unauthorised absence",
        issued_by_id=staff.officer.id,
    )
    db.session.add(notice)
    db.session.flush()
    mark_school_weeks(case.pupil, monday_on_or_before(today - timedelta(days=20)), 4, unauthorised_per_week=1)
    sign_in(staff.officer)
    answer = {"improved": "no", "assessed_on": day_fields(today)}

    early = client.post(url(case, "/notice-to-improve/outcome"), data={**answer, "version": notice.version})
    notice.improvement_ends_on = today
    page = client.get(url(case, "/notice-to-improve/outcome")).text
    on_the_last_day = client.post(url(case, "/notice-to-improve/outcome"), data={**answer, "version": notice.version})

    assert early.status_code == 400 and "record the outcome after that" in early.text
    assert "The registers for the period" in page and "unauthorised sessions" in page
    assert on_the_last_day.status_code == 302
    assert notice.improved is False and notice.outcome_recorded_on == today


@pytest.mark.parametrize(("school_weeks", "refused"), [(2, True), (3, False)])
def test_a_period_the_registers_show_held_too_few_school_weeks_cannot_have_failed(
    client, sign_in, legal_case, staff, today, school_weeks, refused
):
    """A period running into the summer holiday: three calendar weeks, but only two with sessions."""
    case = legal_case(CaseStage.NOTICE_TO_IMPROVE)
    start = monday_on_or_before(today - timedelta(weeks=4))
    notice = NoticeToImprove(
        case_id=case.id,
        issued_on=start,
        improvement_starts_on=start,
        improvement_ends_on=start + timedelta(weeks=3),
        sufficient_improvement="No unauthorised absence",
        issued_by_id=staff.officer.id,
    )
    db.session.add(notice)
    db.session.flush()
    mark_school_weeks(case.pupil, start, school_weeks, unauthorised_per_week=3)
    sign_in(staff.officer)

    failed = client.post(
        url(case, "/notice-to-improve/outcome"),
        data={"improved": "no", "assessed_on": day_fields(today), "version": notice.version},
    )

    if refused:
        assert failed.status_code == 400
        assert "The registers show 2 school weeks with 6 unauthorised sessions between" in failed.text
        assert notice.improved is None
        improved = client.post(
            url(case, "/notice-to-improve/outcome"),
            data={"improved": "yes", "assessed_on": day_fields(today), "version": notice.version},
        )
        assert improved.status_code == 302 and notice.improved is True
    else:
        assert failed.status_code == 302 and notice.improved is False


# --- penalty notices: issuing, approvals and the cap --------------------------------------------------------


def assessed_notice_to_improve(case, staff, today, *, improved: bool) -> NoticeToImprove:
    """A notice whose 4-week improvement period ended a week ago, assessed; the registers of those weeks kept."""
    notice = NoticeToImprove(
        case_id=case.id,
        issued_on=today - timedelta(weeks=5),
        improvement_starts_on=today - timedelta(weeks=5),
        improvement_ends_on=today - timedelta(weeks=1),
        sufficient_improvement="No unauthorised absence",
        improved=improved,
        outcome_recorded_on=today - timedelta(days=3),
        issued_by_id=staff.officer.id,
    )
    db.session.add(notice)
    db.session.flush()
    mark_school_weeks(case.pupil, monday_on_or_before(today - timedelta(weeks=5)), 5, unauthorised_per_week=2)
    return notice


@pytest.fixture
def failed_notice_to_improve(legal_case, staff, today):
    """A case at notice to improve whose improvement period ended without improvement."""
    case = legal_case(CaseStage.NOTICE_TO_IMPROVE)
    assessed_notice_to_improve(case, staff, today, improved=False)
    return case


def test_penalty_notices_go_one_to_each_parent_with_an_approval(
    client, sign_in, failed_notice_to_improve, family, staff, today
):
    case = failed_notice_to_improve
    approval = approve(case, "issue_fpn", staff)
    sign_in(staff.officer)

    response = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother, family.father))

    assert response.status_code == 302
    notices = db.session.scalars(sa.select(PenaltyNotice).order_by(PenaltyNotice.id)).all()
    assert [(n.carer_id, n.kind) for n in notices] == [
        (family.mother.id, NoticeKind.FIRST),
        (family.father.id, NoticeKind.FIRST),
    ]
    assert all(n.reference == f"PN-{today:%y}-{n.id:04d}" for n in notices)
    assert case.stage == CaseStage.FPN
    assert approval.used_at is not None


@pytest.mark.parametrize(
    ("approval", "message"),
    [
        (None, "A manager other than the requester has approved issuing the penalty notices"),
        ("self", "A manager other than the requester has approved issuing the penalty notices"),
        ("used", "and it is not yet used"),
        ("rejected", "A manager other than the requester has approved issuing the penalty notices"),
    ],
)
def test_penalty_notices_are_refused_without_a_usable_approval(
    client, sign_in, failed_notice_to_improve, family, staff, today, approval, message
):
    case = failed_notice_to_improve
    if approval is not None:
        db.session.add(
            Approval(
                case_id=case.id,
                trigger="issue_fpn",
                reason="Please",
                requested_by_id=staff.manager.id,
                status=ApprovalStatus.REJECTED if approval == "rejected" else ApprovalStatus.APPROVED,
                decided_by_id=staff.manager.id if approval == "self" else staff.other_manager.id,
                used_at=db.func.now() if approval == "used" else None,
            )
        )
        db.session.flush()
    sign_in(staff.officer)

    response = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother))

    assert response.status_code == 400
    assert message in response.text
    assert count(PenaltyNotice) == 0 and case.stage == CaseStage.NOTICE_TO_IMPROVE


def test_a_step_parent_cannot_receive_a_notice(client, sign_in, failed_notice_to_improve, family, staff, today):
    case = failed_notice_to_improve
    approve(case, "issue_fpn", staff)
    sign_in(staff.officer)

    page = client.get(url(case, "/penalty-notices/new")).text
    response = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.stepfather))

    assert "Not a parent under section 576" in page
    assert response.status_code == 400 and "from the list" in response.text
    assert count(PenaltyNotice) == 0


def test_without_a_notice_to_improve_support_must_be_recorded_as_not_appropriate(
    client, sign_in, legal_case, family, staff, today
):
    case = legal_case()
    approve(case, "issue_fpn", staff, parents=[family.mother])
    sign_in(staff.officer)

    refused = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother))
    record(case, RecordKind.SUPPORT_NOT_APPROPRIATE, staff.officer, "Term-time holiday to Spain")
    allowed = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother))

    assert refused.status_code == 400 and "Support is recorded as not appropriate" in refused.text
    assert allowed.status_code == 302 and case.stage == CaseStage.FPN


def test_a_second_notice_within_3_years_is_flat_160_and_a_third_is_refused(
    client, sign_in, make_case, family, staff, failed_notice_to_improve, today
):
    case = failed_notice_to_improve
    # An earlier case's notices count towards the cap.
    earlier = add_notice(
        case, family.mother, staff.officer, issued_on=today - timedelta(days=400), paid_on=today - timedelta(days=390)
    )
    earlier.case_id = case.id  # (kept on this case's pupil; the case of issue does not matter)
    approve(case, "issue_fpn", staff, parents=[family.mother])
    sign_in(staff.officer)

    page = client.get(url(case, "/penalty-notices/new")).text
    assert f"Second notice within 3 years (after {earlier.reference}" in page

    client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother))
    second = db.session.scalars(sa.select(PenaltyNotice).order_by(PenaltyNotice.id.desc())).first()
    assert second.kind is NoticeKind.SECOND

    case.stage = CaseStage.NOTICE_TO_IMPROVE  # as if a new breach: the cap, not the stage, must refuse
    approve(case, "issue_fpn", staff, parents=[family.mother])
    page = client.get(url(case, "/penalty-notices/new")).text
    third = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother))

    assert "Cannot receive a third notice for this child within 3 years" in page
    assert third.status_code == 400
    assert (
        "Each parent named has had fewer than 2 penalty notices (not withdrawn) for this child in the last 3 years"
        in third.text
    )
    assert count(PenaltyNotice) == 2


def test_a_withdrawn_notice_does_not_count_towards_the_cap(
    client, sign_in, failed_notice_to_improve, family, staff, today
):
    case = failed_notice_to_improve
    for days in (300, 200):
        add_notice(case, family.mother, staff.officer, issued_on=today - timedelta(days=days))
    first = db.session.scalars(sa.select(PenaltyNotice).order_by(PenaltyNotice.id)).first()
    first.withdrawn_on, first.withdrawal_ground = today - timedelta(days=250), WithdrawalGround.CONTAINS_MATERIAL_ERRORS
    approve(case, "issue_fpn", staff, parents=[family.mother])
    sign_in(staff.officer)

    response = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother))

    assert response.status_code == 302
    assert (
        db.session.scalars(sa.select(PenaltyNotice).order_by(PenaltyNotice.id.desc())).first().kind is NoticeKind.SECOND
    )


# --- amounts and clocks at their boundaries ---------------------------------------------------------------


@pytest.fixture
def fpn_case(legal_case):
    return legal_case(CaseStage.FPN)


@pytest.mark.parametrize(
    ("kind", "paid_day", "amount", "accepted", "message"),
    [
        (NoticeKind.FIRST, 21, 80, True, None),
        (NoticeKind.FIRST, 21, 160, False, "a first notice costs £80"),
        (NoticeKind.FIRST, 22, 80, False, "a first notice costs £160"),
        (NoticeKind.FIRST, 22, 160, True, None),
        (NoticeKind.FIRST, 28, 160, True, None),
        (NoticeKind.FIRST, 29, 160, False, "The 28 days to pay ended"),
        (NoticeKind.SECOND, 1, 80, False, "A second notice costs £160"),
        (NoticeKind.SECOND, 1, 160, True, None),
        (NoticeKind.SECOND, 29, 160, False, "The 28 days to pay ended"),
    ],
)
def test_payments_are_checked_against_the_amount_due_that_day(
    client, sign_in, fpn_case, family, staff, today, kind, paid_day, amount, accepted, message
):
    received = today - timedelta(days=paid_day)
    notice = add_notice(
        fpn_case, family.mother, staff.officer, issued_on=received - timedelta(days=2), received_on=received, kind=kind
    )
    sign_in(staff.officer)

    response = client.post(
        url(fpn_case, f"/penalty-notices/{notice.id}/payment"),
        data={"paid_on": day_fields(today), "amount": str(amount), "version": notice.version},
    )

    assert (response.status_code == 302) is accepted
    assert notice.paid_on == (today if accepted else None)
    if message:
        assert message in response.text


@pytest.mark.parametrize(
    ("days_since_receipt", "expected"),
    [
        (21, "£80 if paid today"),
        (22, "£160 if paid today"),
        (28, "£160 if paid today"),
        (29, "Prosecute or withdraw: decision due"),
    ],
)
def test_the_legal_page_shows_the_amount_today_and_the_prosecute_or_withdraw_prompt(
    client, sign_in, fpn_case, family, staff, today, days_since_receipt, expected
):
    received = today - timedelta(days=days_since_receipt)
    add_notice(fpn_case, family.mother, staff.officer, issued_on=received, received_on=received)
    sign_in(staff.officer)

    page = client.get(url(fpn_case)).text

    assert expected in page
    assert ("Prosecute or withdraw" in page) is (days_since_receipt > 28)


def test_receipt_starts_the_clocks(client, sign_in, fpn_case, family, staff, today):
    notice = add_notice(fpn_case, family.mother, staff.officer, issued_on=today - timedelta(days=3))
    sign_in(staff.officer)

    before = client.get(url(fpn_case)).text
    client.post(
        url(fpn_case, f"/penalty-notices/{notice.id}/received"),
        data={"received_on": day_fields(today - timedelta(days=1)), "version": notice.version},
    )
    after = client.get(url(fpn_case)).text

    assert "The clocks start when it is received" in before
    assert notice.received_on == today - timedelta(days=1)
    assert f"£80 if paid by {(today + timedelta(days=20)).day}" in after


def test_a_payment_can_be_recorded_with_the_date_of_receipt_when_it_was_not_known(
    client, sign_in, fpn_case, family, staff, today
):
    notice = add_notice(fpn_case, family.mother, staff.officer, issued_on=today - timedelta(days=10))
    sign_in(staff.officer)

    response = client.post(
        url(fpn_case, f"/penalty-notices/{notice.id}/payment"),
        data={
            "received_on": day_fields(today - timedelta(days=8)),
            "paid_on": day_fields(today),
            "amount": "£80",
            "version": notice.version,
        },
    )

    assert response.status_code == 302
    assert (notice.received_on, notice.paid_on, notice.amount_paid) == (today - timedelta(days=8), today, 80)


def test_a_notice_is_withdrawn_on_a_statutory_ground(client, sign_in, fpn_case, family, staff, today):
    notice = add_notice(fpn_case, family.mother, staff.officer, issued_on=today - timedelta(days=3))
    sign_in(staff.officer)

    response = client.post(
        url(fpn_case, f"/penalty-notices/{notice.id}/withdraw"),
        data={
            "withdrawn_on": day_fields(today),
            "ground": "issued_to_wrong_person",
            "note": "Sent to the aunt",
            "version": notice.version,
        },
    )

    assert response.status_code == 302
    assert notice.withdrawal_ground is WithdrawalGround.ISSUED_TO_WRONG_PERSON
    assert "It was issued to the wrong person" in client.get(url(fpn_case)).text


# --- education supervision orders -------------------------------------------------------------------------


def test_an_eso_application_needs_failed_support_social_care_and_an_approval(client, sign_in, legal_case, staff, today):
    case = legal_case(CaseStage.PERSISTENT)
    sign_in(staff.officer)
    form = {"applied_on": day_fields(today)}

    refused = client.post(url(case, "/eso/new"), data=form)
    record(case, RecordKind.SUPPORT_FAILED, staff.officer, "Three plans, none engaged with")
    record(case, RecordKind.SOCIAL_CARE_CONSULTED, staff.officer, "Duty team: no objection")
    approve(case, "apply_eso", staff)
    allowed = client.post(url(case, "/eso/new"), data=form)

    assert refused.status_code == 400
    for needed in (
        "Voluntary support has been tried and has failed or been refused",
        "Children&#39;s social care has been consulted",
        "approved applying for an education supervision order",
    ):
        assert needed in refused.text
    assert allowed.status_code == 302 and case.stage == CaseStage.ESO
    assert count(Eso) == 1


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ("yes", 400, "The child is not in the care of a local authority under a care order"),
        (None, 400, "Say whether the child is subject to a care order"),
        ("no", 302, None),  # looked after, but accommodated under s20: not in care, so an order can be made
    ],
    ids=["care-order", "not-answered", "accommodated-s20"],
)
def test_an_eso_is_barred_only_for_a_child_under_a_care_order(
    client, sign_in, legal_case, family, staff, today, answer, status, message
):
    family.pupil.looked_after = True
    case = legal_case(CaseStage.PERSISTENT)
    record(case, RecordKind.SUPPORT_FAILED, staff.officer)
    record(case, RecordKind.SOCIAL_CARE_CONSULTED, staff.officer)
    approve(case, "apply_eso", staff)
    sign_in(staff.officer)

    card = client.get(url(case, "/eso/new")).text
    page = client.get(url(case, "/eso/new?considered=1")).text
    data = {"applied_on": day_fields(today), "needs_considered": "y"}
    if answer:
        data["subject_to_care_order"] = answer
    response = client.post(url(case, "/eso/new"), data=data)

    assert "is looked after: involve their social worker and the Virtual School Head" in card
    assert "Is the child subject to a care order?" in page
    assert response.status_code == status
    if message:
        assert message in response.text and count(Eso) == 0 and case.stage == CaseStage.PERSISTENT
    else:
        assert case.stage == CaseStage.ESO
        assert db.session.scalars(sa.select(Eso)).one().subject_to_care_order is False


def test_the_care_order_question_is_asked_only_for_a_looked_after_child(client, sign_in, legal_case, staff, today):
    case = legal_case(CaseStage.PERSISTENT)
    sign_in(staff.officer)
    assert "Is the child subject to a care order?" not in client.get(url(case, "/eso/new")).text


@pytest.fixture
def order(legal_case, staff, today):
    case = legal_case(CaseStage.ESO)
    eso = Eso(case_id=case.id, applied_on=today - timedelta(days=400))
    db.session.add(eso)
    db.session.flush()
    return case, eso


def test_an_order_made_expires_a_year_later_and_extends_to_3_years_at_most(client, sign_in, order, staff, today):
    case, eso = order
    made = today - timedelta(days=300)
    sign_in(staff.officer)

    client.post(
        url(case, "/eso"),
        data={
            "status": "made",
            "made_on": day_fields(made),
            "supervisor": str(staff.officer.id),
            "directions": "Attend daily",
            "version": eso.version,
        },
    )
    assert eso.expires_on == made.replace(year=made.year + 1)

    too_far = client.post(
        url(case, "/eso/extensions/new"),
        data={
            "granted_on": day_fields(today),
            "new_expires_on": day_fields(made.replace(year=made.year + 3) + timedelta(days=1)),
        },
    )
    at_most = client.post(
        url(case, "/eso/extensions/new"),
        data={"granted_on": day_fields(today), "new_expires_on": day_fields(made.replace(year=made.year + 3))},
    )

    assert too_far.status_code == 400 and "An order can last at most 3 years in all" in too_far.text
    assert at_most.status_code == 302 and count(EsoExtension) == 1
    assert "(3 years in all)" not in client.get(url(case)).text
    assert f"to {made.day} {made:%B} {made.year + 3}" in client.get(url(case)).text


def test_breaches_are_recorded_while_the_order_is_in_force(client, sign_in, order, staff, today):
    case, eso = order
    eso.status, eso.made_on, eso.expires_on = "made", today - timedelta(days=100), today + timedelta(days=265)
    sign_in(staff.officer)

    before = client.post(
        url(case, "/eso/breaches/new"),
        data={"occurred_on": day_fields(today - timedelta(days=101)), "description": "Late"},
    )
    during = client.post(
        url(case, "/eso/breaches/new"),
        data={"occurred_on": day_fields(today), "description": "Did not attend the review"},
    )

    assert before.status_code == 400 and "a breach must fall in that time" in before.text
    assert during.status_code == 302 and count(EsoBreach) == 1


# --- prosecution ------------------------------------------------------------------------------------------


@pytest.fixture
def unpaid_notice_case(fpn_case, family, staff, today):
    """A case at penalty notice whose mother's notice is unpaid 29 days after receipt, with every record."""
    received = today - timedelta(days=29)
    notice = add_notice(
        fpn_case,
        family.mother,
        staff.officer,
        issued_on=received - timedelta(days=2),
        received_on=received,
        period=(received - timedelta(days=40), received - timedelta(days=10)),
    )
    ready_to_prosecute(fpn_case, family, staff)
    return fpn_case, notice


def prosecution_form(notice, family, **changes) -> dict:
    return {
        f"parent_{family.mother.id}": "s444_1",
        f"parent_{family.father.id}": "no",
        "period_start": day_fields(notice.period_start),
        "period_end": day_fields(notice.period_end),
        "court": "Townsville Magistrates' Court",
        "interview_under_caution_on": day_fields(notice.period_end + timedelta(days=30)),
        **changes,
    }


def test_a_prosecution_is_prepared_then_laid_marking_the_unpaid_notice(
    client, sign_in, unpaid_notice_case, family, staff, today
):
    case, notice = unpaid_notice_case
    sign_in(staff.officer)

    saved_file = client.post(url(case, "/prosecution"), data=prosecution_form(notice, family))
    checklist = client.get(url(case, "/prosecution")).text
    without_approval = client.post(url(case, "/prosecution/lay"), data={"laid_on": day_fields(today)})
    approve(case, "prosecute", staff)
    laid = client.post(url(case, "/prosecution/lay"), data={"laid_on": day_fields(today)})

    assert saved_file.status_code == 302
    assert "Steve" not in [parent.carer.forename for parent in db.session.scalars(sa.select(ProsecutedParent))]
    assert "Not a parent under section 576" in checklist
    assert "Interview under caution" in checklist and "Missing" not in checklist
    assert without_approval.status_code == 400 and "approved prosecuting" in without_approval.text
    assert laid.status_code == 302 and case.stage == CaseStage.PROSECUTION
    assert db.session.scalar(sa.select(Prosecution.laid_on)) == today
    assert notice.prosecuted_on == today


@pytest.mark.parametrize(
    "settled",
    [
        {"paid_on": 3, "amount_paid": 80},
        {"withdrawn_on": 3, "withdrawal_ground": WithdrawalGround.CONTAINS_MATERIAL_ERRORS},
    ],
    ids=["paid", "withdrawn"],
)
def test_a_paid_or_withdrawn_notice_for_the_period_blocks_the_prosecution(
    client, sign_in, unpaid_notice_case, family, staff, today, settled
):
    case, notice = unpaid_notice_case
    sign_in(staff.officer)
    # The father's notice for the same absence was paid, or withdrawn; then he is named in the file too.
    values = {
        key: notice.received_on + timedelta(days=value) if key.endswith("_on") else value
        for key, value in settled.items()
    }
    father_notice = add_notice(
        case,
        family.father,
        staff.officer,
        issued_on=notice.issued_on,
        received_on=notice.received_on,
        period=(notice.period_start, notice.period_end),
        **values,
    )
    prepared = prosecution_form(notice, family, **{f"parent_{family.father.id}": "s444_1a"})
    assert client.post(url(case, "/prosecution"), data=prepared).status_code == 302
    approve(case, "prosecute", staff)

    page = client.get(url(case, "/prosecution/lay")).text
    response = client.post(url(case, "/prosecution/lay"), data={"laid_on": day_fields(today)})

    assert "A penalty notice in these proceedings has been paid or withdrawn" in page
    assert "No penalty notice for this absence has been paid or withdrawn" in page
    assert response.status_code == 400
    assert (
        "No penalty notice for the same absence to a parent being prosecuted has been paid or withdrawn"
        in response.text
    )
    assert case.stage == CaseStage.FPN and father_notice.prosecuted_on is None


def test_no_proceedings_while_a_notice_for_the_absence_can_still_be_paid(
    client, sign_in, unpaid_notice_case, family, staff, today
):
    case, notice = unpaid_notice_case
    add_notice(
        case,
        family.father,
        staff.officer,
        issued_on=today - timedelta(days=10),
        received_on=today - timedelta(days=9),
        period=(notice.period_start, notice.period_end),
    )
    sign_in(staff.officer)
    client.post(
        url(case, "/prosecution"), data=prosecution_form(notice, family, **{f"parent_{family.father.id}": "s444_1"})
    )
    approve(case, "prosecute", staff)

    response = client.post(url(case, "/prosecution/lay"), data={"laid_on": day_fields(today)})

    assert response.status_code == 400 and "no proceedings may start before then" in response.text
    assert case.stage == CaseStage.FPN


@pytest.fixture
def laid(client, sign_in, unpaid_notice_case, family, staff, today):
    case, notice = unpaid_notice_case
    sign_in(staff.officer)
    client.post(url(case, "/prosecution"), data=prosecution_form(notice, family))
    approve(case, "prosecute", staff)
    assert client.post(url(case, "/prosecution/lay"), data={"laid_on": day_fields(today)}).status_code == 302
    return case, notice, db.session.scalar(sa.select(Prosecution))


def test_a_hearing_warns_when_a_notice_in_the_proceedings_has_been_paid(client, laid, today):
    case, notice, _prosecution = laid
    hearing = {"hearing_on": day_fields(today + timedelta(days=14)), "court": "Townsville", "purpose": "First hearing"}

    quiet = client.get(url(case, "/prosecution/hearings/new")).text
    client.post(url(case, "/prosecution/hearings/new"), data=hearing)
    # The parent's payment turns up after the proceedings were laid (LGO 24 020 946).
    notice.paid_on, notice.amount_paid = notice.received_on + timedelta(days=20), 80
    form = client.get(url(case, "/prosecution/hearings/new")).text
    legal_page = client.get(url(case)).text

    assert "has been paid" not in quiet
    for page in (form, legal_page):
        assert "govuk-warning-text" in page
        assert f"A penalty notice in these proceedings has been paid or withdrawn ({notice.reference}" in page
    assert "Tell the court" in client.get("/legal/").text


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"verdict": "guilty"}, "A guilty verdict needs the sentence"),
        (
            {"verdict": "guilty", "sentences": ["fine", "conditional_discharge"], "fine_pounds": "100"},
            "A discharge cannot be combined with a fine",
        ),
        (
            {"verdict": "guilty", "sentences": ["conditional_discharge", "absolute_discharge"]},
            "A discharge is either conditional or absolute",
        ),
        (
            {"verdict": "not_guilty", "sentences": ["costs"], "costs_pounds": "50"},
            "Only a guilty verdict carries a sentence",
        ),
        ({"verdict": "guilty", "sentences": ["fine"]}, "Enter the fine, in pounds"),
        (
            {"verdict": "guilty", "sentences": ["fine"], "fine_pounds": "1001"},
            "The most a court can fine for this offence is £1,000",
        ),
        (
            {"verdict": "guilty", "sentences": ["costs"], "costs_pounds": "120", "fine_pounds": "50"},
            "Leave the fine blank",
        ),
    ],
)
def test_an_inconsistent_outcome_is_refused(client, laid, today, answers, message):
    case, _notice, prosecution = laid
    parent = prosecution.parents[0]

    response = client.post(
        url(case, f"/prosecution/parents/{parent.id}/outcome"),
        data={"outcome_on": day_fields(today), "version": parent.version, **answers},
    )

    assert response.status_code == 400 and message in response.text
    assert parent.verdict is None


def test_an_outcome_is_recorded(client, laid, today):
    case, _notice, prosecution = laid
    parent = prosecution.parents[0]

    response = client.post(
        url(case, f"/prosecution/parents/{parent.id}/outcome"),
        data={
            "verdict": "guilty",
            "sentences": ["fine", "costs", "parenting_order"],
            "fine_pounds": "220",
            "costs_pounds": "£150",
            "outcome_on": day_fields(today),
            "version": parent.version,
        },
    )

    assert response.status_code == 302
    assert (parent.fine_pounds, parent.costs_pounds, parent.sentences) == (
        220,
        150,
        ["fine", "costs", "parenting_order"],
    )
    page = client.get(url(case)).text
    assert "Guilty: fine £220, costs £150, parenting order" in page


# --- the child's needs before a legal step ----------------------------------------------------------------


def test_before_a_legal_step_the_childs_needs_must_be_considered(
    client, sign_in, failed_notice_to_improve, family, staff, today
):
    family.pupil.sen_status, family.pupil.child_in_need = "E", True
    case = failed_notice_to_improve
    approve(case, "issue_fpn", staff, parents=[family.mother])
    sign_in(staff.officer)

    interrupted = client.get(url(case, "/penalty-notices/new")).text
    after_the_card = client.get(url(case, "/penalty-notices/new?considered=1")).text
    unconfirmed = client.post(url(case, "/penalty-notices/new"), data=notices_form(today, family.mother))
    assert count(PenaltyNotice) == 0
    confirmed = client.post(
        url(case, "/penalty-notices/new"), data=notices_form(today, family.mother, needs_considered="y")
    )

    assert 'class="moj-interruption-card"' in interrupted and 'name="issued_on"' not in interrupted
    assert "has an education, health and care plan: check with the SEND team" in interrupted
    assert "is a child in need with a social worker: speak to them before any legal step" in interrupted
    assert f"/cases/{case.id}/legal/penalty-notices/new?considered=1" in interrupted
    assert (
        'name="needs_considered" type="hidden" value="y"' in after_the_card
        and "moj-interruption-card" not in after_the_card
    )
    assert unconfirmed.status_code == 400 and "moj-interruption-card" in unconfirmed.text
    assert confirmed.status_code == 302
    transition = db.session.scalars(sa.select(CaseTransition).order_by(CaseTransition.id.desc())).first()
    assert "Considered before this step that Pupil has an education, health and care plan" in transition.reason


# --- the register and the caseload ------------------------------------------------------------------------


@pytest.fixture
def register(make_family, make_case, make_user, family, fpn_case, staff, today):
    """Notices on two schools' cases: paid, withdrawn, prosecuted and overdue."""
    paid = add_notice(
        fpn_case,
        family.mother,
        staff.officer,
        issued_on=today - timedelta(days=60),
        received_on=today - timedelta(days=58),
        paid_on=today - timedelta(days=50),
        amount_paid=80,
    )
    withdrawn = add_notice(
        fpn_case,
        family.father,
        staff.officer,
        issued_on=today - timedelta(days=40),
        withdrawn_on=today - timedelta(days=30),
        withdrawal_ground=WithdrawalGround.ISSUED_TO_WRONG_PERSON,
        withdrawal_note="Lives abroad",
    )
    elsewhere = make_family()
    other_officer = make_user(Role.OFFICER, schools=[elsewhere.pupil.school])
    other_case = make_case(elsewhere.pupil, CaseStage.PROSECUTION, officer=other_officer, unauthorised_in_window=12)
    prosecuted = add_notice(
        other_case,
        elsewhere.mother,
        other_officer,
        issued_on=today - timedelta(days=90),
        received_on=today - timedelta(days=88),
        prosecuted_on=today - timedelta(days=20),
    )
    overdue = add_notice(
        other_case,
        elsewhere.father,
        other_officer,
        issued_on=today - timedelta(days=35),
        received_on=today - timedelta(days=29),
    )
    return {"paid": paid, "withdrawn": withdrawn, "prosecuted": prosecuted, "overdue": overdue, "elsewhere": elsewhere}


def references(response) -> set[str]:
    return {ref for ref in PenaltyNotice_references() if ref in response.text}


def PenaltyNotice_references() -> list[str]:  # noqa: N802
    return list(db.session.scalars(sa.select(PenaltyNotice.reference)))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"paid", "withdrawn", "prosecuted", "overdue"}),
        ({"status": "paid"}, {"paid"}),
        ({"status": "withdrawn"}, {"withdrawn"}),
        ({"status": "prosecuted"}, {"prosecuted"}),
        ({"status": "decision_due"}, {"overdue"}),
        ("school", {"paid", "withdrawn"}),
        ("dates", {"withdrawn", "overdue"}),
    ],
)
def test_the_register_filters_by_status_school_and_date(
    client, sign_in, register, family, staff, today, filters, expected
):
    if filters == "school":
        filters = {"school": str(family.pupil.school_id)}
    if filters == "dates":
        filters = {
            "issued_from": day_fields(today - timedelta(days=45)),
            "issued_to": day_fields(today - timedelta(days=30)),
        }
    sign_in(staff.manager)

    response = client.get("/legal/penalty-notices", query_string=filters)

    assert response.status_code == 200
    assert references(response) == {register[name].reference for name in expected}


def test_an_officer_sees_only_their_schools_notices(client, sign_in, register, staff):
    sign_in(staff.officer)

    page = client.get("/legal/penalty-notices")
    exported = client.get("/legal/penalty-notices.csv")

    assert references(page) == {register["paid"].reference, register["withdrawn"].reference}
    assert {row["reference"] for row in csv.DictReader(io.StringIO(exported.text))} == references(page)


def test_the_register_csv_holds_the_regulation_20_record_and_is_logged(client, sign_in, register, staff, today):
    sign_in(staff.manager)

    response = client.get("/legal/penalty-notices.csv", query_string={"status": "withdrawn"})

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.mimetype == "text/csv" and len(rows) == 1
    row, notice = rows[0], register["withdrawn"]
    assert row["reference"] == notice.reference
    assert row["parent_name"] == notice.carer.name and row["parent_address"] == notice.carer.address
    assert row["child_upn"] == notice.pupil.upn and row["school"] == notice.pupil.school.name
    assert (row["issued_on"], row["offence_period_start"], row["offence_period_end"]) == (
        notice.issued_on.isoformat(),
        notice.period_start.isoformat(),
        notice.period_end.isoformat(),
    )
    assert (row["amount_within_21_days"], row["amount_within_28_days"]) == ("80", "160")
    assert row["withdrawn_on"] == notice.withdrawn_on.isoformat()
    assert row["withdrawal_ground"] == "It was issued to the wrong person"
    assert row["paid_on"] == "" and row["prosecuted_on"] == ""
    paid = next(
        csv.DictReader(io.StringIO(client.get("/legal/penalty-notices.csv", query_string={"status": "paid"}).text))
    )
    assert (paid["paid_on"], paid["amount_paid"]) == (register["paid"].paid_on.isoformat(), "80")
    log = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "penalty_notice_register")).all()
    assert [entry.action for entry in log] == ["exported", "exported"]


def test_the_register_rejects_a_date_that_is_not_real(client, sign_in, staff, register):
    sign_in(staff.manager)

    page = client.get("/legal/penalty-notices", query_string={"issued_from": ["31", "2", "2026"]})
    exported = client.get("/legal/penalty-notices.csv", query_string={"issued_from": ["31", "2", "2026"]})

    assert page.status_code == 400 and "Issued from must be a real date" in page.text
    assert exported.status_code == 400


def test_the_caseload_lists_what_is_due_soonest_first(client, sign_in, register, fpn_case, legal_case, staff, today):
    sign_in(staff.manager)

    page = client.get("/legal/").text

    overdue, paid_case = register["overdue"], fpn_case
    assert "unpaid after 28 days. Prosecute or withdraw: decision due" in page
    assert page.index(overdue.pupil.surname) < page.index(paid_case.pupil.surname) or "Nothing due" in page
    by_name = client.get("/legal/", query_string={"sort": "name"})
    assert by_name.status_code == 200


def test_an_officer_caseload_shows_their_own_cases_unless_asked(client, sign_in, register, fpn_case, staff):
    sign_in(staff.officer)

    mine = client.get("/legal/").text
    everything = client.get("/legal/", query_string={"whose": "all"}).text

    assert fpn_case.reference in mine and register["elsewhere"].pupil.surname not in mine
    assert fpn_case.reference in everything and register["elsewhere"].pupil.surname not in everything


def test_the_caseload_flags_an_order_close_to_expiry(client, sign_in, legal_case, staff, today):
    case = legal_case(CaseStage.ESO)
    db.session.add(
        Eso(
            case_id=case.id,
            applied_on=today - timedelta(days=400),
            status="made",
            made_on=today - timedelta(days=330),
            expires_on=today + timedelta(days=35),
        )
    )
    db.session.flush()
    sign_in(staff.officer)

    assert "Order expires: decide whether to seek an extension" in client.get("/legal/").text


# --- scoping ----------------------------------------------------------------------------------------------


def test_another_schools_staff_get_404_and_school_leads_only_read(
    client, sign_in, make_user, make_school, laid, family, staff
):
    case, notice, prosecution = laid
    elsewhere = make_school()
    step_pages = [
        "/notice-to-improve/new",
        "/penalty-notices/new",
        f"/penalty-notices/{notice.id}/payment",
        "/eso/new",
        "/prosecution/lay",
        f"/prosecution/parents/{prosecution.parents[0].id}/outcome",
    ]

    switch_to(client, sign_in, make_user(Role.OFFICER, schools=[elsewhere]))
    assert client.get(url(case)).status_code == 404
    assert {client.get(url(case, page)).status_code for page in step_pages} == {404}
    assert client.post(url(case, f"/penalty-notices/{notice.id}/withdraw"), data={}).status_code == 404

    switch_to(client, sign_in, make_user(Role.SCHOOL_LEAD, schools=[elsewhere]))
    assert client.get(url(case)).status_code == 404

    switch_to(client, sign_in, make_user(Role.SCHOOL_LEAD, schools=[family.pupil.school]))
    own = client.get(url(case))
    assert own.status_code == 200 and notice.reference in own.text
    assert "Record payment" not in own.text and "Record outcome" not in own.text
    assert {client.get(url(case, page)).status_code for page in step_pages} == {403}
    assert client.get("/legal/").status_code == 403
    assert client.get("/legal/penalty-notices.csv").status_code == 403


def test_viewing_the_legal_page_is_logged(client, sign_in, fpn_case, staff):
    sign_in(staff.officer)

    client.get(url(fpn_case))

    entry = db.session.scalars(sa.select(AccessLog).order_by(AccessLog.id.desc())).first()
    assert (entry.action, entry.record_type, entry.record_id, entry.detail) == (
        "viewed",
        "case",
        fpn_case.id,
        "legal records",
    )


# --- bad input on every form, and every page renders ------------------------------------------------------

LEGAL_TABLES = (
    NoticeToImprove,
    PenaltyNotice,
    Eso,
    EsoBreach,
    EsoExtension,
    Prosecution,
    ProsecutedParent,
    CourtHearing,
    CaseTransition,
    CaseRecord,
)


def rows_and_versions() -> tuple:
    """Every legal row's count and every versioned row's version: what a refused form must leave alone."""
    counts = tuple(count(model) for model in LEGAL_TABLES)
    versions = tuple(
        tuple(db.session.scalars(sa.select(model.version).order_by(model.id)))
        for model in (NoticeToImprove, PenaltyNotice, Eso, Prosecution, ProsecutedParent, CourtHearing)
    )
    return counts, versions


@pytest.fixture
def everything(laid, family, staff, today):
    """A laid prosecution with a hearing and a notice to improve, plus an order made on the same case file."""
    case, _notice, prosecution = laid
    hearing = CourtHearing(
        prosecution_id=prosecution.id, hearing_on=today + timedelta(days=7), court="Townsville", purpose="First hearing"
    )
    nti = NoticeToImprove(
        case_id=case.id,
        issued_on=today - timedelta(weeks=12),
        improvement_starts_on=today - timedelta(weeks=12),
        improvement_ends_on=today - timedelta(weeks=8),
        sufficient_improvement="No unauthorised absence",
        issued_by_id=staff.officer.id,
    )
    eso = Eso(
        case_id=case.id,
        applied_on=today - timedelta(days=200),
        status="made",
        made_on=today - timedelta(days=100),
        expires_on=today + timedelta(days=265),
    )
    open_notice = add_notice(case, family.father, staff.officer, issued_on=today - timedelta(days=5))
    db.session.add_all([hearing, nti, eso])
    db.session.flush()
    return {"case": case, "notice": open_notice, "parent": prosecution.parents[0], "hearing": hearing}


BAD_INPUT = [
    ("/notice-to-improve/new", {"issued_on": ["31", "2", "2026"], "weeks": "4"}, "Date issued must be a real date"),
    ("/notice-to-improve/new", {"weeks": "4", "sufficient_improvement": "x"}, "Enter the date the notice was issued"),
    ("/notice-to-improve/outcome", {"assessed_on": "today"}, "Choose whether attendance improved enough"),
    ("/penalty-notices/new", {"issued_on": ["1", "1", "2026"]}, "Choose at least one parent to receive a notice"),
    (
        "/penalty-notices/{notice}/received",
        {"received_on": ["1", "1", "2099"]},
        "The date received must be today or in the past",
    ),
    ("/penalty-notices/{notice}/received", {"received_on": ["1", "13", "2026"]}, "Date received must be a real date"),
    (
        "/penalty-notices/{notice}/payment",
        {"received_on": ["1", "1", "2026"], "paid_on": ["2", "1", "2026"], "amount": "eighty"},
        "must be a whole number of pounds",
    ),
    ("/penalty-notices/{notice}/payment", {"paid_on": ["2", "1", "2026"]}, "Enter the amount paid"),
    (
        "/penalty-notices/{notice}/withdraw",
        {"withdrawn_on": ["1", "1", "2026"], "note": "x"},
        "Choose the ground for withdrawing the notice",
    ),
    (
        "/penalty-notices/{notice}/withdraw",
        {"withdrawn_on": ["1", "1", "2026"], "ground": "bored", "note": "x"},
        "Select an answer from the list",
    ),
    ("/eso/new", {"notes": "x"}, "Enter the date the application was made"),
    ("/eso", {"status": "made"}, "Enter the date the order was made"),
    ("/eso", {"status": "refused", "made_on": ["1", "1", "2026"]}, "Leave the date the order was made blank"),
    ("/eso/breaches/new", {"occurred_on": ["1", "1", "2026"]}, "Say which direction was not followed"),
    ("/eso/extensions/new", {"granted_on": ["1", "1", "2026"]}, "Enter the new expiry date"),
    ("/prosecution/lay", {}, "Enter the date the information was laid"),
    ("/prosecution/hearings/new", {"hearing_on": ["1", "1", "2026"], "purpose": "Trial"}, "Enter the court"),
    (
        "/prosecution/hearings/{hearing}",
        {"hearing_on": ["1", "1", "2026"], "court": "x" * 201, "purpose": "Trial"},
        "200 characters or fewer",
    ),
    ("/prosecution/parents/{parent}/outcome", {"outcome_on": ["1", "1", "2026"]}, "Choose the verdict"),
]


@pytest.mark.parametrize(("path", "data", "message"), BAD_INPUT, ids=[f"{p}:{m[:20]}" for p, _d, m in BAD_INPUT])
def test_bad_input_is_refused_with_an_error_and_writes_nothing(client, everything, path, data, message):
    case = everything["case"]
    target = url(
        case,
        path.format(notice=everything["notice"].id, hearing=everything["hearing"].id, parent=everything["parent"].id),
    )
    before = rows_and_versions()
    # A page that edits a record sends the version it showed (without it, the page is out of date).
    edited = next((everything[name] for name in ("notice", "hearing", "parent") if f"{{{name}}}" in path), None)

    response = client.post(target, data={**data, "version": edited.version} if edited else data)

    assert response.status_code == 400
    assert "There is a problem" in response.text and message in response.text
    assert rows_and_versions() == before


def test_a_bad_prosecution_file_is_refused_and_writes_nothing(client, sign_in, unpaid_notice_case, family, staff):
    case, notice = unpaid_notice_case
    sign_in(staff.officer)
    before = rows_and_versions()

    nobody = client.post(
        url(case, "/prosecution"), data=prosecution_form(notice, family, **{f"parent_{family.mother.id}": "no"})
    )
    backwards = client.post(
        url(case, "/prosecution"),
        data=prosecution_form(notice, family, period_start=day_fields(notice.period_end + timedelta(days=1))),
    )

    assert nobody.status_code == 400 and "Choose at least one parent to prosecute" in nobody.text
    assert backwards.status_code == 400 and "must be the same as or after the first" in backwards.text
    assert rows_and_versions() == before


def test_every_legal_page_renders_for_an_officer(client, everything):
    case, notice = everything["case"], everything["notice"]
    pages = [
        "",
        "/notice-to-improve/new",
        "/notice-to-improve/outcome",
        "/penalty-notices/new",
        f"/penalty-notices/{notice.id}/received",
        f"/penalty-notices/{notice.id}/payment",
        f"/penalty-notices/{notice.id}/withdraw",
        "/eso/new",
        "/eso",
        "/eso/breaches/new",
        "/eso/extensions/new",
        "/prosecution/lay",
        "/prosecution/hearings/new",
        f"/prosecution/hearings/{everything['hearing'].id}",
        f"/prosecution/parents/{everything['parent'].id}/outcome",
    ]
    for page in pages:
        response = client.get(url(case, page))
        assert response.status_code == 200, page
    assert client.get(url(case, "/prosecution")).status_code == 302  # laid: the file can no longer change
    for page in ("/legal/", "/legal/penalty-notices", "/legal/penalty-notices.csv"):
        assert client.get(page).status_code == 200, page


def test_saving_over_someone_elses_change_is_a_conflict(client, sign_in, fpn_case, family, staff, today):
    notice = add_notice(fpn_case, family.mother, staff.officer, issued_on=today - timedelta(days=3))
    stale = notice.version
    notice.received_on = today - timedelta(days=2)  # someone else records receipt first
    db.session.flush()
    sign_in(staff.officer)

    response = client.post(
        url(fpn_case, f"/penalty-notices/{notice.id}/received"),
        data={"version": str(stale), "received_on": day_fields(today)},
    )

    assert response.status_code == 409
    assert notice.received_on == today - timedelta(days=2)


def test_a_case_without_legal_records_says_what_each_section_is_for(client, sign_in, legal_case, staff):
    case = legal_case()
    sign_in(staff.officer)

    page = client.get(url(case)).text

    for heading in (
        "No notice to improve",
        "No penalty notices on this case",
        "No education supervision order",
        "No prosecution",
    ):
        assert heading in page


# --- steps with several destinations, through the step page, to each destination --------------------------


def _with_resolved_notice(case, family, staff, today) -> None:
    add_notice(
        case,
        family.mother,
        staff.officer,
        issued_on=today - timedelta(days=40),
        received_on=today - timedelta(days=38),
        paid_on=today - timedelta(days=30),
        amount_paid=80,
    )


def _with_outcome(case, family, staff, today) -> None:
    prosecution = Prosecution(
        case_id=case.id,
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=60),
        laid_on=today - timedelta(days=30),
        prepared_by_id=staff.officer.id,
    )
    db.session.add(prosecution)
    db.session.flush()
    db.session.add(
        ProsecutedParent(
            prosecution_id=prosecution.id,
            carer_id=family.mother.id,
            section="s444_1",
            verdict="guilty",
            sentences=["fine"],
            fine_pounds=100,
            outcome_on=today - timedelta(days=2),
        )
    )
    db.session.flush()


def _with_complied_notice(case, family, staff, today) -> None:
    assessed_notice_to_improve(case, staff, today, improved=True)


def _with_refused_order(case, family, staff, today) -> None:
    db.session.add(Eso(case_id=case.id, applied_on=today - timedelta(days=60), status=EsoStatus.REFUSED))
    db.session.flush()


def _closed(case, family, staff, today) -> None:
    case.closure_reason = "improved"


STEPS_WITH_DESTINATIONS = {
    "fpn_resolved": (CaseStage.FPN, _with_resolved_notice),
    "record_outcome": (CaseStage.PROSECUTION, _with_outcome),
    "nti_complied": (CaseStage.NOTICE_TO_IMPROVE, _with_complied_notice),
    "eso_ended": (CaseStage.ESO, _with_refused_order),
    "reopen": (CaseStage.CLOSED, _closed),
}
BAND_OF = {CaseStage.AT_RISK: Band.AT_RISK, CaseStage.PERSISTENT: Band.PERSISTENT, CaseStage.SEVERE: Band.SEVERE}


@pytest.mark.parametrize("trigger", sorted(STEPS_WITH_DESTINATIONS))
@pytest.mark.parametrize("target", [CaseStage.AT_RISK, CaseStage.PERSISTENT, CaseStage.SEVERE])
def test_a_step_back_to_support_needs_no_closure_reason(
    client, sign_in, legal_case, make_figures, family, staff, today, trigger, target
):
    """The reported defect: to a support stage the page said "Not a valid choice" unless a closure reason was
    ticked, which was then ignored."""
    stage, setup = STEPS_WITH_DESTINATIONS[trigger]
    case = legal_case(stage)
    setup(case, family, staff, today)
    make_figures(family.pupil, BAND_OF[target], unauthorised_in_window=12)
    sign_in(staff.officer)
    step = f"/cases/{case.id}/steps/{trigger}?target={target.value}"

    page = client.get(step).text
    data = {"version": case.version, "target": target.value, "reopen_reason": "Attendance has fallen again"}
    response = client.post(step, data=data)

    assert 'name="closure_reason"' not in page
    assert response.status_code == 302, response.text
    assert case.stage == target and case.closure_reason is None
    assert db.session.scalars(sa.select(CaseTransition).order_by(CaseTransition.id.desc())).first().to_stage == target


@pytest.mark.parametrize("trigger", ["fpn_resolved", "record_outcome"])
def test_a_legal_step_to_closed_needs_its_reason_and_a_managers_approval(
    client, sign_in, legal_case, family, staff, today, trigger
):
    stage, setup = STEPS_WITH_DESTINATIONS[trigger]
    case = legal_case(stage)
    setup(case, family, staff, today)
    sign_in(staff.officer)
    step = f"/cases/{case.id}/steps/{trigger}?target=closed"
    transitions = count(CaseTransition)

    page = client.get(step).text
    no_reason = client.post(step, data={"version": case.version, "target": "closed"})
    no_approval = client.post(step, data={"version": case.version, "target": "closed", "closure_reason": "improved"})
    approve(case, "close", staff)
    closed = client.post(step, data={"version": case.version, "target": "closed", "closure_reason": "improved"})

    assert 'name="closure_reason"' in page
    assert no_reason.status_code == 400 and "Choose why the case is being closed" in no_reason.text
    assert no_approval.status_code == 400 and "approved closing the case from a legal stage" in no_approval.text
    assert count(CaseTransition) == transitions + 1
    assert closed.status_code == 302 and case.stage == CaseStage.CLOSED and case.closure_reason == "improved"


def test_choosing_closed_on_the_page_asks_for_the_reason_then(client, sign_in, legal_case, family, staff, today):
    """Without a destination in the address, the page asks where to; choosing closed then asks why."""
    case = legal_case(CaseStage.FPN)
    _with_resolved_notice(case, family, staff, today)
    sign_in(staff.officer)
    step = f"/cases/{case.id}/steps/fpn_resolved"

    first = client.get(step).text
    chosen = client.post(step, data={"version": case.version, "target": "closed"})

    assert 'name="target"' in first and 'name="closure_reason"' not in first
    assert chosen.status_code == 400 and 'name="closure_reason"' in chosen.text
    assert case.stage == CaseStage.FPN


@pytest.mark.parametrize("target", [CaseStage.AT_RISK, CaseStage.PERSISTENT, CaseStage.SEVERE])
def test_a_case_opens_at_each_support_stage_matching_the_band(client, sign_in, make_pupil, make_figures, staff, target):
    pupil = make_pupil(staff.officer.schools[0])
    make_figures(pupil, BAND_OF[target])
    sign_in(staff.officer)

    response = client.post(
        f"/cases/new?pupil={pupil.id}",
        data={"stage": target.value, "officer": staff.officer.id, "reason": "From the school's data"},
    )

    assert response.status_code == 302, response.text
    case = db.session.scalars(sa.select(Case).where(Case.pupil_id == pupil.id)).one()
    assert case.stage == target


def test_a_step_waiting_for_a_manager_is_not_offered_for_approval_again(client, sign_in, legal_case, family, staff):
    case = legal_case()
    record(case, RecordKind.SUPPORT_NOT_APPROPRIATE, staff.officer, "Term-time holiday")
    sign_in(staff.officer)
    ask = f'href="/approvals/new/{case.id}/issue_fpn"'

    before = client.get(f"/cases/{case.id}").text
    requested = client.post(
        f"/approvals/new/{case.id}/issue_fpn", data={"reason": "Holiday", "parents": [family.mother.id]}
    )
    after = client.get(f"/cases/{case.id}").text

    assert ask in before and requested.status_code == 302 and ask not in after
    assert db.session.scalars(sa.select(Approval)).one().parent_ids == [family.mother.id]
