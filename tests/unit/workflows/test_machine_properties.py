"""Random sequences of records, approvals, time and triggers: the workflow never breaks its promises.

The invariants: a legal stage is entered only when the records its guards name and an unused approval by
someone other than the requester were present at that moment (checked here from the raw facts, not through
the guards); a case only ever moves along an edge; what ``evaluate`` says agrees with what ``fire`` does;
and ``replay`` of the recorded history always reports no problems.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from workflows import (
    ENGLAND,
    LEGAL_STAGES,
    TRIGGER_LABELS,
    Actor,
    ApprovalFacts,
    Band,
    CaseFacts,
    CaseStage,
    ClosureReason,
    ContractFacts,
    DestinationRequired,
    EsoFacts,
    GuardFailed,
    MeetingFacts,
    NoticeToImproveFacts,
    PenaltyNoticeFacts,
    ProsecutedParentFacts,
    ProsecutionFacts,
    TransitionNotAllowed,
    WarningLetterFacts,
    WorkflowError,
    approval_to_use,
    context,
    evaluate,
    fire,
    is_edge,
    legal,
    replay,
)
from workflows.legal import PeriodRegister, SchoolWeek, Section444, Sentence, Verdict

START = datetime(2025, 1, 6, 9, 0, tzinfo=ENGLAND)
PAST = date(2024, 11, 4)
LATER = date(2031, 1, 1)
PARENTS = (1, 2)
ACTORS = (Actor(1, "officer"), Actor(2, "officer"), Actor(9, "manager"), Actor(5, "school_lead"), Actor(7, "admin"))
APPROVABLE = ("escalate", "issue_fpn", "apply_eso", "prosecute", "close")
APPROVAL_FOR_STAGE = {CaseStage.FPN: "issue_fpn", CaseStage.ESO: "apply_eso", CaseStage.PROSECUTION: "prosecute"}

NTI_FAILED = NoticeToImproveFacts(
    PAST, PAST + timedelta(weeks=4), True, improved=False, register=PeriodRegister(4, 40, 8)
)
PREPARED = ProsecutionFacts(
    period=(PAST, PAST + timedelta(days=40)),
    parents=tuple(ProsecutedParentFacts(p, section=Section444.S444_1) for p in PARENTS),
    file=(1, 1),
)
HEARD = replace(
    PREPARED,
    parents=tuple(replace(p, verdict=Verdict.GUILTY, sentences=(Sentence.FINE,)) for p in PREPARED.parents),
)

#: Named changes to the facts: each records something, or takes it away again.
RECORDS: dict[str, dict[str, Any]] = {
    "on roll at a school of yours": {"actor_may_work_for_school": True},
    "no access to school": {"actor_may_work_for_school": False},
    "override reason": {"override_reason": "Referred by the school"},
    "no override reason": {"override_reason": ""},
    "closure reason": {"closure_reason": ClosureReason.IMPROVED},
    "no closure reason": {"closure_reason": None},
    "reopen reason": {"reopen_reason": "Attendance fell again"},
    "no reopen reason": {"reopen_reason": ""},
    "name parent 1": {"fpn_parent_ids": (1,)},
    "name both parents": {"fpn_parent_ids": PARENTS},
    "name no parent": {"fpn_parent_ids": ()},
    "threshold met": {"penalty_threshold_met": True},
    "threshold not met": {"penalty_threshold_met": False},
    "threshold reason": {"threshold_reason": "Pattern of Friday absence"},
    "certificate": {"attendance_certificate": True},
    "no certificate": {"attendance_certificate": False},
    "family meeting": {"meetings": (MeetingFacts(PAST, family_attended=True),)},
    "meeting booked for later": {"meetings": (MeetingFacts(LATER, family_attended=True),)},
    "meeting without family": {"meetings": (MeetingFacts(PAST, family_attended=False),)},
    "action plan": {"action_plan_on": PAST},
    "no action plan": {"action_plan_on": None},
    "consent": {"family_consent_on": PAST},
    "no consent": {"family_consent_on": None},
    "lead practitioner": {"lead_practitioner_named": True},
    "contract": {"contract": ContractFacts(True, True, LATER)},
    "no contract": {"contract": None},
    "support offered": {"support_offered": True},
    "support not appropriate": {"support_not_appropriate_reason": "Term-time holiday"},
    "support appropriate": {"support_not_appropriate_reason": ""},
    "support failed": {"support_failed_reason": "Declined every offer"},
    "support not failed": {"support_failed_reason": ""},
    "warning letters": {"warning_letters": tuple(WarningLetterFacts(p, PAST) for p in PARENTS)},
    "warning letter to parent 1": {"warning_letters": (WarningLetterFacts(1, PAST),)},
    "warning letter to no parent": {"warning_letters": (WarningLetterFacts(None, PAST),)},
    "no warning letter": {"warning_letters": ()},
    "nti failed": {"notice_to_improve": NTI_FAILED},
    "nti period held 2 school weeks": {"notice_to_improve": replace(NTI_FAILED, register=PeriodRegister(2, 20, 8))},
    "nti improved": {"notice_to_improve": replace(NTI_FAILED, improved=True)},
    "nti not assessed": {"notice_to_improve": replace(NTI_FAILED, improved=None)},
    "nti too long": {"notice_to_improve": replace(NTI_FAILED, improvement_ends_on=PAST + timedelta(weeks=7))},
    "no nti": {"notice_to_improve": None},
    "social care consulted": {"social_care_consulted_on": PAST},
    "social care not consulted": {"social_care_consulted_on": None},
    "looked after": {"looked_after": True, "subject_to_care_order": None},
    "under a care order": {"looked_after": True, "subject_to_care_order": True},
    "accommodated, no care order": {"looked_after": True, "subject_to_care_order": False},
    "not looked after": {"looked_after": False, "subject_to_care_order": None},
    "eso considered": {"eso_considered_reason": "Considered; support already refused"},
    "eso not considered": {"eso_considered_reason": ""},
    "eso breached twice": {"eso": EsoFacts(applied_on=PAST, breaches=(PAST, PAST + timedelta(days=7)))},
    "eso breached once": {"eso": EsoFacts(applied_on=PAST, breaches=(PAST,))},
    "eso refused": {"eso": EsoFacts(applied_on=PAST, refused_or_discharged=True)},
    "eso expired": {"eso": EsoFacts(applied_on=PAST, made_on=PAST, expires_on=PAST + timedelta(days=30))},
    "prosecution prepared": {"prosecution": PREPARED},
    "prosecution heard": {"prosecution": HEARD},
    "prosecution without sections": {"prosecution": replace(PREPARED, parents=(ProsecutedParentFacts(1),))},
    "prosecution file changed": {"prosecution": replace(PREPARED, file=(1, 2))},
    "no prosecution": {"prosecution": None},
}
#: The records that, together, satisfy every guard somewhere (the band and approvals aside).
EVERYTHING = (
    "on roll at a school of yours",
    "override reason",
    "closure reason",
    "reopen reason",
    "name both parents",
    "threshold met",
    "threshold reason",
    "certificate",
    "family meeting",
    "action plan",
    "consent",
    "lead practitioner",
    "contract",
    "support offered",
    "support not appropriate",
    "support failed",
    "warning letters",
    "nti failed",
    "social care consulted",
    "not looked after",
    "eso considered",
    "eso breached twice",
    "prosecution prepared",
)


def usable(approval: ApprovalFacts, trigger: str, facts: CaseFacts) -> bool:
    """Return, independently of the workflow, whether an approval authorises ``trigger`` as the case now stands."""
    decided_by_another = approval.decided_by is not None and approval.decided_by != approval.requested_by
    same_step = approval.stage_entered_by == facts.stage_entered_by
    if trigger == "issue_fpn":
        same_step = same_step and sorted(approval.parent_ids) == sorted(facts.fpn_parent_ids)
    if trigger == "prosecute":
        same_step = same_step and facts.prosecution is not None and approval.prosecution_file == facts.prosecution.file
    return approval.trigger == trigger and approval.approved and not approval.used and decided_by_another and same_step


def breached_since(facts: CaseFacts, day: date) -> bool:
    """Return whether 10 consecutive school weeks (or fewer) wholly after ``day`` hold 10 unauthorised sessions."""
    counts = [week.unauthorised for week in facts.school_weeks if week.starts_on > day]
    return any(sum(counts[first : first + 10]) >= 10 for first in range(len(counts)))


def third_breach(facts: CaseFacts, parent: int, today: date) -> bool:
    """Return whether a parent with 2 live notices has breached again after the later one's absence."""
    live = live_notices(facts, parent, today)
    return len(live) >= 2 and breached_since(facts, max(n.period[1] if n.period else n.issued_on for n in live))


def live_notices(facts: CaseFacts, parent_id: int, today: date) -> list[PenaltyNoticeFacts]:
    """Return a parent's notices issued in the 3 years up to today and not withdrawn by today."""
    return [
        n
        for n in facts.penalty_notices
        if n.parent_id == parent_id
        and n.issued_on <= today < legal.add_years(n.issued_on, 3)
        and not (n.withdrawn_on is not None and n.withdrawn_on <= today)
    ]


def assert_fpn_entry(source: str, facts: CaseFacts, today: date) -> None:
    """Check the records a penalty notice needs."""
    assert facts.penalty_threshold_met and facts.fpn_parent_ids
    assert all(len(live_notices(facts, parent, today)) < 2 for parent in facts.fpn_parent_ids)
    if source == CaseStage.NOTICE_TO_IMPROVE:
        nti = facts.notice_to_improve
        assert nti is not None and nti.improvement_ends_on is not None
        assert nti.improvement_ends_on <= today and nti.improved is False
        assert nti.register is not None and nti.register.school_weeks >= 3
    else:
        assert facts.support_not_appropriate_reason.strip()


def assert_eso_entry(facts: CaseFacts, today: date) -> None:
    """Check the records an ESO application needs."""
    assert facts.support_failed_reason.strip()
    assert facts.social_care_consulted_on is not None and facts.social_care_consulted_on <= today
    assert not facts.looked_after or facts.subject_to_care_order is False


def assert_prosecution_entry(source: str, facts: CaseFacts, today: date) -> None:
    """Check the support-first evidence and the file a prosecution needs."""
    assert any(m.family_attended and m.held_on <= today for m in facts.meetings)
    assert facts.action_plan_on is not None and facts.action_plan_on <= today
    assert facts.attendance_certificate
    assert facts.eso_considered_reason.strip() or (facts.eso is not None and facts.eso.applied_on is not None)
    prosecution = facts.prosecution
    assert prosecution is not None and prosecution.period is not None and prosecution.parents
    assert all(p.section is not None for p in prosecution.parents)
    prosecuted = {p.parent_id for p in prosecution.parents}
    for parent in prosecuted:
        assert any(letter.parent_id == parent and letter.served_on <= today for letter in facts.warning_letters)
    for notice in (n for n in facts.penalty_notices if n.parent_id in prosecuted):
        if notice.paid_on is not None or notice.withdrawn_on is not None:
            if notice.period is None:
                assert notice.issued_on < prosecution.period[0]
            else:
                assert not legal.periods_overlap(notice.period, prosecution.period)
        elif notice.prosecuted_on is None:
            assert notice.received_on is not None and (today - notice.received_on).days > 28
    if source == CaseStage.ESO:
        assert facts.eso is not None and len(facts.eso.breaches) >= 2
    elif source == CaseStage.FPN:
        for parent in prosecuted:
            overdue = any(
                n.on_this_case
                and n.received_on
                and not (n.paid_on or n.withdrawn_on)
                and (today - n.received_on).days > 28
                for n in facts.penalty_notices
                if n.parent_id == parent
            )
            assert overdue or third_breach(facts, parent, today)
    elif source in (CaseStage.PARENTING_CONTRACT, CaseStage.NOTICE_TO_IMPROVE):
        assert facts.support_failed_reason.strip()
    else:
        assert all(third_breach(facts, parent, today) for parent in prosecuted)


def assert_legal_entry_justified(source: str, dest: CaseStage, facts: CaseFacts, actor: Actor, today: date) -> None:
    """Check, from the raw facts, that entering a legal stage had its records and a proper approval."""
    assert any(usable(a, APPROVAL_FOR_STAGE[dest], facts) for a in facts.approvals)
    assert actor.role in {"officer", "manager"}
    if dest is CaseStage.FPN:
        assert_fpn_entry(source, facts, today)
    elif dest is CaseStage.ESO:
        assert_eso_entry(facts, today)
    else:
        assert_prosecution_entry(source, facts, today)


class CaseLifecycle(RuleBasedStateMachine):
    """One case driven by random records, approvals, time and triggers, as the app would drive it."""

    def __init__(self) -> None:
        super().__init__()
        self.stage: CaseStage | None = None
        self.facts = CaseFacts()
        self.now = START
        self.history: list[tuple[str | None, str, str]] = []

    @initialize(prepared=st.booleans())
    def start(self, prepared: bool) -> None:
        """Start half the runs with every record and approval in place, so legal stages are often reached."""
        if prepared:
            self.record_everything()
            for trigger in APPROVABLE:
                self.approval_granted(trigger)

    @property
    def today(self) -> date:
        return context(self.facts, self.now, ACTORS[0])["today"]

    @rule(band=st.sampled_from(Band))
    def attendance_changes(self, band: Band) -> None:
        self.facts = replace(self.facts, band=band)

    @rule(name=st.sampled_from(sorted(RECORDS)))
    def record(self, name: str) -> None:
        self.facts = replace(self.facts, **RECORDS[name])

    @rule()
    def record_everything(self) -> None:
        for name in EVERYTHING:
            self.facts = replace(self.facts, **RECORDS[name])

    @rule()
    def everything_ready_and_approved(self) -> None:
        """Every record in place and every step approved for the case as it now stands (approvals granted
        earlier lapse once the case moves on), so that legal stages are reached often."""
        self.record_everything()
        for trigger in APPROVABLE:
            self.approval_granted(trigger)

    @rule(
        trigger=st.sampled_from(APPROVABLE),
        requested_by=st.sampled_from([1, 2, 9]),
        decided_by=st.sampled_from([None, 1, 2, 9]),
        approved=st.booleans(),
        reason=st.sampled_from(["", "Agreed at the legal panel"]),
    )
    def approval_decided(
        self, trigger: str, requested_by: int, decided_by: int | None, approved: bool, reason: str
    ) -> None:
        new = ApprovalFacts(
            len(self.facts.approvals) + 1,
            trigger,
            requested_by,
            decided_by,
            approved,
            reason=reason,
            stage_entered_by=self.facts.stage_entered_by,
            parent_ids=self.facts.fpn_parent_ids,
            prosecution_file=self.facts.prosecution.file if self.facts.prosecution else None,
        )
        self.facts = replace(self.facts, approvals=(*self.facts.approvals, new))

    @rule(trigger=st.sampled_from(APPROVABLE))
    def approval_granted(self, trigger: str) -> None:
        self.approval_decided(trigger, requested_by=1, decided_by=9, approved=True, reason="Agreed at the legal panel")

    @rule(days=st.integers(min_value=0, max_value=45))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @rule(parent=st.sampled_from(PARENTS), days_ago=st.integers(min_value=0, max_value=1200))
    def earlier_notice_found(self, parent: int, days_ago: int) -> None:
        issued = self.today - timedelta(days=days_ago)
        period = (issued - timedelta(days=40), issued - timedelta(days=1))
        notice = PenaltyNoticeFacts(
            parent, issued, received_on=issued, paid_on=issued, period=period, on_this_case=False
        )
        self.facts = replace(self.facts, penalty_notices=(*self.facts.penalty_notices, notice))

    @rule()
    def each_parent_had_a_notice_last_year(self) -> None:
        """A paid notice to each parent from an earlier case, for absence long past: a second notice makes the
        cap, and only a new breach after it is a third."""
        issued = self.today - timedelta(days=200)
        earlier = tuple(
            PenaltyNoticeFacts(
                parent,
                issued,
                received_on=issued,
                paid_on=issued,
                period=(issued - timedelta(days=40), issued - timedelta(days=1)),
                on_this_case=False,
            )
            for parent in PARENTS
        )
        self.facts = replace(self.facts, penalty_notices=(*self.facts.penalty_notices, *earlier))

    @rule()
    def every_notice_paid(self) -> None:
        """Every open notice received and paid today (a parent at the cap then has no overdue notice)."""
        paid = tuple(
            n
            if n.paid_on or n.withdrawn_on
            else replace(n, received_on=n.received_on or self.today, paid_on=self.today)
            for n in self.facts.penalty_notices
        )
        self.facts = replace(self.facts, penalty_notices=paid)

    @rule(per_week=st.integers(min_value=0, max_value=3), weeks=st.integers(min_value=1, max_value=12))
    def absence_recorded(self, per_week: int, weeks: int) -> None:
        """The registers up to today: ``weeks`` school weeks ending this week, each with these sessions missed."""
        monday = self.today - timedelta(days=self.today.weekday())
        recent = tuple(SchoolWeek(monday - timedelta(weeks=n), 10, per_week) for n in reversed(range(weeks)))
        self.facts = replace(self.facts, school_weeks=recent)

    @rule(index=st.integers(min_value=0, max_value=5), action=st.sampled_from(["receive", "pay", "withdraw"]))
    def notice_updated(self, index: int, action: str) -> None:
        notices = list(self.facts.penalty_notices)
        if index >= len(notices):
            return
        field = {"receive": "received_on", "pay": "paid_on", "withdraw": "withdrawn_on"}[action]
        notices[index] = replace(notices[index], **{field: self.today})
        self.facts = replace(self.facts, penalty_notices=tuple(notices))

    @rule(
        trigger=st.sampled_from([*TRIGGER_LABELS, "to_prosecution"]),
        destination=st.sampled_from([None, *CaseStage]),
        actor=st.sampled_from(ACTORS),
    )
    def fire_trigger(self, trigger: str, destination: CaseStage | None, actor: Actor) -> None:
        options = [o for o in evaluate(self.stage, self.facts, self.now, actor) if o.trigger == trigger]
        chosen = [o for o in options if destination is None or o.target is destination]
        outcome = self.attempt(trigger, destination, actor)
        if isinstance(outcome, TransitionNotAllowed):
            assert not chosen
        elif isinstance(outcome, DestinationRequired):
            assert destination is None and len(options) > 1
        elif isinstance(outcome, GuardFailed):
            assert len(chosen) == 1 and not chosen[0].allowed
            assert outcome.reasons == chosen[0].missing
        else:
            assert [o.target for o in chosen if o.allowed] == [outcome]
            self.moved(trigger, outcome, actor)

    @rule(choice=st.integers(min_value=0, max_value=20), actor=st.sampled_from(ACTORS))
    def take_an_allowed_step(self, choice: int, actor: Actor) -> None:
        allowed = [o for o in evaluate(self.stage, self.facts, self.now, actor) if o.allowed]
        if allowed:
            option = allowed[choice % len(allowed)]
            assert self.attempt(option.trigger, option.target, actor) is option.target
            self.moved(option.trigger, option.target, actor)

    @rule(choice=st.integers(min_value=0, max_value=20), actor=st.sampled_from(ACTORS))
    def take_an_allowed_legal_step(self, choice: int, actor: Actor) -> None:
        """Prefer a step into a legal stage when one is allowed, so the legal stages are explored deeply."""
        allowed = [
            o for o in evaluate(self.stage, self.facts, self.now, actor) if o.allowed and o.target in LEGAL_STAGES
        ]
        if allowed:
            option = allowed[choice % len(allowed)]
            assert self.attempt(option.trigger, option.target, actor) is option.target
            self.moved(option.trigger, option.target, actor)

    def attempt(self, trigger: str, destination: CaseStage | None, actor: Actor) -> CaseStage | WorkflowError:
        """Fire ``trigger`` and return the new stage, or the refusal."""
        try:
            return fire(self.stage, trigger, facts=self.facts, now=self.now, actor=actor, target=destination)
        except WorkflowError as refusal:
            return refusal

    def moved(self, trigger: str, new: CaseStage, actor: Actor) -> None:
        """Check a successful move, then do what the app does after one."""
        assert is_edge(self.stage, trigger, new)
        if new in LEGAL_STAGES:
            event(f"entered {new}")
            assert_legal_entry_justified(str(self.stage), new, self.facts, actor, self.today)
        spent = approval_to_use(self.stage, trigger, self.facts, target=new)
        self.facts = self.after_move(trigger, spent)
        self.history.append((self.stage, trigger, new))
        self.stage = new
        self.facts = replace(self.facts, stage_entered_by=len(self.history))

    def after_move(self, trigger: str, spent: ApprovalFacts | None) -> CaseFacts:
        """Return the facts as the app leaves them: approval used, notices issued, ESO applied for, ..."""
        facts = self.facts
        if spent is not None:
            facts = replace(facts, approvals=tuple(replace(a, used=True) if a is spent else a for a in facts.approvals))
        if trigger == "issue_fpn":
            period = (self.today - timedelta(days=30), self.today - timedelta(days=1))
            issued = tuple(PenaltyNoticeFacts(parent, self.today, period=period) for parent in facts.fpn_parent_ids)
            facts = replace(facts, penalty_notices=(*facts.penalty_notices, *issued), fpn_parent_ids=())
        elif trigger == "apply_eso":
            facts = replace(facts, eso=replace(facts.eso or EsoFacts(), applied_on=self.today))
        return facts

    @invariant()
    def history_replays_cleanly(self) -> None:
        assert replay(self.history, self.stage) == []

    @invariant()
    def stage_is_a_state(self) -> None:
        assert self.stage is None or self.stage in CaseStage


CaseLifecycle.TestCase.settings = settings(max_examples=300, stateful_step_count=60, deadline=None)
TestCaseLifecycle = CaseLifecycle.TestCase
