"""A case's casework in a real browser, each page checked with axe-core (issue 5).

An officer finds a pupil on an attendance list, opens a case from the pupil's page, adds a professional,
arranges a family attendance meeting and records it (who came, views, decisions and the actions agreed);
the school's attendance lead updates the school's action; the officer makes a letter, downloads its PDF and
records its service, which the timeline then shows. The lead cannot open another school's case. Everything is
done through the pages; only the choice of a pupil without a case is read from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Case, Pupil, PupilAttendance, PupilCarer, Referral, Role, School
from tests.browser.conftest import accessible, fill_date, long_date, switch, today
from workflows.attendance import Band

pytestmark = pytest.mark.browser

SCHOOL_URN = "100002"  # in the demo officer's patch, and the demo school lead's school
OFFICER, LEAD, PROFESSIONAL = "Priya Shah", "Tom Price", "Martin Reid"


@dataclass(frozen=True)
class Chosen:
    pupil_id: int
    name: str
    list_name: str  # as the attendance list shows it: "Surname, Forename"
    school: str
    year_group: str
    parents: tuple[str, ...]


def persistently_absent_pupil_without_a_case(app, *, newest: bool = True) -> Chosen:
    """A persistently absent pupil at the lead's school who has never had a case or a referral, with a parent
    (the newest such pupil, or the oldest, so two journeys choose different children).

    Pupils over the penalty notice threshold are left to the legal journeys, which look for them."""
    with app.app_context():
        with_parent = sa.select(PupilCarer.pupil_id).where(PupilCarer.parental_responsibility.is_(True))
        pupil = db.session.scalars(
            sa.select(Pupil)
            .join(School, School.id == Pupil.school_id)
            .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
            .where(
                School.urn == SCHOOL_URN,
                PupilAttendance.band == Band.PERSISTENT,
                PupilAttendance.penalty_threshold_met.is_(False),
                Pupil.looked_after.is_(False),
                Pupil.id.in_(with_parent),
                Pupil.id.not_in(sa.select(Case.pupil_id)),
                Pupil.id.not_in(sa.select(Referral.pupil_id)),
            )
            .order_by(Pupil.id.desc() if newest else Pupil.id)
        ).first()
        assert pupil is not None, "the demo data has no persistently absent pupil without a case at the school"
        parents = db.session.scalars(
            sa.select(Carer).join(PupilCarer).where(PupilCarer.pupil_id == pupil.id).order_by(Carer.id)
        ).all()
        return Chosen(
            pupil.id,
            pupil.name,
            f"{pupil.surname}, {pupil.forename}",
            pupil.school.name,
            pupil.year_group,
            tuple(parent.name for parent in parents),
        )


def another_schools_case(app) -> int:
    """An open demo case at a school other than the lead's."""
    with app.app_context():
        return db.session.scalar(
            sa.select(Case.id)
            .join(Pupil, Pupil.id == Case.pupil_id)
            .join(School, School.id == Pupil.school_id)
            .where(School.urn != SCHOOL_URN)
            .order_by(Case.id)
        )


def test_an_officer_and_a_school_lead_work_a_case_from_a_list_to_a_served_letter(page: Page, live_server):
    chosen = persistently_absent_pupil_without_a_case(live_server.app)
    first_parent = chosen.parents[0]
    switch(page, Role.OFFICER)

    # The attendance lists, one of them narrowed to the pupil's school, year and band, then the pupil.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Attendance lists").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance lists")
    accessible(page)
    page.get_by_role("link", name="Pupils by attendance band").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils by attendance band")
    filters = page.get_by_role("form", name="Filter the list")
    filters.get_by_label("School").select_option(label=chosen.school)
    filters.get_by_label("Year group").select_option(value=chosen.year_group)
    filters.get_by_label("Attendance band").select_option(value=Band.PERSISTENT.value)
    filters.get_by_role("button", name="Apply filters").click()
    accessible(page)
    page.get_by_role("link", name=chosen.list_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen.name)
    expect(page.get_by_text(f"{chosen.name.split()[0]} has no cases.")).to_be_visible()
    accessible(page)

    # Open the case, with the school's attendance lead as its contact.
    page.get_by_role("button", name="Open a case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Open a case for {chosen.name}")
    accessible(page)
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the case is being opened")
    accessible(page)
    expect(page.get_by_label("Persistent absence")).to_be_checked()
    page.get_by_label("Why is the case being opened?").fill("Attendance below 90% since September; Mondays worst.")
    expect(page.get_by_label("Education welfare officer").locator("option:checked")).to_contain_text(OFFICER)
    page.get_by_label("School attendance lead").select_option(label=LEAD)
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_text(f"opened for {chosen.name}")).to_be_visible()
    reference = page.locator(".app-identity .govuk-caption-l").inner_text().split(" · ")[0]
    case_path = page.url.removeprefix(live_server.url)
    expect(page.get_by_role("heading", level=2, name="Overview")).to_be_visible()
    accessible(page)

    # The people: the parents, the officer and the lead came with the case; add a family support worker.
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="People").click()
    people = page.locator("table")
    for name in (OFFICER, LEAD):
        expect(people.get_by_role("cell", name=name, exact=True)).to_be_visible()
    for name in chosen.parents:
        # A parent's name comes with why they are a parent under s576.
        expect(people.get_by_role("cell", name=name).filter(has_text="s576")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Add someone to the case").click()
    accessible(page)
    page.get_by_label("Who are you adding?").select_option(label=f"{PROFESSIONAL}, Anytown Early Help Hub")
    page.get_by_role("button", name="Continue").click()
    roles = page.get_by_role("group", name="Role on the case")
    expect(roles.get_by_label("Parent or carer")).to_have_count(0)
    accessible(page)
    roles.get_by_label("Key worker").check()
    page.get_by_label("Notes (optional)").fill("Family support worker: has worked with the family since the summer.")
    page.get_by_role("button", name="Add to the case").click()
    expect(page.get_by_text(f"{PROFESSIONAL} added to the case.")).to_be_visible()
    expect(page.locator("table").get_by_role("cell", name=PROFESSIONAL, exact=True)).to_be_visible()

    # Arrange a family attendance meeting for this morning, inviting the worker and the lead as well.
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Meetings").click()
    accessible(page)
    page.get_by_role("button", name="Arrange a meeting").click()
    accessible(page)
    page.get_by_label("Family attendance meeting").check()
    fill_date(page, "date", today())
    page.get_by_label("Time").fill("9am")
    page.get_by_label("Place").fill("Northfield Academy, family room")
    invited = page.get_by_role("group", name="Who is invited")
    for name in (*chosen.parents, OFFICER):
        expect(invited.get_by_label(name, exact=False)).to_be_checked()
    invited.get_by_label(PROFESSIONAL, exact=False).check()
    invited.get_by_label(LEAD, exact=False).check()
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_text("Family attendance meeting arranged.")).to_be_visible()
    expect(page.get_by_role("table", name="Who is invited")).to_contain_text(PROFESSIONAL)
    accessible(page)

    # Record it: who came, what was said and decided, and three actions (the school owns one).
    page.get_by_role("button", name="Record what happened").click()
    expect(page.get_by_role("heading", name="Record the family attendance meeting")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Save the record of the meeting").click()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_contain_text(f"Say whether {first_parent} (Parent or carer) attended")
    expect(errors).to_contain_text("Enter a summary of the meeting")
    accessible(page)
    attendance = {first_parent: "Attended", OFFICER: "Attended", LEAD: "Sent apologies", PROFESSIONAL: "Did not attend"}
    attendance |= dict.fromkeys(chosen.parents[1:], "Did not attend")
    roles = {OFFICER: "Education welfare officer", LEAD: "School attendance lead", PROFESSIONAL: "Key worker"}
    for name, answer in attendance.items():
        # Each question names the person's part in the case, so two people of one name can be told apart.
        question = f"{name} ({roles.get(name, 'Parent or carer')})"
        page.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()
    page.get_by_role("group", name="Did the child attend?").get_by_label("Yes").check()
    page.get_by_label("The child's views (optional)").fill("Mornings are hard; friends have moved classes.")
    page.get_by_label("The family's views (optional)").fill("Mum works early shifts on Mondays.")
    page.get_by_label("Summary of the meeting").fill("Talked through the register; Mondays are the problem.")
    page.get_by_label("Decisions (optional)").fill("Breakfast club on Mondays; review in six weeks.")
    actions = [
        ("Offer a breakfast club place on Mondays", "School", today() + timedelta(days=7)),
        ("Bring the child to breakfast club every Monday", "Family", today() + timedelta(days=14)),
    ]
    for row, (description, owner, due) in enumerate(actions):
        action = page.locator(f"#action-row-{row}")
        action.get_by_label("What will be done").fill(description)
        action.get_by_label("Who will do it").select_option(label=owner)
        fill_date(page, f"actions-{row}-due_on", due)
    page.get_by_role("button", name="Add another action").click()
    expect(page.locator("#action-row-2")).to_be_visible()
    expect(page.locator("#action-row-0").get_by_label("What will be done")).to_have_value(actions[0][0])
    accessible(page)
    third = ("Check in with the family after a fortnight", f"{OFFICER} (Education welfare officer)", today())
    page.locator("#action-row-2").get_by_label("What will be done").fill(third[0])
    page.locator("#action-row-2").get_by_label("Who will do it").select_option(label=third[1])
    fill_date(page, "actions-2-due_on", third[2] + timedelta(days=14))
    fill_date(page, "plan_review_on", today() + timedelta(weeks=6))
    page.get_by_role("button", name="Save the record of the meeting").click()
    expect(page.get_by_text("Family attendance meeting recorded.")).to_be_visible()
    who_came = page.get_by_role("table", name="Who was invited and who came")
    for name, answer in attendance.items():
        expect(who_came.get_by_role("row", name=name)).to_contain_text(answer)
    for text in ("Mornings are hard", "early shifts on Mondays", "Mondays are the problem", "Breakfast club on"):
        expect(page.get_by_text(text)).to_be_visible()
    agreed = page.get_by_role("table", name="Actions agreed, now in the action plan")
    for description in (actions[0][0], actions[1][0], third[0]):
        expect(agreed.get_by_role("link", name=description)).to_be_visible()
    accessible(page)

    # The action plan the meeting wrote.
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Action plan").click()
    expect(page.get_by_text("Breakfast club on Mondays; review in six weeks.")).to_be_visible()
    expect(page.get_by_role("row", name=actions[0][0])).to_contain_text("School")
    accessible(page)

    # The school's attendance lead finds the case, and updates the school's action.
    switch(page, Role.SCHOOL_LEAD)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Cases").click()
    filters = page.get_by_role("form", name="Filter the cases")
    filters.get_by_label("Name, UPN or case reference").fill(reference)
    filters.get_by_role("button", name="Apply filters").click()
    accessible(page)
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen.name)
    accessible(page)
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Action plan").click()
    accessible(page)
    page.get_by_role("link", name=actions[0][0]).click()
    expect(page.get_by_role("heading", name="Update an action")).to_be_visible()
    expect(page.get_by_role("link", name=f"Family attendance meeting on {long_date(today())}")).to_be_visible()
    accessible(page)
    page.get_by_label("In progress").check()
    page.get_by_label("Progress note").fill("Place offered; the first session is next Monday.")
    page.get_by_role("button", name="Save the update").click()
    expect(page.get_by_text("Action updated.")).to_be_visible()
    school_action = page.get_by_role("row", name=actions[0][0])
    expect(school_action).to_contain_text("In progress")
    expect(school_action).to_contain_text("Place offered; the first session is next Monday.")
    expect(school_action).to_contain_text(LEAD)
    accessible(page)
    # The lead can read the letters but not make them.
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Letters").click()
    expect(page.get_by_role("button", name="Make a letter")).to_have_count(0)
    accessible(page)

    # ... and cannot open a case at another school by its address.
    elsewhere = another_schools_case(live_server.app)
    for path in (f"/cases/{elsewhere}", f"/cases/{elsewhere}/plan/", f"/cases/{elsewhere}/letters"):
        response = page.goto(path)
        assert response.status in (403, 404), path
    accessible(page)

    # The officer sees the lead's progress, then makes a letter summing the meeting up for the parent.
    switch(page, Role.OFFICER)
    page.goto(f"{case_path}/plan/")
    expect(page.get_by_role("row", name=actions[0][0])).to_contain_text("Place offered")
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Letters").click()
    expect(page.get_by_text("No letters yet")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Make a letter").click()
    accessible(page)
    page.get_by_label("Meeting summary").check()
    page.get_by_role("group", name="Who is it to?").get_by_label(first_parent, exact=False).check()
    page.get_by_label("Meeting", exact=True).select_option(index=1)
    page.get_by_role("button", name="Preview the letter").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text(first_parent)
    expect(preview).to_contain_text("Breakfast club on Mondays")
    accessible(page)
    page.get_by_role("button", name="Make the letter").click()
    expect(page.get_by_text("letter made. Download it, send it, then record how it was served.")).to_be_visible()
    expect(page.get_by_text("Not yet served")).to_be_visible()
    accessible(page)

    # The PDF: the button downloads it, and the file is served as a PDF.
    pdf_link = page.get_by_role("button", name="Download the PDF")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename.startswith(reference)
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # Record its service: first a date in the future by mistake, then today, by post.
    page.get_by_role("button", name="Record service").click()
    accessible(page)
    served = today()
    fill_date(page, "served_on", today() + timedelta(days=2))
    page.get_by_label("By post").check()
    page.get_by_role("button", name="Record service").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("today or in the past")
    accessible(page)
    fill_date(page, "served_on", served)
    page.get_by_role("button", name="Record service").click()
    expect(page.get_by_text(f"Service recorded: by post on {long_date(served)}.")).to_be_visible()
    expect(page.get_by_role("button", name="Record service")).to_have_count(0)
    accessible(page)

    # The timeline shows the meeting, the lead's progress, and the letter made and served.
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Timeline").click()
    timeline = page.locator(".moj-timeline")
    expect(timeline.get_by_role("heading", name=f"to {first_parent} served by post")).to_be_visible()
    expect(timeline.get_by_role("heading", name=f"to {first_parent} made")).to_be_visible()
    expect(timeline).to_contain_text("Family attendance meeting")
    expect(timeline).to_contain_text("Place offered; the first session is next Monday.")
    accessible(page)


def test_a_school_lead_refers_a_pupil_and_an_officer_accepts_the_referral(page: Page, live_server):
    chosen = persistently_absent_pupil_without_a_case(live_server.app, newest=False)
    switch(page, Role.SCHOOL_LEAD)

    # The lead refers the pupil from their page, first forgetting what the school has tried.
    page.goto(f"/pupils/{chosen.pupil_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen.name)
    accessible(page)
    page.get_by_role("button", name="Refer to the attendance team").click()
    accessible(page)
    page.get_by_label("Why are you referring this pupil?").fill("Absent most Mondays since half term.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what support the school has given")
    accessible(page)
    page.get_by_label("What has the school tried so far?").fill("Two calls home and a pastoral mentor.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text(f"{chosen.name} has been referred.")).to_be_visible()
    expect(page.get_by_role("link", name=chosen.name).first).to_be_visible()
    accessible(page)

    # The officer finds it among the referrals waiting, and accepts it by opening a case.
    switch(page, Role.OFFICER)
    page.goto("/referrals/")
    accessible(page)
    page.get_by_role("link", name=chosen.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral of {chosen.name}")
    expect(page.get_by_text("Two calls home and a pastoral mentor.")).to_be_visible()
    accessible(page)
    page.get_by_label("Accept and open a case").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Referral accepted: case opened.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen.name)
    # What the school tried travelled with the referral into the case.
    expect(
        page.get_by_text("Support the school has given so far: Two calls home and a pastoral mentor.")
    ).to_be_visible()
    accessible(page)
    reference = page.locator(".app-identity .govuk-caption-l").inner_text().split(" · ")[0]

    # The school cannot refer the child again while the case is open: it is told which case to look at.
    switch(page, Role.SCHOOL_LEAD)
    page.goto(f"/referrals/new?pupil={chosen.pupil_id}")
    page.get_by_label("Why are you referring this pupil?").fill("Still absent on Mondays.")
    page.get_by_label("What has the school tried so far?").fill("As before.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"is already on case {reference}")
    accessible(page)


def test_an_officer_corrects_a_note_and_the_original_stays_on_the_timeline(page: Page, live_server):
    switch(page, Role.OFFICER)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Cases").click()
    page.locator("table tbody").get_by_role("link").first.click()
    accessible(page)
    page.get_by_role("navigation", name="Sections of the case").get_by_role("link", name="Timeline").click()
    accessible(page)

    page.get_by_role("button", name="Add a note").click()
    accessible(page)
    page.get_by_label("Phone call").check()
    fill_date(page, "occurred_on", today())
    page.get_by_label("Time it happened").fill("12:05am")
    page.get_by_label("What happened").fill("Rang dad: the children were at their aunt's on Monday.")
    page.get_by_role("button", name="Add to the timeline").click()
    expect(page.get_by_text("The note has been added to the timeline.")).to_be_visible()
    accessible(page)

    entry = page.locator(".moj-timeline__item", has_text="Rang dad: the children were at their aunt's")
    entry.get_by_role("link", name="Correct this note").click()
    expect(page.get_by_label("What happened")).to_have_value("Rang dad: the children were at their aunt's on Monday.")
    accessible(page)
    page.get_by_label("What happened").fill("Rang dad: the children were at their grandmother's on Monday.")
    page.get_by_role("button", name="Add the correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the note needs correcting")
    accessible(page)
    page.get_by_label("Why does the note need correcting?").fill("I wrote aunt; dad said grandmother.")
    page.get_by_role("button", name="Add the correction").click()
    expect(page.get_by_text("The correction has been added to the timeline.")).to_be_visible()
    timeline = page.locator(".moj-timeline")
    expect(timeline.get_by_role("heading", name="Phone call (correction)").first).to_be_visible()
    expect(timeline).to_contain_text("I wrote aunt; dad said grandmother.")
    original = page.locator(".moj-timeline__item", has_text="Rang dad: the children were at their aunt's")
    expect(original.first).to_contain_text("Corrected")
    accessible(page)

    # Only notes of phone calls, from today.
    filters = page.get_by_role("form", name="Filter the timeline")
    filters.get_by_role("group", name="Kinds of note").get_by_label("Phone call").check()
    fill_date(page, "since", today())
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".moj-timeline")).to_contain_text("grandmother's on Monday")
    expect(page.get_by_role("status")).to_contain_text("Notes (phone call)")
    accessible(page)
