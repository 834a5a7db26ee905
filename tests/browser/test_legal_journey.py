"""Legal journeys in a real browser, each page checked with axe-core: a case from at risk through a notice to
improve, penalty notices with a manager's approval, non-payment and prosecution to its outcome and back to
support; and a case from persistent absence through an attendance contract to an education supervision order,
its breach and its extension.

The support records other parts of the service make (the family meeting, the action plan, the warning letter)
are put in place directly; the contract, every record a step reads, every legal step and every approval are
made through their pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from ewo_cases.extensions import db
from ewo_cases.models import (
    ActionPlan,
    Approval,
    Case,
    CaseParticipant,
    Letter,
    LetterKind,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    Pupil,
    PupilAttendance,
    PupilCarer,
    RecordKind,
    Role,
    School,
    User,
)
from ewo_cases.services import cases as case_service
from ewo_cases.services.transitions import period_register
from tests.browser.conftest import ACCOUNT, accessible, fill_date, switch, today
from workflows import ENGLAND, STAGE_LABELS, CaseStage, stage_for_band

pytestmark = pytest.mark.browser


def open_case_for(
    app, *, stage: CaseStage, school_urn: str, override: str = "", absent_in: tuple | None = None
) -> tuple[int, int]:
    """Open a case for a pupil over the penalty threshold with a parent, at ``school_urn`` (with unauthorised
    absence in ``absent_in``, if given); return (case, carer)."""
    with app.app_context():
        officer = db.session.scalar(sa.select(User).where(User.email == ACCOUNT[Role.OFFICER].email))
        taken = sa.select(Case.pupil_id)
        candidates = db.session.execute(
            sa.select(Pupil, PupilAttendance.band)
            .join(School, School.id == Pupil.school_id)
            .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
            .join(PupilCarer, PupilCarer.pupil_id == Pupil.id)
            .where(School.urn == school_urn, PupilAttendance.penalty_threshold_met, Pupil.id.not_in(taken))
            .where(PupilCarer.parental_responsibility.is_(True), Pupil.looked_after.is_(False))
            .order_by(Pupil.id)
        ).all()
        pupil = next(
            candidate
            for candidate, band in candidates
            # Without an override, a pupil whose band matches the stage; with a period, absent without leave in it.
            if (override or (band.value != "none" and stage_for_band(band) == stage))
            and (absent_in is None or period_register(candidate.id, *absent_in).unauthorised)
        )
        case = case_service.open_case(
            pupil, stage, actor=officer, officer=officer, reason="Attendance has fallen", override_reason=override
        )
        carer_id = next(link.carer_id for link in pupil.carer_links if link.parental_responsibility)
        db.session.commit()
        return case.id, carer_id


def add_support_records(app, case_id: int, carer_id: int) -> None:
    """The support-first records a prosecution needs: a family meeting, a plan, a warning letter to the parent,
    and the evidence."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        officer = case.assigned_officer
        held = today() - timedelta(days=90)
        parent = db.session.scalar(
            sa.select(CaseParticipant).where(CaseParticipant.case_id == case_id, CaseParticipant.carer_id == carer_id)
        )
        meeting = Meeting(
            case_id=case_id,
            kind=MeetingKind(next(iter(MeetingKind))),
            scheduled_for=datetime(held.year, held.month, held.day, 10, tzinfo=ENGLAND),
            status=MeetingStatus.HELD,
            held_on=held,
            created_by_id=officer.id,
        )
        meeting.attendees.append(MeetingAttendee(participant_id=parent.id, attendance=MeetingAttendance.ATTENDED))
        db.session.add_all(
            [
                meeting,
                ActionPlan(case_id=case_id, goals="Attend every day", review_on=today(), created_by_id=officer.id),
                Letter(
                    case_id=case_id,
                    addressee_id=parent.id,
                    kind=LetterKind.WARNING_OF_LEGAL_ACTION,
                    subject="Warning",
                    body_html="<p>Warning</p>",
                    pdf=b"%PDF",
                    generated_by_id=officer.id,
                    served_on=held,
                ),
            ]
        )
        for kind, details in (
            (RecordKind.SUPPORT_OFFERED, "Mentoring and a morning club"),
            (RecordKind.ATTENDANCE_CERTIFICATE, "Signed by the headteacher"),
            (RecordKind.ESO_CONSIDERED, "Considered: the family refuse every agency, so an order would not help"),
        ):
            case_service.add_record(case, kind, occurred_on=held, details=details, actor=officer)
        db.session.commit()


def ask_and_approve(page: Page, app, case_id: int, trigger: str, *, parent: str | None = None) -> None:
    """The officer asks for approval on the approvals page (penalty notices to ``parent`` alone); the manager
    reads what the step has and needs, and approves it on theirs."""
    page.goto(f"/approvals/new/{case_id}/{trigger}")
    accessible(page)
    if parent:
        boxes = page.get_by_role("group", name="Who should receive a penalty notice?").get_by_role("checkbox")
        for box in boxes.all():
            box.uncheck()
        page.get_by_label(parent).check()
    page.get_by_label("Why should this step be taken?").fill("Support has been offered and refused for months")
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.get_by_text("Your request is with the team managers")).to_be_visible()
    with app.app_context():
        approval_id = db.session.scalar(
            sa.select(Approval.id)
            .where(Approval.case_id == case_id, Approval.trigger == trigger)
            .order_by(Approval.id.desc())
        )
    switch(page, Role.MANAGER)
    page.goto(f"/approvals/{approval_id}")
    expect(page.get_by_role("heading", name="What this step needs")).to_be_visible()
    expect(page.get_by_text("What it covers")).to_be_visible()
    accessible(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    switch(page, Role.OFFICER)


def past_the_interruption(page: Page) -> None:
    """Before a legal step for a child with needs to weigh, an interruption card: weigh them, then continue."""
    card = page.locator(".moj-interruption-card")
    if card.count():
        accessible(page)
        card.get_by_role("button", name="I have considered this: continue").click()
        expect(page.locator(".moj-interruption-card")).to_have_count(0)


def test_at_risk_through_notices_and_non_payment_to_a_prosecution_outcome(page: Page, live_server):
    app = live_server.app
    # Three whole weeks from a Monday a month ago: term time on most days of the year, and the registers must
    # show 3 school weeks for the notice to be found to have failed.
    issued = today() - timedelta(weeks=4, days=today().weekday())
    case_id, carer_id = open_case_for(
        app,
        stage=CaseStage.AT_RISK,
        school_urn="100002",
        override="The school's concern predates the figures",
        absent_in=(issued, issued + timedelta(weeks=3, days=-1)),
    )
    add_support_records(app, case_id, carer_id)
    legal = f"/cases/{case_id}/legal"
    switch(page, Role.OFFICER)

    page.goto(legal)
    accessible(page)

    # A notice to improve with a 3-week period, now over: first a mistake, then the notice.
    page.get_by_role("link", name="Issue a notice to improve").click()
    page.get_by_role("button", name="Issue the notice to improve").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessible(page)
    fill_date(page, "issued_on", issued)
    fill_date(page, "improvement_starts_on", issued)
    page.get_by_label("3 school weeks").check()
    page.get_by_role("group", name="How many weeks of school holiday fall within the period?").get_by_label(
        "None"
    ).check()
    page.get_by_label("What counts as sufficient improvement").fill("No unauthorised absence during the period")
    page.get_by_role("button", name="Issue the notice to improve").click()
    expect(page.get_by_text("Notice to improve issued")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Record the outcome of the notice to improve").click()
    expect(page.get_by_text("The registers for the period")).to_be_visible()
    accessible(page)
    page.get_by_label("No, it did not improve enough").check()
    fill_date(page, "assessed_on", today())
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Outcome of the notice to improve saved")).to_be_visible()

    # Penalty notices, with a manager's approval for the one parent, issued 40 days ago and never paid.
    with app.app_context():
        carer_name = db.session.scalar(sa.select(CaseParticipant).where(CaseParticipant.carer_id == carer_id)).name
    ask_and_approve(page, app, case_id, "issue_fpn", parent=carer_name)
    page.goto(f"{legal}/penalty-notices/new")
    past_the_interruption(page)
    accessible(page)
    expect(page.get_by_label(carer_name)).to_be_checked()
    fill_date(page, "issued_on", today() - timedelta(days=40))
    period = (today() - timedelta(days=80), today() - timedelta(days=50))
    fill_date(page, "period_start", period[0])
    fill_date(page, "period_end", period[1])
    page.get_by_role("button", name="Issue the penalty notices").click()
    expect(page.get_by_text("Penalty notices issued")).to_be_visible()

    page.get_by_role("link", name="Record when").first.click()
    accessible(page)
    fill_date(page, "received_on", today() - timedelta(days=35))
    page.get_by_role("button", name="Save the date received").click()
    expect(page.get_by_text("Prosecute or withdraw: decision due").first).to_be_visible()
    accessible(page)
    page.goto("/legal/")
    expect(page.get_by_text("Prosecute or withdraw: decision due").first).to_be_visible()
    accessible(page)
    page.goto("/legal/penalty-notices")
    accessible(page)

    # The prosecution file, its approval, laying it, a hearing and the outcome.
    page.goto(f"{legal}/prosecution")
    accessible(page)
    page.get_by_label("Section 444(1): failure to secure regular attendance").first.check()
    fill_date(page, "period_start", period[0])
    fill_date(page, "period_end", period[1])
    page.get_by_label("Magistrates' court").fill("Townsville Magistrates' Court")
    fill_date(page, "interview_under_caution_on", today() - timedelta(days=7))
    page.get_by_role("button", name="Save the prosecution file").click()
    expect(page.get_by_text("Prosecution file saved")).to_be_visible()
    ask_and_approve(page, app, case_id, "prosecute")
    page.goto(f"{legal}/prosecution/lay")
    past_the_interruption(page)
    accessible(page)
    fill_date(page, "laid_on", today())
    page.get_by_role("button", name="Lay the prosecution").click()
    expect(page.get_by_text("Prosecution laid on")).to_be_visible()

    page.get_by_role("link", name="Add a hearing").click()
    accessible(page)
    fill_date(page, "hearing_on", today())
    page.get_by_label("Purpose").fill("First hearing")
    page.get_by_role("button", name="Save the hearing").click()
    page.get_by_role("link", name="Record outcome").click()
    accessible(page)
    page.get_by_label("Guilty", exact=True).check()
    page.get_by_label("Fine", exact=True).check()
    page.get_by_label("Fine, in pounds").fill("200")
    fill_date(page, "outcome_on", today())
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Guilty: fine £200")).to_be_visible()
    accessible(page)

    # The court outcome recorded on the case: back to the support stage the attendance band matches.
    with app.app_context():
        band = db.session.get(PupilAttendance, db.session.get(Case, case_id).pupil_id).band
    support = stage_for_band(band)
    page.goto(f"/cases/{case_id}")
    accessible(page)
    page.get_by_role("button", name=f"Record the court outcome to {STAGE_LABELS[support].lower()}").click()
    expect(page.locator('input[name="closure_reason"]')).to_have_count(0)
    accessible(page)
    page.get_by_label("Note for the case record").fill("Parent convicted and fined; support carries on")
    page.get_by_role("button", name="Record the court outcome").click()
    expect(page.get_by_text(f"the case is now at {STAGE_LABELS[support].lower()}")).to_be_visible()
    accessible(page)
    with app.app_context():
        assert db.session.get(Case, case_id).stage == support

    # The school's attendance lead can read the page, and nothing more.
    switch(page, Role.SCHOOL_LEAD)
    page.goto(legal)
    expect(page.get_by_text("Guilty: fine £200")).to_be_visible()
    expect(page.get_by_role("link", name="Record outcome")).to_have_count(0)
    accessible(page)


def test_persistent_absence_through_an_attendance_contract_to_an_education_supervision_order(page: Page, live_server):
    app = live_server.app
    case_id, carer_id = open_case_for(app, stage=CaseStage.PERSISTENT, school_urn="100001")
    add_support_records(app, case_id, carer_id)
    with app.app_context():
        parent = db.session.scalar(sa.select(CaseParticipant).where(CaseParticipant.carer_id == carer_id)).name
    legal = f"/cases/{case_id}/legal"
    switch(page, Role.OFFICER)

    # The contract, drafted and agreed on its page, then the step to the contract stage on the case page.
    page.goto(f"/cases/{case_id}/plan/contract/edit")
    accessible(page)
    page.get_by_label("What the parents agree to do").fill("Bring the child to school every day by 8.50am")
    page.get_by_label("What support the school, local authority and agencies will give").fill("A morning club place")
    page.get_by_label(parent).check()
    fill_date(page, "agreed_on", today() - timedelta(days=30))
    fill_date(page, "review_on", today() + timedelta(days=30))
    page.get_by_role("button", name="Save the contract").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    accessible(page)
    page.goto(f"/cases/{case_id}")
    page.get_by_role("button", name="Agree an attendance contract to attendance contract").click()
    accessible(page)
    page.get_by_role("button", name="Agree an attendance contract").click()
    expect(page.get_by_text("the case is now at attendance contract")).to_be_visible()
    accessible(page)

    # What an application needs, recorded on the record page: the contract broke down, social care consulted.
    for kind, details in (
        (RecordKind.SUPPORT_FAILED, "The contract was broken within a fortnight"),
        (RecordKind.SOCIAL_CARE_CONSULTED, "Duty team consulted: no objection to an order"),
    ):
        page.goto(f"/cases/{case_id}/records/new?kind={kind.value}")
        accessible(page)
        page.get_by_label("Details").fill(details)
        page.get_by_role("button", name="Save the record").click()
        expect(page.get_by_text(f"{kind.label}: recorded")).to_be_visible()

    ask_and_approve(page, app, case_id, "apply_eso")
    page.goto(legal)
    page.get_by_role("link", name="Apply for an education supervision order").click()
    past_the_interruption(page)
    accessible(page)
    fill_date(page, "applied_on", today() - timedelta(days=20))
    page.get_by_role("button", name="Apply for the order").click()
    expect(page.get_by_text("Application for an education supervision order recorded")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Update").click()
    accessible(page)
    page.get_by_label("The court made the order").check()
    fill_date(page, "made_on", today() - timedelta(days=10))
    page.get_by_label("Directions").fill("Attend school every day; meet the supervisor fortnightly")
    page.get_by_role("button", name="Save the order").click()
    expect(page.get_by_text("It expires on")).to_be_visible()

    page.get_by_role("link", name="Record a breach").click()
    accessible(page)
    fill_date(page, "occurred_on", today())
    page.get_by_label("What happened").fill("Missed the fortnightly meeting")
    page.get_by_role("button", name="Record the breach").click()
    expect(page.get_by_text("Missed the fortnightly meeting")).to_be_visible()

    page.get_by_role("link", name="Record an extension").click()
    accessible(page)
    made = today() - timedelta(days=10)
    fill_date(page, "granted_on", today())
    fill_date(page, "new_expires_on", made.replace(year=made.year + 4))
    page.get_by_role("button", name="Record the extension").click()
    expect(page.get_by_text("An order can last at most 3 years in all").first).to_be_visible()
    accessible(page)
    fill_date(page, "new_expires_on", made.replace(year=made.year + 2))
    page.get_by_role("button", name="Record the extension").click()
    expect(page.get_by_text("Order extended to")).to_be_visible()
    accessible(page)
