"""Random sequences of records, approvals and steps, through the real services and database.

Whatever happens, a case only enters a legal stage when the records and the approval its guard requires
were in the database at that moment (checked here from the rows themselves, not from the workflow's own
facts), every approval authorises one move, and the audit trail replays to the stored stage.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import workflows
from ewo_cases import clock
from ewo_cases.models import (
    ActionPlan,
    Approval,
    ApprovalStatus,
    Carer,
    Case,
    CaseParticipant,
    CaseRecord,
    CaseTransition,
    Letter,
    LetterKind,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    NoticeToImprove,
    ParticipantRole,
    PenaltyNotice,
    ProsecutedParent,
    Prosecution,
    PupilAttendance,
    PupilCarer,
    RecordKind,
    Role,
    School,
    User,
)
from ewo_cases.services import approvals
from ewo_cases.services.errors import ServiceError
from ewo_cases.services.transitions import Inputs, apply_transition
from tests.legal_support import mark_school_weeks
from workflows import CaseStage, ClosureReason
from workflows.attendance import Band, monday_on_or_before
from workflows.legal import NoticeKind, Section444

TRIGGERS = sorted(set(workflows.TRIGGER_LABELS) - {"open"})
#: What each step needs, as things a random history can do (and randomly leave out).
REQUIREMENTS = {
    "issue_notice_to_improve": ("threshold", "support_offered", "notice_to_improve"),
    "issue_fpn": ("threshold", "support_not_appropriate", "approval"),
    "apply_eso": ("support_failed", "social_care", "approval"),
    "prosecute": (
        "meeting",
        "plan",
        "warning_letter",
        "certificate",
        "eso_considered",
        "prosecution_file",
        "support_failed",
        "unpaid_notice",
        "approval",
    ),
    "start_early_help": ("meeting", "plan", "consent", "lead"),
}
LEGAL_ENTRY_NEEDS = {
    CaseStage.FPN: "issue_fpn",
    CaseStage.ESO: "apply_eso",
    CaseStage.PROSECUTION: "prosecute",
}


def test_random_histories_never_skip_the_records_or_approvals_legal_steps_need(
    app, db_session, make_school, make_user, make_pupil, make_figures, make_case
):
    """Drive the workflow with random records and steps; check the legal stages' preconditions from the rows."""
    school_id = make_school().id
    people_ids = {
        "officer": make_user(Role.OFFICER, schools=[db_session.get(School, school_id)]).id,
        "manager_a": make_user(Role.MANAGER).id,
        "manager_b": make_user(Role.MANAGER).id,
    }
    people: dict[str, User] = {}
    legal_entries: list[str] = []

    class CaseHistory(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.savepoint = db_session.begin_nested()
            people.update({name: db_session.get(User, user_id) for name, user_id in people_ids.items()})
            self.pupil = make_pupil(db_session.get(School, school_id))
            parent = Carer(carer_ref=f"P{self.pupil.id}", forename="Pat", surname="Parent", address="1 Road")
            db_session.add(parent)
            db_session.flush()
            db_session.add(
                PupilCarer(
                    pupil_id=self.pupil.id,
                    carer_id=parent.id,
                    relationship_to_pupil="Mother",
                    parental_responsibility=True,
                    lives_with_pupil=True,
                )
            )
            self.parent = parent
            self.case = make_case(self.pupil, CaseStage.PERSISTENT, officer=people["officer"])
            self.participant = db_session.scalars(
                sa.select(CaseParticipant).where(
                    CaseParticipant.case_id == self.case.id, CaseParticipant.carer_id == parent.id
                )
            ).one()
            self.today = clock.today()

        def teardown(self) -> None:
            self.savepoint.rollback()
            db_session.expunge_all()  # rows from the rolled-back example must not linger in the identity map

        @rule(
            step=st.sampled_from(sorted(REQUIREMENTS)),
            omit=st.sets(
                st.sampled_from(sorted({need for needs in REQUIREMENTS.values() for need in needs})), max_size=1
            ),
        )
        def attempt(self, step, omit):
            """Do what a step needs, sometimes leaving out one of its requirements, then take the step."""
            doers = {
                "threshold": lambda: self.attendance_changes(Band.PERSISTENT, 14),
                "support_offered": lambda: self.records({RecordKind.SUPPORT_OFFERED}),
                "support_not_appropriate": lambda: self.records({RecordKind.SUPPORT_NOT_APPROPRIATE}),
                "support_failed": lambda: self.records({RecordKind.SUPPORT_FAILED}),
                "social_care": lambda: self.records({RecordKind.SOCIAL_CARE_CONSULTED}),
                "certificate": lambda: self.records({RecordKind.ATTENDANCE_CERTIFICATE}),
                "eso_considered": lambda: self.records({RecordKind.ESO_CONSIDERED}),
                "consent": lambda: self.records({RecordKind.FAMILY_CONSENT}),
                "notice_to_improve": lambda: self.notice_to_improve_drafted(4, 0, None),
                "meeting": lambda: self.meeting_held(True),
                "plan": self.plan_written,
                "lead": self.lead_practitioner_named,
                "warning_letter": self.warning_letter_served,
                "prosecution_file": self.prosecution_prepared,
                "approval": lambda: self.approval(step, "manager_b", True),
                "unpaid_notice": self.notice_unpaid,
            }
            for need in REQUIREMENTS[step]:
                if need not in omit:
                    doers[need]()
            self.take(step, None, None, "officer")

        @rule(band=st.sampled_from(list(Band)), unauthorised=st.sampled_from([0, 9, 10, 14]))
        def attendance_changes(self, band, unauthorised):
            make_figures(self.pupil, band, unauthorised_in_window=unauthorised)

        @rule(kinds=st.sets(st.sampled_from(list(RecordKind)), min_size=1))
        def records(self, kinds):
            for kind in kinds:
                db_session.add(
                    CaseRecord(
                        case_id=self.case.id,
                        kind=kind,
                        occurred_on=self.today,
                        details="Recorded",
                        recorded_by_id=people["officer"].id,
                    )
                )
            db_session.flush()

        @rule(family_attended=st.booleans())
        def meeting_held(self, family_attended):
            meeting = Meeting(
                case_id=self.case.id,
                kind=MeetingKind.FAMILY_ATTENDANCE,
                scheduled_for=clock.now(),
                status=MeetingStatus.HELD,
                held_on=self.today,
                created_by_id=people["officer"].id,
            )
            meeting.attendees = [
                MeetingAttendee(
                    participant_id=self.participant.id,
                    attendance=(MeetingAttendance.ATTENDED if family_attended else MeetingAttendance.DID_NOT_ATTEND),
                )
            ]
            db_session.add(meeting)
            db_session.flush()

        @rule()
        def plan_written(self):
            if not db_session.scalar(sa.select(ActionPlan.id).where(ActionPlan.case_id == self.case.id)):
                db_session.add(
                    ActionPlan(
                        case_id=self.case.id,
                        goals="Attend every day",
                        review_on=self.today,
                        created_by_id=people["officer"].id,
                    )
                )
                db_session.flush()

        @rule()
        def lead_practitioner_named(self):
            lead = db_session.scalar(
                sa.select(CaseParticipant.id).where(
                    CaseParticipant.case_id == self.case.id, CaseParticipant.is_lead_practitioner.is_(True)
                )
            )
            if lead is None:
                db_session.add(
                    CaseParticipant(
                        case_id=self.case.id,
                        user_id=people["officer"].id,
                        role=ParticipantRole.KEY_WORKER,
                        is_lead_practitioner=True,
                        started_on=self.today,
                    )
                )
                db_session.flush()

        @rule(
            weeks=st.sampled_from([2, 3, 6, 7]),
            days_ago=st.sampled_from([0, 50]),
            improved=st.sampled_from([None, False, True]),
        )
        def notice_to_improve_drafted(self, weeks, days_ago, improved):
            start = self.today - timedelta(days=days_ago)
            db_session.add(
                NoticeToImprove(
                    case_id=self.case.id,
                    issued_on=start,
                    improvement_starts_on=start,
                    improvement_ends_on=start + timedelta(weeks=weeks),
                    sufficient_improvement="No unauthorised absence",
                    improved=improved,
                    issued_by_id=people["officer"].id,
                )
            )
            db_session.flush()
            # The registers of the period: every week a school week, as in term time.
            mark_school_weeks(self.pupil, monday_on_or_before(start), weeks + 1, unauthorised_per_week=2)

        @rule()
        def notice_unpaid(self):
            """A penalty notice to the parent, received over 28 days ago and not paid."""
            received = self.today - timedelta(days=35)
            db_session.add(
                PenaltyNotice(
                    case_id=self.case.id,
                    pupil_id=self.pupil.id,
                    carer_id=self.parent.id,
                    kind=NoticeKind.FIRST,
                    issued_on=received,
                    received_on=received,
                    period_start=received - timedelta(days=70),
                    period_end=received,
                    issued_by_id=people["officer"].id,
                )
            )
            db_session.flush()

        @rule()
        def warning_letter_served(self):
            db_session.add(
                Letter(
                    case_id=self.case.id,
                    addressee_id=self.participant.id,
                    kind=LetterKind.WARNING_OF_LEGAL_ACTION,
                    subject="Warning",
                    body_html="<p>Warning</p>",
                    pdf=b"%PDF",
                    generated_by_id=people["officer"].id,
                    served_on=self.today,
                )
            )
            db_session.flush()

        @rule()
        def prosecution_prepared(self):
            prosecution = Prosecution(
                case_id=self.case.id,
                period_start=self.today - timedelta(days=70),
                period_end=self.today,
                prepared_by_id=people["officer"].id,
            )
            prosecution.parents = [ProsecutedParent(carer_id=self.parent.id, section=Section444.S444_1)]
            db_session.add(prosecution)
            db_session.flush()

        @rule(
            trigger=st.sampled_from(sorted(approvals.APPROVABLE)),
            decider=st.sampled_from(["manager_a", "manager_b", "manager_b"]),
            approve=st.booleans(),
        )
        def approval(self, trigger, decider, approve):
            try:
                request = approvals.request(self.case, trigger, reason="Needed", actor=people["manager_a"])
                approvals.decide(
                    request, approve=approve, comment="Decided", actor=people[decider], expected_version=request.version
                )
            except ServiceError:
                pass  # a pending request already, or a manager deciding their own: refused, as it should be

        @rule(
            data=st.data(),
            any_trigger=st.booleans(),
            # Mostly no closure reason, so that histories run on rather than closing early.
            closure=st.sampled_from([None, None, None, ClosureReason.IMPROVED]),
            actor=st.sampled_from(["officer", "manager_b"]),
        )
        def step(self, data, any_trigger, closure, actor):
            """Take a step the case page would offer (or, sometimes, any step at all) and see what happens."""
            offered = [(edge.trigger, edge.dest) for edge in workflows.TRANSITIONS if edge.source == self.case.stage]
            if any_trigger or not offered:
                trigger = data.draw(st.sampled_from(TRIGGERS))
                destination = data.draw(st.sampled_from([None, *CaseStage]))
            else:
                trigger, destination = data.draw(st.sampled_from(offered))
            self.take(trigger, destination, closure, actor)

        def take(self, trigger, destination, closure, actor):
            """Try one step through the transition service; check what a legal stage needed, if entered."""
            inputs = Inputs(
                target=destination,
                closure_reason=closure,
                reopen_reason="Back",
                override_reason="",
                fpn_parent_ids=(self.parent.id,),
            )
            before = self.case.stage
            try:
                row = apply_transition(self.case, trigger, actor=people[actor], inputs=inputs)
            except ServiceError:
                assert self.case.stage == before
                return
            if row.to_stage in LEGAL_ENTRY_NEEDS and row.from_stage != row.to_stage:
                self.check_legal_entry(row)
                legal_entries.append(row.to_stage)

        def check_legal_entry(self, row: CaseTransition) -> None:
            """The records and approval a legal stage requires, read straight from the rows."""
            approval = db_session.get(Approval, row.approval_id) if row.approval_id else None
            assert approval is not None and approval.trigger == LEGAL_ENTRY_NEEDS[CaseStage(row.to_stage)]
            assert approval.status == ApprovalStatus.APPROVED and approval.decided_by_id != approval.requested_by_id
            kinds = set(db_session.scalars(sa.select(CaseRecord.kind).where(CaseRecord.case_id == self.case.id)))
            if row.to_stage == CaseStage.FPN:
                assert db_session.get(PupilAttendance, self.pupil.id).penalty_threshold_met
                failed_notice = db_session.scalar(
                    sa.select(NoticeToImprove.id).where(
                        NoticeToImprove.case_id == self.case.id, NoticeToImprove.improved.is_(False)
                    )
                )
                assert failed_notice or RecordKind.SUPPORT_NOT_APPROPRIATE in kinds
            if row.to_stage == CaseStage.ESO:
                assert {RecordKind.SUPPORT_FAILED, RecordKind.SOCIAL_CARE_CONSULTED} <= kinds
                assert not self.pupil.looked_after
            if row.to_stage == CaseStage.PROSECUTION:
                assert {RecordKind.ATTENDANCE_CERTIFICATE, RecordKind.ESO_CONSIDERED} <= kinds
                assert db_session.scalar(sa.select(ActionPlan.id).where(ActionPlan.case_id == self.case.id))
                assert db_session.scalar(
                    sa.select(Letter.id).where(
                        Letter.case_id == self.case.id,
                        Letter.served_on.is_not(None),
                        Letter.addressee_id == self.participant.id,
                    )
                )
                for notice in db_session.scalars(
                    sa.select(PenaltyNotice).where(PenaltyNotice.carer_id == self.parent.id)
                ):
                    settled = notice.paid_on or notice.withdrawn_on or notice.prosecuted_on
                    assert settled or (notice.received_on and (self.today - notice.received_on).days > 28)
                assert db_session.scalar(
                    sa.select(MeetingAttendee.id)
                    .join(Meeting)
                    .where(
                        Meeting.case_id == self.case.id,
                        Meeting.status == MeetingStatus.HELD,
                        MeetingAttendee.attendance == MeetingAttendance.ATTENDED,
                    )
                )
                assert db_session.scalar(sa.select(Prosecution.id).where(Prosecution.case_id == self.case.id))

        @invariant()
        def approvals_are_used_at_most_once(self):
            used = db_session.scalars(
                sa.select(CaseTransition.approval_id).where(
                    CaseTransition.case_id == self.case.id, CaseTransition.approval_id.is_not(None)
                )
            ).all()
            assert len(used) == len(set(used))

        @invariant()
        def the_history_replays_to_the_stored_stage(self):
            steps = db_session.execute(
                sa.select(CaseTransition.from_stage, CaseTransition.trigger, CaseTransition.to_stage)
                .where(CaseTransition.case_id == self.case.id)
                .order_by(CaseTransition.id)
            ).all()
            stored = db_session.scalar(sa.select(Case.stage).where(Case.id == self.case.id))
            assert workflows.replay([tuple(step) for step in steps], stored) == []

    # Derandomised, so every run checks the same histories: enough of them reach each legal stage.
    CaseHistory.TestCase.settings = settings(
        max_examples=150,
        stateful_step_count=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    CaseHistory.TestCase().runTest()
    # The checks above only mean something if the histories do reach every legal stage.
    assert set(legal_entries) == set(LEGAL_ENTRY_NEEDS), legal_entries
