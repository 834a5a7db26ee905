"""Recording who looked at or exported children's records. The view that showed them commits."""

from __future__ import annotations

from ewo_cases.extensions import db
from ewo_cases.models import AccessLog, User

VIEWED, EXPORTED = "viewed", "exported"


def record_access(
    user: User,
    action: str,
    record_type: str,
    *,
    record_id: int | None = None,
    pupil_id: int | None = None,
    detail: str = "",
) -> AccessLog:
    """Append one access-log entry: ``action`` is ``viewed`` or ``exported``."""
    entry = AccessLog(
        user_id=user.id,
        action=action,
        record_type=record_type,
        record_id=record_id,
        pupil_id=pupil_id,
        detail=detail[:500],
    )
    db.session.add(entry)
    db.session.flush()
    return entry
