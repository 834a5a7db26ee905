"""Cases: the list, opening a case, its overview with what can happen next, and confirming each step."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager

import workflows
from ewo_cases import clock
from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import (
    Approval,
    Carer,
    Case,
    CaseParticipant,
    CaseRecord,
    ParticipantRole,
    Professional,
    Pupil,
    PupilAttendance,
    PupilCarer,
    RecordKind,
    Role,
    School,
    User,
    user_schools,
)
from ewo_cases.scoping import case_or_404, cases, pupil_or_404
from ewo_cases.services import access_log
from ewo_cases.services import cases as case_service
from ewo_cases.services import participants as participant_service
from ewo_cases.services.case_audit import VIEWS_PAGE_SIZE, case_audit
from ewo_cases.services.identification import COHORTS
from ewo_cases.services.participants import Person, s576_basis
from ewo_cases.services.search import case_matches
from ewo_cases.services.transitions import Inputs, apply_transition, load_facts
from ewo_cases.views import page_number, render_case_page, saved, status_for
from ewo_cases.views.case_steps import LEGAL_STEP_PAGES, case_filters, next_steps, officer_choices
from forms.cases import (
    CaseFilterForm,
    CaseRecordForm,
    EndParticipationForm,
    MakeLeadForm,
    OpenCaseForm,
    ParticipantForm,
    ParticipantRoleForm,
    PersonChoiceForm,
    ReassignForm,
    SchoolContactForm,
    TransitionForm,
    WithdrawRecordForm,
)
from workflows import CaseStage, ClosureReason

bp = Blueprint("cases", __name__, url_prefix="/cases")

CASEWORK = (Role.OFFICER, Role.SCHOOL_LEAD, Role.MANAGER)
LA_CASEWORK = (Role.OFFICER, Role.MANAGER)
PAGE_SIZE = 50
SUPPORT_STAGES = (CaseStage.AT_RISK, CaseStage.PERSISTENT, CaseStage.SEVERE)


@bp.get("/")
@allow(*CASEWORK)
def index():
    """Find cases: by name, UPN or reference, and by school, officer, stage, band or cohort."""
    return _list_page(_reassign_form() if current_user.role == Role.MANAGER else None)


#: The case list's sortable columns, and the order each starts in.
CASE_SORT_ORDERS = {
    "child": "asc",
    "school": "asc",
    "stage": "asc",
    "attendance": "asc",
    "officer": "asc",
    "in_stage": "desc",
    "opened": "desc",
}


@functools.cache
def _officer() -> type[User]:
    """The assigned officer, joined under an alias; made on first use, since an alias made at import would
    configure every mapper when any command starts."""
    return sa.orm.aliased(User)


def _ordered(query: sa.Select, sort: str, order: str) -> sa.Select:
    """The filtered cases in the order asked for, each with its pupil and figures; the pupil's school and the
    case's officer are loaded with them (the list shows both)."""
    first, *rest = _sort_columns(sort)
    officer = _officer()
    return (
        query.add_columns(Pupil, PupilAttendance)
        .outerjoin(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .join(School, School.id == Pupil.school_id)
        .join(officer, officer.id == Case.assigned_officer_id)
        .options(contains_eager(Pupil.school), contains_eager(Case.assigned_officer.of_type(officer)))
        .order_by((first.desc() if order == "desc" else first.asc()).nulls_last(), *rest, Case.id.desc())
    )


def _sort_columns(sort: str) -> tuple[sa.ColumnElement, ...]:
    """A sortable column's expressions, each list ending in a tie-break."""
    match sort:
        case "child":
            return Pupil.surname, Pupil.forename
        case "school":
            return School.name, Pupil.surname
        case "stage":
            # In the workflow's order (at risk first), not the alphabet's.
            return sa.case({stage: index for index, stage in enumerate(CaseStage)}, value=Case.stage), Pupil.surname
        case "attendance":
            return PupilAttendance.attendance_pct, Pupil.surname
        case "officer":
            return _officer().name, Pupil.surname
        case "in_stage":
            return (Case.stage_changed_at,)
    return (Case.opened_at,)


DEFAULT_SORT = "in_stage"


def _list_page(reassign_form: ReassignForm | None, status: int = 200):
    form = case_filters(CaseFilterForm(formdata=request.args))
    form.sort.choices = [(key, key) for key in CASE_SORT_ORDERS]
    if not form.validate():
        # Bad filters (a changed link, a search that is too long) are explained above the whole list.
        status = 400
    sort = form.sort.data if not form.errors and form.sort.data else DEFAULT_SORT
    order = form.order.data if not form.errors and form.order.data else CASE_SORT_ORDERS[sort]
    chosen = _filtered(form if not form.errors else None)
    total = db.session.scalar(chosen.with_only_columns(sa.func.count(Case.id)))
    rows = db.session.execute(
        _ordered(chosen, sort, order).limit(PAGE_SIZE).offset((page_number() - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "cases/index.html",
        filters=form,
        rows=rows,
        total=total,
        page=page_number(),
        page_size=PAGE_SIZE,
        form=reassign_form,
        sort=sort,
        order=order,
    ), status


def _filtered(form: CaseFilterForm | None) -> sa.Select:
    """The cases the filters choose (open cases if there are none), joined to their pupils.

    Only what the filters read is joined, so that counting them does no more.
    """
    query = cases(current_user).join(Pupil, Pupil.id == Case.pupil_id)
    if form is None:
        return query.where(Case.stage != CaseStage.CLOSED)
    status = form.status.data or "open"
    if status == "open":
        query = query.where(Case.stage != CaseStage.CLOSED)
    elif status == "closed":
        query = query.where(Case.stage == CaseStage.CLOSED)
    if form.q.data:
        query = query.where(case_matches(form.q.data))
    for field, column in ((form.school, Pupil.school_id), (form.officer, Case.assigned_officer_id)):
        if field.data:
            query = query.where(column == int(field.data))
    if form.stage.data:
        query = query.where(Case.stage == CaseStage(form.stage.data))
    if form.band.data:
        in_band = sa.select(PupilAttendance.pupil_id).where(PupilAttendance.band == form.band.data)
        query = query.where(Case.pupil_id.in_(in_band))
    if form.cohort.data:
        # Any of the groups ticked: "SEN support" and "EHC plan" together means either.
        query = query.where(sa.or_(*(COHORTS[cohort][1]() for cohort in form.cohort.data)))
    return query


@bp.route("/new", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def new():
    """Open a case for a pupil, at the stage their attendance band suggests."""
    pupil = pupil_or_404(current_user, request.args.get("pupil", type=int) or abort(404))
    figures = db.session.get(PupilAttendance, pupil.id)
    suggested = workflows.stage_for_band(figures.band) if figures and figures.band.value != "none" else None
    form = _open_form(
        OpenCaseForm(
            data={
                "stage": suggested.value if suggested else None,
                "officer": current_user.id if current_user.role == Role.OFFICER else None,
            }
        ),
        pupil,
    )
    if form.validate_on_submit() and (
        case := saved(
            form,
            lambda: case_service.open_case(
                pupil,
                CaseStage(form.stage.data),
                actor=current_user,
                reason=form.reason.data,
                officer=db.session.get(User, form.officer.data),
                school_contact=db.session.get(User, form.school_contact.data) if form.school_contact.data else None,
                override_reason=form.override_reason.data or "",
            ),
        )
    ):
        flash(f"Case {case.reference} opened for {pupil.name}.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/new.html", form=form, pupil=pupil, figures=figures, suggested=suggested), status_for(
        form
    )


def _open_form(form: OpenCaseForm, pupil: Pupil) -> OpenCaseForm:
    form.stage.choices = [(stage.value, workflows.STAGE_LABELS[stage]) for stage in SUPPORT_STAGES]
    form.officer.choices = officer_choices()
    form.school_contact.choices = [(0, "None")] + [(lead.id, lead.name) for lead in _school_leads(pupil)]
    return form


def _school_leads(pupil: Pupil) -> list[User]:
    """The active attendance leads of the pupil's school."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(user_schools)
            .where(user_schools.c.school_id == pupil.school_id, User.role == Role.SCHOOL_LEAD, User.active.is_(True))
            .order_by(User.name)
        )
    )


@bp.get("/<int:case_id>")
@allow(*CASEWORK)
def show(case_id: int):
    """A case's overview: its state, what can happen next and why, and the records steps depend on."""
    case = case_or_404(current_user, case_id)
    facts = load_facts(case, current_user)
    access_log.record_access(current_user, access_log.VIEWED, "case", record_id=case.id, pupil_id=case.pupil_id)
    db.session.commit()
    records = db.session.scalars(
        sa.select(CaseRecord)
        .where(CaseRecord.case_id == case.id)
        .order_by(CaseRecord.occurred_on.desc(), CaseRecord.id.desc())
    ).all()
    approvals = db.session.scalars(
        sa.select(Approval).where(Approval.case_id == case.id).order_by(Approval.requested_at.desc())
    ).all()
    siblings = _sibling_cases(case)
    return render_case_page(
        "cases/show.html",
        case,
        steps=next_steps(case, facts, current_user),
        records=records,
        withdrawn={r.withdraws_id for r in records if r.withdraws_id},
        approvals=approvals,
        siblings=siblings,
        facts=facts,
    )


def _sibling_cases(case: Case) -> list[Case]:
    """Open cases of brothers and sisters that the user may see."""
    carers = sa.select(PupilCarer.carer_id).where(PupilCarer.pupil_id == case.pupil_id)
    siblings = sa.select(PupilCarer.pupil_id).where(
        PupilCarer.carer_id.in_(carers), PupilCarer.pupil_id != case.pupil_id
    )
    return list(
        db.session.scalars(cases(current_user).where(Case.pupil_id.in_(siblings), Case.stage != CaseStage.CLOSED))
    )


@bp.route("/<int:case_id>/steps/<trigger>", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def act(case_id: int, trigger: str):
    """Confirm one step of the workflow; legal steps that create records have their own pages."""
    case = case_or_404(current_user, case_id)
    if trigger not in workflows.TRIGGER_LABELS or trigger == "open":
        abort(404)
    if trigger in LEGAL_STEP_PAGES:
        return redirect(url_for(LEGAL_STEP_PAGES[trigger], case_id=case.id))
    form = _step_form(
        TransitionForm(data={"version": case.version, "target": request.args.get("target")}), case, trigger
    )
    if form.validate_on_submit() and saved(
        form,
        lambda: apply_transition(
            case,
            trigger,
            actor=current_user,
            expected_version=form.version.data,
            inputs=_inputs(form),
        ),
    ):
        flash(
            f"{workflows.TRIGGER_LABELS[trigger]}: the case is now at {workflows.STAGE_LABELS[case.stage].lower()}.",
            "success",
        )
        return redirect(url_for("cases.show", case_id=case.id))
    return render_case_page(
        "cases/act.html",
        case,
        status_for(form),
        form=form,
        trigger=trigger,
        trigger_label=workflows.TRIGGER_LABELS[trigger],
    )


def _step_form(form: TransitionForm, case: Case, trigger: str) -> TransitionForm:
    """Keep only the fields this step uses: the closure reason only when the case is to close."""
    destinations = workflows.destinations(case.stage, trigger)
    if len(destinations) > 1:
        form.target.choices = [(stage.value, workflows.STAGE_LABELS[stage]) for stage in destinations]
        chosen = form.target.data if form.target.data in destinations else None
    else:
        del form.target
        chosen = destinations[0] if destinations else None
    if chosen == CaseStage.CLOSED:
        form.closure_reason.choices = [
            (reason.value, workflows.CLOSURE_REASON_LABELS[reason]) for reason in ClosureReason
        ]
    else:
        del form.closure_reason
    if trigger != "escalate":
        del form.override_reason
    if trigger != "reopen":
        del form.reopen_reason
    return form


def _inputs(form: TransitionForm) -> Inputs:
    target, closure = _answer(form, "target"), _answer(form, "closure_reason")
    return Inputs(
        reason=form.reason.data or "",
        target=CaseStage(target) if target else None,
        override_reason=_answer(form, "override_reason") or "",
        closure_reason=ClosureReason(closure) if closure else None,
        reopen_reason=_answer(form, "reopen_reason") or "",
    )


def _answer(form: TransitionForm, name: str) -> str | None:
    """A field's answer, or None when the step's form does not have that field."""
    field = getattr(form, name, None)
    return field.data if field is not None and field.data else None


@bp.post("/reassign")
@allow(Role.MANAGER)
def reassign():
    """Give one case or several to another officer."""
    form = _reassign_form()
    if form.validate_on_submit() and _reassigned(form):
        return redirect(url_for("cases.index", **request.args))
    return _list_page(form, status=400)


@bp.route("/<int:case_id>/reassign", methods=["GET", "POST"])
@allow(Role.MANAGER)
def reassign_case(case_id: int):
    """Give this case to another officer."""
    case = case_or_404(current_user, case_id)
    if not case.is_open:
        abort(404)
    form = _reassign_form()
    form.cases.choices = [(case.id, case.reference)]
    if form.validate_on_submit() and _reassigned(form):
        return redirect(url_for("cases.show", case_id=case.id))
    return render_case_page("cases/reassign.html", case, status_for(form), form=form)


def _reassigned(form: ReassignForm) -> bool:
    """Reassign the chosen cases; say how many moved (and how many were the officer's already)."""
    chosen = db.session.scalars(cases(current_user).where(Case.id.in_(form.cases.data))).all()
    officer = db.session.get(User, int(form.officer.data))
    already = sum(case.assigned_officer_id == officer.id for case in chosen)
    if not saved(form, lambda: case_service.reassign(chosen, officer, actor=current_user, reason=form.reason.data)):
        return False
    moved = len(chosen) - already
    message = f"{moved} {'case' if moved == 1 else 'cases'} reassigned to {officer.name}."
    if already:
        message += f" {already} {'was' if already == 1 else 'were'} {officer.name}'s already."
    flash(message, "success")
    return True


def _reassign_form() -> ReassignForm:
    form = ReassignForm()
    form.officer.choices = [("", "Choose an officer")] + [(str(i), name) for i, name in officer_choices()]
    form.cases.choices = [
        (case_id, str(case_id))
        for case_id in db.session.scalars(
            cases(current_user).with_only_columns(Case.id).where(Case.stage != CaseStage.CLOSED)
        )
    ]
    return form


@bp.route("/<int:case_id>/records/new", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def new_record(case_id: int):
    """Record a dated fact a step depends on: support offered, consent, social care consulted, ..."""
    case = case_or_404(current_user, case_id)
    kind = request.args.get("kind")
    form = CaseRecordForm(data={"kind": kind, "occurred_on": clock.today()})
    form.kind.choices = [(k.value, k.label) for k in RecordKind]
    if form.validate_on_submit() and saved(
        form,
        lambda: case_service.add_record(
            case,
            RecordKind(form.kind.data),
            occurred_on=form.occurred_on.data,
            details=form.details.data,
            actor=current_user,
        ),
    ):
        flash(f"{RecordKind(form.kind.data).label}: recorded.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_case_page("cases/record.html", case, status_for(form), form=form)


@bp.route("/<int:case_id>/records/<int:record_id>/withdraw", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def withdraw_record(case_id: int, record_id: int):
    """Withdraw a record made in error (the original stays, marked withdrawn)."""
    case = case_or_404(current_user, case_id)
    record = db.session.scalar(
        sa.select(CaseRecord).where(CaseRecord.id == record_id, CaseRecord.case_id == case.id)
    ) or abort(404)
    form = WithdrawRecordForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: case_service.withdraw_record(
            record,
            reason=form.reason.data,
            actor=current_user,
        ),
    ):
        flash(f"{record.kind.label}: withdrawn.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_case_page("cases/withdraw_record.html", case, status_for(form), form=form, record=record)


@bp.get("/<int:case_id>/people")
@allow(*CASEWORK)
def people(case_id: int):
    """Everyone involved in the case: family, professionals and staff, current and past."""
    case = case_or_404(current_user, case_id)
    participants = db.session.scalars(
        sa.select(CaseParticipant)
        .where(CaseParticipant.case_id == case.id)
        .order_by(CaseParticipant.ended_on.is_not(None), CaseParticipant.role, CaseParticipant.id)
    ).all()
    links = {link.carer_id: link for link in case.pupil.carer_links}
    return render_case_page(
        "cases/people.html", case, participants=participants, carer_links=links, s576_basis=s576_basis
    )


@bp.route("/<int:case_id>/people/new", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def add_participant(case_id: int):
    """Add a parent, a professional or a member of staff to the case: first who, then their part in it."""
    case = case_or_404(current_user, case_id)
    people_by_key = _people_to_add(case)
    chooser = PersonChoiceForm(formdata=request.args if "person" in request.args else None)
    chooser.person.choices = [("", "Choose a person")] + [(key, label) for key, (label, _) in people_by_key.items()]
    if "person" not in request.args or not chooser.validate():
        return render_case_page("cases/choose_person.html", case, status_for(chooser), form=chooser)
    label, person = people_by_key[chooser.person.data]
    form = ParticipantForm(data={"started_on": clock.today()})
    form.role.choices = _role_choices(person)
    if len(form.role.choices) == 1 and not form.role.data:
        form.role.data = form.role.choices[0][0]
    if isinstance(person, Carer):
        del form.lead_practitioner
    if form.validate_on_submit() and saved(
        form,
        lambda: participant_service.add_participant(
            case,
            person,
            role=ParticipantRole(form.role.data),
            lead_practitioner=bool(form.lead_practitioner.data) if "lead_practitioner" in form else False,
            started_on=form.started_on.data,
            notes=form.notes.data or "",
            actor=current_user,
        ),
    ):
        flash(f"{person.name} added to the case.", "success")
        return redirect(url_for("cases.people", case_id=case.id))
    lead = participant_service.current_lead(case.id)
    return render_case_page(
        "cases/add_participant.html", case, status_for(form), form=form, person_label=label, lead=lead
    )


def _people_to_add(case: Case) -> dict[str, tuple[str, Person]]:
    """Everyone who could join the case, keyed for a select box: the child's carers (with their s576 basis),
    the directory's professionals, the local authority's staff and the attendance leads of the child's school."""
    people: dict[str, tuple[str, Person]] = {}
    for link in case.pupil.carer_links:
        people[f"carer-{link.carer_id}"] = (
            f"{link.carer.name} ({link.relationship_to_pupil}; {s576_basis(link)})",
            link.carer,
        )
    for professional in db.session.scalars(
        sa.select(Professional).where(Professional.active.is_(True)).order_by(Professional.name)
    ):
        people[f"professional-{professional.id}"] = (f"{professional.name}, {professional.agency.name}", professional)
    for user in db.session.scalars(_staff_who_may_join(case).order_by(User.name)):
        people[f"user-{user.id}"] = (f"{user.name} ({user.role.label.lower()})", user)
    return people


def _staff_who_may_join(case: Case) -> sa.Select:
    """The local authority's officers and managers, and the attendance leads of the child's own school (a lead
    at another school has no business on the case and could not see it)."""
    leads_here = sa.select(user_schools.c.user_id).where(user_schools.c.school_id == case.pupil.school_id)
    return sa.select(User).where(
        User.active.is_(True),
        sa.or_(User.role.in_(LA_CASEWORK), sa.and_(User.role == Role.SCHOOL_LEAD, User.id.in_(leads_here))),
    )


def _role_choices(person: Person) -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in participant_service.roles_for(person)]


def _participant_or_404(case: Case, participant_id: int) -> CaseParticipant:
    return db.session.scalar(
        sa.select(CaseParticipant).where(CaseParticipant.id == participant_id, CaseParticipant.case_id == case.id)
    ) or abort(404)


@bp.route("/<int:case_id>/people/<int:participant_id>/role", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def change_role(case_id: int, participant_id: int):
    """Give someone involved another role on the case."""
    case = case_or_404(current_user, case_id)
    participant = _participant_or_404(case, participant_id)
    form = ParticipantRoleForm(data={"role": participant.role.value, "version": participant.version})
    form.role.choices = _role_choices(participant_service.person_of(participant))
    if form.validate_on_submit() and saved(
        form,
        lambda: participant_service.change_role(
            participant, role=ParticipantRole(form.role.data), actor=current_user, expected_version=form.version.data
        ),
    ):
        flash(f"{participant.name} is now {participant.role.label.lower()} on the case.", "success")
        return redirect(url_for("cases.people", case_id=case.id))
    return render_case_page("cases/change_role.html", case, status_for(form), form=form, participant=participant)


@bp.route("/<int:case_id>/people/<int:participant_id>/lead", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def make_lead(case_id: int, participant_id: int):
    """Make someone involved the lead practitioner; the previous lead hands over and stays involved."""
    case = case_or_404(current_user, case_id)
    participant = _participant_or_404(case, participant_id)
    form = MakeLeadForm(data={"version": participant.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: participant_service.make_lead(participant, actor=current_user, expected_version=form.version.data),
    ):
        flash(f"{participant.name} is now the lead practitioner.", "success")
        return redirect(url_for("cases.people", case_id=case.id))
    lead = participant_service.current_lead(case.id)
    return render_case_page(
        "cases/make_lead.html", case, status_for(form), form=form, participant=participant, lead=lead
    )


@bp.route("/<int:case_id>/people/<int:participant_id>/end", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def end_participant(case_id: int, participant_id: int):
    """Record that someone is no longer involved."""
    case = case_or_404(current_user, case_id)
    participant = _participant_or_404(case, participant_id)
    form = EndParticipationForm(data={"ended_on": clock.today(), "version": participant.version})
    if form.validate_on_submit() and saved(
        form,
        lambda: participant_service.end_participation(
            participant,
            ended_on=form.ended_on.data,
            actor=current_user,
            expected_version=form.version.data,
        ),
    ):
        flash(f"{participant.name} is no longer involved.", "success")
        return redirect(url_for("cases.people", case_id=case.id))
    return render_case_page("cases/end_participant.html", case, status_for(form), form=form, participant=participant)


@bp.route("/<int:case_id>/school-contact", methods=["GET", "POST"])
@allow(*LA_CASEWORK)
def school_contact(case_id: int):
    """Name or change the school attendance lead the officer works with on the case."""
    case = case_or_404(current_user, case_id)
    form = SchoolContactForm(data={"school_contact": case.school_contact_id, "version": case.version})
    leads = {lead.id: lead for lead in _school_leads(case.pupil)}
    form.school_contact.choices = [(lead.id, lead.name) for lead in leads.values()]
    if form.validate_on_submit() and saved(
        form,
        lambda: case_service.set_school_contact(
            case, leads[form.school_contact.data], actor=current_user, expected_version=form.version.data
        ),
    ):
        flash(f"{case.school_contact.name} is the school's contact for this case.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_case_page("cases/school_contact.html", case, status_for(form), form=form, leads=leads)


@bp.get("/<int:case_id>/audit")
@allow(Role.MANAGER)
def audit(case_id: int):
    """The case's audit: every step with its reason, approval and evidence, every decision, and who looked."""
    case = case_or_404(current_user, case_id)
    return render_case_page(
        "cases/audit.html",
        case,
        audit=case_audit(case, views_page=page_number()),
        page=page_number(),
        page_size=VIEWS_PAGE_SIZE,
    )
