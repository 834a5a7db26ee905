"""A case's action plan, its actions and their progress, its history, and the attendance contract.

Officers, managers and the school's attendance leads work on the plan together (a school lead may change the
details only of actions the school or they own, or that they added: ``services.plans``). The attendance
contract is kept by officers and managers; school leads see it.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from ewo_cases import clock
from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Action, ActionStatus, Case, Role
from ewo_cases.scoping import case_or_404
from ewo_cases.services import access_log
from ewo_cases.services import contracts as contract_service
from ewo_cases.services import plans as plan_service
from ewo_cases.views import render_case_page, saved, status_for
from forms.plans import ActionChangeForm, ActionForm, ActionProgressForm, ContractForm, EndContractForm, PlanForm

bp = Blueprint("plans", __name__, url_prefix="/cases/<int:case_id>/plan")

CASEWORK = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)
LA_CASEWORK = (Role.OFFICER, Role.MANAGER)


@bp.get("/")
@allow(*CASEWORK)
def show(case_id: int):
    """The plan: goals, review date and actions (sortable by due date, owner or status), overdue ones flagged."""
    case = case_or_404(current_user, case_id)
    plan = plan_service.plan_for_page(case)
    sort = request.args.get("sort", "due") if request.args.get("sort") in plan_service.SORT_KEYS else "due"
    order = "desc" if request.args.get("order") == "desc" else "asc"
    actions = plan_service.sorted_actions(plan, sort, order == "desc") if plan else []
    _log_view(case, "action_plan", plan.id if plan else None)
    return render_case_page(
        "plans/show.html", case, plan=plan, actions=actions, sort=sort, order=order, today=clock.today()
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(*CASEWORK)
def new(case_id: int):
    """Write the case's action plan: its goals and review date."""
    case = case_or_404(current_user, case_id)
    if plan_service.plan_of(case) is not None:
        return redirect(url_for("plans.edit", case_id=case.id))
    form = PlanForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: plan_service.create_plan(
            case, goals=form.goals.data, review_on=form.review_on.data, actor=current_user
        ),
    ):
        flash("Action plan written. Now add its actions.", "success")
        return redirect(url_for("plans.show", case_id=case.id))
    return render_case_page("plans/plan_form.html", case, status_for(form), form=form, plan=None)


@bp.route("/edit", methods=["GET", "POST"])
@allow(*CASEWORK)
def edit(case_id: int):
    """Change the plan's goals or review date."""
    case = case_or_404(current_user, case_id)
    plan = plan_service.plan_of(case)
    if plan is None:
        return redirect(url_for("plans.new", case_id=case.id))
    form = PlanForm(data={"goals": plan.goals, "review_on": plan.review_on, "version": plan.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: plan_service.update_plan(
            plan,
            goals=form.goals.data,
            review_on=form.review_on.data,
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash("Action plan updated.", "success")
        return redirect(url_for("plans.show", case_id=case.id))
    return render_case_page("plans/plan_form.html", case, status_for(form), form=form, plan=plan)


@bp.route("/actions/new", methods=["GET", "POST"])
@allow(*CASEWORK)
def new_action(case_id: int):
    """Add an action to the plan."""
    case = case_or_404(current_user, case_id)
    plan = plan_service.plan_of(case)
    if plan is None:
        flash("Write the action plan first: then add its actions.", "information")
        return redirect(url_for("plans.new", case_id=case.id))
    form = ActionForm()
    form.owner.choices = plan_service.owner_choices(case)
    if form.validate_on_submit() and saved(
        form,
        lambda: plan_service.add_action(
            plan,
            plan_service.NewAction(form.description.data, form.owner.data, form.due_on.data),
            actor=current_user,
        ),
    ):
        flash("Action added to the plan.", "success")
        return redirect(url_for("plans.show", case_id=case.id))
    return render_case_page("plans/new_action.html", case, status_for(form), form=form)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@allow(*CASEWORK)
def action(case_id: int, action_id: int):
    """An action and its progress: record its status and a progress note, and (if allowed) change it."""
    case = case_or_404(current_user, case_id)
    item = plan_service.action_or_404(case, action_id)
    form = _action_form(case, item)
    if form.validate_on_submit() and saved(
        form,
        lambda: plan_service.update_action(
            item,
            status=ActionStatus(form.status.data),
            note=form.note.data or "",
            details=_details(form),
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash("Action updated.", "success")
        return redirect(url_for("plans.show", case_id=case.id))
    return render_case_page(
        "plans/action.html",
        case,
        status_for(form),
        form=form,
        action=item,
        meeting=plan_service.meeting_of(item),
        today=clock.today(),
    )


@bp.get("/revisions")
@allow(*CASEWORK)
def revisions(case_id: int):
    """The plan's history: the whole plan as it stood after each change, newest first."""
    case = case_or_404(current_user, case_id)
    plan = plan_service.plan_of(case)
    return render_case_page(
        "plans/revisions.html",
        case,
        plan=plan,
        revisions=plan.revisions if plan else [],
        statuses=ActionStatus,
        parse_day=date.fromisoformat,
    )


@bp.get("/contract")
@allow(*CASEWORK)
def contract(case_id: int):
    """The current attendance contract, and any that have ended."""
    case = case_or_404(current_user, case_id)
    current = contract_service.current_contract(case)
    _log_view(case, "attendance_contract", current.id if current else None)
    return render_case_page(
        "plans/contract.html",
        case,
        contract=current,
        past=contract_service.past_contracts(case),
        today=clock.today(),
    )


@bp.route("/contract/edit", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def edit_contract(case_id: int):
    """Draft the attendance contract, or change the current one."""
    case = case_or_404(current_user, case_id)
    current = contract_service.current_contract(case)
    form = ContractForm(data=_contract_data(current))
    form.parties.choices = contract_service.party_choices(case, current)
    if form.validate_on_submit() and saved(
        form,
        lambda: contract_service.save_contract(
            case,
            parent_commitments=form.parent_commitments.data,
            support_commitments=form.support_commitments.data,
            party_ids=form.parties.data,
            agreed_on=form.agreed_on.data,
            review_on=form.review_on.data,
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash("Attendance contract saved.", "success")
        return redirect(url_for("plans.contract", case_id=case.id))
    return render_case_page("plans/contract_form.html", case, status_for(form), form=form, contract=current)


@bp.route("/contract/end", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def end_contract(case_id: int):
    """Record that the current attendance contract has ended, and why."""
    case = case_or_404(current_user, case_id)
    current = contract_service.current_contract(case)
    if current is None:
        return redirect(url_for("plans.contract", case_id=case.id))
    form = EndContractForm(data={"ended_on": clock.today(), "version": current.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: contract_service.end_contract(
            current,
            ended_on=form.ended_on.data,
            reason=form.reason.data,
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash("Attendance contract ended.", "success")
        return redirect(url_for("plans.contract", case_id=case.id))
    return render_case_page("plans/end_contract.html", case, status_for(form), form=form, contract=current)


def _action_form(case: Case, item: Action) -> ActionProgressForm:
    data = {"status": item.status.value, "version": item.version}
    if not plan_service.may_change_details(current_user, item):
        form = ActionProgressForm(data=data)
    else:
        details = {"description": item.description, "owner": plan_service.owner_choice_of(item), "due_on": item.due_on}
        form = ActionChangeForm(data={**data, **details})
        form.owner.choices = plan_service.owner_choices(case, keep=item.owner_participant)
    form.status.choices = [(status.value, status.label) for status in ActionStatus]
    return form


def _details(form: ActionProgressForm) -> plan_service.NewAction | None:
    if not isinstance(form, ActionChangeForm):
        return None
    return plan_service.NewAction(form.description.data, form.owner.data, form.due_on.data)


def _contract_data(current) -> dict:
    if current is None:
        return {}
    return {
        "parent_commitments": current.parent_commitments,
        "support_commitments": current.support_commitments,
        "parties": [party.id for party in current.parties],
        "agreed_on": current.agreed_on,
        "review_on": current.review_on,
        "version": current.version,
    }


def _log_view(case: Case, record_type: str, record_id: int | None) -> None:
    """Note that the user looked at this part of the child's record."""
    access_log.record_access(current_user, access_log.VIEWED, record_type, record_id=record_id, pupil_id=case.pupil_id)
    db.session.commit()
