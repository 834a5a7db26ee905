"""A case's letters: choose and preview one, generate its PDF, download it, and record how it was served."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import (
    AttendanceContract,
    Case,
    Letter,
    LetterKind,
    Meeting,
    MeetingStatus,
    NoticeToImprove,
    PenaltyNotice,
    Role,
    ServiceMethod,
)
from ewo_cases.scoping import case_or_404, one_or_404
from ewo_cases.services import access_log, letters
from ewo_cases.services.errors import ServiceError
from ewo_cases.services.letter_wording import KIND_HINTS
from ewo_cases.templating import format_date, format_datetime
from ewo_cases.views import render_case_page, saved, status_for
from forms.letters import LetterChoiceForm, PreviewForm, ServiceForm

bp = Blueprint("letters", __name__, url_prefix="/cases/<int:case_id>/letters")

#: Everyone who works on the case reads its letters; the local authority makes and serves them.
READERS = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)
WRITERS = (Role.OFFICER, Role.MANAGER)
#: A hint under each kind of letter, in the order the form lists them.
HINT_ITEMS = [{"hint": {"text": KIND_HINTS[kind]}} for kind in LetterKind]
#: The query parameter the preview button sends.
PREVIEW = "preview"


@bp.get("")
@allow(*READERS)
def index(case_id: int):
    """The case's letters: what, to whom, made when and by whom, and how they were served."""
    case = case_or_404(current_user, case_id)
    return render_case_page("letters/index.html", case, letters=letters.letters_of(case))


@bp.get("/new")
@allow(*WRITERS)
def new(case_id: int):
    """Choose a letter and who it is to, then see it filled in before making it."""
    case = case_or_404(current_user, case_id)
    form = _with_choices(PreviewForm(formdata=request.args if request.args else None), case)
    draft, warnings = None, []
    # A link may choose the kind of letter in advance; only the preview button asks for a preview.
    if PREVIEW in request.args and form.validate():
        draft = _preview(form, case)
        if draft is not None:
            warnings = letters.preview_warnings(case, LetterKind(form.kind.data), _addressee(case, form))
    return render_case_page(
        "letters/new.html",
        case,
        status_for(form),
        form=form,
        draft=draft,
        warnings=warnings,
        hint_items=HINT_ITEMS,
    )


@bp.post("/new")
@allow(*WRITERS)
def create(case_id: int):
    """Make the letter previewed: store it as sent, with its PDF."""
    case = case_or_404(current_user, case_id)
    form = _with_choices(LetterChoiceForm(), case)
    if form.validate_on_submit() and (
        letter := saved(
            form,
            lambda: letters.generate_letter(
                case, LetterKind(form.kind.data), _addressee(case, form), current_user, **_sources(form, case)
            ),
        )
    ):
        flash(f"{letter.kind.label} letter made. Download it, send it, then record how it was served.", "success")
        return redirect(url_for("letters.show", case_id=case.id, letter_id=letter.id))
    return render_case_page("letters/new.html", case, status_for(form), form=form, draft=None, hint_items=HINT_ITEMS)


@bp.get("/<int:letter_id>")
@allow(*READERS)
def show(case_id: int, letter_id: int):
    """One letter as it was sent, with its service."""
    case = case_or_404(current_user, case_id)
    letter = _letter_or_404(case, letter_id)
    access_log.record_access(
        current_user, access_log.VIEWED, "letter", record_id=letter.id, pupil_id=case.pupil_id, detail=letter.subject
    )
    db.session.commit()
    return render_case_page("letters/show.html", case, letter=letter)


@bp.get("/<int:letter_id>.pdf")
@allow(*READERS)
def pdf(case_id: int, letter_id: int):
    """Download the letter's PDF (the download is logged)."""
    case = case_or_404(current_user, case_id)
    letter = _letter_or_404(case, letter_id)
    content, filename = letter.pdf, f"{case.reference}-{letter.kind.value}-{letter.id}.pdf"
    access_log.record_access(
        current_user, access_log.EXPORTED, "letter", record_id=letter.id, pupil_id=case.pupil_id, detail=filename
    )
    db.session.commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/<int:letter_id>/service", methods=["GET", "POST"])
@allow(*WRITERS)
def serve(case_id: int, letter_id: int):
    """Record the date and method of service; a letter is served once."""
    case = case_or_404(current_user, case_id)
    letter = _letter_or_404(case, letter_id)
    form = ServiceForm(data={"version": letter.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: letters.serve_letter(
            letter,
            served_on=form.served_on.data,
            method=ServiceMethod(form.method.data),
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"Service recorded: {letter.service_method.label.lower()} on {format_date(letter.served_on)}.", "success")
        return redirect(url_for("letters.show", case_id=case.id, letter_id=letter.id))
    return render_case_page("letters/serve.html", case, status_for(form), form=form, letter=letter)


def _letter_or_404(case: Case, letter_id: int) -> Letter:
    return one_or_404(sa.select(Letter).where(Letter.id == letter_id, Letter.case_id == case.id))


def _preview(form: LetterChoiceForm, case: Case) -> letters.LetterDraft | None:
    """Fill the letter in; a refusal (a paid notice, the wrong parent) is shown on the form."""
    try:
        return letters.preview_letter(case, LetterKind(form.kind.data), _addressee(case, form), **_sources(form, case))
    except ServiceError as error:
        field = getattr(form, error.field or "", None) or form.kind
        field.errors = [*field.errors, error.message]
        return None


def _addressee(case: Case, form: LetterChoiceForm):
    return next(person for person in letters.recipients(case) if person.id == form.addressee.data)


def _sources(form: LetterChoiceForm, case: Case) -> dict[str, object]:
    """The records chosen on the form, loaded from this case only."""
    chosen = {
        "meeting": (Meeting, form.meeting.data),
        "notice_to_improve": (NoticeToImprove, form.notice_to_improve.data),
        "penalty_notice": (PenaltyNotice, form.penalty_notice.data),
        "contract": (AttendanceContract, form.contract.data),
    }
    return {
        name: db.session.scalar(sa.select(model).where(model.id == int(value), model.case_id == case.id))
        for name, (model, value) in chosen.items()
        if value
    }


def _with_choices(form: LetterChoiceForm, case: Case) -> LetterChoiceForm:
    """Offer the case's current participants and its meetings, notices and contracts."""
    form.addressee.choices = [SelectChoice(person.id, _person_label(person)) for person in letters.recipients(case)]
    form.meeting.choices = _choices(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.case_id == case.id, Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.scheduled_for.desc())
        ),
        lambda meeting: (
            f"{meeting.kind.label}, {format_datetime(meeting.scheduled_for)}"
            + (" (held)" if meeting.status == MeetingStatus.HELD else "")
        ),
        "No meetings on this case yet",
    )
    form.notice_to_improve.choices = _choices(
        db.session.scalars(sa.select(NoticeToImprove).where(NoticeToImprove.case_id == case.id)),
        lambda notice: (
            f"Issued {format_date(notice.issued_on)}, improvement period to {format_date(notice.improvement_ends_on)}"
        ),
        "No notices to improve on this case",
    )
    form.penalty_notice.choices = _choices(
        db.session.scalars(sa.select(PenaltyNotice).where(PenaltyNotice.case_id == case.id)),
        lambda notice: (
            f"{notice.reference or notice.id} to {notice.carer.name}, issued {format_date(notice.issued_on)}"
        ),
        "No penalty notices on this case",
    )
    form.contract.choices = _choices(
        db.session.scalars(sa.select(AttendanceContract).where(AttendanceContract.case_id == case.id)),
        lambda contract: (
            f"Review on {format_date(contract.review_on)}"
            + (f", ended {format_date(contract.ended_on)}" if contract.ended_on else "")
        ),
        "No attendance contracts on this case",
    )
    return form


def _choices(records, label, none_text: str) -> list[SelectChoice]:
    options = [SelectChoice(str(record.id), label(record)) for record in records]
    return [SelectChoice("", "Choose one" if options else none_text), *options]


def _person_label(person) -> str:
    return f"{person.name} ({person.role.label})"
