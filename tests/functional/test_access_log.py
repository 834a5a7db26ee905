"""The access log and the case audit: every page showing one child's record is logged, exports of several
children are logged against each child, and the case audit shows every decision on the case's records."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

import workflows
from ewo_cases.extensions import db
from ewo_cases.models import (
    AccessLog,
    AccessLogPupil,
    Action,
    AppendOnlyError,
    Approval,
    Case,
    CaseParticipant,
    CaseRecord,
    CourtHearing,
    Eso,
    EsoBreach,
    Letter,
    Meeting,
    MeetingKind,
    Note,
    NoticeToImprove,
    PenaltyNotice,
    ProsecutedParent,
    Prosecution,
    Pupil,
    Referral,
    Role,
    School,
    SchoolAction,
    User,
)
from ewo_cases.services import access_log, case_audit
from ewo_cases.services.demo import DEMO_ACCOUNTS, load_demo
from tests.case_records import moment

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def demo(db_session):
    """The demonstration authority: every stage, every kind of record."""
    load_demo(today=TODAY)
    db_session.flush()


@pytest.fixture
def demo_manager(client, demo) -> User:
    """The demo's team manager, signed in."""
    account = next(account for account in DEMO_ACCOUNTS if account.role == Role.MANAGER)
    assert client.post("/sign-in", data={"email": account.email, "password": account.password}).status_code == 302
    return db.session.scalar(sa.select(User).where(User.email == account.email))


def logged_for(pupil_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(AccessLog.id)).where(AccessLog.pupil_id == pupil_id))


#: For each URL value naming a record below a case, the model it names.
SUB_RECORDS = {
    "meeting_id": Meeting,
    "letter_id": Letter,
    "notice_id": PenaltyNotice,
    "hearing_id": CourtHearing,
    "participant_id": CaseParticipant,
    "action_id": Action,
    "note_id": Note,
    "record_id": CaseRecord,
}
CHILD_KEYS = {"pupil_id", "case_id", "approval_id", "referral_id", "school_action_id"}
#: The pages the reviewer found unlogged, and those logged before: each must be reached, and logged.
MUST_BE_LOGGED = {
    "cases.people",
    "approvals.show",
    "referrals.show",
    "meetings.index",
    "letters.index",
    "plans.revisions",
    "cases.audit",
    "pupils.show",
    "cases.show",
    "legal.show",
    "plans.show",
    "plans.contract",
    "chronology.index",
    "chronology.print",
    "meetings.show",
    "letters.show",
    "letters.pdf",
    "targeting.school_action",
}


def add_a_school_action(user: User) -> None:
    """The demo has no action agreed for a pupil without a case: agree one, as a targeting meeting does."""
    school = db.session.scalars(sa.select(School).order_by(School.id)).first()
    pupil = db.session.scalars(
        sa.select(Pupil).where(Pupil.school_id == school.id, Pupil.id.not_in(sa.select(Case.pupil_id)))
    ).first()
    meeting = Meeting(
        school_id=school.id, kind=MeetingKind.TARGETING_SUPPORT, scheduled_for=moment(TODAY), created_by_id=user.id
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(
        SchoolAction(
            meeting_id=meeting.id,
            school_id=school.id,
            pupil_id=pupil.id,
            description="Check in",
            due_on=TODAY,
            created_by_id=user.id,
        )
    )
    db.session.flush()


def case_of(record) -> int:
    if isinstance(record, Action):
        return record.plan.case_id
    if isinstance(record, (CourtHearing, ProsecutedParent)):
        return db.session.get(Prosecution, record.prosecution_id).case_id
    return record.case_id


def candidate_values(rule) -> list[dict]:
    """URL values to try for a rule, from the demo's records (the first that shows a page is used)."""
    arguments = set(rule.arguments)
    if "pupil_id" in arguments:
        return [{"pupil_id": pupil_id} for pupil_id in db.session.scalars(sa.select(Pupil.id).limit(3))]
    if "approval_id" in arguments:
        return [{"approval_id": i} for i in db.session.scalars(sa.select(Approval.id))]
    if "referral_id" in arguments:
        return [{"referral_id": i} for i in db.session.scalars(sa.select(Referral.id))]
    if "school_action_id" in arguments:
        return [{"school_action_id": i} for i in db.session.scalars(sa.select(SchoolAction.id))]
    sub = [name for name in arguments if name in SUB_RECORDS]
    if sub:
        records = db.session.scalars(sa.select(SUB_RECORDS[sub[0]])).all()
        return [{sub[0]: record.id, "case_id": case_of(record)} for record in records if case_of(record)]
    if "parent_id" in arguments:
        return [
            {"parent_id": parent.id, "case_id": case_of(parent)}
            for parent in db.session.scalars(sa.select(ProsecutedParent))
        ]
    case_ids = db.session.scalars(sa.select(Case.id).order_by(Case.id)).all()
    if "trigger" in arguments:
        return [{"case_id": i, "trigger": t} for t in workflows.TRIGGER_LABELS for i in case_ids[:6]]
    return [{"case_id": i} for i in case_ids]


def test_every_page_showing_a_childs_record_is_logged_against_the_child(app, client, demo_manager):
    add_a_school_action(demo_manager)
    shown = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not CHILD_KEYS & set(rule.arguments):
            continue
        for values in candidate_values(rule):
            url = rule.build(values)[1]
            pupil_id = access_log.child_shown({k: v for k, v in values.items() if k != "trigger"})
            before = logged_for(pupil_id)
            response = client.get(url)
            if response.status_code != 200:
                continue
            assert logged_for(pupil_id) == before + 1, f"{rule.endpoint} {url} was not logged once"
            shown.add(rule.endpoint)
            break
    assert shown >= MUST_BE_LOGGED, MUST_BE_LOGGED - shown


def test_a_page_is_logged_with_its_name_and_the_record_it_shows(client, demo_manager):
    manager = demo_manager
    participant = db.session.scalars(sa.select(CaseParticipant)).first()
    assert client.get(f"/cases/{participant.case_id}/people").status_code == 200
    entry = db.session.scalars(sa.select(AccessLog).order_by(AccessLog.id.desc())).first()
    case = db.session.get(Case, participant.case_id)
    assert (entry.user_id, entry.action, entry.record_type) == (manager.id, "viewed", "page")
    assert (entry.pupil_id, entry.record_id) == (case.pupil_id, case.id)
    assert entry.detail == "Everyone involved in the case"


def test_failed_and_refused_pages_are_not_logged(client, sign_in, make_user, make_case, make_school):
    case = make_case()
    outsider = make_user(Role.SCHOOL_LEAD, schools=[make_school()])
    sign_in(outsider)
    before = logged_for(case.pupil_id)
    assert client.get(f"/cases/{case.id}/people").status_code == 404
    assert logged_for(case.pupil_id) == before


def test_an_export_of_several_children_is_in_each_childs_audit(client, sign_in, make_user, make_case, make_pupil):
    case = make_case(unauthorised_in_window=12)
    other = make_case(make_pupil(case.pupil.school), unauthorised_in_window=10)
    make_case(make_pupil(case.pupil.school), unauthorised_in_window=9)  # not on the list
    officer = case.assigned_officer
    manager = make_user(Role.MANAGER)
    sign_in(officer)
    assert client.get("/lists/penalty-threshold.csv").status_code == 200
    export = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "list:penalty-threshold")).one()
    children = db.session.scalars(sa.select(AccessLogPupil.pupil_id).where(AccessLogPupil.access_log_id == export.id))
    assert set(children) == {case.pupil_id, other.pupil_id}
    client.post("/sign-out")
    sign_in(manager)
    page = client.get(f"/cases/{case.id}/audit").text
    assert "Exported the list: penalty-threshold: 2 pupils" in page and "(with other children)" in page


def test_the_audit_pages_its_views_fifty_at_a_time(client, sign_in, make_user, make_case):
    case = make_case()
    manager = make_user(Role.MANAGER)
    for number in range(case_audit.VIEWS_PAGE_SIZE + 5):
        access_log.record_access(manager, "viewed", "case", pupil_id=case.pupil_id, detail=f"look {number:03d}")
    sign_in(manager)
    first = client.get(f"/cases/{case.id}/audit").text
    assert "look 054" in first and "look 005" in first and "look 004" not in first
    assert f'href="/cases/{case.id}/audit?page=2"' in first
    second = client.get(f"/cases/{case.id}/audit?page=2").text
    # The first visit to the audit is logged too, and is the latest: the rest move down one.
    assert "56 looks and exports" in second
    assert "look 005" in second and "look 000" in second and "look 006" not in second


def decisions_on(case: Case) -> dict[str, tuple[str, str]]:
    return {d.event.action: (d.record, d.reason) for d in case_audit.decisions(case)}


def test_the_audit_includes_decisions_on_the_cases_other_records_with_their_reasons(client, demo_manager):
    withdrawn = db.session.scalars(sa.select(PenaltyNotice).where(PenaltyNotice.withdrawn_on.is_not(None))).first()
    found = decisions_on(db.session.get(Case, withdrawn.case_id))
    assert found["penalty_notice.withdrawn"] == ("Penalty notice", withdrawn.withdrawal_note)
    assert "penalty_notice.issued" in found

    breach = db.session.scalars(sa.select(EsoBreach)).first()
    eso_case = db.session.get(Case, db.session.get(Eso, breach.eso_id).case_id)
    assert decisions_on(eso_case)["eso.breach"] == ("Education supervision order", breach.description)
    outcome = db.session.scalars(sa.select(ProsecutedParent).where(ProsecutedParent.outcome_on.is_not(None))).first()
    assert decisions_on(db.session.get(Case, case_of(outcome)))["prosecution.outcome"] == (
        "Prosecution",
        outcome.outcome_note,
    )

    assessed = db.session.scalars(sa.select(NoticeToImprove).where(NoticeToImprove.improved.is_not(None))).first()
    assert decisions_on(db.session.get(Case, assessed.case_id))["notice_to_improve.outcome"] == (
        "Notice to improve",
        assessed.outcome_note,
    )
    accepted = db.session.scalars(sa.select(Referral).where(Referral.case_id.is_not(None))).first()
    assert decisions_on(db.session.get(Case, accepted.case_id))["referral.accepted"][0] == "Referral"

    page = client.get(f"/cases/{withdrawn.case_id}/audit").text
    assert f"{withdrawn.reference} withdrawn" in page
    # Steps are listed once, in their own table, and never as "Not yet opened to …".
    assert "Not yet opened" not in page and "Opened at the " in page


def test_the_penalty_notice_register_export_is_logged_against_every_child_in_it(client, demo_manager):
    assert client.get("/legal/penalty-notices.csv").status_code == 200
    export = db.session.scalars(sa.select(AccessLog).where(AccessLog.record_type == "penalty_notice_register")).one()
    children = sa.select(AccessLogPupil.pupil_id).where(AccessLogPupil.access_log_id == export.id)
    assert set(db.session.scalars(children)) == set(db.session.scalars(sa.select(PenaltyNotice.pupil_id)))


@pytest.mark.parametrize(
    "statement", ["UPDATE access_log_pupils SET pupil_id = pupil_id", "DELETE FROM access_log_pupils"]
)
def test_the_children_of_an_export_cannot_be_rewritten(make_user, make_pupil, statement):
    pupil = make_pupil()
    entry = access_log.record_access(make_user(), "exported", "list:bands", pupil_ids=[pupil.id])
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement))
    link = db.session.get(AccessLogPupil, (entry.id, pupil.id))
    db.session.delete(link)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
