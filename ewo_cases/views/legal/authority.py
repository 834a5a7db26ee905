"""Across the authority: the legal caseload, and the penalty notice register with its CSV export."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ewo_cases import clock
from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import PenaltyNotice, Role
from ewo_cases.scoping import schools
from ewo_cases.services import access_log, legal
from ewo_cases.services.legal.caseload import SORTS
from ewo_cases.services.legal.notices import NOTICE_STATUS_LABELS, NoticeStatus
from ewo_cases.services.legal.register import CSV_HEADER, PAGE_SIZE, RegisterFilters, csv_rows, page_of
from ewo_cases.views import csv_download, page_number
from ewo_cases.views.legal.blueprint import LABELS, LEGAL_STAFF, bp
from forms.legal import RegisterFilterForm

CASELOAD_PAGE_SIZE = 50


@bp.get("/legal/")
@allow(*LEGAL_STAFF)
def caseload():
    """List the cases in formal and legal stages with what is due next, soonest first."""
    whose = request.args.get("whose", "mine" if current_user.role == Role.OFFICER else "all")
    sort = request.args.get("sort", "due")
    sort = sort if sort in SORTS else "due"
    order = "desc" if request.args.get("order") == "desc" else "asc"
    rows = legal.caseload(
        current_user, today=clock.today(), mine=whose == "mine", sort=sort, descending=order == "desc"
    )
    page = page_number()
    return render_template(
        "legal/caseload.html",
        rows=rows[(page - 1) * CASELOAD_PAGE_SIZE : page * CASELOAD_PAGE_SIZE],
        total=len(rows),
        page=page,
        page_size=CASELOAD_PAGE_SIZE,
        whose=whose,
        sort=sort,
        order=order,
        today=clock.today(),
    )


@bp.get("/legal/penalty-notices")
@allow(*LEGAL_STAFF)
def register():
    """The penalty notice register (regulation 20), filtered and a page at a time."""
    form, filters = _filters()
    today = clock.today()
    rows, total = page_of(legal.register_query(current_user, filters or RegisterFilters(), today), page_number())
    return render_template(
        "legal/register.html",
        form=form,
        rows=[(legal.summarise(row[0], today), *row[1:]) for row in rows],
        total=total,
        page=page_number(),
        page_size=PAGE_SIZE,
        **LABELS,
    ), (200 if filters else 400)


@bp.get("/legal/penalty-notices.csv")
@allow(*LEGAL_STAFF)
def register_csv():
    """The whole register, with its filters, as a CSV file (the export is logged)."""
    _form, filters = _filters()
    if filters is None:
        abort(400)
    today = clock.today()
    query = legal.register_query(current_user, filters, today)
    rows = csv_rows(query, today)
    access_log.record_access(
        current_user,
        access_log.EXPORTED,
        "penalty_notice_register",
        pupil_ids=db.session.scalars(query.with_only_columns(PenaltyNotice.pupil_id)),
        detail=f"{len(rows)} notices; filters {request.query_string.decode()[:400]}",
    )
    db.session.commit()
    return csv_download("penalty-notice-register.csv", CSV_HEADER, rows)


def _filters() -> tuple[RegisterFilterForm, RegisterFilters | None]:
    """Read the register's filters from the query string (None when they are not valid)."""
    form = RegisterFilterForm(formdata=request.args)
    form.school.choices = [SelectChoice("", "All schools")] + [
        SelectChoice(str(school.id), school.name) for school in db.session.scalars(schools(current_user))
    ]
    form.status.choices = [SelectChoice("", "Any status")] + [
        SelectChoice(status.value, label) for status, label in NOTICE_STATUS_LABELS.items()
    ]
    if not form.validate():
        return form, None
    return form, RegisterFilters(
        school_id=int(form.school.data) if form.school.data else None,
        status=NoticeStatus(form.status.data) if form.status.data else None,
        issued_from=form.issued_from.data,
        issued_to=form.issued_to.data,
    )
