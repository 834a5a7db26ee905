"""The team manager's oversight: caseloads per officer and stage, drifting cases, and what interventions achieve."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from wtforms import SelectChoice

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Role
from ewo_cases.scoping import schools
from ewo_cases.services import access_log
from ewo_cases.services import outcomes as outcome_service
from ewo_cases.services import oversight as service
from ewo_cases.services.outcomes import OutcomeFilters
from ewo_cases.services.oversight import DRIFT_REASONS, DRIFT_SORTS, DriftFilters
from ewo_cases.views import csv_download, page_number
from ewo_cases.views.case_steps import officer_choices
from forms.oversight import DriftFilterForm, OutcomeFilterForm
from workflows import OPEN_STAGES, CaseStage

bp = Blueprint("oversight", __name__, url_prefix="/oversight")

PAGE_SIZE = 50
#: Column headings short enough for a table of every stage (the full names are read out to screen readers).
SHORT_STAGE_LABELS = {
    CaseStage.AT_RISK: "At risk",
    CaseStage.PERSISTENT: "Persistent",
    CaseStage.SEVERE: "Severe",
    CaseStage.EARLY_HELP: "Early help",
    CaseStage.PARENTING_CONTRACT: "Contract",
    CaseStage.NOTICE_TO_IMPROVE: "Notice to improve",
    CaseStage.FPN: "Penalty notice",
    CaseStage.ESO: "ESO",
    CaseStage.PROSECUTION: "Prosecution",
}


@bp.get("/caseloads")
@allow(Role.MANAGER)
def caseloads():
    """Show each officer's open cases by stage, their legal cases and what is overdue on their caseload."""
    return render_template(
        "oversight/caseloads.html",
        team=service.caseloads(current_user),
        stages=OPEN_STAGES,
        short_labels=SHORT_STAGE_LABELS,
        threshold=service.no_contact_school_days(),
    )


@bp.get("/drift")
@allow(Role.MANAGER)
def drift():
    """Show the cases drifting from the service standards, filtered, sorted, a page at a time; late referrals."""
    form, filters = _drift_filters()
    sort, order = _sort()
    everything = service.drift(current_user, DriftFilters(filters.officer_id, filters.school_id))
    rows = [row for row in everything if not filters.reason or filters.reason in row.reasons]
    ordered = service.sort_drift(rows, sort, order == "desc")
    page = page_number()
    if ordered and (page - 1) * PAGE_SIZE >= len(ordered):
        abort(404)
    return render_template(
        "oversight/drift.html",
        form=form,
        rows=ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(ordered),
        counts=service.reason_counts(everything),
        reasons=DRIFT_REASONS,
        referrals=service.referrals_waiting(current_user, filters),
        page=page,
        page_size=PAGE_SIZE,
        sort=sort,
        order=order,
        threshold=service.no_contact_school_days(),
        referral_days=service.REFERRAL_WORKING_DAYS,
        standards=service.STAGE_STANDARDS,
    )


@bp.get("/drift.csv")
@allow(Role.MANAGER)
def drift_csv():
    """Download the drift report, with its filters and order, as a CSV file (the export is logged)."""
    _form, filters = _drift_filters()
    sort, order = _sort()
    rows = service.sort_drift(service.drift(current_user, filters), sort, order == "desc")
    access_log.record_access(
        current_user,
        access_log.EXPORTED,
        "drift",
        pupil_ids=[row.pupil_id for row in rows],
        detail=f"{len(rows)} cases; filters {request.query_string.decode()[:400]}",
    )
    db.session.commit()
    return csv_download("drift.csv", service.DRIFT_CSV_HEADER, service.drift_csv_rows(rows))


@bp.get("/outcomes")
@allow(Role.MANAGER)
def outcomes():
    """Show attendance before and after each entry into a stage in an academic year, and why cases closed."""
    years = outcome_service.academic_years(current_user)
    form = _choices(OutcomeFilterForm(formdata=request.args))
    form.year.choices = [SelectChoice(str(year), f"{year} to {year + 1}") for year in years]
    if not form.validate():
        abort(400)
    filters = OutcomeFilters(
        year=int(form.year.data) if form.year.data else years[0],
        school_id=_id(form.school.data),
        officer_id=_id(form.officer.data),
        group_by=form.group_by.data or None,
    )
    return render_template(
        "oversight/outcomes.html",
        form=form,
        report=outcome_service.outcomes(current_user, filters),
        weeks=outcome_service.OUTCOME_WEEKS,
        lookback=outcome_service.LOOKBACK_WEEKS,
    )


def _drift_filters() -> tuple[DriftFilterForm, DriftFilters]:
    form = _choices(DriftFilterForm(formdata=request.args))
    form.reason.choices = [SelectChoice("", "Any reason")] + [SelectChoice(*item) for item in DRIFT_REASONS.items()]
    if not form.validate():
        abort(400)
    return form, DriftFilters(_id(form.officer.data), _id(form.school.data), form.reason.data or None)


def _choices(form):
    """Give a filter form its officer and school choices."""
    form.officer.choices = [SelectChoice("", "All officers")] + [
        SelectChoice(str(i), name) for i, name in officer_choices()
    ]
    form.school.choices = [SelectChoice("", "All schools")] + [
        SelectChoice(str(school.id), school.name) for school in db.session.scalars(schools(current_user))
    ]
    return form


def _id(value: str | None) -> int | None:
    return int(value) if value else None


def _sort() -> tuple[str, str]:
    sort = request.args.get("sort", "contact")
    if sort not in DRIFT_SORTS:
        abort(400)
    order = request.args.get("order", "desc" if sort == "contact" else "asc")
    if order not in ("asc", "desc"):
        abort(400)
    return sort, order
