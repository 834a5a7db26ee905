"""Notices to improve and penalty notices: issuing them, and recording receipt, payment and withdrawal."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ewo_cases import clock
from ewo_cases.access import allow
from ewo_cases.models import Case, PenaltyNotice
from ewo_cases.services import legal
from ewo_cases.services.legal.common import long_date, needs_reason
from ewo_cases.services.legal.notices import NoticePreview
from ewo_cases.services.legal.notices_to_improve import period_text
from ewo_cases.services.transitions import improvement_period_register, load_facts
from ewo_cases.views import render_case_page, saved, status_for
from ewo_cases.views.legal.blueprint import (
    CASE_URL,
    LEGAL_STAFF,
    bp,
    considered,
    interruption,
    latest_approval,
    load_case,
    one_on_case,
    prepare_step_form,
    step_panel,
)
from forms.legal import (
    NoticeOutcomeForm,
    NoticeReceivedForm,
    NoticeToImproveForm,
    PaymentForm,
    PenaltyNoticesForm,
    WithdrawalForm,
)
from workflows import CaseStage
from workflows import legal as rules
from workflows.cases.guards import each_parent_under_notice_cap, improvement_period_set
from workflows.legal import NoticeKind, WithdrawalGround


def _to_show(case: Case, anchor: str):
    return redirect(url_for("legal.show", case_id=case.id, _anchor=anchor))


# --- notices to improve -----------------------------------------------------------------------------------


@bp.route(f"{CASE_URL}/notice-to-improve/new", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def new_notice_to_improve(case_id: int):
    """Issue a notice to improve, with its improvement period."""
    case = load_case(case_id)
    form = NoticeToImproveForm(data={"case_version": case.version})
    if form.validate_on_submit() and (
        notice := saved(
            form,
            lambda: legal.issue_notice_to_improve(
                case,
                issued_on=form.issued_on.data,
                received_on=form.received_on.data,
                starts_on=form.improvement_starts_on.data,
                weeks=form.weeks.data,
                holiday_weeks=form.holiday_weeks.data,
                sufficient_improvement=form.sufficient_improvement.data,
                threshold_reason=form.threshold_reason.data or "",
                actor=current_user,
                expected_version=form.case_version.data,
            ),
        )
    ):
        flash(
            f"Notice to improve issued. The improvement period ends on {long_date(notice.improvement_ends_on)}.",
            "success",
        )
        return _to_show(case, "notice-to-improve")
    facts = load_facts(case, current_user)
    return render_case_page(
        "legal/notice_to_improve.html",
        case,
        status_for(form),
        form=form,
        threshold_met=facts.penalty_threshold_met,
        **step_panel(case, "issue_notice_to_improve", asked=(improvement_period_set,)),
    )


@bp.route(f"{CASE_URL}/notice-to-improve/outcome", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def notice_outcome(case_id: int):
    """Record whether attendance improved enough over the improvement period."""
    case = load_case(case_id)
    notice = legal.latest_notice_to_improve(case) or abort(404)
    answer = {True: "yes", False: "no"}.get(notice.improved)
    form = NoticeOutcomeForm(
        data={
            "version": notice.version,
            "improved": answer,
            "assessed_on": notice.outcome_recorded_on,
            "note": notice.outcome_note,
        }
    )
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.record_notice_outcome(
            notice,
            case,
            improved=form.improved.data == "yes",
            assessed_on=form.assessed_on.data,
            note=form.note.data or "",
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash("Outcome of the notice to improve saved.", "success")
        return _to_show(case, "notice-to-improve")
    today = clock.today()
    register = improvement_period_register(case, notice, today)
    return render_case_page(
        "legal/notice_outcome.html",
        case,
        status_for(form),
        form=form,
        notice=notice,
        period_over=register is not None,
        register=period_text(register) if register else "",
        period_held=rules.may_find_improvement_failed(register),
        open_for_outcome=case.stage == CaseStage.NOTICE_TO_IMPROVE,
    )


# --- penalty notices --------------------------------------------------------------------------------------


@bp.route(f"{CASE_URL}/penalty-notices/new", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def new_penalty_notices(case_id: int):
    """Issue penalty notices, one to each s576 parent chosen, showing first or second and the amount."""
    case = load_case(case_id)
    previews = legal.preview(case, clock.today())
    asked = latest_approval(case, "issue_fpn")
    parents = asked.parent_ids if asked and asked.used_at is None else None
    form = prepare_step_form(PenaltyNoticesForm(data={"case_version": case.version, "parents": parents}), case)
    # Parents who may not receive a notice are listed with the reason, not offered as disabled boxes (whose
    # faded hints are too faint to read).
    eligible = [preview for preview in previews if preview.parent.eligible]
    form.parents.choices = [SelectChoice(preview.parent.id, preview.parent.name) for preview in eligible]
    if form.validate_on_submit() and (
        issued := saved(
            form,
            lambda: legal.issue_penalty_notices(
                case,
                carer_ids=form.parents.data,
                issued_on=form.issued_on.data,
                period=(form.period_start.data, form.period_end.data),
                actor=current_user,
                reason=needs_reason(case.pupil, considered(form)),
                expected_version=form.case_version.data,
            ),
        )
    ):
        references = ", ".join(notice.reference for notice in issued)
        flash(f"Penalty notices issued: {references}. Record when each is received to start its clocks.", "success")
        return _to_show(case, "penalty-notices")
    facts = load_facts(case, current_user)
    return render_case_page(
        "legal/penalty_notices.html",
        case,
        status_for(form),
        form=form,
        parent_items=[{"hint": {"text": preview_text(preview)}} for preview in eligible],
        excluded=[preview.parent for preview in previews if not preview.parent.eligible],
        interruption=interruption(case, form),
        at_notice_to_improve=case.stage == CaseStage.NOTICE_TO_IMPROVE,
        support_not_appropriate=facts.support_not_appropriate_reason,
        **step_panel(case, "issue_fpn", asked=(each_parent_under_notice_cap,)),
    )


def preview_text(preview: NoticePreview) -> str:
    """Say whether this would be the parent's first or second notice and what it costs, or that the cap stops it."""
    if not preview.may_issue:
        counted = " and ".join(f"{n.reference} ({long_date(n.issued_on)})" for n in preview.counting)
        return (
            f"Cannot receive a third notice for this child within 3 years: {counted} count until "
            f"{long_date(preview.next_possible_on)}. Consider prosecution or another legal intervention instead."
        )
    if preview.kind is NoticeKind.SECOND:
        first = preview.counting[0]
        return (
            f"Second notice within 3 years (after {first.reference}, issued {long_date(first.issued_on)}): "
            f"£{rules.FULL_AMOUNT} if paid within 28 days of receipt, with no reduced rate."
        )
    return (
        f"First notice: £{rules.DISCOUNTED_AMOUNT} if paid within 21 days of receipt, "
        f"£{rules.FULL_AMOUNT} if paid within 28 days."
    )


def _notice(case: Case, notice_id: int) -> PenaltyNotice:
    return one_on_case(PenaltyNotice, notice_id, case)


@bp.route(f"{CASE_URL}/penalty-notices/<int:notice_id>/received", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def notice_received(case_id: int, notice_id: int):
    """Record when the parent received a notice, which starts its 21- and 28-day clocks."""
    case = load_case(case_id)
    notice = _notice(case, notice_id)
    form = NoticeReceivedForm(data={"version": notice.version, "received_on": notice.received_on})
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.record_receipt(
            notice, received_on=form.received_on.data, actor=current_user, expected_version=form.version.data
        ),
    ):
        flash(f"{notice.reference}: received on {long_date(notice.received_on)}.", "success")
        return _to_show(case, f"notice-{notice.id}")
    return render_case_page(
        "legal/notice_received.html", case, status_for(form), form=form, notice=legal.summarise(notice, clock.today())
    )


@bp.route(f"{CASE_URL}/penalty-notices/<int:notice_id>/payment", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def record_payment(case_id: int, notice_id: int):
    """Record a payment of a notice in full, checking the amount against what was due that day."""
    case = load_case(case_id)
    notice = _notice(case, notice_id)
    form = PaymentForm(data={"version": notice.version})
    if notice.received_on is not None:
        del form.received_on
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.record_payment(
            notice,
            paid_on=form.paid_on.data,
            amount=form.amount.data,
            received_on=form.received_on.data if "received_on" in form else None,
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"{notice.reference}: £{notice.amount_paid} paid. The notice is closed.", "success")
        return _to_show(case, f"notice-{notice.id}")
    return render_case_page(
        "legal/payment.html", case, status_for(form), form=form, notice=legal.summarise(notice, clock.today())
    )


@bp.route(f"{CASE_URL}/penalty-notices/<int:notice_id>/withdraw", methods=["GET", "POST"])
@allow(*LEGAL_STAFF)
def withdraw_notice(case_id: int, notice_id: int):
    """Withdraw a notice on one of the statutory grounds."""
    case = load_case(case_id)
    notice = _notice(case, notice_id)
    form = WithdrawalForm(data={"version": notice.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: legal.withdraw_notice(
            notice,
            withdrawn_on=form.withdrawn_on.data,
            ground=WithdrawalGround(form.ground.data),
            note=form.note.data,
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"{notice.reference} withdrawn. It no longer counts towards the limit of 2 notices.", "success")
        return _to_show(case, f"notice-{notice.id}")
    return render_case_page(
        "legal/withdraw.html", case, status_for(form), form=form, notice=legal.summarise(notice, clock.today())
    )
