"""``schools.csv``: urn, name, phase, trust (optional)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Phase, School, Trust
from ewo_cases.services.imports.base import Columns, CsvFile, ImportContext, Importer, text_problem

URN_PATTERN = re.compile(r"\d{6}")
PHASES = {phase.value: phase for phase in Phase}
MAX_NAME = 200


def load_schools(csv_file: CsvFile, context: ImportContext) -> int:
    """Validate every row, then add new schools and update changed ones."""
    report = context.report
    urn, name, phase, trust = (csv_file.getter(column) for column in ("urn", "name", "phase", "trust"))
    first_line: dict[str, int] = {}
    rows: list[tuple[str, str, Phase, str]] = []
    for line, row in csv_file.rows():
        context.rows_read += 1
        values = (urn(row), name(row), phase(row).lower(), trust(row))
        if not URN_PATTERN.fullmatch(values[0]):
            report.add(line, "urn", values[0], "URN must be 6 digits")
        elif values[0] in first_line:
            report.add(line, "urn", values[0], f"URN appears more than once (first on line {first_line[values[0]]})")
        else:
            first_line[values[0]] = line
        if problem := text_problem(values[1], MAX_NAME):
            report.add(line, "name", values[1], problem)
        if values[2] not in PHASES:
            report.add(line, "phase", values[2], f"Phase must be one of: {', '.join(PHASES)}")
        if problem := text_problem(values[3], MAX_NAME, required=False):
            report.add(line, "trust", values[3], problem)
        if not report:
            rows.append((values[0], values[1], PHASES[values[2]], values[3]))
    return 0 if report else _store(rows)


def _store(rows: list[tuple[str, str, Phase, str]]) -> int:
    existing = {school.urn: school for school in db.session.scalars(sa.select(School))}
    trusts = {trust.name: trust for trust in db.session.scalars(sa.select(Trust))}
    changed = 0
    for urn, name, phase, trust_name in rows:
        trust = None
        if trust_name:
            trust = trusts.get(trust_name)
            if trust is None:
                trust = trusts[trust_name] = Trust(name=trust_name)
                db.session.add(trust)
        school = existing.get(urn)
        if school is None:
            db.session.add(School(urn=urn, name=name, phase=phase, trust=trust))
            changed += 1
        elif (school.name, school.phase, school.trust) != (name, phase, trust):
            school.name, school.phase, school.trust = name, phase, trust
            changed += 1
    db.session.flush()
    return changed


IMPORTER = Importer(Columns(("urn", "name", "phase"), ("trust",)), load_schools)
