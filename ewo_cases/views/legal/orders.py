"""Education supervision orders: the application, the court's decision, breaches and extensions."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Case, Eso, EsoStatus, User
from ewo_cases.services import legal
from ewo_cases.services.legal.common import long_date, needs_reason
from ewo_cases.views import render_case_page, saved, status_for
from ewo_cases.views.case_steps import officer_choices
from ewo_cases.views.legal.blueprint import (
    CASE_URL,
    LEGAL_STAFF,
    bp,
    considered,
    interruption,
    load_case,
    prepare_step_form,
    step_panel,
)
from forms.legal import EsoApplicationForm, EsoBreachForm, EsoExtensionForm, EsoForm
from workflows import legal as rules
from workflows.cases.guards import child_not_in_care


def _to_order(case: Case):
    return redirect(url_for("legal.show", case_id=case.id, _anchor="eso"))


def _order(case: Case) -> Eso:
    return legal.latest_eso(case) or abort(404)


@bp.route(f"{CASE_URL}/eso/new", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def new_eso(case_id: int):
    """Apply for an education supervision order."""
    case = load_case(case_id)
    form = prepare_step_form(EsoApplicationForm(data={"case_version": case.version}), case)
    if not case.pupil.looked_after:
        del form.subject_to_care_order
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.apply_for_eso(
            case,
            applied_on=form.applied_on.data,
            hearing_on=form.hearing_on.data,
            notes=form.notes.data or "",
            actor=current_user,
            subject_to_care_order=_care_order_answer(form),
            reason=needs_reason(case.pupil, considered(form)),
            expected_version=form.case_version.data,
        ),
    ):
        flash("Application for an education supervision order recorded.", "success")
        return _to_order(case)
    return render_case_page(
        "legal/eso_new.html",
        case,
        status_for(form),
        form=form,
        interruption=interruption(case, form),
        **step_panel(case, "apply_eso", asked=(child_not_in_care,)),
    )


def _care_order_answer(form: EsoApplicationForm) -> bool | None:
    """The answer to "is the child subject to a care order?", asked only when the child is looked after."""
    field = getattr(form, "subject_to_care_order", None)
    return None if field is None else field.data == "yes"


@bp.route(f"{CASE_URL}/eso", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def eso(case_id: int):
    """Record the court's decision, the supervisor and the directions."""
    case = load_case(case_id)
    order = _order(case)
    form = EsoForm(
        data={
            "version": order.version,
            "status": order.status.value,
            "hearing_on": order.hearing_on,
            "made_on": order.made_on,
            "supervisor": str(order.supervisor_id or ""),
            "directions": order.directions,
            "notes": order.notes,
        }
    )
    form.supervisor.choices = [SelectChoice("", "Not yet named")] + [
        SelectChoice(str(i), name) for i, name in officer_choices()
    ]
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.update_eso(
            order,
            status=EsoStatus(form.status.data),
            hearing_on=form.hearing_on.data,
            made_on=form.made_on.data,
            supervisor=db.session.get(User, int(form.supervisor.data)) if form.supervisor.data else None,
            directions=form.directions.data or "",
            notes=form.notes.data or "",
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        expiry = legal.current_expiry(order)
        extra = f" It expires on {long_date(expiry)} unless extended." if order.status is EsoStatus.MADE else ""
        flash(f"Education supervision order saved.{extra}", "success")
        return _to_order(case)
    return render_case_page("legal/eso.html", case, status_for(form), form=form, order=order)


@bp.route(f"{CASE_URL}/eso/breaches/new", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def eso_breach(case_id: int):
    """Record a failure to follow the order's directions."""
    case = load_case(case_id)
    order = _order(case)
    form = EsoBreachForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.record_breach(
            order, occurred_on=form.occurred_on.data, description=form.description.data, actor=current_user
        ),
    ):
        flash("Breach of the order's directions recorded.", "success")
        return _to_order(case)
    return render_case_page(
        "legal/eso_breach.html", case, status_for(form), form=form, order=order, expiry=legal.current_expiry(order)
    )


@bp.route(f"{CASE_URL}/eso/extensions/new", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def eso_extension(case_id: int):
    """Record the court's extension of the order (to at most 3 years in all)."""
    case = load_case(case_id)
    order = _order(case)
    form = EsoExtensionForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.record_extension(
            order, granted_on=form.granted_on.data, new_expires_on=form.new_expires_on.data, actor=current_user
        ),
    ):
        flash(f"Order extended to {long_date(legal.current_expiry(order))}.", "success")
        return _to_order(case)
    return render_case_page(
        "legal/eso_extension.html",
        case,
        status_for(form),
        form=form,
        order=order,
        expiry=legal.current_expiry(order),
        latest=rules.eso_latest_expiry(order.made_on) if order.made_on else None,
    )
