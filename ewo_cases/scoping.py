"""Which records a user may see. Every query of child data starts from a function here.

- school attendance lead: the schools they are linked to;
- education welfare officer: the schools in their patch (and, once cases exist, cases assigned to them);
- team manager and administrator: everything in the local authority.

Records outside a user's scope are answered with 404, never 403, so a URL does not reveal
that a child exists.
"""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from flask import abort

from ewo_cases.extensions import db
from ewo_cases.models import Case, ImportRun, Pupil, Role, School, User, user_schools

Model = TypeVar("Model")

#: Roles that see every school and child in the local authority.
AUTHORITY_WIDE_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def sees_whole_authority(user: User) -> bool:
    """Whether the user's scope is the whole local authority."""
    return user.role in AUTHORITY_WIDE_ROLES


def linked_school_ids(user: User) -> sa.Select:
    """The ids of the schools a user is linked to, as a subquery."""
    return sa.select(user_schools.c.school_id).where(user_schools.c.user_id == user.id)


def schools(user: User) -> sa.Select[tuple[School]]:
    """The schools the user may see, ordered by name."""
    query = sa.select(School).order_by(School.name)
    if sees_whole_authority(user):
        return query
    return query.where(School.id.in_(linked_school_ids(user)))


def school_or_404(user: User, school_id: int) -> School:
    """Load a school the user may see, or answer 404."""
    return one_or_404(schools(user).where(School.id == school_id))


def pupils(user: User) -> sa.Select[tuple[Pupil]]:
    """The pupils the user may see: on roll at their schools, or (for an officer) on a case assigned to
    them, or anywhere for the whole authority."""
    query = sa.select(Pupil)
    if sees_whole_authority(user):
        return query
    return query.where(_visible(user))


def _visible(user: User) -> sa.ColumnElement[bool]:
    """The condition on a ``pupils`` row for a user who does not see the whole authority."""
    at_their_schools = Pupil.school_id.in_(linked_school_ids(user))
    if user.role == Role.OFFICER:
        return sa.or_(at_their_schools, Pupil.id.in_(assigned_pupil_ids(user)))
    return at_their_schools


def assigned_pupil_ids(user: User) -> sa.Select:
    """The pupils of the cases assigned to an officer."""
    return sa.select(Case.pupil_id).where(Case.assigned_officer_id == user.id)


def cases(user: User) -> sa.Select[tuple[Case]]:
    """The cases the user may see: those of the pupils they may see (officers: also those assigned to them)."""
    return of_visible_pupils(sa.select(Case), Case.pupil_id, user)


def of_visible_cases(query: sa.Select, case_id: sa.ColumnElement[int], user: User) -> sa.Select:
    """Keep the rows of ``query`` whose ``case_id`` is a case the user may see (for the whole authority, no
    condition: see ``of_visible_pupils``)."""
    if sees_whole_authority(user):
        return query
    if case_id is Case.id:
        # The query reads the cases table itself: test its rows' pupils, rather than join the table to itself.
        return of_visible_pupils(query, Case.pupil_id, user)
    return query.where(case_id.in_(cases(user).with_only_columns(Case.id).correlate(None)))


def case_or_404(user: User, case_id: int) -> Case:
    """Load a case the user may see, or answer 404."""
    return one_or_404(cases(user).where(Case.id == case_id))


def pupil_or_404(user: User, pupil_id: int) -> Pupil:
    """Load a pupil the user may see, or answer 404."""
    return one_or_404(pupils(user).where(Pupil.id == pupil_id))


def visible_pupil_ids(user: User) -> sa.Select:
    """The ids of the pupils the user may see, as a subquery for joins and filters."""
    return pupils(user).with_only_columns(Pupil.id)


def of_visible_pupils(query: sa.Select, pupil_id: sa.ColumnElement[int], user: User) -> sa.Select:
    """Keep the rows of ``query`` whose ``pupil_id`` is a pupil the user may see.

    No condition at all for those who see the whole authority: ``IN (every pupil id)`` would have SQLite
    build a table of the authority's pupils for every query, most of a manager's list's time at 200,000.
    """
    if sees_whole_authority(user):
        return query
    if pupil_id is Pupil.id:
        # The query reads the pupils table itself: test its rows, rather than join the table to itself.
        return query.where(_visible(user))
    return query.where(pupil_id.in_(visible_pupil_ids(user)))


def import_runs(user: User) -> sa.Select[tuple[ImportRun]]:
    """Import runs: administrators see every one, school leads the runs for their own schools."""
    query = sa.select(ImportRun).order_by(ImportRun.started_at.desc())
    if user.role == Role.ADMIN:
        return query
    return query.where(ImportRun.school_id.in_(linked_school_ids(user)))


def one_or_404(query: sa.Select[tuple[Model]]) -> Model:
    """Run a scoped query for one record; a record out of scope is indistinguishable from none."""
    record = db.session.execute(query).scalar_one_or_none()
    if record is None:
        abort(404)
    return record
