"""Recording who looked at or exported children's records, and reading back what was seen of one child.

Every page about one child (a pupil, a case and each of its pages, an approval, a referral, a school's action
for a pupil) is logged by one
hook (``ewo_cases.views.access_log``) as it is shown; lists and exports of several children are logged by
their views with the ids of every child they held, so that each child's audit shows them too. The view that
showed them commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ewo_cases.extensions import db
from ewo_cases.models import AccessLog, AccessLogPupil, Approval, Case, Referral, SchoolAction, User

VIEWED, EXPORTED = "viewed", "exported"
#: A page of one child's record, logged by the hook: ``detail`` says which page.
PAGE = "page"


def record_access(
    user: User,
    action: str,
    record_type: str,
    *,
    record_id: int | None = None,
    pupil_id: int | None = None,
    pupil_ids: Iterable[int] = (),
    detail: str = "",
) -> AccessLog:
    """Append one access-log entry: ``action`` is ``viewed`` or ``exported``; ``pupil_ids`` are the children a
    list or export of several held (``pupil_id`` is for a record of one child)."""
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
    children = sorted(set(pupil_ids))
    if children:
        db.session.execute(
            sa.insert(AccessLogPupil), [{"access_log_id": entry.id, "pupil_id": child} for child in children]
        )
    return entry


#: The URL values that name one child's record, and how to find the child from each (most specific first).
_CHILD_OF: dict[str, sa.Select | None] = {
    "approval_id": sa.select(Case.pupil_id)
    .join(Approval, Approval.case_id == Case.id)
    .where(Approval.id == sa.bindparam("record_id")),
    "referral_id": sa.select(Referral.pupil_id).where(Referral.id == sa.bindparam("record_id")),
    "school_action_id": sa.select(SchoolAction.pupil_id).where(SchoolAction.id == sa.bindparam("record_id")),
    "case_id": sa.select(Case.pupil_id).where(Case.id == sa.bindparam("record_id")),
    "pupil_id": None,
}


def child_shown(url_values: dict[str, object]) -> int | None:
    """Return the child whose record a page's URL values name, or None for a page about no one child."""
    for name, query in _CHILD_OF.items():
        record_id = url_values.get(name)
        if isinstance(record_id, int):
            return record_id if query is None else db.session.scalar(query, {"record_id": record_id})
    return None


def logged_since(user: User, pupil_id: int, moment: datetime) -> bool:
    """Whether ``user``'s look at the child has been logged since ``moment`` (by the view itself)."""
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                AccessLog.user_id == user.id, AccessLog.pupil_id == pupil_id, AccessLog.occurred_at >= moment
            )
        )
    )


def _about(pupil_id: int) -> sa.ColumnElement[bool]:
    in_a_list = sa.select(AccessLogPupil.access_log_id).where(AccessLogPupil.pupil_id == pupil_id)
    return sa.or_(AccessLog.pupil_id == pupil_id, AccessLog.id.in_(in_a_list))


def entries_about(pupil_id: int, *, page: int, page_size: int) -> tuple[list[AccessLog], int]:
    """One page of the looks at and exports of a child's records, latest first, and how many there are."""
    total = db.session.scalar(sa.select(sa.func.count(AccessLog.id)).where(_about(pupil_id)))
    entries = db.session.scalars(
        sa.select(AccessLog)
        .where(_about(pupil_id))
        .options(selectinload(AccessLog.user))
        .order_by(AccessLog.occurred_at.desc(), AccessLog.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(entries), total
