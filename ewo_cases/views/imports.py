"""Importing data files in the browser: administrators any file, school leads their own school's."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db, limiter
from ewo_cases.models import ImportKind, ImportOutcome, ImportRun, Role
from ewo_cases.scoping import import_runs, one_or_404, school_or_404
from ewo_cases.services.imports import run_import
from ewo_cases.services.imports.base import RowError
from ewo_cases.views import page_number
from forms.attendance import ImportForm

bp = Blueprint("imports", __name__, url_prefix="/imports")

KIND_LABELS = {
    ImportKind.SCHOOLS: "Schools (schools.csv)",
    ImportKind.PUPILS: "Pupils and their characteristics (pupils.csv)",
    ImportKind.CARERS: "Parents and carers (carers.csv)",
    ImportKind.MARKS: "Attendance marks (marks.csv)",
}
#: What school leads may import: their own school's pupils, carers and marks.
SCHOOL_KINDS = (ImportKind.PUPILS, ImportKind.CARERS, ImportKind.MARKS)
RUNS_PER_PAGE = 25


@bp.route("/", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.SCHOOL_LEAD)
@limiter.limit("30 per hour", methods=["POST"])
def index():
    """Upload a file, and see the imports made so far."""
    form = _with_choices(ImportForm())
    if form.validate_on_submit():
        school = school_or_404(current_user, form.school.data) if _is_school_lead() else None
        upload = form.file.data
        run = run_import(
            ImportKind(form.kind.data),
            upload.stream,
            filename=upload.filename or "upload.csv",
            actor=current_user,
            school=school,
        )
        db.session.commit()
        target = url_for("imports.show", run_id=run.id)
        if run.outcome is ImportOutcome.FAILED:
            # The file was refused (the run and its problems are logged): say so with the problems, not a 200.
            if _wants_json():
                return jsonify(redirect=target, errors=run.error_count), 422
            return _run_page(run), 422
        return jsonify(redirect=target) if _wants_json() else redirect(target)
    if form.errors and _wants_json():
        return jsonify(errors=form.errors), 400
    runs, total = page_of_runs(page_number())
    return render_template(
        "imports/index.html",
        form=form,
        runs=runs,
        total=total,
        kind_labels=KIND_LABELS,
        page=page_number(),
        page_size=RUNS_PER_PAGE,
    ), 400 if form.errors else 200


def page_of_runs(page: int) -> tuple[list[ImportRun], int]:
    """One page of the imports the user may see, newest first, and how many there are in all."""
    query = import_runs(current_user)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    runs = db.session.scalars(query.limit(RUNS_PER_PAGE).offset((page - 1) * RUNS_PER_PAGE)).all()
    return list(runs), total


@bp.get("/<int:run_id>")
@allow(Role.ADMIN, Role.SCHOOL_LEAD)
def show(run_id: int):
    """What came of one import: rows read and changed, or every problem found."""
    return _run_page(one_or_404(import_runs(current_user).where(ImportRun.id == run_id)))


def _run_page(run: ImportRun) -> str:
    errors = [RowError(**error) for error in run.errors]
    return render_template("imports/show.html", run=run, errors=errors, kind_labels=KIND_LABELS)


def _with_choices(form: ImportForm) -> ImportForm:
    kinds = SCHOOL_KINDS if _is_school_lead() else tuple(ImportKind)
    form.kind.choices = [(kind.value, KIND_LABELS[kind]) for kind in kinds]
    if _is_school_lead():
        form.school.choices = [(school.id, school.name) for school in current_user.schools]
    else:
        del form.school  # administrators import for the whole authority
    return form


def _is_school_lead() -> bool:
    return current_user.role == Role.SCHOOL_LEAD


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"
