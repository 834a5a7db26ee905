"""The directory of agencies and professionals, kept by officers and administrators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import AGENCY_KIND_LABELS, Agency, AgencyKind, Professional, Role
from ewo_cases.scoping import one_or_404
from ewo_cases.services import directory
from ewo_cases.views import saved, status_for
from forms.directory import AgencyForm, ProfessionalForm

bp = Blueprint("directory", __name__, url_prefix="/directory")

READERS = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER, Role.ADMIN)
KEEPERS = (Role.OFFICER, Role.ADMIN)


@bp.get("/")
@allow(*READERS)
def index():
    """Every agency with its professionals."""
    agencies = db.session.scalars(
        sa.select(Agency).options(sa.orm.selectinload(Agency.professionals)).order_by(Agency.active.desc(), Agency.name)
    ).all()
    return render_template("directory/index.html", agencies=agencies)


@bp.route("/agencies/new", methods=["GET", "POST"], defaults={"agency_id": None})
@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@allow(*KEEPERS)
def agency(agency_id: int | None):
    """Add an agency, or change one."""
    existing = one_or_404(sa.select(Agency).where(Agency.id == agency_id)) if agency_id else None
    form = AgencyForm(obj=existing)
    form.kind.choices = [(kind.value, AGENCY_KIND_LABELS[kind]) for kind in AgencyKind]
    if form.validate_on_submit() and saved(
        form,
        lambda: directory.save_agency(
            existing,
            name=form.name.data,
            kind=AgencyKind(form.kind.data),
            phone=form.phone.data,
            email=form.email.data,
            active=form.active.data,
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"{form.name.data} saved.", "success")
        return redirect(url_for("directory.index"))
    return render_template("directory/agency.html", form=form, agency=existing), status_for(form)


@bp.route("/professionals/new", methods=["GET", "POST"], defaults={"professional_id": None})
@bp.route("/professionals/<int:professional_id>", methods=["GET", "POST"])
@allow(*KEEPERS)
def professional(professional_id: int | None):
    """Add a professional, or change one."""
    existing = (
        one_or_404(sa.select(Professional).where(Professional.id == professional_id)) if professional_id else None
    )
    form = ProfessionalForm(
        data={
            "name": existing.name,
            "agency": existing.agency_id,
            "job_title": existing.job_title,
            "phone": existing.phone,
            "email": existing.email,
            "active": existing.active,
            "version": existing.version,
        }
        if existing
        else None
    )
    form.agency.choices = [
        (a.id, a.name)
        for a in db.session.scalars(sa.select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    ]
    if form.validate_on_submit() and saved(
        form,
        lambda: directory.save_professional(
            existing,
            agency=db.session.get(Agency, form.agency.data),
            name=form.name.data,
            job_title=form.job_title.data,
            phone=form.phone.data,
            email=form.email.data,
            active=form.active.data,
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"{form.name.data} saved.", "success")
        return redirect(url_for("directory.index"))
    return render_template("directory/professional.html", form=form, professional=existing), status_for(form)
