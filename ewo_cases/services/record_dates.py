"""The dates a case's records may carry: something that happened on the case happened between the day it
was opened (or the school referred the child, if earlier) and today; something planned falls between today
and two years ahead. Every record of a case asks here, so adding and editing follow the same rules and the
messages read alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Case, Referral
from ewo_cases.services.errors import ServiceError
from ewo_cases.templating import format_date
from workflows import ENGLAND

#: How far ahead a meeting, action, review or other planned date may be.
HORIZON = timedelta(days=2 * 365)


def check_happened(case: Case, day: date, *, what: str, field: str) -> None:
    """Refuse a date that something on the case happened which is in the future or before the case began.

    ``what`` names the date in a message: "The date the meeting was held".
    """
    if day > clock.today():
        raise ServiceError(f"{what} must be today or in the past", field=field)
    earliest, since = case_began(case)
    if day < earliest:
        raise ServiceError(f"{what} must be on or after {format_date(earliest)}, {since}", field=field)


def check_planned(day: date, *, what: str, field: str, earliest: date | None = None, since: str = "") -> None:
    """Refuse a planned date before ``earliest`` (today unless given) or more than two years ahead of today."""
    earliest = earliest or clock.today()
    if day < earliest:
        when = f"on or after {format_date(earliest)}, {since}" if since else "today or in the future"
        raise ServiceError(f"{what} must be {when}", field=field)
    latest = clock.today() + HORIZON
    if day > latest:
        raise ServiceError(f"{what} must be on or before {format_date(latest)}, within 2 years", field=field)


def check_arranged(case: Case, day: date, *, what: str, field: str) -> None:
    """Refuse a meeting day before the case began or more than two years ahead (a meeting arranged for a
    day already past is recorded straight afterwards)."""
    earliest, since = case_began(case)
    check_planned(day, what=what, field=field, earliest=earliest, since=since)


def case_began(case: Case) -> tuple[date, str]:
    """The first day a record on the case can be about, and what happened then, for messages."""
    opened = _local_day(case.opened_at) if case.opened_at else clock.today()
    referred_at = db.session.scalar(sa.select(sa.func.min(Referral.referred_at)).where(Referral.case_id == case.id))
    referred = _local_day(referred_at) if referred_at else None
    if referred is not None and referred < opened:
        return referred, "when the school referred the child"
    return opened, "when the case was opened"


def _local_day(moment: datetime) -> date:
    # SQLite hands back naive times; every time is stored in UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ENGLAND).date()
