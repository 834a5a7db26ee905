"""Administrators keep the wording of each kind of letter, checked in the sandbox before it is saved."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import LetterKind, Role, User
from ewo_cases.services import letters
from ewo_cases.services.letter_sandbox import ALLOWED_FILTERS, WordingError
from ewo_cases.services.letter_wording import DEFAULTS, KIND_HINTS, placeholders
from ewo_cases.views import saved, status_for
from forms.letters import WordingForm

bp = Blueprint("letter_templates", __name__, url_prefix="/letter-templates")


@bp.get("")
@allow(Role.ADMIN)
def index():
    """Every kind of letter, with its subject line and when its wording last changed."""
    saved_templates = letters.saved_templates()
    rows = [(kind, saved_templates.get(kind), letters.current_wording(kind)) for kind in LetterKind]
    editor_ids = {template.updated_by_id for template in saved_templates.values() if template.updated_by_id}
    editors = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(editor_ids))).all())
    return render_template("letter_templates/index.html", rows=rows, hints=KIND_HINTS, editors=editors)


@bp.route("/<kind>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(kind: str):
    """Change a letter's wording, previewed with made-up facts; mistakes are refused with the reason."""
    kind = _kind_or_404(kind)
    form = WordingForm(data=_current_values(kind))
    draft = None
    if form.validate_on_submit():
        if form.preview.data:
            draft = _preview(form, kind)
        elif saved(
            form,
            lambda: letters.update_template(
                kind,
                subject=form.subject.data,
                body=form.body.data,
                actor=current_user,
                expected_version=form.version.data,
            ),
        ):
            flash(f"The wording of {kind.label.lower()} letters has been saved.", "success")
            return redirect(url_for("letter_templates.index"))
    elif not form.errors:
        draft = _preview(form, kind)
    return render_template(
        "letter_templates/edit.html",
        form=form,
        kind=kind,
        draft=draft,
        placeholders=placeholders(kind),
        filters=sorted(ALLOWED_FILTERS),
    ), status_for(form)


def _kind_or_404(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError:
        abort(404)


def _current_values(kind: LetterKind) -> dict[str, object]:
    """The saved wording (or, asked for, the standard wording) and the version it was read at."""
    saved_template = letters.saved_templates().get(kind)
    wording = DEFAULTS[kind] if request.args.get("standard") else letters.current_wording(kind)
    return {
        "subject": wording.subject,
        "body": wording.body,
        "version": saved_template.version if saved_template else None,
    }


def _preview(form: WordingForm, kind: LetterKind) -> letters.LetterDraft | None:
    """Fill the wording in with made-up facts; a mistake is shown against the field it is in."""
    try:
        return letters.preview_wording(kind, form.subject.data, form.body.data.replace("\r\n", "\n"))
    except WordingError as error:
        field = getattr(form, error.field or "", None) or form.body
        field.errors = [*field.errors, error.message]
        return None
