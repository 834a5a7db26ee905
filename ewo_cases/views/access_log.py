"""The access log, kept for every page about one child by construction rather than view by view.

After each successful GET of a page whose URL names one child's record (``pupil_id``, ``case_id``,
``approval_id``, ``referral_id`` or ``school_action_id``: a pupil, every page of a case, an approval, a
referral, a school's action for a pupil), one entry is
written: who, when, which page. A view that logs its own look in more detail (the pupil page's date range, a
letter's subject) is not logged twice. Lists and exports of several children log themselves, with every
child they held (``services.access_log.record_access``).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from flask_login import current_user

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.services import access_log

#: No pages of its own: it watches every blueprint's.
bp = Blueprint("access_log", __name__)


@bp.before_app_request
def _note_the_start() -> None:
    g.request_started_at = clock.now()


@bp.after_app_request
def log_child_record_views(response: Response) -> Response:
    """Log the page just shown if it is about one child (and the view did not log it itself)."""
    if request.method != "GET" or response.status_code != 200 or not current_user.is_authenticated:
        return response
    url_values = request.view_args or {}
    pupil_id = access_log.child_shown(url_values)
    started_at = g.get("request_started_at")
    if pupil_id is None or started_at is None or access_log.logged_since(current_user, pupil_id, started_at):
        return response
    access_log.record_access(
        current_user,
        access_log.VIEWED,
        access_log.PAGE,
        # The last record the URL names is the one shown: the meeting of /cases/1/meetings/2.
        record_id=[value for value in url_values.values() if isinstance(value, int)][-1],
        pupil_id=pupil_id,
        detail=page_name(request.endpoint),
    )
    db.session.commit()
    return response


def page_name(endpoint: str | None) -> str:
    """Name a page by its view's summary: the first line of its docstring, up to the first ':' or ';'."""
    view = current_app.view_functions.get(endpoint or "")
    summary = ((view.__doc__ if view else None) or endpoint or "").strip().splitlines()[0]
    for stop in (":", ";", "."):
        summary = summary.split(stop, 1)[0]
    return summary.strip()
