"""Identification lists: who needs support, who has crossed a threshold, and the statutory returns."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.services import access_log, identification
from ewo_cases.services.attendance.figures import stored_figures_for
from ewo_cases.services.identification import LISTS, Filters, PupilList
from ewo_cases.views import csv_download
from ewo_cases.views.pupils import CHILD_DATA_ROLES, figures_context, filter_form, render_pupil_page
from forms.attendance import ListFilterForm
from workflows.attendance import Band

bp = Blueprint("identification", __name__, url_prefix="/lists")


@bp.get("/")
@allow(*CHILD_DATA_ROLES)
def index():
    """Every list, with how many pupils are on it."""
    return render_template(
        "identification/index.html",
        lists=LISTS.values(),
        counts=identification.counts(current_user),
        **figures_context(current_user),
    )


@bp.get("/<slug>")
@allow(*CHILD_DATA_ROLES)
def show(slug: str):
    """One list, filtered, sorted and a page at a time."""
    pupil_list, form, filters = _list_and_filters(slug)
    sort, order = _sort(pupil_list)
    return render_pupil_page(
        "identification/show.html",
        _ordered_list(pupil_list, filters, sort, order),
        # Unfiltered, the list holds as many as the lists' page counts (which the authority's keep).
        total=identification.counts(current_user)[slug] if filters == Filters() else None,
        pupil_list=pupil_list,
        form=form,
        sort=sort,
        order=order,
    )


#: The columns of every list's CSV file; a list's own figure is added unless it is one of these.
CSV_COLUMNS = (
    "upn",
    "forename",
    "surname",
    "school_urn",
    "school",
    "year_group",
    "attendance_pct",
    "band",
    "unauth_10wk_latest",
)


@bp.get("/<slug>.csv")
@allow(*CHILD_DATA_ROLES)
def export(slug: str):
    """The whole list, with its filters and order, as a CSV file (the export is logged)."""
    pupil_list, _form, filters = _list_and_filters(slug)
    sort, order = _sort(pupil_list)
    query = _ordered_list(pupil_list, filters, sort, order)
    figure = pupil_list.figure[1]
    own_figure = () if figure in CSV_COLUMNS else (figure,)
    header = [*CSV_COLUMNS, *own_figure, "figures_as_at", "open_case"]
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
            *(getattr(figures, name) for name in own_figure),
            figures.range_end.isoformat(),
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


def _ordered_list(pupil_list: PupilList, filters: Filters, sort: str, order: str):
    listed = identification.listed(pupil_list, current_user, filters)
    return identification.ordered(listed, pupil_list, current_user, sort, order)


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
    if sort not in identification.sort_columns(pupil_list, stored_figures_for(current_user)):
        sort = pupil_list.default_sort
    order = request.args.get("order", pupil_list.default_order if sort == pupil_list.default_sort else "asc")
    return sort, "desc" if order == "desc" else "asc"
