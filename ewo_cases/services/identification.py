"""Identification lists: pupils who have crossed or are approaching a threshold, and the statutory returns.

Every list reads the stored figures through the user's scope, so a list of 20,000 pupils is one indexed
query, never a scan of marks: a school lead's lists read their school's own figures (``enrolment_attendance``),
everyone else's a pupil's figures across schools (``pupil_attendance``); see ``figures.stored_figures_for``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Case, Pupil, School, SenStatus, User
from ewo_cases.models.pupils import year_group_order
from ewo_cases.scoping import of_visible_pupils, sees_whole_authority
from ewo_cases.services.attendance.figures import StoredFigures, joined_to_pupil, stored_figures_for
from ewo_cases.services.kept import Kept, casework_changes
from workflows import CaseStage
from workflows.attendance import (
    APPROACHING_MARGIN,
    PENALTY_THRESHOLD_SESSIONS,
    SICKNESS_RETURN_SESSIONS,
    STATUTORY_RUN_DAYS,
    Band,
)

PAGE_SIZE = 50
#: The lists join each pupil's open case, if any (a pupil has at most one: ``uq_cases_open_pupil``), as this
#: entity: ``Case`` itself, not ``aliased(Case)``, which would configure every mapper when this module is
#: imported, a noticeable part of every command's start-up.
OpenCase = Case


@dataclass(frozen=True)
class PupilList:
    """One list: who is on it, why, and the figure that puts them there."""

    slug: str
    title: str
    description: str
    #: Who is on the list, given the stored figures (pupil or enrolment) it reads.
    condition: Callable[[StoredFigures], sa.ColumnElement[bool]]
    #: The list's own figure: (column heading, name of the figures column), shown beside the common ones.
    figure: tuple[str, str]
    default_sort: str = "figure"
    default_order: str = "desc"


LISTS: dict[str, PupilList] = {
    pupil_list.slug: pupil_list
    for pupil_list in (
        PupilList(
            "bands",
            "Pupils by attendance band",
            "Pupils at risk, persistently absent (missing 10% or more) or severely absent (50% or more) this "
            "academic year who are not on an open case.",
            lambda figures: sa.and_(figures.band != Band.NONE, OpenCase.id.is_(None)),
            ("Attendance", "attendance_pct"),
            default_sort="figure",
            default_order="asc",
        ),
        PupilList(
            "penalty-threshold",
            "Penalty notice threshold met",
            f"{PENALTY_THRESHOLD_SESSIONS} or more unauthorised sessions in the current 10 school weeks: a penalty "
            "notice must be considered (support first, unless support is not appropriate).",
            lambda figures: figures.unauth_10wk_latest >= PENALTY_THRESHOLD_SESSIONS,
            ("Unauthorised sessions in 10 school weeks", "unauth_10wk_latest"),
        ),
        PupilList(
            "approaching-threshold",
            "Approaching the penalty notice threshold",
            f"Within {APPROACHING_MARGIN} sessions of the threshold in the current 10 school weeks: a chance to "
            "act before it is met.",
            lambda figures: figures.unauth_10wk_latest.between(
                PENALTY_THRESHOLD_SESSIONS - APPROACHING_MARGIN, PENALTY_THRESHOLD_SESSIONS - 1
            ),
            ("Unauthorised sessions in 10 school weeks", "unauth_10wk_latest"),
        ),
        PupilList(
            "falling-below-90",
            "Falling below 90% within 2 school weeks",
            "At or above 90% now, but below it within 2 school weeks if they carry on as in their last 4 school "
            "weeks. The figure is how many more absences would take them below 90%.",
            lambda figures: figures.projected_below_90.is_(True),
            ("Absences until below 90%", "sessions_until_below_90"),
            default_order="asc",
        ),
        PupilList(
            "unauthorised-runs",
            "Attendance return: 10 school days of unauthorised absence",
            f"A continuous run of {STATUTORY_RUN_DAYS} or more school days of unauthorised absence: schools "
            "must tell the local authority (attendance return).",
            lambda figures: figures.longest_unauth_days >= STATUTORY_RUN_DAYS,
            ("Longest run of unauthorised school days", "longest_unauth_days"),
        ),
        PupilList(
            "sickness",
            "Sickness return: 15 days of illness",
            f"{SICKNESS_RETURN_SESSIONS} or more sessions (15 days) of illness, together or apart: schools must "
            "tell the local authority, which may need to arrange education (s19).",
            lambda figures: figures.illness >= SICKNESS_RETURN_SESSIONS,
            ("Illness sessions", "illness"),
        ),
    )
}

#: Cohort filters: (label, condition on Pupil).
COHORTS: dict[str, tuple[str, Callable[[], sa.ColumnElement[bool]]]] = {
    "pupil_premium": ("are eligible for pupil premium", lambda: Pupil.pupil_premium.is_(True)),
    "sen_support": ("have SEN support", lambda: Pupil.sen_status == SenStatus.SEN_SUPPORT),
    "ehcp": ("have an EHC plan", lambda: Pupil.sen_status == SenStatus.EHCP),
    "looked_after": ("are looked after", lambda: Pupil.looked_after.is_(True)),
    "previously_looked_after": ("were previously looked after", lambda: Pupil.previously_looked_after.is_(True)),
    "child_protection": ("have a child protection plan", lambda: Pupil.child_protection.is_(True)),
    "child_in_need": ("are children in need", lambda: Pupil.child_in_need.is_(True)),
}


@dataclass(frozen=True)
class Filters:
    school_id: int | None = None
    year_group: str | None = None
    band: Band | None = None
    cohorts: tuple[str, ...] = ()


def sort_columns(pupil_list: PupilList, figures: StoredFigures) -> dict[str, tuple[sa.ColumnElement, ...]]:
    """The columns a list can be sorted by."""
    return {
        "name": (Pupil.surname, Pupil.forename),
        "school": (School.name, Pupil.surname),
        "year": (year_group_order(), Pupil.surname),
        "attendance": (figures.attendance_pct, Pupil.surname),
        "window": (figures.unauth_10wk_latest, Pupil.surname),
        "figure": (getattr(figures, pupil_list.figure[1]), Pupil.surname),
    }


def listed(pupil_list: PupilList, user: User, filters: Filters) -> sa.Select:
    """The pupils on a list, within the user's scope and the filters, each with their stored figures (the
    user's kind: see ``figures.stored_figures_for``), school, and open case's id and reference (None when
    they have none)."""
    figures = stored_figures_for(user)
    query = (
        _in_scope(user, figures, Pupil, figures, School, OpenCase.id, OpenCase.reference)
        .join(School, School.id == Pupil.school_id)
        .where(pupil_list.condition(figures))
    )
    if filters.school_id:
        query = query.where(Pupil.school_id == filters.school_id)
    if filters.year_group:
        query = query.where(Pupil.year_group == filters.year_group)
    if filters.band:
        query = query.where(figures.band == filters.band)
    for cohort in filters.cohorts:
        query = query.where(COHORTS[cohort][1]())
    return query


def ordered(query: sa.Select, pupil_list: PupilList, user: User, sort: str, order: str) -> sa.Select:
    """Sort a list; unknown sort keys fall back to the list's default."""
    columns = sort_columns(pupil_list, stored_figures_for(user))
    first, *rest = columns.get(sort) or columns[pupil_list.default_sort]
    first = first.desc() if order == "desc" else first.asc()
    return query.order_by(first.nulls_last(), *rest, Pupil.id)


def page_of(query: sa.Select, page: int, total: int | None = None) -> tuple[list[sa.Row], int]:
    """One page of a list and how many are on it in all (``total``, when already counted)."""
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def _in_scope(user: User, figures: StoredFigures, *columns: sa.ColumnElement | type) -> sa.Select:
    """``columns`` of the pupils the user may see, joined to their stored figures and open case (if any)."""
    query = (
        sa.select(*columns)
        .select_from(Pupil)
        .join(figures, joined_to_pupil(figures))
        .outerjoin(OpenCase, sa.and_(OpenCase.pupil_id == Pupil.id, OpenCase.stage != CaseStage.CLOSED))
    )
    return of_visible_pupils(query, Pupil.id, user)


#: How many of the authority's pupils are on each list, as this process last counted them (for managers).
_AUTHORITY_COUNTS = Kept[dict[str, int]]("the authority's list counts")


def counts(user: User) -> dict[str, int]:
    """How many pupils the user may see are on each list: for the whole authority, counted again only once the
    figures or the cases have changed."""
    if sees_whole_authority(user):
        return _AUTHORITY_COUNTS.get(casework_changes(), lambda: _counted(user))
    return _counted(user)


def _counted(user: User) -> dict[str, int]:
    """Count every list in one pass over the figures the user may see."""
    return count_each(user, lambda figures: {slug: pupil_list.condition(figures) for slug, pupil_list in LISTS.items()})


def count_each(
    user: User, conditions: Callable[[StoredFigures], dict[Hashable, sa.ColumnElement[bool]]]
) -> dict[Hashable, int]:
    """Count the pupils the user may see who meet each condition (on their stored figures and ``OpenCase``),
    in one pass over those figures."""
    figures = stored_figures_for(user)
    wanted = conditions(figures)
    meeting = (sa.func.count(sa.case((condition, 1))) for condition in wanted.values())
    return dict(zip(wanted, db.session.execute(_in_scope(user, figures, *meeting)).one(), strict=True))
