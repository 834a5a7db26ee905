"""The directory of agencies and professionals that officers and administrators keep."""

from __future__ import annotations

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Agency, AgencyKind, Professional, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version


def save_agency(
    agency: Agency | None,
    *,
    name: str,
    kind: AgencyKind,
    phone: str | None,
    email: str | None,
    active: bool,
    actor: User,
    expected_version: int | None = None,
) -> Agency:
    """Add an agency, or change one."""
    name = name.strip()
    clash = sa.select(Agency.id).where(Agency.name == name)
    if agency is not None:
        check_version(agency, expected_version)
        clash = clash.where(Agency.id != agency.id)
    if db.session.execute(clash).first():
        raise ServiceError("An agency with this name is already in the directory", field="name")
    created = agency is None
    agency = agency or Agency(name=name, kind=kind)
    agency.name, agency.kind, agency.phone, agency.email, agency.active = (
        name,
        kind,
        phone or None,
        email or None,
        active,
    )
    db.session.add(agency)
    audit.record(actor, "agency.created" if created else "agency.updated", agency, f"Directory: {name}")
    return agency


def save_professional(
    professional: Professional | None,
    *,
    agency: Agency,
    name: str,
    job_title: str,
    phone: str | None,
    email: str | None,
    active: bool,
    actor: User,
    expected_version: int | None = None,
) -> Professional:
    """Add a professional, or change one."""
    if professional is not None:
        check_version(professional, expected_version)
    created = professional is None
    professional = professional or Professional(agency=agency, name=name)
    professional.agency, professional.name, professional.job_title = agency, name.strip(), job_title.strip()
    professional.phone, professional.email, professional.active = phone or None, email or None, active
    db.session.add(professional)
    audit.record(
        actor,
        "professional.created" if created else "professional.updated",
        professional,
        f"Directory: {professional.name}, {agency.name}",
    )
    return professional
