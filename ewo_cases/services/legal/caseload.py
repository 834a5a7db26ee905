"""The legal caseload: every case in a formal or legal stage with what is due next, soonest first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ewo_cases.extensions import db
from ewo_cases.models import Case, Eso, EsoStatus, NoticeToImprove, PenaltyNotice, Prosecution, Pupil, Role, User
from ewo_cases.scoping import cases
from ewo_cases.services.legal.eso import current_expiry
from ewo_cases.services.legal.notices import NoticeStatus, summarise
from ewo_cases.services.legal.prosecution import next_hearing, settled_notices_in_proceedings, settled_text
from workflows import CaseStage
from workflows import legal as rules

#: The stages the legal caseload shows.
LEGAL_CASELOAD_STAGES = (CaseStage.NOTICE_TO_IMPROVE, CaseStage.FPN, CaseStage.ESO, CaseStage.PROSECUTION)
#: An order this close to expiry is flagged, so an extension can be sought in time.
ESO_EXPIRY_WARNING = timedelta(days=60)
SORTS = ("due", "name", "stage")


@dataclass(frozen=True)
class Due:
    """One thing due on a case: when (None when not yet known), what, and whether it needs action now."""

    on: date | None
    text: str
    urgent: bool = False


@dataclass
class CaseloadRow:
    """A case with everything due on it, soonest first, and any warning that must not be missed."""

    case: Case
    due: list[Due] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def next_due(self) -> Due | None:
        return self.due[0] if self.due else None


def caseload(user: User, *, today: date, mine: bool, sort: str = "due", descending: bool = False) -> list[CaseloadRow]:
    """Return the legal caseload the user may see (officers: their own cases when ``mine``), sorted."""
    query = (
        cases(user)
        .where(Case.stage.in_(LEGAL_CASELOAD_STAGES))
        .options(selectinload(Case.pupil).selectinload(Pupil.school), selectinload(Case.assigned_officer))
    )
    if mine and user.role == Role.OFFICER:
        query = query.where(Case.assigned_officer_id == user.id)
    found = db.session.scalars(query).all()
    rows = _rows(found, today)
    return sorted(rows, key=_sort_key(sort), reverse=descending)


def _sort_key(sort: str):
    if sort == "name":
        return lambda row: (row.case.pupil.surname.lower(), row.case.pupil.forename.lower(), row.case.id)
    if sort == "stage":
        return lambda row: (LEGAL_CASELOAD_STAGES.index(row.case.stage), _due_key(row))
    return _due_key


def _due_key(row: CaseloadRow) -> tuple:
    due = row.next_due
    return (due is None or due.on is None, due.on if due and due.on else date.max, row.case.id)


def _rows(found: list[Case], today: date) -> list[CaseloadRow]:
    ids = [case.id for case in found]
    records = _Records.load(ids)
    rows = []
    for case in found:
        row = CaseloadRow(case)
        if case.stage == CaseStage.NOTICE_TO_IMPROVE:
            row.due += _notice_to_improve_due(records.notices_to_improve.get(case.id), today)
        row.due += [due for notice in records.penalty_notices[case.id] if (due := _notice_due(notice, today))]
        row.due += _eso_due(records.esos.get(case.id), today)
        prosecution = records.prosecutions.get(case.id)
        row.due += _prosecution_due(prosecution, today)
        row.warnings += [_settled_warning(notice) for notice in _settled_in_laid(prosecution)]
        row.due.sort(key=lambda due: (due.on is None, due.on or date.max))
        rows.append(row)
    return rows


def _settled_in_laid(prosecution: Prosecution | None) -> list[PenaltyNotice]:
    return settled_notices_in_proceedings(prosecution if prosecution and prosecution.laid_on else None)


def _settled_warning(notice: PenaltyNotice) -> str:
    return f"{settled_text(notice)}. Tell the court: the offence cannot be prosecuted"


@dataclass
class _Records:
    """The legal records of many cases, loaded in a few queries."""

    notices_to_improve: dict[int, NoticeToImprove]
    penalty_notices: dict[int, list[PenaltyNotice]]
    esos: dict[int, Eso]
    prosecutions: dict[int, Prosecution]

    @classmethod
    def load(cls, ids: list[int]) -> _Records:
        notices = defaultdict(list)
        for notice in db.session.scalars(
            sa.select(PenaltyNotice)
            .where(PenaltyNotice.case_id.in_(ids))
            .options(selectinload(PenaltyNotice.carer))
            .order_by(PenaltyNotice.id)
        ):
            notices[notice.case_id].append(notice)
        return cls(
            notices_to_improve=_latest(NoticeToImprove, ids),
            penalty_notices=notices,
            esos=_latest(Eso, ids, selectinload(Eso.extensions)),
            prosecutions=_latest(
                Prosecution, ids, selectinload(Prosecution.hearings), selectinload(Prosecution.parents)
            ),
        )


def _latest(model, ids: list[int], *options) -> dict:
    """Return each case's most recent record of ``model``."""
    latest = {}
    for record in db.session.scalars(
        sa.select(model).where(model.case_id.in_(ids)).options(*options).order_by(model.id)
    ):
        latest[record.case_id] = record
    return latest


def _notice_to_improve_due(notice: NoticeToImprove | None, today: date) -> list[Due]:
    if notice is None:
        return []
    ends = notice.improvement_ends_on
    if not rules.improvement_period_over(ends, today):
        return [Due(ends, f"Improvement period ends ({(ends - today).days} days left)")]
    if notice.improved is None:
        return [Due(ends, "Improvement period over: record whether attendance improved", urgent=True)]
    return []


def _notice_due(notice: PenaltyNotice, today: date) -> Due | None:
    summary = summarise(notice, today)
    name = f"{notice.reference} to {notice.carer.name}"
    if summary.status is NoticeStatus.AWAITING_RECEIPT:
        return Due(notice.issued_on, f"{name}: record when it was received")
    if summary.status is NoticeStatus.PAYABLE:
        return Due(summary.payment_deadline, f"{name}: £{summary.amount_today} payable today, unpaid")
    if summary.status is NoticeStatus.DECISION_DUE:
        return Due(summary.payment_deadline, f"{name}: unpaid after 28 days. Prosecute or withdraw: decision due", True)
    return None


def _eso_due(eso: Eso | None, today: date) -> list[Due]:
    if eso is None:
        return []
    if eso.status is EsoStatus.APPLIED:
        if eso.hearing_on and eso.hearing_on >= today:
            return [Due(eso.hearing_on, "Education supervision order hearing")]
        return [Due(None, "Education supervision order applied for: record the court's decision")]
    expiry = current_expiry(eso)
    if eso.status is EsoStatus.MADE and expiry and expiry >= today:
        soon = expiry - today <= ESO_EXPIRY_WARNING
        return [Due(expiry, "Order expires: decide whether to seek an extension" if soon else "Order expires", soon)]
    return []


def _prosecution_due(prosecution: Prosecution | None, today: date) -> list[Due]:
    if prosecution is None or prosecution.laid_on is None:
        return []
    hearing = next_hearing(prosecution, today)
    if hearing is not None:
        return [Due(hearing.hearing_on, f"Hearing at {hearing.court}: {hearing.purpose}")]
    if any(parent.verdict is None for parent in prosecution.parents):
        return [Due(None, "No hearing listed: add the next hearing or record the outcome", urgent=True)]
    return []


def due_for(case: Case, today: date) -> CaseloadRow:
    """Return what is due on one case, as its row of the legal caseload would show it."""
    return _rows([case], today)[0]
