"""Pupils: a searchable list of the pupils a user works with, and each pupil's page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import YEAR_GROUPS, Case, EnrolmentAttendance, Pupil, Role, School, User
from ewo_cases.models.pupils import year_group_label
from ewo_cases.scoping import cases, pupil_or_404, pupils, schools
from ewo_cases.services import access_log
from ewo_cases.services import pupils as pupil_service
from ewo_cases.services.attendance import figures
from ewo_cases.services.identification import COHORTS, PAGE_SIZE, page_of
from ewo_cases.services.search import pupil_matches
from ewo_cases.views import page_number
from forms.attendance import DateRangeForm, ListFilterForm
from workflows.attendance import Band

bp = Blueprint("pupils", __name__, url_prefix="/pupils")

CHILD_DATA_ROLES = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)


@bp.get("/")
@allow(*CHILD_DATA_ROLES)
def index():
    """Find a pupil by name or UPN, or browse a school's pupils with their attendance."""
    form = filter_form(ListFilterForm(formdata=request.args))
    if not form.validate():
        abort(400)
    search = request.args.get("q", "").strip()[:100]
    stored = figures.stored_figures_for(current_user)
    query = (
        pupils(current_user)
        .add_columns(stored, School)
        .outerjoin(stored, figures.joined_to_pupil(stored))
        .join(School, School.id == Pupil.school_id)
    )
    if search:
        query = query.where(pupil_matches(search))
    if form.school.data:
        query = query.where(Pupil.school_id == int(form.school.data))
    if form.year_group.data:
        query = query.where(Pupil.year_group == form.year_group.data)
    if form.band.data:
        query = query.where(stored.band == Band(form.band.data))
    return render_pupil_page(
        "pupils/index.html", query.order_by(Pupil.surname, Pupil.forename, Pupil.id), form=form, search=search
    )


def render_pupil_page(template: str, query, total: int | None = None, **context) -> str:
    """Render one page of a list of pupils, with its paging and what its figures are (``total``: how many are on
    the list, when already counted)."""
    rows, total = page_of(query, page_number(), total)
    return render_template(
        template,
        rows=rows,
        total=total,
        page=page_number(),
        page_size=PAGE_SIZE,
        **figures_context(current_user),
        **context,
    )


@bp.get("/<int:pupil_id>")
@allow(*CHILD_DATA_ROLES)
def show(pupil_id: int):
    """A pupil's record: who they are, their family, and their attendance over the year or a chosen range."""
    pupil = pupil_or_404(current_user, pupil_id)
    form = DateRangeForm(formdata=request.args if request.args else None)
    start, end = figures.year_to_date()
    if request.args and form.validate():
        start, end = form.start.data or start, form.end.data or end
    stored = figures.stored_figures_for(current_user)
    year_to_date = figures.stored_for_pupil(stored, pupil)
    school_id = pupil.school_id if stored is EnrolmentAttendance else None
    view = pupil_service.attendance_view(pupil, start, end, school_id=school_id)
    access_log.record_access(
        current_user,
        access_log.VIEWED,
        "pupil",
        record_id=pupil.id,
        pupil_id=pupil.id,
        detail=f"attendance {start.isoformat()} to {end.isoformat()}",
    )
    db.session.commit()
    pupil_cases = db.session.scalars(
        cases(current_user).where(Case.pupil_id == pupil.id).order_by(Case.opened_at.desc())
    ).all()
    return render_template(
        "pupils/show.html",
        pupil=pupil,
        year_to_date=year_to_date,
        view=view,
        form=form,
        pupil_cases=pupil_cases,
        open_case=any(case.is_open for case in pupil_cases),
        family=pupil_service.family(pupil, current_user, stored),
        session_classes=pupil_service.SESSION_CLASS_LABELS,
        **figures_context(current_user),
    ), 400 if form.errors else 200


def figures_context(user: User) -> dict:
    """What a page needs to say which figures it shows: how recent, and whether they are one school's."""
    stored = figures.stored_figures_for(user)
    return {"figures_as_at": figures.figures_date(stored), "school_figures": stored is EnrolmentAttendance}


def filter_form(form: ListFilterForm) -> ListFilterForm:
    """Give a filter form the schools the user may see, the year groups and the bands."""
    form.school.choices = [("", "All schools")] + [
        (str(school.id), school.name) for school in db.session.scalars(schools(current_user))
    ]
    form.year_group.choices = [("", "All year groups")] + [(year, year_group_label(year)) for year in YEAR_GROUPS]
    form.band.choices = [("", "All bands")] + [(band.value, band.label) for band in Band]
    form.cohort.choices = [(key, label) for key, (label, _condition) in COHORTS.items()]
    return form
