"""HTTP views, one blueprint per domain. Each view declares who may use it (``ewo_cases.access``),
loads records through ``ewo_cases.scoping``, validates a form, calls one service, and commits once."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from flask import Response, render_template, request
from flask_wtf import FlaskForm

from ewo_cases.extensions import db
from ewo_cases.models import PupilAttendance
from ewo_cases.services.errors import ConflictError, ServiceError

Result = TypeVar("Result")
#: Fields whose answers are typed (rather than chosen), so are worth giving back after a conflict.
TEXT_FIELDS = frozenset({"StringField", "TextAreaField", "EmailField", "TimeOfDayField"})


def saved(form: FlaskForm, change: Callable[[], Result]) -> Result | None:
    """Run one service call and commit; if the service refuses, roll back and show why on the form.

    Services return the record they changed, so the result is truthy on success and None on refusal.
    """
    try:
        result = change()
    except ConflictError as conflict:
        conflict.typed = typed_text(form)
        raise  # answered with the 409 page, not as a field error
    except ServiceError as error:
        db.session.rollback()
        field = getattr(form, error.field, None) if error.field else None
        field = field if field is not None else next(iter(form))
        field.errors = [*field.errors, error.message]
        return None
    db.session.commit()
    return result


def typed_text(form: FlaskForm) -> tuple[tuple[str, str], ...]:
    """The text a person typed into a form (not choices or hidden fields), with each question's label."""
    return tuple(
        (str(field.label.text), field.data)
        for field in form
        if field.type in TEXT_FIELDS and isinstance(field.data, str) and field.data.strip()
    )


def status_for(form: FlaskForm) -> int:
    """400 when a submitted form has errors, else 200: bad input is answered with a 4xx."""
    return 400 if form.errors else 200


def csv_download(filename: str, header: list[str], rows: Iterable[Iterable[object]]) -> Response:
    """A CSV file the browser saves; values are written as they are, None as empty."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in (header, *rows):
            writer.writerow(["" if value is None else _neutralised(value) for value in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return Response(lines(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _neutralised(value: object) -> object:
    """Stop a spreadsheet treating a text cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def page_number() -> int:
    """The ``page`` query parameter, at least 1."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


def render_case_page(template: str, case, status: int = 200, **context):
    """Render a page of a case: every case page shows the child's identity bar and current attendance."""
    figures = db.session.get(PupilAttendance, case.pupil_id)
    return render_template(template, case=case, case_figures=figures, **context), status
