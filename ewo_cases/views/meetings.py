"""A case's meetings: the list, arranging one, recording what happened, and cancelling.

Officers, managers and the school's attendance leads may use every page here (schools hold family attendance
meetings themselves); a school lead may cancel only the meetings they arranged (``services.meetings``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import Meeting, MeetingAttendance, MeetingKind, MeetingStatus, Role
from ewo_cases.scoping import case_or_404
from ewo_cases.services import access_log, plans
from ewo_cases.services import meetings as meeting_service
from ewo_cases.views import render_case_page, saved, status_for
from forms.meetings import (
    MOST_ACTION_ROWS,
    CancelMeetingForm,
    CorrectMeetingForm,
    MeetingArrangementsForm,
    RecordMeetingForm,
    ScheduleMeetingForm,
    record_meeting_form,
)
from workflows import ENGLAND

bp = Blueprint("meetings", __name__, url_prefix="/cases/<int:case_id>/meetings")

CASEWORK = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)


@bp.get("/")
@allow(*CASEWORK)
def index(case_id: int):
    """List the case's meetings: those to come (or to record) first, then those held."""
    case = case_or_404(current_user, case_id)
    meetings = meeting_service.meetings_of(case)
    to_record = {meeting.id for meeting in meetings.scheduled if meeting_service.is_overdue_for_record(meeting)}
    return render_case_page("meetings/index.html", case, meetings=meetings, to_record=to_record)


@bp.route("/new", methods=["GET", "POST"])
@allow(*CASEWORK)
def new(case_id: int):
    """Arrange a meeting and invite people involved in the case."""
    case = case_or_404(current_user, case_id)
    form = ScheduleMeetingForm(data={"invitees": meeting_service.default_invitees(case)})
    form.kind.choices = [(kind.value, kind.label) for kind in MeetingKind]
    form.invitees.choices = meeting_service.invitee_choices(case)
    if form.validate_on_submit() and (
        meeting := saved(
            form,
            lambda: meeting_service.schedule_meeting(
                case, kind=MeetingKind(form.kind.data), arrangements=_arrangements(form), actor=current_user
            ),
        )
    ):
        return _after_scheduling(meeting)
    return render_case_page("meetings/new.html", case, status_for(form), form=form)


@bp.route("/<int:meeting_id>/arrangements", methods=["GET", "POST"])
@allow(*CASEWORK)
def rearrange(case_id: int, meeting_id: int):
    """Move a scheduled meeting, or change where it is or who is invited."""
    case, meeting, done = _meeting_to_change(case_id, meeting_id)
    if done:
        return done
    local = meeting.scheduled_for.astimezone(ENGLAND)
    form = MeetingArrangementsForm(
        data={
            "date": local.date(),
            "time": local.time(),
            "place": meeting.place,
            "invitees": [attendee.participant_id for attendee in meeting.attendees if attendee.participant_id],
            "version": meeting.version,
        }
    )
    form.invitees.choices = meeting_service.invitee_choices(case)
    if form.validate_on_submit() and saved(
        form,
        lambda: meeting_service.reschedule_meeting(
            meeting, _arrangements(form), expected_version=form.version.data, actor=current_user
        ),
    ):
        return _after_scheduling(meeting, "rearranged")
    return render_case_page("meetings/rearrange.html", case, status_for(form), form=form, meeting=meeting)


def _arrangements(form: MeetingArrangementsForm) -> meeting_service.MeetingArrangements:
    return meeting_service.MeetingArrangements(form.date.data, form.time.data, form.place.data, form.invitees.data)


def _after_scheduling(meeting: Meeting, done: str = "arranged"):
    """Show the meeting, or go straight on to record it if its day has already passed."""
    if meeting_service.is_overdue_for_record(meeting):
        flash(f"Meeting {done}. Now record what happened at it.", "success")
        return redirect(url_for("meetings.record", case_id=meeting.case_id, meeting_id=meeting.id))
    flash(f"{meeting.kind.label} {done}.", "success")
    return redirect(url_for("meetings.show", case_id=meeting.case_id, meeting_id=meeting.id))


@bp.get("/<int:meeting_id>")
@allow(*CASEWORK)
def show(case_id: int, meeting_id: int):
    """A meeting: when and where, who was invited and came, and what was said, decided and agreed."""
    case = case_or_404(current_user, case_id)
    meeting = meeting_service.meeting_or_404(case, meeting_id)
    access_log.record_access(current_user, access_log.VIEWED, "meeting", record_id=meeting.id, pupil_id=case.pupil_id)
    db.session.commit()
    return render_case_page(
        "meetings/show.html",
        case,
        meeting=meeting,
        actions=plans.actions_from_meeting(meeting),
        may_cancel=meeting.status == MeetingStatus.SCHEDULED and meeting_service.may_cancel(current_user, meeting),
        may_correct=meeting.status == MeetingStatus.HELD and meeting_service.may_correct(current_user, meeting),
        overdue=meeting_service.is_overdue_for_record(meeting),
        record=meeting_service.narrative(meeting) if meeting.status == MeetingStatus.HELD else None,
        attendee_label=meeting_service.attendee_label,
    )


@bp.route("/<int:meeting_id>/correct", methods=["GET", "POST"])
@allow(*CASEWORK)
def correct(case_id: int, meeting_id: int):
    """Correct what a held meeting's record says; what it said before is kept, with the reason."""
    case = case_or_404(current_user, case_id)
    meeting = meeting_service.meeting_or_404(case, meeting_id)
    if meeting.status != MeetingStatus.HELD:
        return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    if not meeting_service.may_correct(current_user, meeting):
        abort(403)
    now = meeting_service.narrative(meeting)
    form = CorrectMeetingForm(data={**now.__dict__, "version": meeting.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: meeting_service.correct_meeting(
            meeting,
            meeting_service.MeetingNarrative(
                form.summary.data or "",
                form.decisions.data or "",
                form.child_views.data or "",
                form.family_views.data or "",
            ),
            reason=form.reason.data,
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash("The record of the meeting has been corrected.", "success")
        return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id, _anchor="corrections"))
    return render_case_page("meetings/correct.html", case, status_for(form), form=form, meeting=meeting)


@bp.route("/<int:meeting_id>/record", methods=["GET", "POST"])
@allow(*CASEWORK)
def record(case_id: int, meeting_id: int):
    """Record what happened at a meeting, and the actions it agreed (into the case's action plan)."""
    case = case_or_404(current_user, case_id)
    meeting = meeting_service.meeting_or_404(case, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED and request.method == "GET":
        return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    plan = plans.plan_of(case)
    form = _record_form(case, meeting)
    if form.add_action.data:
        # "Add another action" without JavaScript: redraw the form with one more blank row, saving nothing.
        if len(form.actions) < MOST_ACTION_ROWS:
            form.actions.append_entry()
        _give_owner_choices(form, case)
    elif form.validate_on_submit() and saved(
        form,
        lambda: meeting_service.record_meeting(
            meeting,
            _meeting_record(form),
            actions=_new_actions(form),
            plan_review_on=form.plan_review_on.data if plan is None else None,
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash(f"{meeting.kind.label} recorded.", "success")
        return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    return render_case_page(
        "meetings/record.html", case, status_for(form), form=form, meeting=meeting, plan=plan, max_rows=MOST_ACTION_ROWS
    )


@bp.route("/<int:meeting_id>/cancel", methods=["GET", "POST"])
@allow(*CASEWORK)
def cancel(case_id: int, meeting_id: int):
    """Cancel a scheduled meeting, saying why."""
    case, meeting, done = _meeting_to_change(case_id, meeting_id)
    if done:
        return done
    form = CancelMeetingForm(data={"version": meeting.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: meeting_service.cancel_meeting(
            meeting, reason=form.reason.data, expected_version=form.version.data, actor=current_user
        ),
    ):
        flash(f"{meeting.kind.label} cancelled.", "success")
        return redirect(url_for("meetings.index", case_id=case.id))
    return render_case_page("meetings/cancel.html", case, status_for(form), form=form, meeting=meeting)


def _meeting_to_change(case_id: int, meeting_id: int):
    """The case and a scheduled meeting the user may rearrange or cancel, and (once it is no longer scheduled)
    the redirect to show it instead."""
    case = case_or_404(current_user, case_id)
    meeting = meeting_service.meeting_or_404(case, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED and request.method == "GET":
        return case, meeting, redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    if not meeting_service.may_cancel(current_user, meeting):
        abort(403)
    return case, meeting, None


def _record_form(case, meeting: Meeting) -> RecordMeetingForm:
    attendees = [(attendee.id, meeting_service.attendee_label(attendee)) for attendee in meeting.attendees]
    held_on = meeting.scheduled_for.astimezone(ENGLAND).date()
    form = record_meeting_form(attendees, data={"held_on": held_on, "version": meeting.version})
    return _give_owner_choices(form, case)


def _give_owner_choices(form: RecordMeetingForm, case) -> RecordMeetingForm:
    choices = plans.owner_choices(case)
    for entry in form.actions:
        entry.form.owner.choices = choices
    return form


def _meeting_record(form: RecordMeetingForm) -> meeting_service.MeetingRecord:
    return meeting_service.MeetingRecord(
        held_on=form.held_on.data,
        attendance={attendee_id: MeetingAttendance(value) for attendee_id, value in form.attendance().items()},
        child_attended=form.child_attended.data == "yes",
        summary=form.summary.data or "",
        child_views=form.child_views.data or "",
        family_views=form.family_views.data or "",
        decisions=form.decisions.data or "",
        others_attended=(form.others_attended.data or "").splitlines(),
    )


def _new_actions(form: RecordMeetingForm) -> list[plans.NewAction]:
    return [plans.NewAction(row.description.data, row.owner.data, row.due_on.data) for row in form.filled_action_rows()]
