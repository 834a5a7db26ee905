"""The penalty notice register: the record regulation 20 of the Education (Penalty Notices) (England)
Regulations 2007 requires — each notice issued, its payment and date, any withdrawal and its ground, and
whether the recipient was prosecuted — filtered, a page at a time or whole as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, PenaltyNotice, Pupil, School, User
from ewo_cases.scoping import of_visible_cases
from ewo_cases.services.legal.notices import NOTICE_STATUS_LABELS, NoticeStatus, summarise
from workflows import legal as rules
from workflows.legal import NoticeKind

PAGE_SIZE = 50


@dataclass(frozen=True)
class RegisterFilters:
    """What the register is narrowed to; None means everything."""

    school_id: int | None = None
    status: NoticeStatus | None = None
    issued_from: date | None = None
    issued_to: date | None = None


def register_query(user: User, filters: RegisterFilters, today: date) -> sa.Select:
    """Return the notices the user may see, with child, parent, school, case and issuer, newest first."""
    # Aliased here, not when the module is imported: aliasing configures every mapper, slowing every start-up.
    issuer = aliased(User, name="issuer")
    query = (
        sa.select(PenaltyNotice, Pupil, Carer, School, Case, issuer)
        .join(Pupil, Pupil.id == PenaltyNotice.pupil_id)
        .join(Carer, Carer.id == PenaltyNotice.carer_id)
        .join(School, School.id == Pupil.school_id)
        .join(Case, Case.id == PenaltyNotice.case_id)
        .join(issuer, issuer.id == PenaltyNotice.issued_by_id)
        .order_by(PenaltyNotice.issued_on.desc(), PenaltyNotice.id.desc())
    )
    query = of_visible_cases(query, PenaltyNotice.case_id, user)
    if filters.school_id is not None:
        query = query.where(Pupil.school_id == filters.school_id)
    if filters.issued_from is not None:
        query = query.where(PenaltyNotice.issued_on >= filters.issued_from)
    if filters.issued_to is not None:
        query = query.where(PenaltyNotice.issued_on <= filters.issued_to)
    if filters.status is not None:
        query = query.where(status_condition(filters.status, today))
    return query


def status_condition(status: NoticeStatus, today: date) -> sa.ColumnElement[bool]:
    """Return the SQL form of ``notices.notice_status(notice, today) == status``."""
    notice = PenaltyNotice
    # The 28 days have passed when today is after received_on + 28, i.e. received before today - 28.
    last_payable_receipt = today - timedelta(days=rules.PAYMENT_DAYS)
    open_ = sa.and_(notice.withdrawn_on.is_(None), notice.paid_on.is_(None), notice.prosecuted_on.is_(None))
    return {
        NoticeStatus.WITHDRAWN: notice.withdrawn_on.is_not(None),
        NoticeStatus.PAID: sa.and_(notice.withdrawn_on.is_(None), notice.paid_on.is_not(None)),
        NoticeStatus.PROSECUTED: sa.and_(
            notice.withdrawn_on.is_(None), notice.paid_on.is_(None), notice.prosecuted_on.is_not(None)
        ),
        NoticeStatus.AWAITING_RECEIPT: sa.and_(open_, notice.received_on.is_(None)),
        NoticeStatus.PAYABLE: sa.and_(open_, notice.received_on >= last_payable_receipt),
        NoticeStatus.DECISION_DUE: sa.and_(open_, notice.received_on < last_payable_receipt),
    }[status]


def page_of(query: sa.Select, page: int) -> tuple[list[sa.Row], int]:
    """Return one page of the register and how many notices match in all."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


#: The CSV columns: the regulation 20 record of each notice.
CSV_HEADER = [
    "reference",
    "case_reference",
    "parent_name",
    "parent_address",
    "child_name",
    "child_upn",
    "child_date_of_birth",
    "school_urn",
    "school",
    "notice_kind",
    "issued_on",
    "issued_by",
    "offence_period_start",
    "offence_period_end",
    "received_on",
    "amount_within_21_days",
    "amount_within_28_days",
    "pay_reduced_by",
    "pay_by",
    "paid_on",
    "amount_paid",
    "withdrawn_on",
    "withdrawal_ground",
    "withdrawal_note",
    "prosecuted_on",
    "status",
]


def csv_rows(query: sa.Select, today: date) -> list[list[object]]:
    """Return every notice the query finds as a row of CSV_HEADER."""
    return [_csv_row(*row, today=today) for row in db.session.execute(query)]


def _csv_row(
    notice: PenaltyNotice, pupil: Pupil, carer: Carer, school: School, case: Case, issuer: User, *, today: date
) -> list[object]:
    summary = summarise(notice, today)
    first = notice.kind is NoticeKind.FIRST
    return [
        notice.reference,
        case.reference,
        carer.name,
        carer.address,
        pupil.name,
        pupil.upn,
        pupil.date_of_birth.isoformat(),
        school.urn,
        school.name,
        notice.kind.value,
        notice.issued_on.isoformat(),
        issuer.name,
        notice.period_start.isoformat(),
        notice.period_end.isoformat(),
        _iso(notice.received_on),
        rules.DISCOUNTED_AMOUNT if first else rules.FULL_AMOUNT,
        rules.FULL_AMOUNT,
        _iso(summary.discount_deadline),
        _iso(summary.payment_deadline),
        _iso(notice.paid_on),
        notice.amount_paid,
        _iso(notice.withdrawn_on),
        rules.WITHDRAWAL_GROUND_LABELS[notice.withdrawal_ground] if notice.withdrawal_ground else None,
        notice.withdrawal_note or None,
        _iso(notice.prosecuted_on),
        NOTICE_STATUS_LABELS[summary.status],
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
