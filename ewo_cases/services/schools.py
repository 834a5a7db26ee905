"""Schools and trusts, as administrators keep them."""

from __future__ import annotations

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Phase, School, Trust, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version


def create_school(*, urn: str, name: str, phase: Phase, trust: Trust | None, actor: User | None) -> School:
    """Add a school; URNs are unique."""
    _check_urn_free(urn)
    school = School(urn=urn, name=name.strip(), phase=phase, trust=trust)
    db.session.add(school)
    audit.record(
        actor, "school.created", school, f"Added {school}", phase=phase.value, trust=trust.name if trust else None
    )
    return school


def update_school(
    school: School,
    *,
    urn: str,
    name: str,
    phase: Phase,
    trust: Trust | None,
    expected_version: int | None,
    actor: User,
) -> School:
    """Change a school's details."""
    check_version(school, expected_version)
    if urn != school.urn:
        _check_urn_free(urn)
    before = _describe(school)
    school.urn, school.name, school.phase, school.trust = urn, name.strip(), phase, trust
    audit.record(actor, "school.updated", school, f"Updated {school}", before=before, after=_describe(school))
    return school


def create_trust(*, name: str, actor: User | None) -> Trust:
    """Add a trust; names are unique."""
    name = name.strip()
    if db.session.execute(sa.select(Trust.id).where(Trust.name == name)).first():
        raise ServiceError("A trust with this name already exists", field="name")
    trust = Trust(name=name)
    db.session.add(trust)
    audit.record(actor, "trust.created", trust, f"Added trust {name}")
    return trust


def update_trust(trust: Trust, *, name: str, expected_version: int | None, actor: User) -> Trust:
    """Rename a trust."""
    check_version(trust, expected_version)
    name = name.strip()
    clash = db.session.execute(sa.select(Trust.id).where(Trust.name == name, Trust.id != trust.id)).first()
    if clash:
        raise ServiceError("A trust with this name already exists", field="name")
    before, trust.name = trust.name, name
    audit.record(actor, "trust.updated", trust, f"Renamed trust {before} to {name}", before=before, after=name)
    return trust


def _check_urn_free(urn: str) -> None:
    if db.session.execute(sa.select(School.id).where(School.urn == urn)).first():
        raise ServiceError("A school with this URN already exists", field="urn")


def _describe(school: School) -> dict[str, str | None]:
    return {
        "urn": school.urn,
        "name": school.name,
        "phase": school.phase.value,
        "trust": school.trust.name if school.trust else None,
    }
