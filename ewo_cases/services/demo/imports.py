"""Two imports in the demonstration's history, so the imports pages have something to show: the administrator's
schools file, imported with nothing to change, and a school lead's marks file refused for its bad rows."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import ImportKind, ImportRun, Pupil, School, User
from ewo_cases.services.imports import run_import


def load_demo_imports(admin: User, lead: User, today: date) -> None:
    """Record the two imports, unless any import has run already; flush only."""
    if db.session.scalar(sa.select(sa.func.count(ImportRun.id))):
        return
    schools = db.session.scalars(sa.select(School).order_by(School.urn)).all()
    rows = [
        (school.urn, school.name, school.phase.value, school.trust.name if school.trust else "") for school in schools
    ]
    _import(ImportKind.SCHOOLS, "schools.csv", [("urn", "name", "phase", "trust"), *rows], admin)
    school = lead.schools[0]
    upn = db.session.scalar(sa.select(Pupil.upn).where(Pupil.school_id == school.id).order_by(Pupil.upn))
    yesterday = (today - timedelta(days=1)).isoformat()
    marks = [
        ("upn", "school_urn", "date", "session", "code"),
        (upn, school.urn, yesterday, "AM", "/"),
        (upn, school.urn, yesterday, "PM", "Q9"),  # not an attendance code
        (upn, school.urn, "31/12/2025", "AM", "N"),  # not a YYYY-MM-DD date
    ]
    _import(ImportKind.MARKS, "marks-this-week.csv", marks, lead, school)


def _import(kind: ImportKind, filename: str, rows: list[tuple[str, ...]], actor: User, school: School | None = None):
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    run_import(kind, io.BytesIO(text.getvalue().encode()), filename=filename, actor=actor, school=school)
