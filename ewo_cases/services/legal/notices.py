"""Penalty notices, one per parent per child: issuing them (a step of the workflow), receipt, payment and
withdrawal, and their status and amount on any day. Amounts, clocks and the cap come from ``workflows.legal``;
the guards decide whether notices may be issued, and they are written in the same transaction as the move."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, PenaltyNotice, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.legal.common import (
    ParentChoice,
    check_not_before,
    check_past,
    eligible_parents,
    fire,
    long_date,
    parent_choices,
)
from ewo_cases.services.transitions import Inputs
from workflows import legal as rules
from workflows.legal import NoticeKind, WithdrawalGround

# --- issuing penalty notices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticePreview:
    """What issuing a notice to one parent on ``on`` would mean: first or second, the amount, or the cap."""

    parent: ParentChoice
    on: date
    kind: NoticeKind
    #: The parent's notices for this child that count towards the cap on ``on``.
    counting: list[PenaltyNotice]
    may_issue: bool

    @property
    def next_possible_on(self) -> date | None:
        """Return the first day a further notice could be issued, when the cap stops one now."""
        if self.may_issue or not self.counting:
            return None
        return rules.add_years(min(notice.issued_on for notice in self.counting), rules.CAP_YEARS)


def notices_for(pupil_id: int, carer_id: int | None = None) -> list[PenaltyNotice]:
    """Return every notice for the child (to one parent, if given), on any case, oldest first."""
    query = sa.select(PenaltyNotice).where(PenaltyNotice.pupil_id == pupil_id)
    if carer_id is not None:
        query = query.where(PenaltyNotice.carer_id == carer_id)
    return list(db.session.scalars(query.order_by(PenaltyNotice.issued_on, PenaltyNotice.id)))


def preview(case: Case, on: date) -> list[NoticePreview]:
    """Return, for each parent or carer on the case, what a notice issued on ``on`` would be."""
    previews = []
    for choice in parent_choices(case):
        earlier = notices_for(case.pupil_id, choice.id)
        previews.append(
            NoticePreview(
                parent=choice,
                on=on,
                kind=rules.notice_kind(earlier, on),
                counting=rules.notices_counting_towards_cap(earlier, on),
                may_issue=rules.may_issue_notice(earlier, on),
            )
        )
    return previews


def issue_penalty_notices(
    case: Case,
    *,
    carer_ids: list[int],
    issued_on: date,
    period: tuple[date, date],
    actor: User,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[PenaltyNotice]:
    """Move the case to the penalty notice stage, then record one notice to each parent named."""
    check_past(issued_on, field="issued_on", what="The date issued")
    _check_period(period, issued_on)
    carers = eligible_parents(case, carer_ids, field="parents")
    if not carers:
        raise ServiceError("Choose at least one parent to receive a notice", field="parents")
    names = ", ".join(carer.name for carer in carers)
    summary = f"Penalty notices to {names} for absence from {long_date(period[0])} to {long_date(period[1])}."
    fire(
        case,
        "issue_fpn",
        actor=actor,
        inputs=Inputs(reason=" ".join(filter(None, (summary, reason))), fpn_parent_ids=tuple(c.id for c in carers)),
        now=now,
        expected_version=expected_version,
    )
    return [_issue_one(case, carer, issued_on, period, actor) for carer in carers]


def _check_period(period: tuple[date, date], issued_on: date) -> None:
    start, end = period
    if end < start:
        raise ServiceError("The last day of absence must be the same as or after the first", field="period_end")
    if end > issued_on:
        raise ServiceError("A notice can only be for absence before it was issued", field="period_end")


def _issue_one(case: Case, carer: Carer, issued_on: date, period: tuple[date, date], actor: User) -> PenaltyNotice:
    earlier = notices_for(case.pupil_id, carer.id)
    # The guards check the cap today; a notice dated earlier must also have been lawful on its own date.
    if not rules.may_issue_notice(earlier, issued_on):
        raise ServiceError(
            f"{carer.name} already had 2 notices for this child counting on {long_date(issued_on)}: "
            "no more than 2 in 3 years",
            field="parents",
        )
    notice = PenaltyNotice(
        case_id=case.id,
        pupil_id=case.pupil_id,
        carer_id=carer.id,
        kind=rules.notice_kind(earlier, issued_on),
        issued_on=issued_on,
        period_start=period[0],
        period_end=period[1],
        issued_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    notice.reference = f"PN-{issued_on:%y}-{notice.id:04d}"
    db.session.flush()
    audit.record(
        actor,
        "penalty_notice.issued",
        notice,
        f"{notice.reference} ({notice.kind.value} notice) issued to {carer.name} on {case}",
        case=case.id,
        carer=carer.id,
    )
    return notice


# --- receipt, payment and withdrawal ----------------------------------------------------------------------


def record_receipt(
    notice: PenaltyNotice, *, received_on: date, actor: User, expected_version: int | None
) -> PenaltyNotice:
    """Record when the parent received the notice: the 21- and 28-day clocks run from then."""
    check_version(notice, expected_version)
    _check_open(notice, field="received_on")
    _check_received_on(notice, received_on)
    notice.received_on = received_on
    db.session.flush()
    audit.record(actor, "penalty_notice.received", notice, f"{notice.reference} received on {long_date(received_on)}")
    return notice


def _check_received_on(notice: PenaltyNotice, received_on: date) -> None:
    check_past(received_on, field="received_on", what="The date received")
    check_not_before(
        received_on,
        notice.issued_on,
        field="received_on",
        message=f"The date received must be on or after the date issued ({long_date(notice.issued_on)})",
    )


def _check_open(notice: PenaltyNotice, *, field: str) -> None:
    if notice.withdrawn_on is not None:
        raise ServiceError(f"{notice.reference} was withdrawn on {long_date(notice.withdrawn_on)}", field=field)
    if notice.paid_on is not None:
        raise ServiceError(f"{notice.reference} was paid on {long_date(notice.paid_on)}", field=field)
    if notice.prosecuted_on is not None:
        raise ServiceError(
            f"Proceedings for {notice.reference} were laid on {long_date(notice.prosecuted_on)}", field=field
        )


def record_payment(
    notice: PenaltyNotice,
    *,
    paid_on: date,
    amount: int,
    actor: User,
    received_on: date | None = None,
    expected_version: int | None,
) -> PenaltyNotice:
    """Record a payment in full, which closes the notice (and bars prosecution for its absence)."""
    check_version(notice, expected_version)
    if notice.withdrawn_on is not None:
        raise ServiceError(
            f"{notice.reference} was withdrawn on {long_date(notice.withdrawn_on)}: refund any payment", field="paid_on"
        )
    if notice.paid_on is not None:
        raise ServiceError(f"{notice.reference} was already paid on {long_date(notice.paid_on)}", field="paid_on")
    received = notice.received_on or received_on
    if received is None:
        raise ServiceError("Enter the date the notice was received: the amount due depends on it", field="received_on")
    if notice.received_on is None:
        _check_received_on(notice, received)
    check_past(paid_on, field="paid_on", what="The date paid")
    check_not_before(
        paid_on,
        received,
        field="paid_on",
        message=f"The date paid must be on or after the date received ({long_date(received)})",
    )
    _check_amount(notice, received, paid_on, amount)
    notice.received_on, notice.paid_on, notice.amount_paid = received, paid_on, amount
    db.session.flush()
    audit.record(actor, "penalty_notice.paid", notice, f"{notice.reference} paid: £{amount} on {long_date(paid_on)}")
    return notice


def _check_amount(notice: PenaltyNotice, received_on: date, paid_on: date, amount: int) -> None:
    due = rules.amount_payable(notice.kind, received_on, paid_on)
    deadline = rules.payment_deadline(received_on)
    if due is None:
        raise ServiceError(
            f"The 28 days to pay ended on {long_date(deadline)}, so a payment on {long_date(paid_on)} cannot settle "
            "the notice. Return the money, then decide whether to prosecute or withdraw the notice",
            field="paid_on",
        )
    if amount != due:
        raise ServiceError(
            f"{amount_due_explained(notice.kind, received_on, paid_on)} £{amount} was entered", field="amount"
        )


def amount_due_explained(kind: NoticeKind, received_on: date, paid_on: date) -> str:
    """Return why a notice paid on ``paid_on`` costs what it does, in a sentence."""
    due = rules.amount_payable(kind, received_on, paid_on)
    day = (paid_on - received_on).days
    if kind is NoticeKind.SECOND:
        return (
            f"A second notice costs £{rules.FULL_AMOUNT} whenever it is paid within 28 days of receipt "
            f"(by {long_date(rules.payment_deadline(received_on))})."
        )
    return (
        f"Paid on {long_date(paid_on)}, day {day} after receipt, a first notice costs £{due}: "
        f"£{rules.DISCOUNTED_AMOUNT} if paid by {long_date(rules.discount_deadline(received_on))}, "
        f"£{rules.FULL_AMOUNT} by {long_date(rules.payment_deadline(received_on))}."
    )


def withdraw_notice(
    notice: PenaltyNotice,
    *,
    withdrawn_on: date,
    ground: WithdrawalGround,
    note: str,
    actor: User,
    expected_version: int | None,
) -> PenaltyNotice:
    """Withdraw a notice on a ground in regulation 8; it then no longer counts towards the cap."""
    check_version(notice, expected_version)
    if notice.withdrawn_on is not None:
        raise ServiceError(
            f"{notice.reference} was already withdrawn on {long_date(notice.withdrawn_on)}", field="withdrawn_on"
        )
    if notice.prosecuted_on is not None:
        raise ServiceError(
            f"Proceedings for {notice.reference} were laid on {long_date(notice.prosecuted_on)}: "
            "withdraw the proceedings through the court instead",
            field="withdrawn_on",
        )
    check_past(withdrawn_on, field="withdrawn_on", what="The date withdrawn")
    check_not_before(
        withdrawn_on,
        notice.issued_on,
        field="withdrawn_on",
        message="The date withdrawn must be on or after the date issued",
    )
    notice.withdrawn_on, notice.withdrawal_ground, notice.withdrawal_note = withdrawn_on, ground, note.strip()
    db.session.flush()
    refund = f"; refund the £{notice.amount_paid} paid" if notice.paid_on else ""
    audit.record(
        actor,
        "penalty_notice.withdrawn",
        notice,
        f"{notice.reference} withdrawn: {rules.WITHDRAWAL_GROUND_LABELS[ground].lower()}{refund}",
    )
    return notice


# --- reading notices --------------------------------------------------------------------------------------


class NoticeStatus(enum.StrEnum):
    """Where a notice stands today."""

    AWAITING_RECEIPT = "awaiting_receipt"
    PAYABLE = "payable"
    DECISION_DUE = "decision_due"
    PAID = "paid"
    WITHDRAWN = "withdrawn"
    PROSECUTED = "prosecuted"

    @property
    def label(self) -> str:
        return NOTICE_STATUS_LABELS[self]

    @property
    def tag_class(self) -> str:
        return NOTICE_STATUS_TAGS[self]


NOTICE_STATUS_LABELS = {
    NoticeStatus.AWAITING_RECEIPT: "Not yet received",
    NoticeStatus.PAYABLE: "Unpaid: time to pay",
    NoticeStatus.DECISION_DUE: "Unpaid after 28 days",
    NoticeStatus.PAID: "Paid",
    NoticeStatus.WITHDRAWN: "Withdrawn",
    NoticeStatus.PROSECUTED: "Prosecuted",
}
NOTICE_STATUS_TAGS = {
    NoticeStatus.AWAITING_RECEIPT: "govuk-tag--grey",
    NoticeStatus.PAYABLE: "govuk-tag--yellow",
    NoticeStatus.DECISION_DUE: "govuk-tag--red",
    NoticeStatus.PAID: "govuk-tag--green",
    NoticeStatus.WITHDRAWN: "govuk-tag--grey",
    NoticeStatus.PROSECUTED: "govuk-tag--purple",
}


def notice_status(notice: PenaltyNotice, today: date) -> NoticeStatus:
    """Return where ``notice`` stands on ``today``."""
    if notice.withdrawn_on is not None:
        return NoticeStatus.WITHDRAWN
    if notice.paid_on is not None:
        return NoticeStatus.PAID
    if notice.prosecuted_on is not None:
        return NoticeStatus.PROSECUTED
    if notice.received_on is None:
        return NoticeStatus.AWAITING_RECEIPT
    if rules.prosecute_or_withdraw_due(notice.received_on, notice.paid_on, notice.withdrawn_on, today):
        return NoticeStatus.DECISION_DUE
    return NoticeStatus.PAYABLE


@dataclass(frozen=True)
class NoticeSummary:
    """A notice as its pages show it: status today, the amount payable today and the deadlines."""

    notice: PenaltyNotice
    status: NoticeStatus
    #: What paying today would cost; None when the notice is not payable today.
    amount_today: int | None
    discount_deadline: date | None
    payment_deadline: date | None

    @property
    def is_open(self) -> bool:
        return self.status in (NoticeStatus.AWAITING_RECEIPT, NoticeStatus.PAYABLE, NoticeStatus.DECISION_DUE)


def summarise(notice: PenaltyNotice, today: date) -> NoticeSummary:
    """Return ``notice`` with its status, amount and deadlines on ``today``."""
    status = notice_status(notice, today)
    received = notice.received_on
    if received is None:
        return NoticeSummary(notice, status, None, None, None)
    payable = status is NoticeStatus.PAYABLE
    discount = rules.discount_deadline(received) if notice.kind is NoticeKind.FIRST else None
    return NoticeSummary(
        notice,
        status,
        rules.amount_payable(notice.kind, received, today) if payable else None,
        discount,
        rules.payment_deadline(received),
    )
