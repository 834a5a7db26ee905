"""The plain facts about a case that guards read; the app loads them from its records, nothing here queries.

Every field defaults to "nothing recorded", so ``CaseFacts()`` is a case with no records and tests can add
one fact at a time with ``dataclasses.replace``. Dates in the future (a meeting booked for next week) do not
count: guards compare them with today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflows.attendance import Band
from workflows.cases.stages import ClosureReason
from workflows.legal import PeriodRegister, SchoolWeek, Section444, Sentence, Verdict


@dataclass(frozen=True)
class Actor:
    """Who is firing the trigger: a user id and one of the roles in ``Role``."""

    id: int
    role: str


@dataclass(frozen=True)
class ApprovalFacts:
    """A manager's decision on a request to take one step on this case.

    ``trigger`` is the step approved ("issue_fpn", "apply_eso", "prosecute", "close", or "escalate" for an
    override). ``approved`` is False while pending or when rejected. ``used`` is True once a transition has
    consumed it: each approval authorises one move.
    """

    id: int
    trigger: str
    requested_by: int
    decided_by: int | None = None
    approved: bool = False
    used: bool = False
    reason: str = ""
    # What the manager was asked to approve, as it stood when asked: the approval covers only that.
    #: The audit row that had put the case in the stage it was asked from (a later move voids the approval).
    stage_entered_by: int | None = None
    #: The parents the step names: those to receive penalty notices, or those in the prosecution file.
    parent_ids: tuple[int, ...] = ()
    #: The prosecution file approved, as (id, version): any later change to the file voids the approval.
    prosecution_file: tuple[int, int] | None = None

    def usable_for(self, trigger: str) -> bool:
        """Return whether this approval can authorise ``trigger`` now: approved, unused, not self-approved."""
        return (
            self.trigger == trigger
            and self.approved
            and not self.used
            and self.decided_by is not None
            and self.decided_by != self.requested_by
        )


@dataclass(frozen=True)
class MeetingFacts:
    """A meeting on the case: when it was held and whether one of the child's carers took part."""

    held_on: date
    family_attended: bool


@dataclass(frozen=True)
class ContractFacts:
    """An attendance (parenting) contract as drafted or agreed."""

    terms_recorded: bool = False
    parties_recorded: bool = False
    review_on: date | None = None


@dataclass(frozen=True)
class NoticeToImproveFacts:
    """The notice to improve: its improvement period and, once assessed, whether attendance improved enough."""

    improvement_starts_on: date | None = None
    improvement_ends_on: date | None = None
    sufficient_improvement_described: bool = False
    improved: bool | None = None
    #: Weeks of school holiday within the period (they are not school weeks).
    holiday_weeks: int = 0
    #: What the registers show for the period, once it has ended.
    register: PeriodRegister | None = None


@dataclass(frozen=True)
class PenaltyNoticeFacts:
    """One penalty notice to one parent for this child; ``on_this_case`` is False for notices from earlier cases.

    ``period`` is the first and last day of the absence the notice covers, when recorded; ``prosecuted_on``
    is when proceedings were laid for the offence after the notice went unpaid.
    """

    parent_id: int
    issued_on: date
    received_on: date | None = None
    paid_on: date | None = None
    withdrawn_on: date | None = None
    prosecuted_on: date | None = None
    period: tuple[date, date] | None = None
    on_this_case: bool = True


@dataclass(frozen=True)
class EsoFacts:
    """The education supervision order: application, order dates and recorded breaches of its directions."""

    applied_on: date | None = None
    made_on: date | None = None
    expires_on: date | None = None
    breaches: tuple[date, ...] = ()
    #: The court refused the application, or the order was discharged: it is over before any expiry.
    refused_or_discharged: bool = False


@dataclass(frozen=True)
class ProsecutedParentFacts:
    """One parent in the proceedings: the offence charged and, once heard, the outcome."""

    parent_id: int
    section: Section444 | None = None
    verdict: Verdict | None = None
    sentences: tuple[Sentence, ...] = ()


@dataclass(frozen=True)
class ProsecutionFacts:
    """The prosecution file: the absence period it covers and each parent prosecuted, and its id and version."""

    period: tuple[date, date] | None = None
    parents: tuple[ProsecutedParentFacts, ...] = ()
    file: tuple[int, int] | None = None


@dataclass(frozen=True)
class WarningLetterFacts:
    """A formal warning of legal action served on a parent (``parent_id`` None when not addressed to a carer)."""

    parent_id: int | None
    served_on: date


@dataclass(frozen=True)
class CaseFacts:
    """Everything the guards of the case workflow may read, loaded by the app for one decision."""

    #: The attendance band computed from the register now.
    band: Band = Band.NONE
    #: The acting user may work with the school the pupil is on roll at (the app's access rules decide).
    actor_may_work_for_school: bool = False
    #: The audit row that put the case in its current stage (None before the case is opened).
    stage_entered_by: int | None = None

    # Inputs typed on the action form, not stored records.
    #: Why a case is opened at a stage that does not match the band.
    override_reason: str = ""
    #: Why the case is being closed.
    closure_reason: ClosureReason | None = None
    #: Why a closed case is being reopened.
    reopen_reason: str = ""
    #: The parents to receive a penalty notice now (one notice each).
    fpn_parent_ids: tuple[int, ...] = ()
    #: Asked on the application for an ESO when the child is looked after: is the child under a care order?
    subject_to_care_order: bool | None = None

    # Attendance evidence.
    #: 10 or more unauthorised sessions in some 10 school weeks this school year (the national threshold).
    penalty_threshold_met: bool = False
    #: The pupil's school weeks (weeks with a possible session) up to today, oldest first, from the registers.
    school_weeks: tuple[SchoolWeek, ...] = ()
    #: Why a notice to improve is issued although the threshold is not met.
    threshold_reason: str = ""
    #: The school has produced a certificate of the pupil's attendance for court.
    attendance_certificate: bool = False

    # Support records.
    meetings: tuple[MeetingFacts, ...] = ()
    action_plan_on: date | None = None
    family_consent_on: date | None = None
    lead_practitioner_named: bool = False
    contract: ContractFacts | None = None
    #: Support has been offered to the family (recorded on the plan or chronology).
    support_offered: bool = False
    #: Why support is not appropriate (e.g. a term-time holiday), so a penalty notice may skip the notice to improve.
    support_not_appropriate_reason: str = ""
    #: How voluntary support was tried and failed or was refused.
    support_failed_reason: str = ""
    #: Formal warnings of legal action served, one per letter.
    warning_letters: tuple[WarningLetterFacts, ...] = ()

    # Legal records.
    notice_to_improve: NoticeToImproveFacts | None = None
    #: Every notice for this child to any parent, on this case or an earlier one.
    penalty_notices: tuple[PenaltyNoticeFacts, ...] = ()
    social_care_consulted_on: date | None = None
    #: The child is looked after by a local authority: in care under a care order, or accommodated (s20).
    looked_after: bool = False
    eso: EsoFacts | None = None
    #: Why the LA, having considered an ESO (EA 1996 s447), is or is not applying for one.
    eso_considered_reason: str = ""
    prosecution: ProsecutionFacts | None = None
    #: Every approval requested on this case.
    approvals: tuple[ApprovalFacts, ...] = ()

    def notices_to(self, parent_id: int) -> list[PenaltyNoticeFacts]:
        """Return the notices for this child issued to ``parent_id``."""
        return [notice for notice in self.penalty_notices if notice.parent_id == parent_id]

    @property
    def warning_letter_served_on(self) -> date | None:
        """Return when the latest formal warning was served on anyone, if one was."""
        return max((letter.served_on for letter in self.warning_letters), default=None)

    def approval_differences(self, approval: ApprovalFacts) -> list[str]:
        """Return what has changed since ``approval`` was asked for (empty when it still covers the step)."""
        differences = []
        if approval.stage_entered_by != self.stage_entered_by:
            differences.append("the case has moved to another stage since")
        if approval.trigger == "issue_fpn" and set(approval.parent_ids) != set(self.fpn_parent_ids):
            differences.append("the parents to receive notices are not those approved")
        if approval.trigger == "prosecute":
            file = self.prosecution.file if self.prosecution else None
            if file is None or approval.prosecution_file != file:
                differences.append("the prosecution file has changed since")
        return differences

    def usable_approval(self, trigger: str) -> ApprovalFacts | None:
        """Return the first approval that can authorise ``trigger`` now, for the step as it now stands."""
        return next((a for a in self.approvals if a.usable_for(trigger) and not self.approval_differences(a)), None)
