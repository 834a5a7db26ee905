"""A case's audit, for its manager: every step with its reason, approval and evidence, every decision and change
recorded on the case or on any of its records (notices, orders, prosecutions, the referral that opened it,
meetings, plans, letters...), and who looked at or exported the child's records, a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import workflows
from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    Action,
    ActionPlan,
    Approval,
    AttendanceContract,
    AuditEvent,
    Case,
    CaseParticipant,
    CaseRecord,
    CaseTransition,
    CourtHearing,
    Eso,
    EsoBreach,
    EsoExtension,
    Letter,
    Meeting,
    Note,
    NoticeToImprove,
    PenaltyNotice,
    ProsecutedParent,
    Prosecution,
    Referral,
)
from ewo_cases.services import access_log

#: Views and exports shown per page of the audit.
VIEWS_PAGE_SIZE = 50


def _records_of(case_id: int) -> list[tuple[type, sa.Select]]:
    """Each kind of record a case holds, with a query of the ids of the case's ones (approvals have a section
    of their own)."""
    plans = sa.select(ActionPlan.id).where(ActionPlan.case_id == case_id)
    orders = sa.select(Eso.id).where(Eso.case_id == case_id)
    prosecutions = sa.select(Prosecution.id).where(Prosecution.case_id == case_id)
    owned_by_case = (
        CaseRecord,
        Referral,
        Note,
        Meeting,
        ActionPlan,
        AttendanceContract,
        CaseParticipant,
        Letter,
        NoticeToImprove,
        PenaltyNotice,
        Eso,
        Prosecution,
    )
    return [
        *((model, sa.select(model.id).where(model.case_id == case_id)) for model in owned_by_case),
        (Action, sa.select(Action.id).where(Action.plan_id.in_(plans))),
        (EsoBreach, sa.select(EsoBreach.id).where(EsoBreach.eso_id.in_(orders))),
        (EsoExtension, sa.select(EsoExtension.id).where(EsoExtension.eso_id.in_(orders))),
        (ProsecutedParent, sa.select(ProsecutedParent.id).where(ProsecutedParent.prosecution_id.in_(prosecutions))),
        (CourtHearing, sa.select(CourtHearing.id).where(CourtHearing.prosecution_id.in_(prosecutions))),
    ]


#: Where a decision's reasons or grounds are written on its record, when the event does not carry them.
_REASON_ON_RECORD: dict[str, tuple[type, str]] = {
    "notice_to_improve.issued": (NoticeToImprove, "threshold_reason"),
    "notice_to_improve.outcome": (NoticeToImprove, "outcome_note"),
    "penalty_notice.withdrawn": (PenaltyNotice, "withdrawal_note"),
    "prosecution.outcome": (ProsecutedParent, "outcome_note"),
    "eso.breach": (EsoBreach, "description"),
}

#: What each kind of record is called in the audit.
RECORD_LABELS = {
    Case.__tablename__: "Case",
    CaseRecord.__tablename__: "Case record",
    Referral.__tablename__: "Referral",
    Note.__tablename__: "Timeline",
    Meeting.__tablename__: "Meeting",
    ActionPlan.__tablename__: "Action plan",
    Action.__tablename__: "Action",
    AttendanceContract.__tablename__: "Attendance contract",
    CaseParticipant.__tablename__: "People",
    Letter.__tablename__: "Letter",
    NoticeToImprove.__tablename__: "Notice to improve",
    PenaltyNotice.__tablename__: "Penalty notice",
    Eso.__tablename__: "Education supervision order",
    EsoBreach.__tablename__: "Education supervision order",
    EsoExtension.__tablename__: "Education supervision order",
    Prosecution.__tablename__: "Prosecution",
    ProsecutedParent.__tablename__: "Prosecution",
    CourtHearing.__tablename__: "Prosecution",
}


@dataclass(frozen=True)
class Decision:
    """One change or decision on the case or one of its records."""

    event: AuditEvent
    record: str
    reason: str


@dataclass(frozen=True)
class CaseAudit:
    transitions: list[CaseTransition]
    approvals: list[Approval]
    decisions: list[Decision]
    #: One page of the looks at and exports of the child's records, latest first.
    views: list[AccessLog]
    views_total: int
    problems: list[str]


def case_audit(case: Case, *, views_page: int = 1) -> CaseAudit:
    """Gather a case's audit; ``views_page`` is the page of views and exports wanted."""
    transitions = db.session.scalars(
        sa.select(CaseTransition)
        .where(CaseTransition.case_id == case.id)
        .order_by(CaseTransition.occurred_at, CaseTransition.id)
    ).all()
    approvals = db.session.scalars(
        sa.select(Approval).where(Approval.case_id == case.id).order_by(Approval.requested_at)
    ).all()
    views, views_total = access_log.entries_about(case.pupil_id, page=views_page, page_size=VIEWS_PAGE_SIZE)
    return CaseAudit(
        transitions=list(transitions),
        approvals=list(approvals),
        decisions=decisions(case),
        views=views,
        views_total=views_total,
        problems=workflows.replay([(t.from_stage, t.trigger, t.to_stage) for t in transitions], case.stage),
    )


def decisions(case: Case) -> list[Decision]:
    """Every audit event about the case or its records, oldest first, with the reasons given; steps of the
    workflow are left out (they are the audit's list of steps, with their evidence)."""
    about_case = sa.and_(
        AuditEvent.entity_type == Case.__tablename__,
        AuditEvent.entity_id == case.id,
        ~AuditEvent.action.in_([f"case.{trigger}" for trigger in workflows.TRIGGER_LABELS]),
    )
    about_records = [
        sa.and_(AuditEvent.entity_type == model.__tablename__, AuditEvent.entity_id.in_(ids))
        for model, ids in _records_of(case.id)
    ]
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(sa.or_(about_case, *about_records))
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    written = _reasons_on_records(events)
    return [
        Decision(event, RECORD_LABELS.get(event.entity_type, event.entity_type), _reason(event, written))
        for event in events
    ]


def _reasons_on_records(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """The reasons written on the records of these events, by (action, record id)."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.action in _REASON_ON_RECORD and event.entity_id is not None:
            wanted.setdefault(event.action, set()).add(event.entity_id)
    found = {}
    for action, ids in wanted.items():
        model, attribute = _REASON_ON_RECORD[action]
        for record_id, text in db.session.execute(
            sa.select(model.id, getattr(model, attribute)).where(model.id.in_(ids))
        ):
            found[(action, record_id)] = text or ""
    return found


def _reason(event: AuditEvent, written: dict[tuple[str, int], str]) -> str:
    data: dict[str, Any] = event.data or {}
    return str(data.get("reason") or written.get((event.action, event.entity_id), ""))
