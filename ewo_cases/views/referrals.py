"""Referrals: a school lead asks the local authority to open a case; an officer or manager decides."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

import workflows
from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import PupilAttendance, Referral, ReferralStatus, Role, User
from ewo_cases.scoping import of_visible_pupils, one_or_404, pupil_or_404
from ewo_cases.services import cases as case_service
from ewo_cases.views import saved, status_for
from ewo_cases.views.case_steps import officer_choices
from forms.cases import ReferralDecisionForm, ReferralForm
from workflows import CaseStage

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

SUPPORT_STAGES = (CaseStage.AT_RISK, CaseStage.PERSISTENT, CaseStage.SEVERE)


def visible_referrals() -> sa.Select:
    """Referrals of pupils the user may see (school leads: their schools'; officers: their patch's)."""
    return of_visible_pupils(sa.select(Referral), Referral.pupil_id, current_user)


@bp.get("/")
@allow(Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)
def index():
    """Referrals waiting for a decision, then decided ones."""
    pending = db.session.scalars(
        visible_referrals().where(Referral.status == ReferralStatus.PENDING).order_by(Referral.referred_at)
    ).all()
    decided = db.session.scalars(
        visible_referrals()
        .where(Referral.status != ReferralStatus.PENDING)
        .order_by(Referral.decided_at.desc())
        .limit(50)
    ).all()
    return render_template("referrals/index.html", pending=pending, decided=decided)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.SCHOOL_LEAD)
def new():
    """Refer one of the school's pupils to the local authority."""
    pupil = pupil_or_404(current_user, request.args.get("pupil", type=int) or abort(404))
    form = ReferralForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: case_service.refer(
            pupil,
            actor=current_user,
            reason=form.reason.data,
            support_so_far=form.support_so_far.data,
        ),
    ):
        flash(
            f"{pupil.name} has been referred. The attendance team will decide and you will see the outcome here.",
            "success",
        )
        return redirect(url_for("referrals.index"))
    return render_template(
        "referrals/new.html", form=form, pupil=pupil, open_case=case_service.open_case_of(pupil)
    ), status_for(form)


@bp.route("/<int:referral_id>", methods=["GET", "POST"])
@allow(Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)
def show(referral_id: int):
    """A referral; an officer or manager accepts it (opening a case) or declines it with a reason."""
    referral = one_or_404(visible_referrals().where(Referral.id == referral_id))
    figures = db.session.get(PupilAttendance, referral.pupil_id)
    suggested = workflows.stage_for_band(figures.band) if figures and figures.band.value != "none" else None
    form = ReferralDecisionForm(
        data={
            "version": referral.version,
            "stage": suggested.value if suggested else None,
            "officer": current_user.id if current_user.role == Role.OFFICER else None,
        }
    )
    form.stage.choices = [(stage.value, workflows.STAGE_LABELS[stage]) for stage in SUPPORT_STAGES]
    form.officer.choices = officer_choices()
    if form.is_submitted() and current_user.role == Role.SCHOOL_LEAD:
        abort(403)
    if form.validate_on_submit() and _decided(form, referral):
        flash("Referral accepted: case opened." if referral.case_id else "Referral declined.", "success")
        if referral.case_id:
            return redirect(url_for("cases.show", case_id=referral.case_id))
        return redirect(url_for("referrals.index"))
    return render_template("referrals/show.html", referral=referral, form=form, figures=figures), status_for(form)


def _decided(form: ReferralDecisionForm, referral: Referral) -> bool:
    if form.decision.data == "decline":
        if not form.reason.data:
            form.reason.errors = ["Say why the referral is declined"]
            return False
        return bool(
            saved(
                form,
                lambda: case_service.decline_referral(
                    referral, actor=current_user, reason=form.reason.data, expected_version=form.version.data
                ),
            )
        )
    if not form.stage.data or not form.officer.data:
        field = form.stage if not form.stage.data else form.officer
        field.errors = ["Choose the stage and the officer to open the case"]
        return False
    return bool(
        saved(
            form,
            lambda: case_service.accept_referral(
                referral,
                actor=current_user,
                stage=CaseStage(form.stage.data),
                officer=db.session.get(User, form.officer.data),
                override_reason=form.override_reason.data or "",
                expected_version=form.version.data,
            ),
        )
    )
