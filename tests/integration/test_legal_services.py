"""The legal services against the database: the 2-in-3-years cap at its anniversary, clocks at their
boundaries, a refused step leaving nothing behind, notices marked when proceedings are laid, ESO limits,
and the register's SQL status filter agreeing with the status shown on every page."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AttendanceContract,
    CaseParticipant,
    Eso,
    EsoStatus,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    NoticeToImprove,
    ParticipantRole,
    PenaltyNotice,
    RecordKind,
)
from ewo_cases.services import legal
from ewo_cases.services.errors import ServiceError
from ewo_cases.services.legal.register import RegisterFilters, register_query
from ewo_cases.services.transitions import (
    Inputs,
    TransitionRefused,
    apply_transition,
    load_facts,
    period_register,
)
from tests.legal_support import (
    add_notice,
    approve,
    count,
    family_fixture,  # noqa: F401 (fixtures)
    legal_case_fixture,  # noqa: F401
    make_family_fixture,  # noqa: F401
    mark_school_weeks,
    ready_to_prosecute,
    record,
    staff_fixture,  # noqa: F401
    today_fixture,  # noqa: F401
)
from workflows import ENGLAND, CaseStage, ClosureReason
from workflows.attendance import monday_on_or_before
from workflows.legal import NoticeKind, PeriodRegister, Section444, Sentence, Verdict, WithdrawalGround, add_years


def at_noon(day) -> datetime:
    """A moment on ``day`` in England, as the workflow's ``now``."""
    return datetime.combine(day, time(12), tzinfo=ENGLAND).astimezone(UTC)


@pytest.fixture
def support_not_appropriate(legal_case, staff):
    case = legal_case(CaseStage.PERSISTENT)
    record(case, RecordKind.SUPPORT_NOT_APPROPRIATE, staff.officer, "Term-time holiday")
    return case


def issue(case, family, staff, on, *carers):
    parents = list(carers or (family.mother,))
    approve(case, "issue_fpn", staff, parents=parents)
    return legal.issue_penalty_notices(
        case,
        carer_ids=[carer.id for carer in parents],
        issued_on=on,
        period=(on - timedelta(days=30), on - timedelta(days=1)),
        actor=staff.officer,
    )


# --- the cap and first or second ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years_ago_plus_days", "allowed"),
    [(1, False), (0, True)],  # the day before the 3rd anniversary of the oldest notice, and the anniversary
)
def test_the_cap_lifts_on_the_third_anniversary_of_the_oldest_counting_notice(
    support_not_appropriate, family, staff, today, years_ago_plus_days, allowed
):
    case = support_not_appropriate
    oldest = add_years(today, -3) + timedelta(days=years_ago_plus_days)
    add_notice(case, family.mother, staff.officer, issued_on=oldest, paid_on=oldest + timedelta(days=5))
    add_notice(
        case, family.mother, staff.officer, issued_on=today - timedelta(days=100), paid_on=today - timedelta(days=90)
    )

    if allowed:
        [notice] = issue(case, family, staff, today)
        assert notice.kind is NoticeKind.SECOND
    else:
        with pytest.raises(TransitionRefused, match="fewer than 2 penalty notices"):
            issue(case, family, staff, today)


def test_a_notice_on_an_earlier_case_makes_the_next_a_second(
    make_case, make_family, support_not_appropriate, family, staff, today
):
    case = support_not_appropriate
    earlier = add_notice(case, family.mother, staff.officer, issued_on=today - timedelta(days=700))
    earlier.case_id = case.id  # same child: any case counts

    mother, father = issue(case, family, staff, today, family.mother, family.father)

    assert (mother.kind, father.kind) == (NoticeKind.SECOND, NoticeKind.FIRST)


def test_a_backdated_notice_must_have_been_lawful_on_its_own_date(support_not_appropriate, family, staff, today):
    case = support_not_appropriate
    # Two notices counted 10 days ago; the older one dropped out of the window 5 days ago.
    oldest = add_years(today, -3) - timedelta(days=5)
    add_notice(case, family.mother, staff.officer, issued_on=oldest)
    add_notice(case, family.mother, staff.officer, issued_on=today - timedelta(days=200))

    with pytest.raises(ServiceError, match="already had 2 notices"):
        issue(case, family, staff, today - timedelta(days=10))


def test_a_withdrawn_notice_keeps_the_kind_it_was_issued_with(support_not_appropriate, family, staff, today):
    case = support_not_appropriate
    first = add_notice(case, family.mother, staff.officer, issued_on=today - timedelta(days=50))
    [second] = issue(case, family, staff, today)

    legal.withdraw_notice(
        first,
        withdrawn_on=today,
        ground=WithdrawalGround.OUGHT_NOT_TO_HAVE_BEEN_ISSUED,
        note="Absence was authorised",
        actor=staff.officer,
        expected_version=first.version,
    )

    assert second.kind is NoticeKind.SECOND
    assert legal.summarise(first, today).status is legal.NoticeStatus.WITHDRAWN


def test_a_refused_step_leaves_no_record_behind(legal_case, staff, today):
    case = legal_case(CaseStage.PERSISTENT)  # no support offered: the workflow refuses

    with pytest.raises(TransitionRefused, match="Support offered to the family has been recorded") as refusal:
        legal.issue_notice_to_improve(
            case,
            issued_on=today,
            received_on=None,
            starts_on=today,
            weeks=3,
            sufficient_improvement="Attend every day",
            threshold_reason="",
            actor=staff.officer,
        )
    db.session.rollback()  # what the view does on a refusal

    assert refusal.value.field == "step"
    assert count(NoticeToImprove) == 0


@pytest.mark.parametrize("weeks", [2, 7])
def test_an_improvement_period_lasts_3_to_6_weeks(legal_case, staff, today, weeks):
    case = legal_case(CaseStage.PERSISTENT)

    with pytest.raises(ServiceError, match="3 to 6 school weeks"):
        legal.issue_notice_to_improve(
            case,
            issued_on=today,
            received_on=None,
            starts_on=today,
            weeks=weeks,
            sufficient_improvement="Attend",
            threshold_reason="",
            actor=staff.officer,
        )


# --- payments --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "due"),
    [
        (NoticeKind.FIRST, 0, 80),
        (NoticeKind.FIRST, 21, 80),
        (NoticeKind.FIRST, 22, 160),
        (NoticeKind.FIRST, 28, 160),
        (NoticeKind.FIRST, 29, None),
        (NoticeKind.SECOND, 0, 160),
        (NoticeKind.SECOND, 28, 160),
        (NoticeKind.SECOND, 29, None),
    ],
)
def test_the_amount_due_by_day_after_receipt(legal_case, family, staff, today, kind, day, due):
    case = legal_case(CaseStage.FPN)
    received = today - timedelta(days=40)
    notice = add_notice(case, family.mother, staff.officer, issued_on=received, received_on=received, kind=kind)
    paid_on = received + timedelta(days=day)

    for amount in (80, 160):
        if amount == due:
            legal.record_payment(
                notice, paid_on=paid_on, amount=amount, actor=staff.officer, expected_version=notice.version
            )
        else:
            with pytest.raises(ServiceError):
                legal.record_payment(
                    notice, paid_on=paid_on, amount=amount, actor=staff.officer, expected_version=notice.version
                )

    assert notice.paid_on == (paid_on if due else None)


def test_a_paid_notice_cannot_be_paid_twice_or_a_withdrawn_one_paid(legal_case, family, staff, today):
    case = legal_case(CaseStage.FPN)
    paid = add_notice(
        case, family.mother, staff.officer, issued_on=today, received_on=today, paid_on=today, amount_paid=80
    )
    withdrawn = add_notice(case, family.father, staff.officer, issued_on=today, received_on=today, withdrawn_on=today)

    with pytest.raises(ServiceError, match="already paid"):
        legal.record_payment(paid, paid_on=today, amount=80, actor=staff.officer, expected_version=paid.version)
    with pytest.raises(ServiceError, match="refund any payment"):
        legal.record_payment(
            withdrawn, paid_on=today, amount=80, actor=staff.officer, expected_version=withdrawn.version
        )


# --- the register's status filter ------------------------------------------------------------------------


def test_the_register_status_filter_agrees_with_each_notices_status(legal_case, family, staff, today):
    case = legal_case(CaseStage.FPN)
    for days in (None, 0, 27, 28, 29, 60):
        received = today - timedelta(days=days) if days is not None else None
        add_notice(case, family.mother, staff.officer, issued_on=today - timedelta(days=61), received_on=received)
    add_notice(case, family.mother, staff.officer, issued_on=today, received_on=today, paid_on=today, amount_paid=80)
    add_notice(case, family.mother, staff.officer, issued_on=today, paid_on=today, withdrawn_on=today)
    add_notice(
        case, family.father, staff.officer, issued_on=today, received_on=today - timedelta(days=40), prosecuted_on=today
    )
    notices = db.session.scalars(sa.select(PenaltyNotice)).all()

    for status in legal.NoticeStatus:
        filtered = register_query(staff.manager, RegisterFilters(status=status), today)
        found = {row[0].id for row in db.session.execute(filtered)}
        assert found == {n.id for n in notices if legal.notice_status(n, today) is status}, status


# --- prosecution -----------------------------------------------------------------------------------------


@pytest.fixture
def prepared(legal_case, family, staff, today):
    """A case at penalty notice: the mother's notice unpaid after 28 days, a file naming her, every record."""
    case = legal_case(CaseStage.FPN)
    received = today - timedelta(days=35)
    period = (received - timedelta(days=40), received - timedelta(days=10))
    notice = add_notice(case, family.mother, staff.officer, issued_on=received, received_on=received, period=period)
    ready_to_prosecute(case, family, staff)
    prosecution = legal.save_prosecution(
        case,
        period=period,
        court="Townsville",
        interview_under_caution_on=today - timedelta(days=3),
        notes="",
        sections={family.mother.id: Section444.S444_1A, family.father.id: None},
        actor=staff.officer,
        expected_version=None,
    )
    approve(case, "prosecute", staff)
    return case, notice, prosecution


def test_laying_marks_the_unpaid_notices_for_the_absence_only(prepared, family, staff, today):
    case, notice, prosecution = prepared
    other_absence = add_notice(
        case,
        family.mother,
        staff.officer,
        issued_on=today - timedelta(days=400),
        received_on=today - timedelta(days=398),
        period=(today - timedelta(days=500), today - timedelta(days=450)),
    )

    legal.lay_prosecution(case, prosecution, laid_on=today, actor=staff.officer)

    assert case.stage == CaseStage.PROSECUTION
    assert notice.prosecuted_on == today and other_absence.prosecuted_on is None
    assert [n.id for n in legal.notices_for(case.pupil_id) if n.prosecuted_on] == [notice.id]


def test_the_evidence_checklist_reads_the_case(prepared, staff):
    case, _notice, prosecution = prepared

    checklist = {item.label: item for item in legal.evidence_checklist(case, prosecution, staff.officer)}

    assert all(item.met for item in checklist.values())
    assert "family engage with no agency" in checklist["Education supervision order considered (section 447)"].detail


def test_the_file_cannot_change_once_laid(prepared, family, staff, today):
    case, _notice, prosecution = prepared
    legal.lay_prosecution(case, prosecution, laid_on=today, actor=staff.officer)

    with pytest.raises(ServiceError, match="can no longer change"):
        legal.save_prosecution(
            case,
            period=(prosecution.period_start, prosecution.period_end),
            court="",
            interview_under_caution_on=None,
            notes="",
            sections={family.mother.id: Section444.S444_1},
            actor=staff.officer,
            expected_version=prosecution.version,
        )


def test_outcomes_are_validated_with_the_rules(prepared, staff, today):
    case, _notice, prosecution = prepared
    legal.lay_prosecution(case, prosecution, laid_on=today, actor=staff.officer)
    parent = prosecution.parents[0]

    with pytest.raises(ServiceError, match="A guilty verdict needs the sentence"):
        legal.record_outcome(
            parent,
            verdict=Verdict.GUILTY,
            sentences=[],
            fine_pounds=None,
            costs_pounds=None,
            outcome_on=today,
            note="",
            actor=staff.officer,
            expected_version=parent.version,
        )
    legal.record_outcome(
        parent,
        verdict=Verdict.GUILTY,
        sentences=[Sentence.FINE],
        fine_pounds=2500,  # the s444(1A) maximum
        costs_pounds=None,
        outcome_on=today,
        note="",
        actor=staff.officer,
        expected_version=parent.version,
    )
    assert parent.fine_pounds == 2500


def test_no_proceedings_on_the_last_day_to_pay(prepared, family, staff, today):
    """On the 28th day after receipt the notice can still be paid, so the information cannot be laid."""
    case, notice, prosecution = prepared
    notice.received_on = today - timedelta(days=28)

    with pytest.raises(ServiceError, match="can still be paid until"):
        legal.lay_prosecution(case, prosecution, laid_on=today, actor=staff.officer, now=at_noon(today))


# --- education supervision orders ------------------------------------------------------------------------


@pytest.fixture
def made_order(legal_case, staff, today):
    case = legal_case(CaseStage.ESO)
    eso = Eso(case_id=case.id, applied_on=today - timedelta(days=500))
    db.session.add(eso)
    db.session.flush()
    made = add_years(today, -1) - timedelta(days=5)  # the order ran out 5 days ago
    legal.update_eso(
        eso,
        status=EsoStatus.MADE,
        hearing_on=None,
        made_on=made,
        supervisor=staff.officer,
        directions="Attend",
        notes="",
        actor=staff.officer,
        expected_version=eso.version,
    )
    return eso, made


def test_an_order_expires_a_year_after_it_was_made(made_order):
    eso, made = made_order

    assert eso.expires_on == add_years(made, 1)
    assert legal.current_expiry(eso) == add_years(made, 1)


@pytest.mark.parametrize(
    ("granted_before_expiry", "new_expiry", "problem"),
    [
        (1, lambda made: add_years(made, 3), None),
        (1, lambda made: add_years(made, 3) + timedelta(days=1), "at most 3 years in all"),
        (1, lambda made: add_years(made, 1), "must be after the current one"),
        (0, lambda made: add_years(made, 2), "only an order in force can be extended"),
    ],
    ids=["to 3 years", "beyond 3 years", "not later", "on the day it expired"],
)
def test_extensions_stay_within_3_years_in_all(made_order, staff, granted_before_expiry, new_expiry, problem):
    eso, made = made_order
    granted = eso.expires_on - timedelta(days=granted_before_expiry)

    if problem is None:
        legal.record_extension(eso, granted_on=granted, new_expires_on=new_expiry(made), actor=staff.officer)
        assert legal.current_expiry(eso) == new_expiry(made)
    else:
        with pytest.raises(ServiceError, match=problem):
            legal.record_extension(eso, granted_on=granted, new_expires_on=new_expiry(made), actor=staff.officer)


def test_a_made_order_with_breaches_cannot_be_recorded_as_refused(made_order, staff, today):
    eso, _made = made_order
    legal.record_breach(
        eso, occurred_on=today - timedelta(days=10), description="Missed the review", actor=staff.officer
    )

    with pytest.raises(ServiceError, match="so it was made"):
        legal.update_eso(
            eso,
            status=EsoStatus.REFUSED,
            hearing_on=None,
            made_on=None,
            supervisor=None,
            directions="",
            notes="",
            actor=staff.officer,
            expected_version=eso.version,
        )


# --- an approval covers what the manager approved -----------------------------------------------------------


def test_an_approval_of_a_file_naming_both_parents_cannot_lay_a_file_naming_one(prepared, family, staff, today):
    """The reported case: approved for both parents, the file changed to one, and the same approval laid it."""
    case, notice, prosecution = prepared
    add_notice(
        case,
        family.father,
        staff.officer,
        issued_on=notice.issued_on,
        received_on=notice.received_on,
        period=(prosecution.period_start, prosecution.period_end),
    )
    both = {family.mother.id: Section444.S444_1A, family.father.id: Section444.S444_1}
    save = {"court": "Townsville", "interview_under_caution_on": None, "notes": "", "actor": staff.officer}
    period = (prosecution.period_start, prosecution.period_end)
    legal.save_prosecution(case, period=period, sections=both, expected_version=prosecution.version, **save)
    approved = approve(case, "prosecute", staff)
    assert approved.parent_ids == [family.mother.id, family.father.id]
    legal.save_prosecution(
        case,
        period=period,
        sections={family.mother.id: Section444.S444_1A},
        expected_version=prosecution.version,
        **save,
    )

    with pytest.raises(TransitionRefused, match="approved prosecuting as it now stands"):
        legal.lay_prosecution(case, prosecution, laid_on=today, actor=staff.officer)
    assert case.stage == CaseStage.FPN and approved.used_at is None


def test_a_close_approval_asked_at_one_stage_cannot_close_the_case_at_a_later_one(legal_case, family, staff, today):

    case = legal_case(CaseStage.FPN)
    add_notice(
        case, family.mother, staff.officer, issued_on=today - timedelta(days=50), received_on=today - timedelta(days=48)
    )
    close = approve(case, "close", staff)
    ready_to_prosecute(case, family, staff)
    notice_period = (today - timedelta(days=80), today - timedelta(days=51))
    prosecution = legal.save_prosecution(
        case,
        period=notice_period,
        court="Townsville",
        interview_under_caution_on=None,
        notes="",
        sections={family.mother.id: Section444.S444_1},
        actor=staff.officer,
        expected_version=None,
    )
    approve(case, "prosecute", staff)
    legal.lay_prosecution(case, prosecution, laid_on=today, actor=staff.officer)

    with pytest.raises(TransitionRefused, match="closing the case from a legal stage as it now stands"):
        apply_transition(case, "close", actor=staff.officer, inputs=Inputs(closure_reason=ClosureReason.OTHER))
    assert case.stage == CaseStage.PROSECUTION and close.used_at is None


# --- a meeting with the family, and a contract with the parents, are with the child's carers ----------------


def test_a_professional_given_the_parent_role_is_not_the_family(legal_case, make_user, family, staff, today):

    case = legal_case(CaseStage.PERSISTENT)
    impostor = CaseParticipant(
        case_id=case.id, user_id=make_user().id, role=ParticipantRole.PARENT_CARER, started_on=today
    )
    db.session.add(impostor)
    db.session.flush()
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.FAMILY_ATTENDANCE,
        scheduled_for=at_noon(today),
        status=MeetingStatus.HELD,
        held_on=today,
        created_by_id=staff.officer.id,
    )
    meeting.attendees = [MeetingAttendee(participant_id=impostor.id, attendance=MeetingAttendance.ATTENDED)]
    db.session.add(meeting)
    db.session.flush()

    facts = load_facts(case, staff.officer)

    assert [m.family_attended for m in facts.meetings] == [False]
    mother = db.session.scalar(
        sa.select(CaseParticipant).where(
            CaseParticipant.case_id == case.id, CaseParticipant.carer_id == family.mother.id
        )
    )
    meeting.attendees.append(MeetingAttendee(participant_id=mother.id, attendance=MeetingAttendance.ATTENDED))
    db.session.flush()
    assert [m.family_attended for m in load_facts(case, staff.officer).meetings] == [True]


def test_a_contract_with_a_professional_in_the_parent_role_has_no_parent_party(
    legal_case, make_user, family, staff, today
):

    case = legal_case(CaseStage.PERSISTENT)
    impostor = CaseParticipant(
        case_id=case.id, user_id=make_user().id, role=ParticipantRole.PARENT_CARER, started_on=today
    )
    db.session.add(impostor)
    db.session.flush()
    contract = AttendanceContract(
        case_id=case.id,
        parent_commitments="In school every day",
        support_commitments="Weekly call",
        review_on=today + timedelta(days=28),
        created_by_id=staff.officer.id,
    )
    contract.parties = [impostor]
    db.session.add(contract)
    db.session.flush()

    assert load_facts(case, staff.officer).contract.parties_recorded is False


# --- what the registers show for an improvement period --------------------------------------------------


def test_a_half_term_inside_an_improvement_period_is_not_a_school_week(family, today):
    """Three calendar weeks from a Wednesday with the middle week a holiday: two school weeks, not three."""
    start = monday_on_or_before(today - timedelta(weeks=8)) + timedelta(days=2)
    mark_school_weeks(family.pupil, monday_on_or_before(start), 1, unauthorised_per_week=3)
    mark_school_weeks(family.pupil, monday_on_or_before(start) + timedelta(weeks=2), 2, unauthorised_per_week=1)

    register = period_register(family.pupil.id, start, start + timedelta(weeks=3, days=-1))

    # From Wednesday: 3 school days (the unauthorised sessions were on Monday and Tuesday, before it); then the
    # holiday with the Monday and Tuesday after it, 2 days, not a school week; then Wednesday to Tuesday, 5 days.
    # The sessions count wherever they fall: 6 + 4 + 10, of which the two Monday mornings unauthorised.
    assert register == PeriodRegister(school_weeks=2, possible=20, unauthorised=2)
