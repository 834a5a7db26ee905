"""Helpers for the chronology and letters tests: parents on a pupil, form values, counts."""

from __future__ import annotations

import itertools
from datetime import date

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, CaseParticipant, ParticipantRole, Pupil, PupilCarer

#: The service's "today" in these tests: a Monday in spring term (GMT, so UK time is UTC).
TODAY = date(2026, 3, 2)
_refs = itertools.count(1)


def add_carer(pupil: Pupil, forename: str = "Alex", surname: str = "Taylor", **link: object) -> Carer:
    """Give a pupil a parent with parental responsibility (before the case opens, so they join it)."""
    carer = Carer(
        carer_ref=f"LT{next(_refs):06d}",
        forename=forename,
        surname=surname,
        address="12 Mill Lane, Riverside, RV1 2AB",
        email="parent@example.com",
    )
    db.session.add(carer)
    db.session.flush()
    values = {"relationship_to_pupil": "Parent", "parental_responsibility": True, "lives_with_pupil": True, **link}
    db.session.add(PupilCarer(pupil_id=pupil.id, carer_id=carer.id, **values))
    db.session.flush()
    return carer


def parents(case: Case) -> list[CaseParticipant]:
    """The case's parents and carers, in the order they joined."""
    return list(
        db.session.scalars(
            sa.select(CaseParticipant)
            .where(CaseParticipant.case_id == case.id, CaseParticipant.role == ParticipantRole.PARENT_CARER)
            .order_by(CaseParticipant.id)
        )
    )


def day(value: date | None) -> list[str]:
    """A date as the three boxes of a GOV.UK date input post it."""
    return ["", "", ""] if value is None else [str(value.day), str(value.month), str(value.year)]


def count(model, *conditions) -> int:
    """How many rows of ``model`` match."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))
