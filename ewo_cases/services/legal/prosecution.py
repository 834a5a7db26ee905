"""Prosecutions under Education Act 1996 s444: the file prepared before the step, laying it (a step of the
workflow), hearings, and each parent's outcome. A notice paid or withdrawn for the absence prosecuted settles
that offence and is never missed: the guards refuse to lay, and every hearing page warns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

import workflows
from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Case, CourtHearing, PenaltyNotice, ProsecutedParent, Prosecution, User
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.legal.common import check_not_before, check_past, eligible_parents, fire, long_date
from ewo_cases.services.transitions import Inputs, actor_of, load_facts
from workflows import CaseStage
from workflows import legal as rules
from workflows.engine import GuardResult
from workflows.legal import Section444, Sentence, Verdict


def latest_prosecution(case: Case) -> Prosecution | None:
    """Return the case's most recent prosecution (the one the workflow reads)."""
    return db.session.scalars(
        sa.select(Prosecution).where(Prosecution.case_id == case.id).order_by(Prosecution.id.desc())
    ).first()


def editable_prosecution(case: Case) -> Prosecution | None:
    """Return the draft being prepared, or None when a new one would be started (refusing while one is heard)."""
    prosecution = latest_prosecution(case)
    if prosecution is not None and prosecution.laid_on is None:
        return prosecution
    if case.stage == CaseStage.PROSECUTION:
        raise ServiceError("The proceedings have been laid: the file can no longer change", field="period_start")
    return None


def save_prosecution(
    case: Case,
    *,
    period: tuple[date, date],
    court: str,
    interview_under_caution_on: date | None,
    notes: str,
    sections: dict[int, Section444 | None],
    actor: User,
    expected_version: int | None,
) -> Prosecution:
    """Save the prosecution file: the absence prosecuted and each s576 parent with the offence charged."""
    prosecution = editable_prosecution(case)
    if prosecution is not None:
        check_version(prosecution, expected_version)
    if period[1] < period[0]:
        raise ServiceError("The last day of absence must be the same as or after the first", field="period_end")
    check_past(period[1], field="period_end", what="The last day of absence")
    check_past(interview_under_caution_on, field="interview_under_caution_on", what="The interview under caution")
    charged = {carer_id: section for carer_id, section in sections.items() if section}
    first_field = f"parent_{next(iter(sections))}" if sections else "period_start"
    if not charged:
        raise ServiceError("Choose at least one parent to prosecute", field=first_field)
    eligible_parents(case, list(charged), field=first_field)
    if prosecution is None:
        prosecution = Prosecution(case_id=case.id, prepared_by_id=actor.id)
        db.session.add(prosecution)
    prosecution.period_start, prosecution.period_end = period
    prosecution.court, prosecution.interview_under_caution_on = court.strip(), interview_under_caution_on
    prosecution.notes = notes.strip()
    # Every save is a new version of the file, even of its parents alone: an approval covers one version.
    prosecution.updated_at = clock.now()
    db.session.flush()
    _charge(prosecution, charged)
    audit.record(actor, "prosecution.prepared", prosecution, f"Prosecution file saved on {case}", case=case.id)
    return prosecution


def _charge(prosecution: Prosecution, charged: dict[int, Section444]) -> None:
    """Make the file's parents exactly those charged, each with their section."""
    existing = {parent.carer_id: parent for parent in prosecution.parents}
    for carer_id, parent in existing.items():
        if carer_id not in charged:
            db.session.delete(parent)
    for carer_id, section in charged.items():
        parent = existing.get(carer_id) or ProsecutedParent(prosecution_id=prosecution.id, carer_id=carer_id)
        parent.section = section
        db.session.add(parent)
    db.session.flush()
    db.session.refresh(prosecution, ["parents"])


def lay_prosecution(
    case: Case,
    prosecution: Prosecution,
    *,
    laid_on: date,
    actor: User,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Prosecution:
    """Lay the information: move the case to prosecution and mark each parent's unpaid notices prosecuted."""
    if prosecution.laid_on is not None:
        raise ServiceError(f"The proceedings were laid on {long_date(prosecution.laid_on)}", field="laid_on")
    check_past(laid_on, field="laid_on", what="The date laid")
    check_not_before(laid_on, prosecution.period_end, field="laid_on", message="Proceedings are laid after the absence")
    _check_no_notice_running(prosecution, laid_on)
    summary = (
        f"Proceedings for absence from {long_date(prosecution.period_start)} to {long_date(prosecution.period_end)}."
    )
    fire(
        case,
        "prosecute",
        actor=actor,
        inputs=Inputs(reason=" ".join(filter(None, (summary, reason)))),
        now=now,
        expected_version=expected_version,
    )
    prosecution.laid_on = laid_on
    for notice in notices_in_proceedings(prosecution):
        if notice.paid_on is None and notice.withdrawn_on is None and notice.prosecuted_on is None:
            notice.prosecuted_on = laid_on
    db.session.flush()
    audit.record(
        actor, "prosecution.laid", prosecution, f"Prosecution laid on {long_date(laid_on)} on {case}", case=case.id
    )
    return prosecution


def _check_no_notice_running(prosecution: Prosecution, laid_on: date) -> None:
    """Refuse to lay while a notice for the same absence can still be paid: no proceedings may start meanwhile."""
    for notice in notices_in_proceedings(prosecution):
        if notice.paid_on is not None or notice.withdrawn_on is not None:
            continue
        if notice.received_on is None:
            raise ServiceError(
                f"{notice.reference} to {notice.carer.name} covers this absence and has not been recorded as received: "
                "its 28 days to pay have not started",
                field="laid_on",
            )
        if rules.payment_period_running(notice.received_on, laid_on):
            raise ServiceError(
                f"{notice.reference} to {notice.carer.name} can still be paid until "
                f"{long_date(rules.payment_deadline(notice.received_on))}: no proceedings may start before then",
                field="laid_on",
            )


def notices_in_proceedings(prosecution: Prosecution) -> list[PenaltyNotice]:
    """Return the child's notices to the parents prosecuted that cover the absence prosecuted."""
    case = db.session.get(Case, prosecution.case_id)
    carer_ids = [parent.carer_id for parent in prosecution.parents]
    if not carer_ids:
        return []
    notices = db.session.scalars(
        sa.select(PenaltyNotice)
        .where(PenaltyNotice.pupil_id == case.pupil_id, PenaltyNotice.carer_id.in_(carer_ids))
        .order_by(PenaltyNotice.issued_on, PenaltyNotice.id)
    ).all()
    period = (prosecution.period_start, prosecution.period_end)
    return [
        notice
        for notice in notices
        if notice.prosecuted_on is not None or rules.periods_overlap((notice.period_start, notice.period_end), period)
    ]


def settled_notices_in_proceedings(prosecution: Prosecution | None) -> list[PenaltyNotice]:
    """Return the notices in the proceedings that were paid or withdrawn: the offence they cover cannot be
    prosecuted (2007 regulations reg 8: no proceedings for the same offence after withdrawal)."""
    if prosecution is None:
        return []
    return [n for n in notices_in_proceedings(prosecution) if n.paid_on is not None or n.withdrawn_on is not None]


def settled_text(notice: PenaltyNotice) -> str:
    """``PN-26-0001 to Ann Smith was paid on 1 March 2026`` (or withdrawn)."""
    if notice.paid_on is not None:
        return f"{notice.reference} to {notice.carer.name} was paid on {long_date(notice.paid_on)}"
    return f"{notice.reference} to {notice.carer.name} was withdrawn on {long_date(notice.withdrawn_on)}"


# --- hearings and outcomes --------------------------------------------------------------------------------


def _check_laid(prosecution: Prosecution, *, field: str) -> None:
    if prosecution.laid_on is None:
        raise ServiceError("Lay the prosecution before recording hearings and outcomes", field=field)


def add_hearing(
    prosecution: Prosecution, *, hearing_on: date, court: str, purpose: str, result: str, actor: User
) -> CourtHearing:
    """Add a hearing (listed or held) to the proceedings."""
    _check_laid(prosecution, field="hearing_on")
    hearing = CourtHearing(prosecution_id=prosecution.id)
    _set_hearing(hearing, prosecution, hearing_on=hearing_on, court=court, purpose=purpose, result=result)
    db.session.add(hearing)
    db.session.flush()
    db.session.refresh(prosecution, ["hearings"])
    audit.record(
        actor,
        "prosecution.hearing",
        hearing,
        f"Hearing on {long_date(hearing_on)}: {purpose}",
        case=prosecution.case_id,
    )
    return hearing


def update_hearing(
    hearing: CourtHearing,
    prosecution: Prosecution,
    *,
    hearing_on: date,
    court: str,
    purpose: str,
    result: str,
    actor: User,
    expected_version: int | None,
) -> CourtHearing:
    """Change a hearing, typically to record its result once it has taken place."""
    check_version(hearing, expected_version)
    _set_hearing(hearing, prosecution, hearing_on=hearing_on, court=court, purpose=purpose, result=result)
    db.session.flush()
    audit.record(
        actor,
        "prosecution.hearing_updated",
        hearing,
        f"Hearing on {long_date(hearing_on)} updated",
        case=prosecution.case_id,
    )
    return hearing


def _set_hearing(
    hearing: CourtHearing, prosecution: Prosecution, *, hearing_on: date, court: str, purpose: str, result: str
) -> None:
    check_not_before(
        hearing_on,
        prosecution.laid_on,
        field="hearing_on",
        message="A hearing is on or after the date the proceedings were laid",
    )
    if result.strip() and hearing_on > clock.today():
        raise ServiceError("Record the result once the hearing has taken place", field="result")
    hearing.hearing_on, hearing.court, hearing.purpose, hearing.result = (
        hearing_on,
        court.strip(),
        purpose.strip(),
        result.strip(),
    )


def next_hearing(prosecution: Prosecution | None, today: date) -> CourtHearing | None:
    """Return the first hearing on or after ``today``."""
    if prosecution is None:
        return None
    return next((hearing for hearing in prosecution.hearings if hearing.hearing_on >= today), None)


def record_outcome(
    parent: ProsecutedParent,
    *,
    verdict: Verdict,
    sentences: list[Sentence],
    fine_pounds: int | None,
    costs_pounds: int | None,
    outcome_on: date,
    note: str,
    actor: User,
    expected_version: int | None,
) -> ProsecutedParent:
    """Record how the proceedings ended for one parent, refusing an incomplete or inconsistent outcome."""
    check_version(parent, expected_version)
    prosecution = parent.prosecution
    _check_laid(prosecution, field="verdict")
    check_past(outcome_on, field="outcome_on", what="The date of the outcome")
    check_not_before(
        outcome_on, prosecution.laid_on, field="outcome_on", message="The outcome comes after the proceedings were laid"
    )
    problems = rules.outcome_problems(verdict, sentences)
    if problems:
        raise ServiceError(". ".join(problems), field="sentences")
    _check_sum(Sentence.FINE in sentences, fine_pounds, "fine", field="fine_pounds")
    _check_sum(Sentence.COSTS in sentences, costs_pounds, "costs", field="costs_pounds")
    maximum = rules.MAX_FINE[parent.section]
    if fine_pounds is not None and fine_pounds > maximum:
        raise ServiceError(f"The most a court can fine for this offence is £{maximum:,}", field="fine_pounds")
    parent.verdict, parent.sentences = verdict, [sentence.value for sentence in sentences]
    parent.fine_pounds, parent.costs_pounds = fine_pounds, costs_pounds
    parent.outcome_on, parent.outcome_note = outcome_on, note.strip()
    db.session.flush()
    audit.record(
        actor,
        "prosecution.outcome",
        parent,
        f"Outcome for {parent.carer.name}: {rules.VERDICT_LABELS[verdict].lower()}",
        case=prosecution.case_id,
    )
    return parent


def _check_sum(ordered: bool, pounds: int | None, what: str, *, field: str) -> None:
    if ordered and not pounds:
        raise ServiceError(f"Enter the {what}, in pounds", field=field)
    if not ordered and pounds is not None:
        raise ServiceError(f"Leave the {what} blank unless the court ordered {what}", field=field)


# --- the evidence checklist -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    """One piece of evidence the court file needs: whether it is in place, what it is, and where to record it."""

    label: str
    met: bool
    detail: str
    #: The record key (as the workflow's guards use them) of the page that records it.
    record: str


#: The guards every prosecute edge shares, whatever stage the case prosecutes from.
COMMON_GUARDS = frozenset.intersection(
    *(frozenset(g.__name__ for g in edge.guards) for edge in workflows.TRANSITIONS if edge.trigger == "prosecute")
)


def guard_verdicts(case: Case, facts: workflows.CaseFacts, actor: User) -> tuple[dict[str, GuardResult], bool]:
    """Return the verdicts of the prosecute step's guards, and whether the step exists from the current stage."""
    from_here = bool(workflows.destinations(case.stage, "prosecute"))
    # From a stage with no prosecute edge, any edge shows how the evidence every prosecution needs stands.
    stage = case.stage if from_here else CaseStage.FPN
    option = workflows.WORKFLOW.explain(
        workflows.WORKFLOW.edge(stage, "prosecute"), workflows.context(facts, clock.now(), actor_of(actor))
    )
    return {r.name: r for r in option.guards if from_here or r.name in COMMON_GUARDS}, from_here


def evidence_checklist(case: Case, prosecution: Prosecution | None, actor: User) -> list[ChecklistItem]:
    """Return the evidence checklist of a prosecution file, drawn from the case's records and the guards."""
    facts = load_facts(case, actor)
    verdicts, _from_here = guard_verdicts(case, facts, actor)
    met = {name: result.met for name, result in verdicts.items()}
    iuc = prosecution.interview_under_caution_on if prosecution else None
    settled = settled_notices_in_proceedings(prosecution)
    named = bool(prosecution and prosecution.parents)
    return [
        ChecklistItem(
            "Attendance certificate from the school",
            met["attendance_certificate_obtained"],
            "Recorded" if facts.attendance_certificate else "Not recorded",
            "attendance_certificate",
        ),
        ChecklistItem(
            "Formal warning letter served on each parent prosecuted",
            met["warning_letter_served"],
            _warnings_detail(facts, prosecution) if named else "Name the parents in the prosecution file first",
            "letter",
        ),
        ChecklistItem(
            "Support offered: a family meeting and an action plan",
            met["family_meeting_recorded"] and met["action_plan_exists"],
            _support_detail(facts),
            "action_plan",
        ),
        ChecklistItem(
            "Education supervision order considered (section 447)",
            met["eso_considered"],
            facts.eso_considered_reason or ("An order was applied for" if met["eso_considered"] else "Not recorded"),
            "eso_considered",
        ),
        ChecklistItem(
            "Interview under caution",
            iuc is not None,
            f"Held on {long_date(iuc)}" if iuc else "Not recorded in the prosecution file",
            "prosecution",
        ),
        ChecklistItem(
            "No penalty notice for this absence has been paid or withdrawn",
            named and met["no_paid_or_withdrawn_notice_for_period"] and not settled,
            ("; ".join(settled_text(n) for n in settled) or "None paid or withdrawn")
            if named
            else "Name the parents in the prosecution file first: the check is of their notices",
            "penalty_notice",
        ),
    ]


def _warnings_detail(facts: workflows.CaseFacts, prosecution: Prosecution) -> str:
    served = {letter.parent_id: letter.served_on for letter in facts.warning_letters}
    return "; ".join(
        f"{parent.carer.name}: served on {long_date(served[parent.carer_id])}"
        if parent.carer_id in served
        else f"{parent.carer.name}: not served"
        for parent in prosecution.parents
    )


def _support_detail(facts: workflows.CaseFacts) -> str:
    meetings = sum(1 for meeting in facts.meetings if meeting.family_attended)
    parts = [
        f"{meetings} family {'meeting' if meetings == 1 else 'meetings'} recorded",
        f"action plan since {long_date(facts.action_plan_on)}" if facts.action_plan_on else "no action plan",
    ]
    if facts.support_offered:
        parts.append("support offered is recorded")
    text = ", ".join(parts)
    return text[0].upper() + text[1:]
