"""Finding pupils and cases by name, UPN or case reference, within what the user may see.

The matching rules here are the only ones: the pupil list, the case list and the search page all use
them, so a "see all" link from the search page lists exactly what the search found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, Pupil, PupilAttendance, PupilCarer, School, User
from ewo_cases.scoping import cases, pupils
from workflows import CaseStage

#: Fewer characters than this would match most of a school, so the page asks for more instead.
MIN_LENGTH = 2
#: Each section shows at most this many; the full lists page through the rest.
RESULT_LIMIT = 50

_SPACES = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def long_enough(text: str) -> bool:
    """Whether ``text`` is long enough to search for."""
    return len(text.strip()) >= MIN_LENGTH


def _code(text: str) -> str:
    """A UPN or case reference as stored: upper case, with any spaces people type or paste removed."""
    return _SPACES.sub("", text).upper()


def _named(forename: sa.ColumnElement[str], surname: sa.ColumnElement[str], name: str) -> sa.ColumnElement[bool]:
    """A person whose "forename surname" or "surname forename" contains ``name`` (lower case)."""
    return sa.or_(
        sa.func.lower(forename + " " + surname).contains(name, autoescape=True),
        sa.func.lower(surname + " " + forename).contains(name, autoescape=True),
    )


def pupil_matches(text: str) -> sa.ColumnElement[bool]:
    """Match a pupil by any part of their name ("forename surname" or "surname forename"), by the name of a
    parent or carer of theirs (families are often known by a parent's name), or by their whole UPN.

    Names ignore case; ``%`` and ``_`` typed by a user are matched literally, not as wildcards.
    """
    name = _SPACES.sub(" ", text.strip()).lower()
    by_carer = (
        sa.select(PupilCarer.pupil_id)
        .join(Carer, Carer.id == PupilCarer.carer_id)
        .where(_named(Carer.forename, Carer.surname, name))
    )
    return sa.or_(Pupil.upn == _code(text), _named(Pupil.forename, Pupil.surname, name), Pupil.id.in_(by_carer))


def case_matches(text: str) -> sa.ColumnElement[bool]:
    """Match a case by its child (as ``pupil_matches``) or by its reference, whole or its beginning.

    The query must join ``Pupil``. A reference prefix counts only once it has a digit: every reference
    starts ``EWO-``, so otherwise a name such as "Ewan" would find every case.
    """
    code = _code(text)
    reference = Case.reference.startswith(code, autoescape=True) if _DIGIT.search(code) else Case.reference == code
    return sa.or_(reference, pupil_matches(text))


@dataclass(frozen=True)
class Found:
    """The first ``RESULT_LIMIT`` matches of one kind, and how many matched in all."""

    rows: list[sa.Row]
    total: int

    @property
    def capped(self) -> bool:
        return self.total > len(self.rows)


@dataclass(frozen=True)
class Results:
    pupils: Found
    cases: Found

    @property
    def total(self) -> int:
        return self.pupils.total + self.cases.total


def search(user: User, text: str, limit: int = RESULT_LIMIT) -> Results:
    """Pupils and cases matching ``text`` that ``user`` may see."""
    return Results(find_pupils(user, text, limit), find_cases(user, text, limit))


def find_pupils(user: User, text: str, limit: int = RESULT_LIMIT) -> Found:
    """Matching pupils as (pupil, year-to-date figures or None, school) rows, by surname."""
    query = (
        pupils(user)
        .add_columns(PupilAttendance, School)
        .outerjoin(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .join(School, School.id == Pupil.school_id)
        .where(pupil_matches(text))
        .order_by(Pupil.surname, Pupil.forename, Pupil.id)
    )
    return _first(query, limit)


def find_cases(user: User, text: str, limit: int = RESULT_LIMIT) -> Found:
    """Matching cases as (case, pupil, officer) rows: open cases first, then the most recently opened."""
    query = (
        cases(user)
        .add_columns(Pupil, User)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(User, User.id == Case.assigned_officer_id)
        .where(case_matches(text))
        .order_by(Case.stage == CaseStage.CLOSED, Case.opened_at.desc(), Case.id.desc())
    )
    return _first(query, limit)


def _first(query: sa.Select, limit: int) -> Found:
    # One statement, not a count and then a page: the window counts every match before LIMIT applies,
    # so the matching (a scan of the names in scope) is done once.
    rows = db.session.execute(query.add_columns(sa.func.count().over()).limit(limit)).all()
    return Found([row[:-1] for row in rows], rows[0][-1] if rows else 0)
