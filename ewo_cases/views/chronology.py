"""A case's timeline of everything that has happened, printable, and the notes people add to it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ewo_cases import clock
from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Case, Note, NoteKind, Role
from ewo_cases.scoping import case_or_404, one_or_404
from ewo_cases.services import access_log, chronology
from ewo_cases.services.chronology import TIMELINE_KINDS
from ewo_cases.templating import LONDON, format_date
from ewo_cases.views import render_case_page, saved, status_for
from forms.chronology import CorrectionForm, NoteForm, TimelineFilterForm

bp = Blueprint("chronology", __name__, url_prefix="/cases/<int:case_id>/timeline")

#: Officers, managers and the school's attendance leads (who record their calls with families too).
CASEWORK_ROLES = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)


@bp.get("")
@allow(*CASEWORK_ROLES)
def index(case_id: int):
    """Everything that has happened on the case, newest first, filtered by kind."""
    case = case_or_404(current_user, case_id)
    form, entries = _filtered_timeline(case)
    access_log.record_access(current_user, access_log.VIEWED, "chronology", record_id=case.id, pupil_id=case.pupil_id)
    db.session.commit()
    return render_case_page(
        "chronology/index.html",
        case,
        status_for(form),
        form=form,
        entries=entries,
        showing=_showing(form),
        may_correct=chronology.may_correct,
    )


@bp.get("/print", endpoint="print")
@allow(*CASEWORK_ROLES)
def print_view(case_id: int):
    """The timeline laid out for printing, with the same filters."""
    case = case_or_404(current_user, case_id)
    form, entries = _filtered_timeline(case)
    access_log.record_access(
        current_user,
        access_log.EXPORTED,
        "chronology",
        record_id=case.id,
        pupil_id=case.pupil_id,
        detail=f"printable timeline; filters {request.query_string.decode()[:400]}",
    )
    db.session.commit()
    return render_case_page(
        "chronology/print.html",
        case,
        status_for(form),
        form=form,
        entries=entries,
        showing=_showing(form),
        printed_at=clock.now(),
    )


@bp.route("/notes/new", methods=["GET", "POST"])
@allow(*CASEWORK_ROLES)
def new_note(case_id: int):
    """Record a phone call, home visit, email, letter, conversation or other event."""
    case = case_or_404(current_user, case_id)
    form = NoteForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: chronology.add_note(
            case,
            kind=NoteKind(form.kind.data),
            occurred_at=form.occurred_at,
            summary=form.summary.data,
            significant=form.significant.data,
            actor=current_user,
        ),
    ):
        flash("The note has been added to the timeline.", "success")
        return redirect(url_for("chronology.index", case_id=case.id))
    return render_case_page("chronology/new_note.html", case, status_for(form), form=form)


@bp.route("/notes/<int:note_id>/correct", methods=["GET", "POST"])
@allow(*CASEWORK_ROLES)
def correct_note(case_id: int, note_id: int):
    """Correct a note by adding a new one that says why; the original stays, marked as corrected."""
    case = case_or_404(current_user, case_id)
    note = _note_or_404(case, note_id)
    if not chronology.may_correct(current_user, note.author_id):
        abort(403)
    form = CorrectionForm(data=_note_values(note) if request.method == "GET" else None)
    if form.validate_on_submit() and saved(
        form,
        lambda: chronology.correct_note(
            note,
            kind=NoteKind(form.kind.data),
            occurred_at=form.occurred_at,
            summary=form.summary.data,
            significant=form.significant.data,
            reason=form.reason.data,
            actor=current_user,
        ),
    ):
        flash("The correction has been added to the timeline.", "success")
        return redirect(url_for("chronology.index", case_id=case.id, _anchor=f"note-{note.id}"))
    return render_case_page(
        "chronology/correct_note.html",
        case,
        status_for(form),
        form=form,
        note=note,
        correction=chronology.correction_of(note),
    )


def _filtered_timeline(case: Case) -> tuple[TimelineFilterForm, list[chronology.TimelineEntry]]:
    form = TimelineFilterForm(formdata=request.args)
    if not form.validate():
        return form, chronology.timeline(case)
    chosen = chronology.TimelineFilter(
        kinds=form.kinds.data or (),
        note_kinds=[NoteKind(kind) for kind in form.note_kinds.data or ()],
        significant_only=form.significant.data,
        since=form.since.data,
        until=form.until.data,
    )
    return form, chronology.timeline(case, chosen)


def _showing(form: TimelineFilterForm) -> str:
    """Which entries the timeline shows, in words."""
    if form.errors:
        return "Everything"
    chosen = [TIMELINE_KINDS[kind] for kind in form.kinds.data or ()]
    notes = [NoteKind(kind).label.lower() for kind in form.note_kinds.data or ()]
    if notes:
        chosen = [label for label in chosen if label != TIMELINE_KINDS["note"]] + [f"Notes ({', '.join(notes)})"]
    shown = ", ".join(chosen) or "Everything"
    if form.significant.data:
        shown += ", significant events only"
    if form.since.data or form.until.data:
        since = format_date(form.since.data) if form.since.data else "the start"
        shown += f", from {since} to {format_date(form.until.data) if form.until.data else 'today'}"
    return shown


def _note_or_404(case: Case, note_id: int) -> Note:
    return one_or_404(sa.select(Note).where(Note.id == note_id, Note.case_id == case.id))


def _note_values(note: Note) -> dict[str, object]:
    local = note.occurred_at.astimezone(LONDON)
    return {
        "kind": note.kind.value,
        "occurred_on": local.date(),
        "occurred_time": local.strftime("%H:%M"),
        "summary": note.summary,
        "significant": note.significant,
    }
