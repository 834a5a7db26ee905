"""Schools and trusts: everyone sees the schools they work with; administrators keep the list."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ewo_cases.access import allow, signed_in
from ewo_cases.extensions import db
from ewo_cases.models import PHASE_LABELS, Role, School, Trust
from ewo_cases.models.schools import Phase
from ewo_cases.scoping import one_or_404, schools
from ewo_cases.services import schools as school_service
from ewo_cases.views import saved, status_for
from forms.schools import SchoolForm, TrustForm

bp = Blueprint("schools", __name__, url_prefix="/schools")

NO_TRUST = 0


@bp.get("/")
@signed_in
def index():
    """List the schools the user works with, grouped by trust."""
    visible = db.session.scalars(schools(current_user).options(sa.orm.selectinload(School.trust))).all()
    trusts = db.session.scalars(sa.select(Trust).order_by(Trust.name)).all()
    return render_template("schools/index.html", schools=visible, trusts=trusts)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new():
    """Add a school."""
    form = _with_choices(SchoolForm(data={"trust": NO_TRUST}))
    if form.validate_on_submit() and (
        school := saved(
            form,
            lambda: school_service.create_school(
                urn=form.urn.data,
                name=form.name.data,
                phase=Phase(form.phase.data),
                trust=_chosen_trust(form),
                actor=current_user,
            ),
        )
    ):
        flash(f"{school.name} added.", "success")
        return redirect(url_for("schools.index"))
    return render_template("schools/form.html", form=form, school=None), status_for(form)


@bp.route("/<int:school_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(school_id: int):
    """Change a school's details."""
    school = one_or_404(sa.select(School).where(School.id == school_id))
    form = _with_choices(
        SchoolForm(
            data={
                "urn": school.urn,
                "name": school.name,
                "phase": school.phase.value,
                "trust": school.trust_id or NO_TRUST,
                "version": school.version,
            }
        )
    )
    if form.validate_on_submit() and saved(
        form,
        lambda: school_service.update_school(
            school,
            urn=form.urn.data,
            name=form.name.data,
            phase=Phase(form.phase.data),
            trust=_chosen_trust(form),
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash(f"{school.name} updated.", "success")
        return redirect(url_for("schools.index"))
    return render_template("schools/form.html", form=form, school=school), status_for(form)


@bp.route("/trusts/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_trust():
    """Add a trust."""
    form = TrustForm()
    if form.validate_on_submit() and (
        trust := saved(
            form,
            lambda: school_service.create_trust(
                name=form.name.data,
                actor=current_user,
            ),
        )
    ):
        flash(f"{trust.name} added.", "success")
        return redirect(url_for("schools.index"))
    return render_template("schools/trust_form.html", form=form, trust=None), status_for(form)


@bp.route("/trusts/<int:trust_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_trust(trust_id: int):
    """Rename a trust."""
    trust = one_or_404(sa.select(Trust).where(Trust.id == trust_id))
    form = TrustForm(data={"name": trust.name, "version": trust.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: school_service.update_trust(
            trust,
            name=form.name.data,
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash(f"{trust.name} updated.", "success")
        return redirect(url_for("schools.index"))
    return render_template("schools/trust_form.html", form=form, trust=trust), status_for(form)


def _with_choices(form: SchoolForm) -> SchoolForm:
    form.phase.choices = [(phase.value, label) for phase, label in PHASE_LABELS.items()]
    trusts = db.session.scalars(sa.select(Trust).order_by(Trust.name))
    form.trust.choices = [(NO_TRUST, "None (maintained by the local authority)")] + [(t.id, t.name) for t in trusts]
    return form


def _chosen_trust(form: SchoolForm) -> Trust | None:
    return db.session.get(Trust, form.trust.data) if form.trust.data != NO_TRUST else None
