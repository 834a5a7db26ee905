"""Governors' attendance reports: a school's, a trust's and the local authority's, with CSV files.

School leads open their own schools' reports (the comparisons show other schools only as aggregates or
anonymised); officers and managers also open any trust's and the authority's (officers: the schools of
their patch).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Role, School, Trust
from ewo_cases.scoping import one_or_404, school_or_404, schools
from ewo_cases.services import access_log
from ewo_cases.services import reports as report_service
from ewo_cases.services.reports import CSV_COLUMNS, Period, PeriodKind, Scope
from ewo_cases.views import csv_download
from forms.reports import ChooseReportForm, PeriodForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

REPORT_ROLES = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)
#: Trust and authority reports show every school's figures by name: for the local authority's staff.
LA_REPORT_ROLES = (Role.OFFICER, Role.MANAGER)


@bp.get("/")
@allow(*REPORT_ROLES)
def index():
    """Choose a report and its period."""
    form = ChooseReportForm(formdata=request.args if request.args else None)
    choices = _choices()
    form.report.choices = [SelectChoice("", "Choose a report")] + [
        SelectChoice(value, label) for value, label, _url in choices
    ]
    if request.args and form.validate():
        endpoint, values = next(url for value, _label, url in choices if value == form.report.data)
        return redirect(url_for(endpoint, **values, **_period_args(form)))
    return render_template("reports/index.html", form=form, choices=choices), 400 if form.errors else 200


@bp.get("/schools/<int:school_id>")
@allow(*REPORT_ROLES)
def school(school_id: int):
    """Show a school's report beside its trust, the authority and the other schools of its phase."""
    found = school_or_404(current_user, school_id)
    return _page(lambda period: _school_report(found, period))


@bp.get("/schools/<int:school_id>.csv")
@allow(*REPORT_ROLES)
def school_csv(school_id: int):
    """Download a school's report as a CSV file (the export is logged)."""
    found = school_or_404(current_user, school_id)
    return _csv(_school_report(found, _csv_period()), f"report-school-{found.urn}", record_id=found.id)


@bp.get("/trusts/<int:trust_id>")
@allow(*LA_REPORT_ROLES)
def trust(trust_id: int):
    """Show a trust's report: its schools together, beside the authority."""
    found = one_or_404(_trusts().where(Trust.id == trust_id))
    return _page(lambda period: _trust_report(found, period))


@bp.get("/trusts/<int:trust_id>.csv")
@allow(*LA_REPORT_ROLES)
def trust_csv(trust_id: int):
    """Download a trust's report as a CSV file (the export is logged)."""
    found = one_or_404(_trusts().where(Trust.id == trust_id))
    return _csv(_trust_report(found, _csv_period()), f"report-trust-{found.id}", record_id=found.id)


@bp.get("/authority")
@allow(*LA_REPORT_ROLES)
def authority():
    """Show the whole local authority's report."""
    return _page(_authority_report)


@bp.get("/authority.csv")
@allow(*LA_REPORT_ROLES)
def authority_csv():
    """Download the local authority's report as a CSV file (the export is logged)."""
    return _csv(_authority_report(_csv_period()), "report-authority", record_id=None)


def _school_report(school: School, period: Period):
    return report_service.cohort_report(Scope.SCHOOL, viewer=current_user, period=period, school=school)


def _trust_report(trust: Trust, period: Period):
    return report_service.cohort_report(Scope.TRUST, viewer=current_user, period=period, trust=trust)


def _authority_report(period: Period):
    return report_service.cohort_report(Scope.AUTHORITY, viewer=current_user, period=period)


def _page(build):
    """Render a report for the period asked for; with bad input, the year to date and the errors (400)."""
    form = PeriodForm(formdata=request.args if request.args else None)
    valid = not request.args or form.validate()
    report = build(_period(form) if valid else report_service.year_to_date())
    same_period = _period_args(form if valid else None)
    return render_template(
        "reports/report.html",
        report=report,
        form=form,
        csv_url=url_for(f"{request.endpoint}_csv", **(request.view_args or {}), **same_period),
        period_args=same_period,
        small_group=report_service.SMALL_GROUP,
        min_other_pupils=report_service.MIN_OTHER_PUPILS,
        sees_all=current_user.role in report_service.LA_ROLES,
    ), 200 if valid else 400


def _csv_period() -> Period:
    """Return the period a CSV request asks for; answer 400 to bad input."""
    form = PeriodForm(formdata=request.args if request.args else None)
    if request.args and not form.validate():
        abort(400)
    return _period(form)


def _csv(report, filename: str, *, record_id: int | None):
    """Log the export of a report and send it as a CSV file."""
    rows = report.csv_rows()
    access_log.record_access(
        current_user,
        access_log.EXPORTED,
        f"report:{report.scope.value}",
        record_id=record_id,
        detail=f"{report.name}; {report.period.start.isoformat()} to {report.period.end.isoformat()}; {len(rows)} rows",
    )
    db.session.commit()
    return csv_download(f"{filename}.csv", list(CSV_COLUMNS), ([row[name] for name in CSV_COLUMNS] for row in rows))


def _period(form: PeriodForm) -> Period:
    """Return the period a valid form asks for (the year to date when nothing was asked)."""
    kind = PeriodKind(form.period.data or PeriodKind.YEAR)
    if kind == PeriodKind.TERM:
        return report_service.this_term()
    if kind == PeriodKind.CUSTOM:
        return report_service.custom_period(form.start.data, form.end.data)
    return report_service.year_to_date()


def _period_args(form: PeriodForm | None) -> dict[str, object]:
    """Return the query parameters that ask for the same period again (none for the year to date)."""
    if form is None or form.period.data in (None, PeriodKind.YEAR):
        return {}
    if form.period.data == PeriodKind.TERM:
        return {"period": "term"}
    start, end = form.start.data, form.end.data
    return {"period": "custom", "start": [start.day, start.month, start.year], "end": [end.day, end.month, end.year]}


def _trusts() -> sa.Select[tuple[Trust]]:
    return sa.select(Trust)


def _choices() -> list[tuple[str, str, tuple[str, dict[str, int]]]]:
    """Return the reports the user may open: (form value, label, (endpoint, URL values))."""
    choices = [
        (f"school-{found.id}", found.name, ("reports.school", {"school_id": found.id}))
        for found in db.session.scalars(schools(current_user))
    ]
    if current_user.role in LA_REPORT_ROLES:
        choices += [
            (f"trust-{found.id}", f"{found.name} (trust)", ("reports.trust", {"trust_id": found.id}))
            for found in db.session.scalars(_trusts().order_by(Trust.name))
        ]
        choices.append(("authority", "The whole local authority", ("reports.authority", {})))
    return choices
