"""Prosecutions: the file and its evidence checklist, laying it, hearings and each parent's outcome."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Case, CourtHearing, ProsecutedParent, Prosecution
from ewo_cases.services import legal
from ewo_cases.services.errors import ServiceError
from ewo_cases.services.legal.common import long_date, needs_reason
from ewo_cases.views import render_case_page, saved, status_for
from ewo_cases.views.legal.blueprint import (
    CASE_URL,
    LABELS,
    LEGAL_STAFF,
    bp,
    considered,
    evidence_links,
    interruption,
    load_case,
    prepare_step_form,
    step_panel,
)
from forms.legal import HearingForm, LayProsecutionForm, OutcomeForm, prosecution_form
from workflows.legal import Section444, Sentence, Verdict


def _to_prosecution(case: Case):
    return redirect(url_for("legal.show", case_id=case.id, _anchor="prosecution"))


def _laid(case: Case) -> Prosecution:
    """Return the prosecution laid before the court, or answer 404 while there is none."""
    prosecution = legal.latest_prosecution(case)
    if prosecution is None or prosecution.laid_on is None:
        abort(404)
    return prosecution


@bp.route(f"{CASE_URL}/prosecution", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def prosecution(case_id: int):
    """Prepare the prosecution file: the absence, each parent and the offence, with the evidence checklist."""
    case = load_case(case_id)
    try:
        draft = legal.editable_prosecution(case)
    except ServiceError as refusal:
        flash(refusal.message, "information")
        return _to_prosecution(case)
    choices = legal.parent_choices(case)
    eligible = [(choice.id, choice.name) for choice in choices if choice.eligible]
    form = prosecution_form(eligible, data=_file_data(draft))
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.save_prosecution(
            case,
            period=(form.period_start.data, form.period_end.data),
            court=form.court.data or "",
            interview_under_caution_on=form.interview_under_caution_on.data,
            notes=form.notes.data or "",
            sections={carer: Section444(section) if section else None for carer, section in form.sections().items()},
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash("Prosecution file saved.", "success")
        return redirect(url_for("legal.prosecution", case_id=case.id))
    return render_case_page(
        "legal/prosecution.html",
        case,
        status_for(form),
        form=form,
        draft=draft,
        excluded=[choice for choice in choices if not choice.eligible],
        checklist=legal.evidence_checklist(case, draft, current_user),
        evidence_links=evidence_links(case),
    )


def _file_data(draft: Prosecution | None) -> dict[str, object]:
    if draft is None:
        return {}
    return {
        "version": draft.version,
        "period_start": draft.period_start,
        "period_end": draft.period_end,
        "court": draft.court,
        "interview_under_caution_on": draft.interview_under_caution_on,
        "notes": draft.notes,
        **{f"parent_{parent.carer_id}": parent.section.value for parent in draft.parents},
    }


@bp.route(f"{CASE_URL}/prosecution/lay", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def lay_prosecution(case_id: int):
    """Lay the information before the court: the case moves to the prosecution stage."""
    case = load_case(case_id)
    draft = legal.latest_prosecution(case)
    draft = draft if draft is not None and draft.laid_on is None else None
    form = prepare_step_form(LayProsecutionForm(data={"case_version": case.version}), case)
    if form.validate_on_submit() and (laid := _lay(form, case, draft)):
        flash(f"Prosecution laid on {long_date(laid.laid_on)}. Add the first hearing when it is listed.", "success")
        return _to_prosecution(case)
    return render_case_page(
        "legal/lay.html",
        case,
        status_for(form),
        form=form,
        draft=draft,
        checklist=legal.evidence_checklist(case, draft, current_user) if draft else [],
        paid=legal.settled_notices_in_proceedings(draft),
        evidence_links=evidence_links(case),
        interruption=interruption(case, form),
        **step_panel(case, "prosecute"),
    )


def _lay(form: LayProsecutionForm, case: Case, draft: Prosecution | None) -> Prosecution | None:
    """Lay the draft, or say there is none to lay."""
    if draft is None:
        form.step.errors.append("There is no prosecution file to lay: prepare the prosecution file first")
        return None
    return saved(
        form,
        lambda: legal.lay_prosecution(
            case,
            draft,
            laid_on=form.laid_on.data,
            actor=current_user,
            reason=needs_reason(case.pupil, considered(form)),
            expected_version=form.case_version.data,
        ),
    )


@bp.route(f"{CASE_URL}/prosecution/hearings/new", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def new_hearing(case_id: int):
    """Add a hearing, warning first if any notice in the proceedings has been paid."""
    case = load_case(case_id)
    laid = _laid(case)
    form = HearingForm(data={"court": laid.court})
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.add_hearing(
            laid,
            hearing_on=form.hearing_on.data,
            court=form.court.data,
            purpose=form.purpose.data,
            result=form.result.data or "",
            actor=current_user,
        ),
    ):
        flash(f"Hearing on {long_date(form.hearing_on.data)} saved.", "success")
        return _to_prosecution(case)
    return render_case_page(
        "legal/hearing.html",
        case,
        status_for(form),
        form=form,
        hearing=None,
        paid=legal.settled_notices_in_proceedings(laid),
    )


@bp.route(f"{CASE_URL}/prosecution/hearings/<int:hearing_id>", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def edit_hearing(case_id: int, hearing_id: int):
    """Change a hearing, typically to record its result."""
    case = load_case(case_id)
    laid = _laid(case)
    hearing = db.session.get(CourtHearing, hearing_id)
    if hearing is None or hearing.prosecution_id != laid.id:
        abort(404)
    form = HearingForm(
        data={
            "version": hearing.version,
            "hearing_on": hearing.hearing_on,
            "court": hearing.court,
            "purpose": hearing.purpose,
            "result": hearing.result,
        }
    )
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.update_hearing(
            hearing,
            laid,
            hearing_on=form.hearing_on.data,
            court=form.court.data,
            purpose=form.purpose.data,
            result=form.result.data or "",
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"Hearing on {long_date(hearing.hearing_on)} saved.", "success")
        return _to_prosecution(case)
    return render_case_page(
        "legal/hearing.html",
        case,
        status_for(form),
        form=form,
        hearing=hearing,
        paid=legal.settled_notices_in_proceedings(laid),
    )


@bp.route(f"{CASE_URL}/prosecution/parents/<int:parent_id>/outcome", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def outcome(case_id: int, parent_id: int):
    """Record how the proceedings ended for one parent."""
    case = load_case(case_id)
    laid = _laid(case)
    parent = db.session.get(ProsecutedParent, parent_id)
    if parent is None or parent.prosecution_id != laid.id:
        abort(404)
    form = OutcomeForm(
        data={
            "version": parent.version,
            "verdict": parent.verdict.value if parent.verdict else None,
            "sentences": parent.sentences,
            "fine_pounds": parent.fine_pounds,
            "costs_pounds": parent.costs_pounds,
            "outcome_on": parent.outcome_on,
            "note": parent.outcome_note,
        }
    )
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.record_outcome(
            parent,
            verdict=Verdict(form.verdict.data),
            sentences=[Sentence(value) for value in form.sentences.data or ()],
            fine_pounds=form.fine_pounds.data,
            costs_pounds=form.costs_pounds.data,
            outcome_on=form.outcome_on.data,
            note=form.note.data or "",
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"Outcome for {parent.carer.name} saved.", "success")
        return _to_prosecution(case)
    return render_case_page("legal/outcome.html", case, status_for(form), form=form, parent=parent, **LABELS)
