"""Action plans: one live plan per case, its actions and their progress, with a revision at every change.

Who may change a plan (the views declare the roles; the rule on action details is enforced here):

- officers and managers may do everything on the plans of the cases they can see;
- a school attendance lead co-owns the plans of their school's cases: they may write the plan, change its
  goals and review date, add actions, and record the status and progress of *any* action; they may change
  what an action is, who owns it and when it is due only for actions the school owns, that they own
  themselves, or that they added (``may_change_details``).

Every change to a plan or its actions appends one ``ActionPlanRevision`` holding the whole plan as it then
stood (``revise``); revisions and progress notes are never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ewo_cases import clock, scoping
from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    ActionOwner,
    ActionPlan,
    ActionPlanRevision,
    ActionProgress,
    ActionStatus,
    AgencyKind,
    Case,
    CaseParticipant,
    Meeting,
    ParticipantRole,
    Professional,
    Role,
    User,
)
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.record_dates import check_planned
from workflows import CaseStage

#: An owner choice naming one participant is this prefix and the participant's id; otherwise an ActionOwner.
PARTICIPANT_CHOICE = "participant-"
CHANGE_LENGTH = 300
SCHOOL_ROLES = frozenset(
    {ParticipantRole.SCHOOL_ATTENDANCE_LEAD, ParticipantRole.DESIGNATED_TEACHER, ParticipantRole.SENCO}
)
LOCAL_AUTHORITY_AGENCIES = frozenset({AgencyKind.ATTENDANCE_SUPPORT, AgencyKind.VIRTUAL_SCHOOL})
SORT_KEYS = ("due", "owner", "status")


@dataclass(frozen=True)
class NewAction:
    """An action as typed: ``owner`` is an owner choice (see ``owner_choices``)."""

    description: str
    owner: str
    due_on: date


@dataclass(frozen=True)
class ActionOnCase:
    """An action with the case it is for, for lists across cases."""

    action: Action
    case: Case
    overdue: bool


# --- reading ----------------------------------------------------------------------------------------------


def plan_of(case: Case) -> ActionPlan | None:
    """The case's plan, if one has been written."""
    return db.session.scalar(sa.select(ActionPlan).where(ActionPlan.case_id == case.id))


def plan_for_page(case: Case) -> ActionPlan | None:
    """The case's plan with its actions, their owners and their progress notes loaded."""
    actions = selectinload(ActionPlan.actions)
    return db.session.scalar(
        sa.select(ActionPlan)
        .where(ActionPlan.case_id == case.id)
        .options(
            actions.selectinload(Action.owner_participant),
            actions.selectinload(Action.progress).selectinload(ActionProgress.author),
        )
    )


def meeting_of(action: Action) -> Meeting | None:
    """The meeting that agreed an action, if one did."""
    return db.session.get(Meeting, action.meeting_id) if action.meeting_id else None


def actions_from_meeting(meeting: Meeting) -> list[Action]:
    """The actions agreed at a meeting."""
    return list(db.session.scalars(sa.select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id)))


def action_or_404(case: Case, action_id: int) -> Action:
    """An action on the case's plan, or 404 (an action of another case is indistinguishable from none)."""
    query = sa.select(Action).join(ActionPlan).where(Action.id == action_id, ActionPlan.case_id == case.id)
    return scoping.one_or_404(query)


def participants_of(case: Case, *, including: Iterable[CaseParticipant | None] = ()) -> list[CaseParticipant]:
    """The people currently involved in the case, and any others named (already chosen before they left)."""
    current = db.session.scalars(
        sa.select(CaseParticipant)
        .where(CaseParticipant.case_id == case.id, CaseParticipant.ended_on.is_(None))
        .options(
            selectinload(CaseParticipant.carer),
            selectinload(CaseParticipant.user),
            selectinload(CaseParticipant.professional).selectinload(Professional.agency),
        )
        .order_by(CaseParticipant.id)
    ).all()
    extra = [person for person in including if person is not None and person not in current]
    return [*current, *extra]


def describe_participant(participant: CaseParticipant) -> str:
    """A participant's name and role: ``Jane Smith (Parent or carer)``."""
    return f"{participant.name} ({participant.role.label})"


def owner_choices(case: Case, *, keep: CaseParticipant | None = None) -> list[tuple[str, str]]:
    """The owners an action can have: the kinds of owner, then each person involved in the case."""
    kinds = [(owner.value, owner.label) for owner in ActionOwner]
    people = [(f"{PARTICIPANT_CHOICE}{p.id}", describe_participant(p)) for p in participants_of(case, including=[keep])]
    return [("", "Choose who will do it"), *kinds, *people]


def owner_choice_of(action: Action) -> str:
    """The owner choice that stands for the action's current owner."""
    if action.owner_participant_id:
        return f"{PARTICIPANT_CHOICE}{action.owner_participant_id}"
    return action.owner.value


def owner_label(action: Action) -> str:
    """Who owns an action, for people to read."""
    if action.owner_participant is not None:
        return f"{action.owner_participant.name} ({action.owner.label})"
    return action.owner.label


def latest_progress(action: Action) -> ActionProgress | None:
    """The action's most recent progress note."""
    return action.progress[0] if action.progress else None


def sorted_actions(plan: ActionPlan, sort: str = "due", descending: bool = False) -> list[Action]:
    """The plan's actions ordered by due date, owner or status (then due date)."""
    statuses = list(ActionStatus)
    keys = {
        "due": lambda action: (action.due_on, action.id),
        "owner": lambda action: (owner_label(action).lower(), action.due_on, action.id),
        "status": lambda action: (statuses.index(action.status), action.due_on, action.id),
    }
    return sorted(plan.actions, key=keys.get(sort, keys["due"]), reverse=descending)


def may_change_details(user: User, action: Action) -> bool:
    """Whether ``user`` may change what an action is, who owns it and when it is due."""
    if user.role != Role.SCHOOL_LEAD:
        return True
    owned_by_them = action.owner_participant is not None and action.owner_participant.user_id == user.id
    return action.owner == ActionOwner.SCHOOL or owned_by_them or action.created_by_id == user.id


def actions_owned_by_school(user: User) -> list[ActionOnCase]:
    """Open actions the school owns on the open cases ``user`` may see, soonest due (so overdue) first."""
    return _open_actions(user, Action.owner == ActionOwner.SCHOOL)


def overdue_actions(user: User) -> list[ActionOnCase]:
    """Open actions past their due date on the open cases ``user`` may see, longest overdue first."""
    return _open_actions(user, Action.due_on < clock.today())


def _open_actions(user: User, condition: sa.ColumnElement[bool]) -> list[ActionOnCase]:
    rows = db.session.execute(
        scoping.of_visible_cases(sa.select(Action, Case), Case.id, user)
        .join(ActionPlan, ActionPlan.id == Action.plan_id)
        .join(Case, Case.id == ActionPlan.case_id)
        .where(
            Case.stage != CaseStage.CLOSED,
            Action.status.in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
            condition,
        )
        .options(selectinload(Action.owner_participant), selectinload(Case.pupil))
        .order_by(Action.due_on, Action.id)
    ).all()
    today = clock.today()
    return [ActionOnCase(action, case, action.is_overdue(today)) for action, case in rows]


# --- changing ---------------------------------------------------------------------------------------------


def create_plan(case: Case, *, goals: str, review_on: date, actor: User) -> ActionPlan:
    """Write the case's action plan (one per case)."""
    plan = _new_plan(case, goals=goals, review_on=review_on, actor=actor)
    audit.record(actor, "action_plan.created", plan, f"Action plan written for {case}", case=case.id)
    revise(plan, actor, "Plan written")
    return plan


def update_plan(
    plan: ActionPlan, *, goals: str, review_on: date, expected_version: int | None, actor: User
) -> ActionPlan:
    """Change the plan's goals or review date."""
    check_version(plan, expected_version)
    _check_case_open(plan.case_id)
    if review_on != plan.review_on:
        _check_review_date(review_on)
    changes = []
    if goals.strip() != plan.goals:
        changes.append("goals changed")
    if review_on != plan.review_on:
        changes.append(f"review date {_day(plan.review_on)} → {_day(review_on)}")
    if not changes:
        raise ServiceError("Nothing has changed: change the goals or the review date", field="goals")
    plan.goals, plan.review_on = goals.strip(), review_on
    audit.record(actor, "action_plan.updated", plan, "Action plan changed", case=plan.case_id, changes=changes)
    revise(plan, actor, "Plan " + "; ".join(changes))
    return plan


def add_action(plan: ActionPlan, new: NewAction, *, actor: User) -> Action:
    """Add an action to the plan."""
    _check_case_open(plan.case_id)
    _check_due_date(new.due_on)
    action = _new_action(plan, new, actor=actor)
    revise(plan, actor, f"Action added: {action.description}")
    return action


def add_meeting_actions(
    case: Case, meeting: Meeting, actions: Sequence[NewAction], *, review_on: date | None, actor: User
) -> ActionPlan | None:
    """Put the actions agreed at a meeting into the plan, writing the plan from the meeting if there is none."""
    if not actions:
        return None
    plan = plan_of(case)
    how_many = f"{len(actions)} action{'s' if len(actions) != 1 else ''}"
    at = f"the {meeting.kind.label.lower()} on {_day(meeting.held_on)}"
    what = f"{how_many} agreed at {at}"
    if plan is None:
        plan = _plan_from_meeting(case, meeting, review_on, actor)
        what = f"Plan written at {at}, with {how_many}"
    for new in actions:
        check_planned(
            new.due_on,
            what="An action's due date",
            field="actions",
            earliest=meeting.held_on or clock.today(),
            since="the day of the meeting",
        )
        _new_action(plan, new, actor=actor, meeting=meeting)
    revise(plan, actor, what)
    return plan


def update_action(
    action: Action,
    *,
    status: ActionStatus,
    note: str,
    details: NewAction | None,
    expected_version: int | None,
    actor: User,
) -> Action:
    """Record where an action has got to, with a progress note, and (if allowed) change its details."""
    check_version(action, expected_version)
    _check_case_open(action.plan.case_id)
    changes = _changed_details(action, details, actor) if details else []
    if status != action.status:
        changes.append(f"status {action.status.label} → {status.label}")
    note = note.strip()
    if not changes and not note:
        raise ServiceError("Enter a progress note, or change the status or details of the action", field="note")
    if note or status != action.status:
        db.session.add(ActionProgress(action_id=action.id, note=note, status=status, author_id=actor.id))
    action.status = status
    audit.record(
        actor,
        "action.updated",
        action,
        f"Action updated: {action.description[:200]}",
        case=action.plan.case_id,
        changes=changes,
        noted=bool(note),
    )
    revise(action.plan, actor, f"Action “{action.description}”: " + "; ".join(changes or ["progress noted"]))
    return action


def revise(plan: ActionPlan, actor: User, change: str) -> ActionPlanRevision:
    """Append a revision holding the whole plan as it now stands: every plan change ends here."""
    db.session.flush()
    # Lock the plan so two changes at once cannot take the same revision number (PostgreSQL; SQLite
    # serialises writers anyway, and the unique constraint backs both).
    db.session.execute(sa.select(ActionPlan.id).where(ActionPlan.id == plan.id).with_for_update())
    last = db.session.scalar(
        sa.select(sa.func.max(ActionPlanRevision.number)).where(ActionPlanRevision.plan_id == plan.id)
    )
    revision = ActionPlanRevision(
        plan_id=plan.id,
        number=(last or 0) + 1,
        revised_by_id=actor.id,
        change=_shortened(change),
        snapshot=snapshot(plan),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def snapshot(plan: ActionPlan) -> dict[str, Any]:
    """The plan as plain data: goals, review date, and each action with its owner, due date and status."""
    actions = db.session.scalars(
        sa.select(Action)
        .where(Action.plan_id == plan.id)
        .options(selectinload(Action.owner_participant))
        .order_by(Action.due_on, Action.id)
    ).all()
    return {
        "goals": plan.goals,
        "review_on": plan.review_on.isoformat(),
        "actions": [
            {
                "id": action.id,
                "description": action.description,
                "owner": action.owner.value,
                "owner_label": owner_label(action),
                "due_on": action.due_on.isoformat(),
                "status": action.status.value,
            }
            for action in actions
        ],
    }


def _new_plan(case: Case, *, goals: str, review_on: date, actor: User) -> ActionPlan:
    _check_case_open(case.id)
    if plan_of(case) is not None:
        raise ServiceError("This case already has an action plan: change that one", field="goals")
    _check_review_date(review_on)
    plan = ActionPlan(case_id=case.id, goals=goals.strip(), review_on=review_on, created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    return plan


def _plan_from_meeting(case: Case, meeting: Meeting, review_on: date | None, actor: User) -> ActionPlan:
    if not meeting.decisions.strip():
        raise ServiceError(
            "Enter the decisions of the meeting: they become the goals of the case's new action plan",
            field="decisions",
        )
    if review_on is None:
        raise ServiceError("Enter when the new action plan should be reviewed", field="plan_review_on")
    _check_review_date(review_on, field="plan_review_on")
    plan = _new_plan(case, goals=meeting.decisions, review_on=review_on, actor=actor)
    audit.record(
        actor,
        "action_plan.created",
        plan,
        f"Action plan written at a meeting on {case}",
        case=case.id,
        meeting=meeting.id,
    )
    return plan


def _new_action(plan: ActionPlan, new: NewAction, *, actor: User, meeting: Meeting | None = None) -> Action:
    owner, participant = _resolve_owner(plan.case_id, new.owner)
    description = new.description.strip()
    if not description:
        raise ServiceError("Enter what will be done", field="description")
    action = Action(
        plan=plan,
        description=description,
        owner=owner,
        owner_participant=participant,
        due_on=new.due_on,
        meeting_id=meeting.id if meeting else None,
        created_by_id=actor.id,
    )
    db.session.add(action)
    audit.record(actor, "action.added", action, f"Action added: {description[:200]}", case=plan.case_id)
    return action


def _changed_details(action: Action, details: NewAction, actor: User) -> list[str]:
    if not may_change_details(actor, action):
        raise ServiceError("Only the local authority, or the action's owner, can change this action", field="note")
    if not details.description.strip():
        raise ServiceError("Enter what will be done", field="description")
    owner, participant = _resolve_owner(action.plan.case_id, details.owner)
    changes = []
    if details.description.strip() != action.description:
        changes.append("description changed")
    if (owner, participant) != (action.owner, action.owner_participant):
        changes.append(f"owner {owner_label(action)} → {participant.name if participant else owner.label}")
    if details.due_on != action.due_on:
        # A changed due date follows the rule for a new action; an unchanged one may have passed.
        _check_due_date(details.due_on)
        changes.append(f"due date {_day(action.due_on)} → {_day(details.due_on)}")
    action.description, action.owner, action.owner_participant = details.description.strip(), owner, participant
    action.due_on = details.due_on
    return changes


def _resolve_owner(case_id: int, choice: str) -> tuple[ActionOwner, CaseParticipant | None]:
    if choice in {owner.value for owner in ActionOwner}:
        return ActionOwner(choice), None
    participant_id = choice.removeprefix(PARTICIPANT_CHOICE)
    participant = (
        db.session.get(CaseParticipant, int(participant_id))
        if choice.startswith(PARTICIPANT_CHOICE) and participant_id.isdigit()
        else None
    )
    if participant is None or participant.case_id != case_id:
        raise ServiceError("Choose who will do it from the list", field="owner")
    return _owner_kind(participant), participant


def _owner_kind(participant: CaseParticipant) -> ActionOwner:
    """Whose side a person is on: a parent is the family, a school's staff the school, and so on."""
    if participant.carer_id is not None:
        return ActionOwner.FAMILY
    if participant.role in SCHOOL_ROLES:
        return ActionOwner.SCHOOL
    if participant.user is not None:
        return ActionOwner.SCHOOL if participant.user.role == Role.SCHOOL_LEAD else ActionOwner.LOCAL_AUTHORITY
    agency = participant.professional.agency.kind
    if agency == AgencyKind.SCHOOL:
        return ActionOwner.SCHOOL
    return ActionOwner.LOCAL_AUTHORITY if agency in LOCAL_AUTHORITY_AGENCIES else ActionOwner.AGENCY


def _check_case_open(case_id: int) -> None:
    if db.session.scalar(sa.select(Case.stage).where(Case.id == case_id)) == CaseStage.CLOSED:
        raise ServiceError("The case is closed: reopen it to change its plan")


def _check_review_date(review_on: date, field: str = "review_on") -> None:
    check_planned(review_on, what="The review date", field=field)


def _check_due_date(due_on: date) -> None:
    check_planned(due_on, what="The due date", field="due_on")


def _day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "none"


def _shortened(text: str) -> str:
    return text if len(text) <= CHANGE_LENGTH else text[: CHANGE_LENGTH - 1] + "…"
