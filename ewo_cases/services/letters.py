"""Letters: the wording administrators keep, filling it with one case's facts, the PDF, and proof of service.

``generate_letter`` is the one way a letter is made, from these pages or the legal ones: it refuses letters that
would be sent in error (a closed case, a paid or withdrawn penalty notice, a notice addressed to someone other
than the parent it was issued to, a meeting that has already happened), renders the wording in the sandbox
(``letter_sandbox``), stores the HTML as sent and its PDF, and audits. ``serve_letter`` records when and how it
reached the family, which the workflow reads (a warning letter served is a guard for prosecution).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import (
    Action,
    AttendanceContract,
    Case,
    CaseParticipant,
    Letter,
    LetterKind,
    LetterTemplate,
    Meeting,
    MeetingStatus,
    NoticeToImprove,
    PenaltyNotice,
    PupilAttendance,
    ServiceMethod,
    User,
)
from ewo_cases.models.pupils import year_group_label
from ewo_cases.services import audit, letter_sandbox
from ewo_cases.services.errors import ServiceError, check_version
from ewo_cases.services.letter_sandbox import WordingError
from ewo_cases.services.letter_wording import (
    DEFAULTS,
    SOURCE_FOR_KIND,
    Wording,
    placeholders,
    sample_facts,
)
from ewo_cases.services.meetings import narrative
from ewo_cases.templating import LONDON, format_date
from workflows.legal import (
    DISCOUNT_DAYS,
    DISCOUNTED_AMOUNT,
    FULL_AMOUNT,
    PAYMENT_DAYS,
    NoticeKind,
    discount_deadline,
    improvement_period_weeks,
    payment_deadline,
)

Facts = dict[str, object]

#: What to say when a kind of letter is asked for without the record it is about.
MISSING_SOURCE = {
    "meeting": "Choose the meeting the letter is about",
    "notice_to_improve": "Choose the notice to improve the letter is about",
    "penalty_notice": "Choose the penalty notice the letter is for",
    "contract": "Choose the attendance contract the letter sets out",
}
#: Kinds that are notices or agreements rather than correspondence, so they are not signed off "Yours sincerely".
FORMAL_KINDS = frozenset({LetterKind.PENALTY_NOTICE, LetterKind.ATTENDANCE_CONTRACT})


@dataclass(frozen=True)
class LetterDraft:
    """A letter filled in but not yet generated: its subject, and the whole letter as HTML."""

    kind: LetterKind
    subject: str
    html: Markup


# --- wording ----------------------------------------------------------------------------------------------


def saved_templates() -> dict[LetterKind, LetterTemplate]:
    """Return the wording administrators have saved, by kind (kinds never saved are missing)."""
    return {template.kind: template for template in db.session.scalars(sa.select(LetterTemplate))}


def current_wording(kind: LetterKind) -> Wording:
    """Return the wording letters of ``kind`` use now: the saved wording, or the standard one."""
    template = saved_templates().get(kind)
    return Wording(template.subject, template.body) if template else DEFAULTS[kind]


def template_for(kind: LetterKind) -> LetterTemplate:
    """Return the template row for ``kind``, creating it with the standard wording when there is none."""
    template = db.session.scalar(sa.select(LetterTemplate).where(LetterTemplate.kind == kind))
    if template is not None:
        return template
    default = DEFAULTS[kind]
    try:
        with db.session.begin_nested():
            template = LetterTemplate(kind=kind, subject=default.subject, body=default.body)
            db.session.add(template)
    except IntegrityError:  # created by someone else at the same moment
        template = db.session.scalar(sa.select(LetterTemplate).where(LetterTemplate.kind == kind))
    return template


def check_wording(kind: LetterKind, subject: str, body: str) -> None:
    """Refuse wording that could not be used for letters of ``kind`` (raises ``WordingError``)."""
    letter_sandbox.check(subject, body, placeholders(kind), sample_facts(kind))


def preview_wording(kind: LetterKind, subject: str, body: str) -> LetterDraft:
    """Fill wording in with made-up facts, to show an administrator what it will look like."""
    check_wording(kind, subject, body)
    return _draft(kind, Wording(subject, body), sample_facts(kind))


def update_template(
    kind: LetterKind, *, subject: str, body: str, actor: User, expected_version: int | None
) -> LetterTemplate:
    """Save new wording for ``kind`` after checking it, recording what it was before."""
    subject, body = subject.strip(), _normalised(body)
    check_wording(kind, subject, body)
    template = template_for(kind)
    # A page that showed the standard wording (no row yet) was looking at version 1.
    check_version(template, expected_version if expected_version is not None else 1)
    if (template.subject, template.body) == (subject, body):
        return template
    before = {"subject": template.subject, "body": template.body}
    template.subject, template.body, template.updated_by_id = subject, body, actor.id
    audit.record(
        actor,
        "letter_template.updated",
        template,
        f"Changed the wording of {kind.label.lower()} letters",
        kind=kind.value,
        before=before,
        after={"subject": subject, "body": body},
    )
    return template


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").strip() + "\n"


# --- a case's facts ---------------------------------------------------------------------------------------


def letter_facts(
    case: Case,
    kind: LetterKind,
    addressee: CaseParticipant,
    *,
    meeting: Meeting | None = None,
    notice_to_improve: NoticeToImprove | None = None,
    penalty_notice: PenaltyNotice | None = None,
    contract: AttendanceContract | None = None,
) -> Facts:
    """Return the plain facts a letter of ``kind`` to ``addressee`` may use: strings, numbers and booleans only."""
    _check_case_and_addressee(case, addressee)
    facts = {**_case_facts(case, addressee), **_attendance_facts(case)}
    sources = {
        "meeting": meeting,
        "notice_to_improve": notice_to_improve,
        "penalty_notice": penalty_notice,
        "contract": contract,
    }
    source_name = SOURCE_FOR_KIND.get(kind)
    if source_name is None:
        return facts
    record = sources[source_name]
    if record is None or record.case_id != case.id:
        raise ServiceError(MISSING_SOURCE[source_name], field=source_name)
    return {**facts, **_SOURCE_FACTS[kind](record, addressee)}


def _check_case_and_addressee(case: Case, addressee: CaseParticipant) -> None:
    if not case.is_open:
        raise ServiceError("This case is closed: reopen it before sending a letter", field="kind")
    if addressee.case_id != case.id or not addressee.is_current:
        raise ServiceError("Choose someone who is taking part in the case now", field="addressee")


def _case_facts(case: Case, addressee: CaseParticipant) -> Facts:
    pupil, officer = case.pupil, case.assigned_officer
    return {
        "authority_name": current_app.config["AUTHORITY_NAME"],
        "letter_date": format_date(clock.today()),
        "case_reference": case.reference or "",
        "child_name": pupil.name,
        "child_forename": pupil.forename,
        "child_date_of_birth": format_date(pupil.date_of_birth),
        "child_upn": pupil.upn,
        "child_year_group": year_group_label(pupil.year_group),
        "school_name": pupil.school.name,
        "addressee_name": addressee.name,
        "addressee_address": _address(addressee),
        "officer_name": officer.name,
        "officer_email": officer.email,
    }


def _address(addressee: CaseParticipant) -> str:
    """A participant's postal address, one part a line (a professional's is their agency)."""
    if addressee.carer is not None:
        return "\n".join(part.strip() for part in re.split(r"[,\n]", addressee.carer.address) if part.strip())
    if addressee.professional is not None:
        return addressee.professional.agency.name
    return ""


def _attendance_facts(case: Case) -> Facts:
    figures = db.session.get(PupilAttendance, case.pupil_id)
    if figures is None:
        return {
            "attendance_percentage": "not yet known",
            "attendance_period_start": "",
            "attendance_period_end": "",
            "possible_sessions": 0,
            "unauthorised_sessions": 0,
            "unauthorised_sessions_10_weeks": 0,
            "penalty_threshold_met": False,
        }
    known = figures.attendance_pct is not None
    return {
        "attendance_percentage": f"{figures.attendance_pct:.1f}%" if known else "not yet known",
        "attendance_period_start": format_date(figures.range_start),
        "attendance_period_end": format_date(figures.range_end),
        "possible_sessions": figures.possible,
        "unauthorised_sessions": figures.unauthorised,
        "unauthorised_sessions_10_weeks": figures.unauth_10wk_latest,
        "penalty_threshold_met": bool(figures.penalty_threshold_met),
    }


def _meeting_facts(meeting: Meeting, _addressee: CaseParticipant) -> Facts:
    if meeting.status != MeetingStatus.SCHEDULED or meeting.scheduled_for < clock.now():
        raise ServiceError("Invite people only to a meeting that is still to come", field="meeting")
    return _meeting_basics(meeting)


def _meeting_basics(meeting: Meeting) -> Facts:
    return {
        "meeting_kind": meeting.kind.label,
        "meeting_date": format_date(meeting.scheduled_for),
        "meeting_time": time_of_day(meeting.scheduled_for),
        "meeting_place": meeting.place,
    }


def _meeting_summary_facts(meeting: Meeting, _addressee: CaseParticipant) -> Facts:
    if meeting.status != MeetingStatus.HELD:
        raise ServiceError("Choose a meeting that has been held and recorded", field="meeting")
    actions = db.session.scalars(sa.select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id))
    record = narrative(meeting)  # as last corrected
    return {
        **_meeting_basics(meeting),
        "meeting_held_on": format_date(meeting.held_on or meeting.scheduled_for),
        "meeting_summary": record.summary,
        "meeting_decisions": record.decisions,
        "meeting_actions": "\n".join(
            f"- {action.description} ({action.owner.label}, by {format_date(action.due_on)})" for action in actions
        ),
        "child_views": record.child_views,
        "family_views": record.family_views,
    }


def _notice_to_improve_facts(notice: NoticeToImprove, _addressee: CaseParticipant) -> Facts:
    if notice.improved is not None:
        raise ServiceError(
            "The outcome of this notice to improve has been recorded: it can no longer be sent",
            field="notice_to_improve",
        )
    weeks = improvement_period_weeks(notice.improvement_starts_on, notice.improvement_ends_on, notice.holiday_weeks)
    return {
        "notice_issued_on": format_date(notice.issued_on),
        "improvement_starts_on": format_date(notice.improvement_starts_on),
        "improvement_ends_on": format_date(notice.improvement_ends_on),
        "improvement_weeks": weeks or round((notice.improvement_ends_on - notice.improvement_starts_on).days / 7),
        "sufficient_improvement": notice.sufficient_improvement,
    }


def _penalty_notice_facts(notice: PenaltyNotice, addressee: CaseParticipant) -> Facts:
    _check_penalty_notice_letter(notice, addressee)
    second = notice.kind == NoticeKind.SECOND
    received = notice.received_on
    return {
        "penalty_notice_reference": _notice_reference(notice),
        "notice_issued_on": format_date(notice.issued_on),
        "second_notice": second,
        "absence_period_start": format_date(notice.period_start),
        "absence_period_end": format_date(notice.period_end),
        "amount_reduced": "" if second else f"£{DISCOUNTED_AMOUNT}",
        "amount_full": f"£{FULL_AMOUNT}",
        "reduced_days": DISCOUNT_DAYS,
        "payment_days": PAYMENT_DAYS,
        "reduced_deadline": format_date(discount_deadline(received)) if received and not second else "",
        "payment_deadline": format_date(payment_deadline(received)) if received else "",
    }


def _check_penalty_notice_letter(notice: PenaltyNotice, addressee: CaseParticipant) -> None:
    """Refuse the letters the Ombudsman has seen sent in error: to the wrong parent, or after payment."""
    reference = _notice_reference(notice)
    if notice.carer_id != addressee.carer_id:
        raise ServiceError(
            f"Penalty notice {reference} was issued to {notice.carer.name}: a notice goes only to its parent",
            field="addressee",
        )
    if notice.paid_on is not None:
        raise ServiceError(
            f"Penalty notice {reference} was paid on {format_date(notice.paid_on)}: no more letters can be sent "
            "about it",
            field="penalty_notice",
        )
    if notice.withdrawn_on is not None:
        raise ServiceError(
            f"Penalty notice {reference} was withdrawn on {format_date(notice.withdrawn_on)}",
            field="penalty_notice",
        )


def _notice_reference(notice: PenaltyNotice) -> str:
    return notice.reference or f"PN-{notice.id}"


def _contract_facts(contract: AttendanceContract, _addressee: CaseParticipant) -> Facts:
    if contract.ended_on is not None:
        raise ServiceError("This attendance contract has ended", field="contract")
    return {
        "parent_commitments": contract.parent_commitments,
        "support_commitments": contract.support_commitments,
        "contract_agreed_on": format_date(contract.agreed_on),
        "contract_review_on": format_date(contract.review_on),
    }


_SOURCE_FACTS = {
    LetterKind.MEETING_INVITATION: _meeting_facts,
    LetterKind.MEETING_SUMMARY: _meeting_summary_facts,
    LetterKind.NOTICE_TO_IMPROVE: _notice_to_improve_facts,
    LetterKind.PENALTY_NOTICE: _penalty_notice_facts,
    LetterKind.ATTENDANCE_CONTRACT: _contract_facts,
}


def time_of_day(moment: datetime) -> str:
    """``9:30am``, in UK time."""
    local = moment.astimezone(LONDON)
    return f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


# --- generating and serving -------------------------------------------------------------------------------


def preview_letter(case: Case, kind: LetterKind, addressee: CaseParticipant, **sources: object) -> LetterDraft:
    """Fill in a letter of ``kind`` to ``addressee`` on ``case`` without saving anything."""
    return _draft_for_case(kind, current_wording(kind), letter_facts(case, kind, addressee, **sources))


#: Letters that warn of, or take, legal action because of unauthorised absence.
ABOUT_UNAUTHORISED_ABSENCE = frozenset(
    {LetterKind.WARNING_OF_LEGAL_ACTION, LetterKind.NOTICE_TO_IMPROVE, LetterKind.PENALTY_NOTICE}
)
#: Wording that tells the reader they have had a letter before.
CLAIMS_AN_EARLIER_LETTER = re.compile(r"written to you before", re.IGNORECASE)


def preview_warnings(case: Case, kind: LetterKind, addressee: CaseParticipant) -> list[str]:
    """What an officer should check before making the letter: wording the case's facts do not bear out."""
    warnings = []
    figures = db.session.get(PupilAttendance, case.pupil_id)
    if kind in ABOUT_UNAUTHORISED_ABSENCE and (figures is None or figures.unauthorised == 0):
        warnings.append(
            f"{case.pupil.forename} has no unauthorised absence recorded this year. A {kind.label.lower()} letter "
            "is about unauthorised absence: check the register before you make it."
        )
    if CLAIMS_AN_EARLIER_LETTER.search(current_wording(kind).body) and not _served_before(case, addressee):
        warnings.append(
            f"The letter says “I have written to you before”, but no earlier letter to {addressee.name} on this "
            "case has been recorded as served. Make and serve an earlier letter first, or check the wording."
        )
    return warnings


def _served_before(case: Case, addressee: CaseParticipant) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Letter.id)).where(
                Letter.case_id == case.id, Letter.addressee_id == addressee.id, Letter.served_on.is_not(None)
            )
        )
        > 0
    )


def generate_letter(case: Case, kind: LetterKind, addressee: CaseParticipant, actor: User, **sources: object) -> Letter:
    """Make a letter: fill in the current wording, store it with its PDF, and audit.

    ``sources`` are the records some kinds are about: ``meeting``, ``notice_to_improve``, ``penalty_notice``
    or ``contract``.
    """
    facts = letter_facts(case, kind, addressee, **sources)
    template = template_for(kind)
    draft = _draft_for_case(kind, Wording(template.subject, template.body), facts)
    letter = Letter(
        case_id=case.id,
        kind=kind,
        subject=draft.subject,
        addressee_id=addressee.id,
        body_html=str(draft.html),
        pdf=letter_pdf(draft, authority_name=str(facts["authority_name"]), reference=str(facts["case_reference"])),
        generated_by_id=actor.id,
        generated_at=clock.now(),
    )
    db.session.add(letter)
    audit.record(
        actor,
        "letter.generated",
        letter,
        f"{kind.label} letter to {addressee.name} generated on {case}",
        case=case.id,
        kind=kind.value,
        addressee=addressee.id,
        template_version=template.version,
        # The letter row cannot name the meeting or notice it is about, so the audit does.
        about={name: record.id for name, record in sources.items() if record is not None},
    )
    return letter


def serve_letter(
    letter: Letter, *, served_on: date, method: ServiceMethod, actor: User, expected_version: int | None
) -> Letter:
    """Record that a letter was served, once: the date and how (post, by hand, email)."""
    db.session.execute(sa.select(Letter.id).where(Letter.id == letter.id).with_for_update())
    db.session.refresh(letter)
    check_version(letter, expected_version)
    if letter.served_on is not None:
        raise ServiceError(f"This letter was already served on {format_date(letter.served_on)}", field="served_on")
    if served_on > clock.today():
        raise ServiceError("The date of service must be today or in the past", field="served_on")
    generated_on = letter.generated_at.astimezone(LONDON).date()
    if served_on < generated_on:
        raise ServiceError(
            f"The date of service must be on or after the day the letter was made ({format_date(generated_on)})",
            field="served_on",
        )
    letter.served_on, letter.service_method, letter.served_by_id = served_on, method, actor.id
    audit.record(
        actor,
        "letter.served",
        letter,
        f"{letter.kind.label} letter served {method.label.lower()} on {format_date(served_on)}",
        case=letter.case_id,
        served_on=served_on.isoformat(),
        method=method.value,
    )
    return letter


def _draft_for_case(kind: LetterKind, wording: Wording, facts: Facts) -> LetterDraft:
    try:
        return _draft(kind, wording, facts)
    except WordingError as error:
        raise ServiceError(
            f"The wording of {kind.label.lower()} letters needs fixing by an administrator. {error.message}",
            field="kind",
        ) from error


def _draft(kind: LetterKind, wording: Wording, facts: Facts) -> LetterDraft:
    subject, body = letter_sandbox.fill(wording.subject, wording.body, facts)
    html = render_template(
        "letters/_letter.html",
        facts=facts,
        address_lines=str(facts["addressee_address"]).split("\n"),
        subject=subject,
        body=body,
        formal=kind in FORMAL_KINDS,
    )
    # render_template escaped every fact and the sandbox's body is Markup built from escaped pieces.
    return LetterDraft(kind, subject, Markup(html))  # noqa: S704


def letter_pdf(draft: LetterDraft, *, authority_name: str, reference: str) -> bytes:
    """Print a letter to an A4 PDF; nothing is fetched from outside (the letter has no images or links)."""
    # WeasyPrint takes over a second to import: only when a letter is printed, never to start the app.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    page = render_template("letters/pdf.html", draft=draft, authority_name=authority_name, reference=reference)
    return HTML(string=page, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def letters_of(case: Case) -> list[Letter]:
    """Return a case's letters, newest first."""
    return list(
        db.session.scalars(
            sa.select(Letter).where(Letter.case_id == case.id).order_by(Letter.generated_at.desc(), Letter.id.desc())
        )
    )


def recipients(case: Case) -> list[CaseParticipant]:
    """Return the people a letter on ``case`` can go to: current participants, parents and carers first."""
    participants = db.session.scalars(
        sa.select(CaseParticipant)
        .where(CaseParticipant.case_id == case.id, CaseParticipant.ended_on.is_(None))
        .order_by(CaseParticipant.id)
    ).all()
    return sorted(participants, key=lambda participant: participant.carer_id is None)
