"""Letters: chosen and previewed, generated as a PDF with the case, downloaded (logged), served once; the letters
that would be sent in error are refused; administrators change the wording; scoping."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    AttendanceContract,
    AuditEvent,
    CaseParticipant,
    Letter,
    LetterKind,
    LetterTemplate,
    Meeting,
    MeetingKind,
    MeetingStatus,
    NoticeToImprove,
    PenaltyNotice,
    PupilAttendance,
    Role,
    ServiceMethod,
)
from ewo_cases.services import letters
from ewo_cases.services.letter_wording import DEFAULTS, placeholders
from ewo_cases.services.transitions import load_facts
from tests.case_records import opened_before
from tests.letter_helpers import TODAY, add_carer, count, day, parents
from workflows import CaseStage
from workflows.legal import NoticeKind


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    monkeypatch.setitem(app.config, "AUTHORITY_NAME", "Anytown Council")
    return TODAY


@pytest.fixture
def case(make_pupil, make_case):
    pupil = make_pupil(forename="Sam", surname="Taylor")
    add_carer(pupil, "Alex", "Taylor")
    add_carer(pupil, "Jordan", "Reed", relationship_to_pupil="Step-parent", parental_responsibility=False)
    return opened_before(make_case(pupil, unauthorised_in_window=12))


@pytest.fixture
def parent(case) -> CaseParticipant:
    return parents(case)[0]


@pytest.fixture
def officer(case, sign_in):
    sign_in(case.assigned_officer)
    return case.assigned_officer


def letters_url(case, rest: str = "") -> str:
    return f"/cases/{case.id}/letters{rest}"


def choice(kind: LetterKind, addressee: CaseParticipant, **sources: object) -> dict:
    """The choices of the preview form, as sent by its button."""
    return {
        "kind": kind.value,
        "addressee": addressee.id,
        "preview": "yes",
        **{name: str(value) for name, value in sources.items()},
    }


def make_letter(case, parent, kind=LetterKind.WARNING_OF_LEGAL_ACTION, **sources) -> Letter:
    letter = letters.generate_letter(case, kind, parent, case.assigned_officer, **sources)
    db.session.flush()
    return letter


def penalty_notice(case, carer_id: int, **values) -> PenaltyNotice:
    notice = PenaltyNotice(
        reference=f"PN-26-{carer_id:04d}",
        case_id=case.id,
        pupil_id=case.pupil_id,
        carer_id=carer_id,
        kind=values.pop("kind", NoticeKind.FIRST),
        issued_on=TODAY,
        period_start=TODAY - timedelta(weeks=10),
        period_end=TODAY - timedelta(days=3),
        issued_by_id=case.assigned_officer_id,
        **values,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


# --- choosing and previewing ------------------------------------------------------------------------------


def test_the_new_letter_page_offers_the_kinds_and_the_current_participants(client, case, officer):
    response = client.get(letters_url(case, "/new"))
    assert response.status_code == 200
    for text in ("Warning of legal action", "Invitation to a meeting", "Alex Taylor (Parent or carer)", officer.name):
        assert text in response.text
    assert "Make the letter" not in response.text


def test_a_link_can_choose_the_kind_without_asking_for_a_preview(client, case, officer):
    response = client.get(letters_url(case, "/new"), query_string={"kind": "warning_of_legal_action"})

    assert response.status_code == 200
    assert "govuk-error-summary" not in response.text
    assert 'value="warning_of_legal_action" checked' in response.text
    assert "Make the letter" not in response.text


def test_a_preview_fills_the_letter_in_and_saves_nothing(client, case, officer, parent):
    response = client.get(letters_url(case, "/new"), query_string=choice(LetterKind.ATTENDANCE_CONCERN, parent))

    assert response.status_code == 200
    for text in (
        "Preview: Sam Taylor&#39;s attendance at",
        "Dear Alex Taylor,",
        "12 Mill Lane<br>Riverside<br>RV1 2AB",
        "Anytown Council",
        "section 444 of the Education Act 1996",
        "80.0%",
        "Make the letter",
    ):
        assert text in response.text, text
    assert count(Letter) == 0 and count(LetterTemplate) == 0


def test_generating_a_letter_stores_it_as_sent_with_a_real_pdf(client, case, officer, parent):
    response = client.post(letters_url(case, "/new"), data=choice(LetterKind.WARNING_OF_LEGAL_ACTION, parent))

    letter = db.session.scalars(sa.select(Letter)).one()
    assert response.status_code == 302 and response.headers["Location"] == letters_url(case, f"/{letter.id}")
    assert (letter.case_id, letter.kind, letter.addressee_id) == (
        case.id,
        LetterKind.WARNING_OF_LEGAL_ACTION,
        parent.id,
    )
    assert letter.subject.startswith("Warning of legal action: Sam Taylor")
    assert "Dear Alex Taylor," in letter.body_html and "section 444(1A)" in letter.body_html
    assert letter.pdf.startswith(b"%PDF") and len(letter.pdf) > 1000
    assert letter.generated_by_id == officer.id and letter.served_on is None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "letter.generated")).one()
    assert event.entity_id == letter.id and event.data["template_version"] == 1
    # The wording used is now a row administrators can change.
    assert db.session.scalar(sa.select(LetterTemplate.kind)) == LetterKind.WARNING_OF_LEGAL_ACTION


def test_the_letter_page_shows_it_as_sent_and_is_logged(client, case, officer, parent):
    letter = make_letter(case, parent)
    response = client.get(letters_url(case, f"/{letter.id}"))
    assert response.status_code == 200
    assert "Dear Alex Taylor," in response.text and "Not yet served" in response.text
    assert "Record service" in response.text
    logged = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "letter")).one()
    assert (logged.action, logged.record_id, logged.pupil_id) == ("viewed", letter.id, case.pupil_id)
    listing = client.get(letters_url(case))
    assert listing.status_code == 200 and "Warning of legal action" in listing.text
    assert letters_url(case, f"/{letter.id}.pdf") in listing.text


def test_the_pdf_downloads_and_the_download_is_logged(client, case, officer, parent):
    letter = make_letter(case, parent)
    response = client.get(letters_url(case, f"/{letter.id}.pdf"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF")
    logged = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "letter")).one()
    assert (logged.action, logged.record_id, logged.pupil_id) == ("exported", letter.id, case.pupil_id)


@pytest.mark.parametrize(
    ("unauthorised", "served_before", "warned"),
    [
        (0, False, ["no unauthorised absence recorded this year", "no earlier letter to Alex Taylor"]),
        (14, False, ["no earlier letter to Alex Taylor"]),
        (0, True, ["no unauthorised absence recorded this year"]),
        (14, True, []),
    ],
)
def test_a_warning_letter_preview_warns_when_the_facts_do_not_bear_it_out(
    client, case, officer, parent, unauthorised, served_before, warned
):
    db.session.get(PupilAttendance, case.pupil_id).unauthorised = unauthorised
    if served_before:
        earlier = make_letter(case, parent, kind=LetterKind.ATTENDANCE_CONCERN)
        letters.serve_letter(
            earlier, served_on=TODAY, method=ServiceMethod.POST, actor=officer, expected_version=earlier.version
        )
    db.session.flush()
    response = client.get(letters_url(case, "/new"), query_string=choice(LetterKind.WARNING_OF_LEGAL_ACTION, parent))
    assert response.status_code == 200 and "Make the letter" in response.text
    assert response.text.count('class="govuk-warning-text"') == len(warned)
    for text in warned:
        assert text in response.text, text


def test_an_attendance_concern_letter_has_no_such_warnings(client, case, officer, parent):
    db.session.get(PupilAttendance, case.pupil_id).unauthorised = 0
    db.session.flush()
    response = client.get(letters_url(case, "/new"), query_string=choice(LetterKind.ATTENDANCE_CONCERN, parent))
    assert 'class="govuk-warning-text"' not in response.text


def test_a_parents_name_is_escaped_in_the_preview_and_the_letter(client, case, officer, parent):
    parent.carer.forename = "<script>alert(1)</script>"
    db.session.flush()
    preview = client.get(letters_url(case, "/new"), query_string=choice(LetterKind.ATTENDANCE_CONCERN, parent))
    assert "<script>alert(1)</script>" not in preview.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Taylor" in preview.text
    letter = make_letter(case, parent, LetterKind.ATTENDANCE_CONCERN)
    assert "<script>" not in letter.body_html and "&lt;script&gt;" in letter.body_html


# --- letters about a meeting, a notice or a contract ------------------------------------------------------


def test_an_invitation_names_the_meeting_and_only_meetings_still_to_come(client, case, officer, parent):
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.FAMILY_ATTENDANCE,
        scheduled_for=datetime.combine(TODAY + timedelta(days=9), time(9, 30), UTC),
        place="Riverside Primary, room 2",
        created_by_id=officer.id,
    )
    past = Meeting(
        case_id=case.id,
        kind=MeetingKind.OTHER,
        scheduled_for=datetime.combine(TODAY - timedelta(days=9), time(9, 30), UTC),
        created_by_id=officer.id,
    )
    db.session.add_all([meeting, past])
    db.session.flush()

    ok = client.post(letters_url(case, "/new"), data=choice(LetterKind.MEETING_INVITATION, parent, meeting=meeting.id))
    assert ok.status_code == 302
    letter = db.session.scalars(sa.select(Letter)).one()
    assert "11 March 2026" in letter.body_html and "9:30am" in letter.body_html
    assert "Riverside Primary, room 2" in letter.body_html

    late = client.post(letters_url(case, "/new"), data=choice(LetterKind.MEETING_INVITATION, parent, meeting=past.id))
    assert late.status_code == 400 and "only to a meeting that is still to come" in late.text
    assert count(Letter) == 1


def test_a_meeting_summary_needs_a_meeting_that_was_held(client, case, officer, parent):
    held = Meeting(
        case_id=case.id,
        kind=MeetingKind.TEAM_AROUND_THE_FAMILY,
        scheduled_for=datetime.combine(TODAY - timedelta(days=2), time(14), UTC),
        status=MeetingStatus.HELD,
        held_on=TODAY - timedelta(days=2),
        summary="We agreed a soft start.",
        decisions="Review in four weeks.",
        created_by_id=officer.id,
    )
    db.session.add(held)
    db.session.flush()
    response = client.post(letters_url(case, "/new"), data=choice(LetterKind.MEETING_SUMMARY, parent, meeting=held.id))
    assert response.status_code == 302
    body = db.session.scalar(sa.select(Letter.body_html))
    assert "We agreed a soft start." in body and "Review in four weeks." in body and "28 February 2026" in body


def test_a_first_penalty_notice_states_both_amounts_and_clocks_from_receipt(client, case, officer, parent):
    notice = penalty_notice(case, parent.carer_id, received_on=TODAY)
    response = client.post(
        letters_url(case, "/new"), data=choice(LetterKind.PENALTY_NOTICE, parent, penalty_notice=notice.id)
    )
    assert response.status_code == 302
    letter = db.session.scalars(sa.select(Letter)).one()
    assert letter.subject.startswith(f"Penalty notice {notice.reference}")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "letter.generated")).one()
    assert event.data["about"] == {"penalty_notice": notice.id}
    body = letter.body_html
    assert "Pay £80 if you pay within 21 days of receiving this notice (by 23 March 2026)" in body
    assert "within 28 days of receiving this notice (by 30 March 2026)" in body
    assert "section 444A" in body and "(Amendment) Regulations 2024" in body


def test_a_second_penalty_notice_is_a_flat_160(case, parent):
    notice = penalty_notice(case, parent.carer_id, kind=NoticeKind.SECOND)
    body = make_letter(case, parent, LetterKind.PENALTY_NOTICE, penalty_notice=notice).body_html
    assert "no reduced amount" in body and "£160 within 28 days of receiving this notice." in body
    assert "£80" not in body


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"paid_on": TODAY, "amount_paid": 80}, "was paid on 2 March 2026: no more letters can be sent"),
        ({"withdrawn_on": TODAY}, "was withdrawn on 2 March 2026"),
    ],
)
def test_no_penalty_notice_letter_after_payment_or_withdrawal(client, case, officer, parent, values, message):
    notice = penalty_notice(case, parent.carer_id, **values)
    response = client.post(
        letters_url(case, "/new"), data=choice(LetterKind.PENALTY_NOTICE, parent, penalty_notice=notice.id)
    )
    assert response.status_code == 400 and message in response.text
    assert count(Letter) == 0


def test_a_penalty_notice_goes_only_to_the_parent_it_was_issued_to(client, case, officer, parent):
    step_parent = parents(case)[1]
    notice = penalty_notice(case, parent.carer_id)
    response = client.post(
        letters_url(case, "/new"), data=choice(LetterKind.PENALTY_NOTICE, step_parent, penalty_notice=notice.id)
    )
    assert response.status_code == 400 and "a notice goes only to its parent" in response.text
    assert count(Letter) == 0


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose which letter to make"),
        ({"kind": "love_letter"}, "Select an answer from the list"),
        ({"kind": "attendance_concern"}, "Choose who the letter is to"),
        ({"kind": "attendance_concern", "addressee": "999999"}, "Select an answer from the list"),
        ({"kind": "meeting_invitation", "addressee": "PARENT"}, "Choose the meeting the letter is about"),
        ({"kind": "penalty_notice", "addressee": "PARENT"}, "Choose the penalty notice the letter is for"),
        ({"kind": "notice_to_improve", "addressee": "PARENT"}, "Choose the notice to improve the letter is about"),
        ({"kind": "attendance_contract", "addressee": "PARENT"}, "Choose the attendance contract"),
        (
            {"kind": "attendance_concern", "addressee": "PARENT", "meeting": "999999"},
            "Select the meeting from the list",
        ),
    ],
)
def test_a_bad_choice_is_refused_on_preview_and_on_generating(client, case, officer, parent, data, message):
    data = {name: str(parent.id) if value == "PARENT" else value for name, value in data.items()}
    generate = client.post(letters_url(case, "/new"), data=data)
    # With nothing chosen the page is simply the blank form.
    preview = client.get(letters_url(case, "/new"), query_string={**data, "preview": "yes"}) if data else generate
    for response in (preview, generate):
        assert response.status_code == 400 and "govuk-error-summary" in response.text
        assert message in response.text
    assert count(Letter) == 0 and count(AuditEvent, AuditEvent.action == "letter.generated") == 0


def test_an_addressee_from_another_case_is_not_offered(client, case, officer, make_case, make_pupil):
    other_pupil = make_pupil(school=case.pupil.school)
    add_carer(other_pupil, "Other", "Parent")
    other = make_case(other_pupil, officer=officer)
    response = client.post(letters_url(case, "/new"), data=choice(LetterKind.ATTENDANCE_CONCERN, parents(other)[0]))
    assert response.status_code == 400 and count(Letter) == 0


def test_no_letters_on_a_closed_case(client, case, officer, parent):
    case.stage = CaseStage.CLOSED
    db.session.flush()
    response = client.post(letters_url(case, "/new"), data=choice(LetterKind.ATTENDANCE_CONCERN, parent))
    assert response.status_code == 400 and "This case is closed" in response.text
    assert count(Letter) == 0


# --- service ----------------------------------------------------------------------------------------------


def test_serving_a_warning_letter_is_recorded_once_and_reaches_the_workflow(client, case, officer, parent):
    letter = make_letter(case, parent)
    assert load_facts(case, officer).warning_letter_served_on is None
    url = letters_url(case, f"/{letter.id}/service")
    assert client.get(url).status_code == 200

    response = client.post(url, data={"served_on": day(TODAY), "method": "hand", "version": letter.version})

    assert response.status_code == 302
    db.session.refresh(letter)
    assert (letter.served_on, letter.service_method, letter.served_by_id) == (TODAY, ServiceMethod.HAND, officer.id)
    assert load_facts(case, officer).warning_letter_served_on == TODAY
    assert count(AuditEvent, AuditEvent.action == "letter.served", AuditEvent.entity_id == letter.id) == 1
    page = client.get(url)
    assert (
        page.status_code == 200
        and "This letter has been served" in page.text
        and "Record service</button>" not in page.text
    )
    again = client.post(url, data={"served_on": day(TODAY), "method": "post", "version": letter.version})
    assert again.status_code == 400 and "already served on 2 March 2026" in again.text
    db.session.refresh(letter)
    assert letter.service_method == ServiceMethod.HAND


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"served_on": day(None), "method": "post"}, "Enter the date of service as day, month and year"),
        ({"served_on": ["30", "2", "2026"], "method": "post"}, "Date of service must be a real date"),
        ({"served_on": day(TODAY + timedelta(days=1)), "method": "post"}, "must be today or in the past"),
        ({"served_on": day(TODAY - timedelta(days=1)), "method": "post"}, "on or after the day the letter was made"),
        ({"served_on": day(TODAY), "method": ""}, "Choose how the letter was served"),
        ({"served_on": day(TODAY), "method": "pigeon"}, "Select an answer from the list"),
    ],
)
def test_bad_service_details_are_refused_and_nothing_is_written(client, case, officer, parent, data, message):
    letter = make_letter(case, parent)
    response = client.post(letters_url(case, f"/{letter.id}/service"), data={**data, "version": letter.version})
    assert response.status_code == 400 and message in response.text
    db.session.refresh(letter)
    assert letter.served_on is None and count(AuditEvent, AuditEvent.action == "letter.served") == 0


def test_a_stale_service_form_is_a_conflict(client, case, officer, parent):
    letter = make_letter(case, parent)
    response = client.post(
        letters_url(case, f"/{letter.id}/service"),
        data={"served_on": day(TODAY), "method": "post", "version": letter.version + 5},
    )
    assert response.status_code == 409
    db.session.refresh(letter)
    assert letter.served_on is None


# --- scoping and roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SCHOOL_LEAD, Role.OFFICER])
def test_staff_of_another_school_get_404_on_every_letter_url(
    client, case, parent, make_user, make_school, sign_in, role
):
    letter = make_letter(case, parent)
    sign_in(make_user(role, schools=[make_school()]))
    for url in (letters_url(case), letters_url(case, f"/{letter.id}"), letters_url(case, f"/{letter.id}.pdf")):
        assert client.get(url).status_code == 404, url
    if role == Role.OFFICER:
        assert client.get(letters_url(case, "/new")).status_code == 404
        assert (
            client.post(letters_url(case, "/new"), data=choice(LetterKind.ATTENDANCE_CONCERN, parent)).status_code
            == 404
        )
        serve = client.post(
            letters_url(case, f"/{letter.id}/service"), data={"served_on": day(TODAY), "method": "post"}
        )
        assert serve.status_code == 404
    assert count(Letter) == 1 and count(AccessLog) == 0


def test_a_letter_of_another_case_is_not_found_through_this_one(client, case, officer, make_case, make_pupil):
    other_pupil = make_pupil(school=case.pupil.school)
    add_carer(other_pupil)
    other = make_case(other_pupil, officer=officer)
    letter = make_letter(other, parents(other)[0])
    assert client.get(letters_url(case, f"/{letter.id}")).status_code == 404
    assert client.get(letters_url(case, f"/{letter.id}.pdf")).status_code == 404


def test_the_schools_lead_reads_letters_but_does_not_make_them(client, case, parent, make_user, sign_in):
    letter = make_letter(case, parent)
    sign_in(make_user(Role.SCHOOL_LEAD, schools=[case.pupil.school]))
    listing = client.get(letters_url(case))
    assert listing.status_code == 200 and "Make a letter" not in listing.text and "Record service" not in listing.text
    assert client.get(letters_url(case, f"/{letter.id}.pdf")).status_code == 200
    assert client.get(letters_url(case, "/new")).status_code == 403


# --- administrators' wording ------------------------------------------------------------------------------


@pytest.fixture
def admin(make_user, sign_in):
    user = make_user(Role.ADMIN)
    sign_in(user)
    return user


def test_the_templates_page_lists_every_kind_with_the_standard_wording(client, admin):
    response = client.get("/letter-templates")
    assert response.status_code == 200
    for kind in LetterKind:
        assert kind.label in response.text
    assert response.text.count("Standard wording") == len(LetterKind)


def test_the_edit_page_shows_the_wording_its_placeholders_and_a_preview(client, admin):
    response = client.get("/letter-templates/penalty_notice")
    assert response.status_code == 200
    assert "penalty_notice_reference" in response.text and "addressee_name" in response.text
    assert "meeting_date" not in response.text
    assert "Preview with made-up facts" in response.text and "PN-25-0007" in response.text
    assert client.get("/letter-templates/love_letter").status_code == 404


def test_an_administrator_changes_the_wording_and_the_change_is_audited(client, admin, case, parent):
    body = "Dear {{ addressee_name }},\n\nPlease ring {{ officer_name }} about {{ child_forename }}.\n"
    preview = client.post(
        "/letter-templates/attendance_concern", data={"subject": "About {{ child_name }}", "body": body, "preview": "y"}
    )
    assert preview.status_code == 200 and "Please ring Jo Patel about Sam." in preview.text
    assert count(LetterTemplate) == 0

    saved = client.post(
        "/letter-templates/attendance_concern", data={"subject": "About {{ child_name }}", "body": body}
    )

    assert saved.status_code == 302
    template = db.session.scalars(sa.select(LetterTemplate)).one()
    assert (template.subject, template.body, template.updated_by_id) == ("About {{ child_name }}", body, admin.id)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "letter_template.updated")).one()
    assert event.data["before"]["body"] == DEFAULTS[LetterKind.ATTENDANCE_CONCERN].body
    assert event.data["after"]["body"] == body
    letter = make_letter(case, parent, LetterKind.ATTENDANCE_CONCERN)
    assert letter.subject == "About Sam Taylor" and "Please ring" in letter.body_html
    listing = client.get("/letter-templates").text
    assert f"by {admin.name}" in listing and listing.count("Standard wording") == len(LetterKind) - 1


def test_saving_over_someone_elses_change_is_a_conflict(client, admin):
    form = {"subject": "First {{ child_name }}", "body": "One.", "version": ""}
    assert client.post("/letter-templates/attendance_concern", data=form).status_code == 302
    stale = client.post("/letter-templates/attendance_concern", data={**form, "body": "Two.", "version": "1"})
    assert stale.status_code == 409
    assert db.session.scalar(sa.select(LetterTemplate.body)) == "One.\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "body": "Text"}, "Enter a subject line"),
        ({"subject": "S", "body": ""}, "Enter the wording of the letter"),
        ({"subject": "x" * 201, "body": "Text"}, "Subject line must be 200 characters or fewer"),
        ({"subject": "S", "body": "{{ meeting_date }}"}, "“meeting_date”, which is not a placeholder"),
    ],
)
def test_bad_wording_is_refused_and_nothing_is_saved(client, admin, data, message):
    response = client.post("/letter-templates/attendance_concern", data=data)
    assert response.status_code == 400 and message in response.text
    assert count(LetterTemplate) == 0 and count(AuditEvent, AuditEvent.action == "letter_template.updated") == 0


def test_the_facts_of_every_kind_are_exactly_the_placeholders_administrators_see(case, parent):
    officer = case.assigned_officer
    scheduled = Meeting(
        case_id=case.id,
        kind=MeetingKind.FAMILY_ATTENDANCE,
        scheduled_for=datetime.combine(TODAY + timedelta(days=3), time(10), UTC),
        created_by_id=officer.id,
    )
    held = Meeting(
        case_id=case.id,
        kind=MeetingKind.FAMILY_ATTENDANCE,
        scheduled_for=datetime.combine(TODAY - timedelta(days=3), time(10), UTC),
        status=MeetingStatus.HELD,
        held_on=TODAY - timedelta(days=3),
        created_by_id=officer.id,
    )
    notice = NoticeToImprove(
        case_id=case.id,
        issued_on=TODAY,
        improvement_starts_on=TODAY,
        improvement_ends_on=TODAY + timedelta(weeks=4),
        sufficient_improvement="No unauthorised absence",
        issued_by_id=officer.id,
    )
    contract = AttendanceContract(
        case_id=case.id,
        parent_commitments="Mornings",
        support_commitments="Breakfast club",
        review_on=TODAY + timedelta(days=28),
        created_by_id=officer.id,
    )
    db.session.add_all([scheduled, held, notice, contract])
    db.session.flush()
    sources = {
        LetterKind.MEETING_INVITATION: {"meeting": scheduled},
        LetterKind.MEETING_SUMMARY: {"meeting": held},
        LetterKind.NOTICE_TO_IMPROVE: {"notice_to_improve": notice},
        LetterKind.PENALTY_NOTICE: {"penalty_notice": penalty_notice(case, parent.carer_id)},
        LetterKind.ATTENDANCE_CONTRACT: {"contract": contract},
    }
    for kind in LetterKind:
        facts = letters.letter_facts(case, kind, parent, **sources.get(kind, {}))
        assert set(facts) == set(placeholders(kind)), kind
        assert all(isinstance(value, str | int | bool) for value in facts.values()), kind
        assert make_letter(case, parent, kind, **sources.get(kind, {})).pdf.startswith(b"%PDF")
