"""Notices to improve: issuing one with its improvement period (a step of the workflow), and its outcome."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Case, NoticeToImprove, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.legal.common import check_not_before, check_past, fire, long_date
from ewo_cases.services.transitions import Inputs, improvement_period_register
from workflows import CaseStage
from workflows import legal as rules


def latest_notice_to_improve(case: Case) -> NoticeToImprove | None:
    """Return the case's most recent notice to improve (the one the workflow reads)."""
    return db.session.scalars(
        sa.select(NoticeToImprove).where(NoticeToImprove.case_id == case.id).order_by(NoticeToImprove.id.desc())
    ).first()


def issue_notice_to_improve(
    case: Case,
    *,
    issued_on: date,
    received_on: date | None,
    starts_on: date,
    weeks: int,
    holiday_weeks: int = 0,
    sufficient_improvement: str,
    threshold_reason: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> NoticeToImprove:
    """Record a notice to improve and move the case to the notice-to-improve stage."""
    check_past(issued_on, field="issued_on", what="The date issued")
    check_past(received_on, field="received_on", what="The date received")
    check_not_before(
        received_on, issued_on, field="received_on", message="The date received must be after the date issued"
    )
    check_not_before(
        starts_on, issued_on, field="improvement_starts_on", message="The period must start on or after the date issued"
    )
    try:
        ends_on = rules.improvement_period_end(starts_on, weeks, holiday_weeks)
    except ValueError as error:
        field = "holiday_weeks" if "holiday" in str(error) else "weeks"
        message = (
            f"The improvement period can span at most {rules.NTI_MAX_HOLIDAY_WEEKS} weeks of school holiday"
            if field == "holiday_weeks"
            else "The improvement period must last 3 to 6 school weeks"
        )
        raise ServiceError(message, field=field) from None
    notice = NoticeToImprove(
        case_id=case.id,
        issued_on=issued_on,
        received_on=received_on,
        improvement_starts_on=starts_on,
        improvement_ends_on=ends_on,
        holiday_weeks=holiday_weeks,
        sufficient_improvement=sufficient_improvement.strip(),
        threshold_reason=threshold_reason.strip(),
        issued_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    reason = f"Improvement period {long_date(starts_on)} to {long_date(ends_on)}."
    fire(
        case,
        "issue_notice_to_improve",
        actor=actor,
        inputs=Inputs(reason=reason),
        now=now,
        expected_version=expected_version,
    )
    audit.record(
        actor, "notice_to_improve.issued", notice, f"Notice to improve issued on {case}: {reason}", case=case.id
    )
    return notice


def record_notice_outcome(
    notice: NoticeToImprove,
    case: Case,
    *,
    improved: bool,
    assessed_on: date,
    note: str,
    actor: User,
    expected_version: int | None,
) -> NoticeToImprove:
    """Record whether attendance improved enough, once the improvement period is over."""
    check_version(notice, expected_version)
    if case.stage != CaseStage.NOTICE_TO_IMPROVE or latest_notice_to_improve(case) is not notice:
        raise ServiceError(
            "The case has moved on from this notice, so its outcome can no longer change", field="improved"
        )
    if not rules.improvement_period_over(notice.improvement_ends_on, clock.today()):
        raise ServiceError(
            f"The improvement period ends on {long_date(notice.improvement_ends_on)}: record the outcome after that",
            field="improved",
        )
    check_past(assessed_on, field="assessed_on", what="The date assessed")
    check_not_before(
        assessed_on,
        notice.improvement_ends_on,
        field="assessed_on",
        message=f"The date assessed must be on or after the period's end ({long_date(notice.improvement_ends_on)})",
    )
    register = improvement_period_register(case, notice, clock.today())
    if not improved and not rules.may_find_improvement_failed(register):
        shown = (
            f"The registers show {period_text(register)} between {long_date(notice.improvement_starts_on)} and "
            f"{long_date(notice.improvement_ends_on)}"
        )
        why = (
            f"fewer than the {rules.NTI_MIN_WEEKS} school weeks a notice to improve must give"
            if not rules.improvement_period_held(register)
            else "no unauthorised absence, the only absence a penalty notice can be for"
        )
        raise ServiceError(f"{shown}: {why}, so it cannot be found to have failed", field="improved")
    notice.improved, notice.outcome_recorded_on, notice.outcome_note = improved, assessed_on, note.strip()
    db.session.flush()
    verdict = "improved enough" if improved else "did not improve enough"
    audit.record(
        actor,
        "notice_to_improve.outcome",
        notice,
        f"Attendance {verdict} after the notice on {case} (the registers show {period_text(register)})",
        case=case.id,
        school_weeks=register.school_weeks,
        unauthorised_sessions=register.unauthorised,
    )
    return notice


def period_text(register: rules.PeriodRegister) -> str:
    """``3 school weeks with 4 unauthorised sessions``: what the registers hold for an improvement period."""
    weeks = f"{register.school_weeks} school week{'' if register.school_weeks == 1 else 's'}"
    return f"{weeks} with {register.unauthorised} unauthorised session{'' if register.unauthorised == 1 else 's'}"
