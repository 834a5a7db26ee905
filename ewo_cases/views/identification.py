"""Identification lists: who needs support, who has crossed a threshold, and the statutory returns."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.services import access_log, identification
from ewo_cases.services.identification import LISTS, PAGE_SIZE, Filters, PupilList
from ewo_cases.views import csv_download, page_number
from ewo_cases.views.pupils import CHILD_DATA_ROLES, filter_form
from forms.attendance import ListFilterForm
from workflows.attendance import Band

bp = Blueprint("identification", __name__, url_prefix="/lists")


@bp.get("/")
@allow(*CHILD_DATA_ROLES)
def index():
    """Every list, with how many pupils are on it."""
    return render_template(
        "identification/index.html", lists=LISTS.values(), counts=identification.counts(current_user)
    )


@bp.get("/<slug>")
@allow(*CHILD_DATA_ROLES)
def show(slug: str):
    """One list, filtered, sorted and a page at a time."""
    pupil_list, form, filters = _list_and_filters(slug)
    sort, order = _sort(pupil_list)
    query = identification.ordered(identification.listed(pupil_list, current_user, filters), pupil_list, sort, order)
    rows, total = identification.page_of(query, page_number())
    return render_template(
        "identification/show.html",
        pupil_list=pupil_list,
        form=form,
        rows=rows,
        total=total,
        page=page_number(),
        page_size=PAGE_SIZE,
        sort=sort,
        order=order,
    )


@bp.get("/<slug>.csv")
@allow(*CHILD_DATA_ROLES)
def export(slug: str):
    """The whole list, with its filters and order, as a CSV file (the export is logged)."""
    pupil_list, _form, filters = _list_and_filters(slug)
    sort, order = _sort(pupil_list)
    query = identification.ordered(identification.listed(pupil_list, current_user, filters), pupil_list, sort, order)
    _heading, figure_column = pupil_list.figure
    header = [
        "upn",
        "forename",
        "surname",
        "school_urn",
        "school",
        "year_group",
        "attendance_pct",
        "band",
        "unauth_10wk_latest",
        figure_column.key,
        "open_case",
    ]
    found = db.session.execute(query).all()
    rows = [
        [
            pupil.upn,
            pupil.forename,
            pupil.surname,
            school.urn,
            school.name,
            pupil.year_group,
            figures.attendance_pct,
            figures.band.value,
            figures.unauth_10wk_latest,
            getattr(figures, figure_column.key),
            case_reference,
        ]
        for pupil, figures, school, _case_id, case_reference in found
    ]
    access_log.record_access(
        current_user,
        access_log.EXPORTED,
        f"list:{slug}",
        pupil_ids=[pupil.id for pupil, *_ in found],
        detail=f"{len(rows)} pupils; filters {request.query_string.decode()[:400]}",
    )
    db.session.commit()
    return csv_download(f"{slug}.csv", header, rows)


def _list_and_filters(slug: str) -> tuple[PupilList, ListFilterForm, Filters]:
    pupil_list = LISTS.get(slug) or abort(404)
    form = filter_form(ListFilterForm(formdata=request.args))
    if not form.validate():
        abort(400)
    return (
        pupil_list,
        form,
        Filters(
            school_id=int(form.school.data) if form.school.data else None,
            year_group=form.year_group.data or None,
            band=Band(form.band.data) if form.band.data else None,
            cohorts=tuple(form.cohort.data or ()),
        ),
    )


def _sort(pupil_list: PupilList) -> tuple[str, str]:
    sort = request.args.get("sort", pupil_list.default_sort)
    if sort not in identification.sort_columns(pupil_list):
        sort = pupil_list.default_sort
    order = request.args.get("order", pupil_list.default_order if sort == pupil_list.default_sort else "asc")
    return sort, "desc" if order == "desc" else "asc"
