"""Termly targeting support meetings: each school's pack of pupils and groups to discuss, printable, and the
record of the meeting. Officers see their patch's schools, school attendance leads their own, managers all."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ewo_cases import clock
from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import ActionOwner, ActionStatus, Role, School
from ewo_cases.scoping import school_or_404, schools
from ewo_cases.services import access_log, reports
from ewo_cases.services import targeting as service
from ewo_cases.views import saved, status_for
from forms.plans import ActionProgressForm
from forms.targeting import MOST_ACTION_ROWS, TargetingMeetingForm

bp = Blueprint("targeting", __name__, url_prefix="/targeting")

TARGETING_ROLES = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)


@bp.get("/")
@allow(*TARGETING_ROLES)
def index():
    """List the schools the user works with, with their last and next targeting support meeting."""
    today = clock.today()
    return render_template(
        "targeting/index.html",
        rows=service.schools_with_meetings(db.session.scalars(schools(current_user)).all(), today=today),
        term=reports.this_term(today),
    )


@bp.get("/schools/<int:school_id>")
@allow(*TARGETING_ROLES)
def pack(school_id: int):
    """Show a school's termly pack: pupils to discuss with their cases, lower groups, last meeting's actions."""
    school = school_or_404(current_user, school_id)
    return render_template("targeting/pack.html", pack=_logged(school, access_log.VIEWED, "pack"), printable=False)


#: The periods a pack can cover, as its ``period`` query parameter gives them: year to date (the default) or term.
PERIODS = {None: False, "year": False, "term": True}


def _term_asked() -> bool:
    """Whether the pack asked for is this term's; an unknown period is bad input."""
    period = request.args.get("period")
    if period not in PERIODS:
        abort(400)
    return PERIODS[period]


@bp.get("/schools/<int:school_id>/print", endpoint="print")
@allow(*TARGETING_ROLES)
def print_view(school_id: int):
    """Lay the pack out for printing, without navigation (printing it is logged: it names children)."""
    school = school_or_404(current_user, school_id)
    return render_template(
        "targeting/print.html",
        pack=_logged(school, access_log.EXPORTED, "printable pack"),
        printable=True,
        printed_at=clock.now(),
    )


def _logged(school: School, action: str, detail: str) -> service.Pack:
    """Gather the school's pack and log the look at (or printing of) every child it names."""
    pack = service.pack(school, current_user, term=_term_asked())
    access_log.record_access(
        current_user,
        action,
        "targeting_pack",
        record_id=school.id,
        pupil_ids=pack.pupil_ids,
        detail=f"{detail}, {pack.period.name.lower()}",
    )
    db.session.commit()
    return pack


@bp.route("/schools/<int:school_id>/meetings/new", methods=["GET", "POST"])
@allow(*TARGETING_ROLES)
def record(school_id: int):
    """Record the school's termly meeting: who came, what was discussed and agreed, and the next date."""
    school = school_or_404(current_user, school_id)
    discussed = service.pupils_to_discuss(school, current_user)
    form = _with_pupils(TargetingMeetingForm(data={"held_on": clock.today()}), discussed)
    if form.add_action.data:
        # "Add another pupil action" without JavaScript: redraw the form with one more row, saving nothing.
        if len(form.actions) < MOST_ACTION_ROWS:
            form.actions.append_entry()
        _with_pupils(form, discussed)
    elif form.validate_on_submit() and saved(
        form,
        lambda: service.record_meeting(school, _record(form), actions=_pupil_actions(form), user=current_user),
    ):
        flash("Targeting support meeting recorded.", "success")
        return redirect(url_for("targeting.pack", school_id=school.id))
    return render_template(
        "targeting/record.html",
        form=form,
        school=school,
        has_pupils=bool(discussed),
        max_rows=MOST_ACTION_ROWS,
        last=service.last_meeting(school),
    ), status_for(form)


def _with_pupils(form: TargetingMeetingForm, discussed: list[service.Discussed]) -> TargetingMeetingForm:
    choices = [("", "Choose a pupil")] + [
        (str(item.pupil.id), f"{item.pupil.name} ({item.case.reference if item.case else 'no case: the school'})")
        for item in discussed
    ]
    for entry in form.actions:
        entry.form.pupil.choices = choices
    return form


def _record(form: TargetingMeetingForm) -> service.TargetingRecord:
    return service.TargetingRecord(
        held_on=form.held_on.data,
        recorder_attended=bool(form.recorder_attended.data),
        attended=(form.attended.data or "").splitlines(),
        apologies=(form.apologies.data or "").splitlines(),
        summary=form.summary.data or "",
        decisions=form.decisions.data or "",
        next_meeting_on=form.next_meeting_on.data,
    )


def _pupil_actions(form: TargetingMeetingForm) -> list[service.PupilAction]:
    return [
        service.PupilAction(int(row.pupil.data), row.description.data, ActionOwner(row.owner.data), row.due_on.data)
        for row in form.filled_action_rows()
    ]


@bp.route("/actions/<int:school_action_id>", methods=["GET", "POST"])
@allow(*TARGETING_ROLES)
def school_action(school_action_id: int):
    """Update a school's action for a pupil without a case: its status and what was done."""
    action = service.school_action_or_404(current_user, school_action_id)
    form = ActionProgressForm(data={"status": action.status.value, "note": action.note, "version": action.version})
    form.status.choices = [(status.value, status.label) for status in ActionStatus]
    if form.validate_on_submit() and saved(
        form,
        lambda: service.update_school_action(
            action,
            status=ActionStatus(form.status.data),
            note=form.note.data or "",
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash("Action updated.", "success")
        return redirect(url_for("targeting.pack", school_id=action.school_id))
    school = db.session.get(School, action.school_id)
    return render_template("targeting/action.html", form=form, action=action, school=school), status_for(form)
