"""Search: pupils and cases by name, UPN or case reference, from the header of every page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.services import search as search_service
from ewo_cases.views.pupils import CHILD_DATA_ROLES
from forms.search import SearchForm

bp = Blueprint("search", __name__)


@bp.get("/search")
@allow(*CHILD_DATA_ROLES)
def index():
    """Show the pupils and cases the user may see that match the query, a hint if it is too short."""
    form = SearchForm(formdata=request.args)
    if not form.validate():
        return render_template("search/index.html", form=form, query=None, results=None), 400
    query = form.q.data or ""
    results = search_service.search(current_user, query) if search_service.long_enough(query) else None
    return render_template(
        "search/index.html",
        form=form,
        query=query,
        results=results,
        min_length=search_service.MIN_LENGTH,
        limit=search_service.RESULT_LIMIT,
    )
