"""After the imports: the people who use the service, and their cases. ``python -m benchmarks.seed PLAN``
runs in the benchmark database's environment and writes PLAN, a JSON description of what the page
benchmark asks for (accounts, and pupils, cases, schools and trusts they can see).

Accounts: the demo accounts (``DEMO_ACCOUNTS``), plus one officer per three schools outside the demo
officers' patches, so that every school has an officer.

Cases: ``--cases`` pupils with an attendance band, chosen at random, each given the history of one of
``SHAPES`` by their school's officer: opened some school days ago, then notes, meetings with the actions
of an action plan (some reviews overdue), progress on actions, escalations, early help, contracts,
notices to improve and penalty notices, requests for a manager's approval (most still waiting, some
decided), closures, and cases nobody has contacted for weeks. Histories are told with the verbs of the
demo's stories (``ewo_cases.services.demo.cases.Story``), which call the same services the pages do on
the day each step happened, so every case passes the workflow's guards and has its audit trail and
chronology. Only the slowest verbs (letters) are kept to a few cases.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import log, secret_key, write_json
from ewo_cases import clock, create_app
from ewo_cases.extensions import db
from ewo_cases.models import (
    Case,
    MeetingKind,
    NoteKind,
    ParticipantRole,
    Pupil,
    PupilAttendance,
    PupilCarer,
    RecordKind,
    Role,
    School,
    Trust,
    User,
)
from ewo_cases.scoping import schools as visible_schools
from ewo_cases.scoping import visible_pupil_ids
from ewo_cases.services import contracts
from ewo_cases.services import users as user_service
from ewo_cases.services.demo import DEMO_ACCOUNTS
from ewo_cases.services.demo import cases as demo_cases
from ewo_cases.services.demo.authority import load_demo_authority
from ewo_cases.services.identification import LISTS
from ewo_cases.services.transitions import period_register
from workflows import CaseStage, ClosureReason, stage_for_band
from workflows.attendance import Band

#: Benchmark officers' password (made-up accounts on a throwaway database).
BENCH_PASSWORD = "quartz-lantern-meadow-otter-41"  # noqa: S105
SCHOOLS_PER_OFFICER = 3
#: Pupils and cases per account the page benchmark picks from (each request asks for another one).
SAMPLE = 400
COMMIT_EVERY = 250


def seed(out: Path, cases: int, seed_value: int) -> None:
    rng = random.Random(seed_value)
    app = create_app({"SECRET_KEY": secret_key()})
    timings = {}
    with app.app_context():
        started = time.perf_counter()
        officer_of, manager, lead = _accounts()
        db.session.commit()
        timings["accounts_seconds"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        directory = demo_cases._load_directory(manager)  # the professionals the demo's stories name
        diary = demo_cases.Diary(clock.today())
        shapes: dict[str, int] = {}
        chosen = _candidates(rng, cases)
        for count, candidate in enumerate(chosen, start=1):
            shape = _choose_shape(rng, candidate)
            officer = officer_of[candidate.school_id]
            cast = demo_cases.Cast(officer=officer, other_officer=officer, lead=lead, manager=manager)
            story = demo_cases.Story(diary, cast, demo_cases.Casting(), directory)
            shape.tell(story, db.session.get(Pupil, candidate.pupil_id), rng)
            shapes[shape.name] = shapes.get(shape.name, 0) + 1
            if count % COMMIT_EVERY == 0:
                db.session.commit()
                log(f"  {count} of {len(chosen)} cases ({time.perf_counter() - started:.0f} s)")
        db.session.commit()
        timings["cases_seconds"] = round(time.perf_counter() - started, 1)
        log(f"Opened {len(chosen)} cases in {timings['cases_seconds']} s: {shapes}")
        write_json(out, {"timings": timings, "cases": len(chosen), "shapes": shapes, **_plan(rng)})


def _accounts() -> tuple[dict[int, User], User, User]:
    """The demo accounts and the bench officers; return each school's officer, the manager and the lead."""
    load_demo_authority()
    schools = list(db.session.scalars(sa.select(School).order_by(School.urn)))
    by_urn = {school.urn: school for school in schools}
    officer_of: dict[int, User] = {}
    for account in DEMO_ACCOUNTS:
        if account.role is Role.OFFICER:
            user = user_service.find_by_email(account.email)
            for urn in account.school_urns:
                officer_of.setdefault(by_urn[urn].id, user)
    uncovered = [school for school in schools if school.id not in officer_of]
    for number, first in enumerate(range(0, len(uncovered), SCHOOLS_PER_OFFICER), start=1):
        patch = uncovered[first : first + SCHOOLS_PER_OFFICER]
        email = f"officer{number}@bench.example"
        user = user_service.find_by_email(email) or user_service.create_user(
            email=email,
            name=f"Bench Officer {number}",
            role=Role.OFFICER,
            password=BENCH_PASSWORD,
            schools=patch,
            actor=None,
        )
        for school in patch:
            officer_of[school.id] = user
    manager = user_service.find_by_email("manager@demo.example")
    lead = user_service.find_by_email("lead@demo.example")
    return officer_of, manager, lead


@dataclass(frozen=True)
class Candidate:
    pupil_id: int
    school_id: int
    band: Band
    penalty_threshold_met: bool


def _candidates(rng: random.Random, cases: int) -> list[Candidate]:
    """``cases`` pupils with a band and no case, of compulsory school age, not looked after, with a parent."""
    with_parent = sa.select(PupilCarer.pupil_id).where(PupilCarer.parental_responsibility.is_(True))
    rows = db.session.execute(
        sa.select(Pupil.id, Pupil.school_id, PupilAttendance.band, PupilAttendance.penalty_threshold_met)
        .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
        .where(
            PupilAttendance.band != Band.NONE,
            Pupil.year_group != "R",
            Pupil.looked_after.is_(False),
            Pupil.id.in_(with_parent),
            ~Pupil.id.in_(sa.select(Case.pupil_id)),
        )
        .order_by(Pupil.id)
    ).all()
    chosen = rng.sample(rows, k=min(cases, len(rows)))
    if len(chosen) < cases:
        log(f"Only {len(chosen)} pupils can have a case (asked for {cases})")
    return [Candidate(row.id, row.school_id, row.band, bool(row.penalty_threshold_met)) for row in chosen]


# --- the shapes of the cases' histories -------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    name: str
    weight: int
    #: The bands of the pupils it fits (any band when empty).
    bands: tuple[Band, ...]
    tell: Callable[[demo_cases.Story, Pupil, random.Random], None]
    #: Fits only pupils who have met the threshold for a penalty notice.
    penalty_threshold: bool = False


def _choose_shape(rng: random.Random, candidate: Candidate) -> Shape:
    fitting = [
        shape
        for shape in SHAPES
        if (not shape.bands or candidate.band in shape.bands)
        and (candidate.penalty_threshold_met or not shape.penalty_threshold)
    ]
    return rng.choices(fitting, weights=[shape.weight for shape in fitting])[0]


def _stage(pupil: Pupil) -> CaseStage:
    return stage_for_band(db.session.get(PupilAttendance, pupil.id).band)


def _review(s, rng: random.Random):
    """A plan review date: a third of them overdue."""
    return s.ago(rng.randint(1, 15)) if rng.random() < 1 / 3 else s.ahead(rng.randint(3, 25))


def first_contact(s, pupil, rng: random.Random) -> None:
    """Opened recently; one call to the family."""
    opened = rng.randint(2, 30)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="Attendance has fallen.")
    s.note(case, NoteKind.PHONE_CALL, s.ago(opened - 1), "Introductory call to the family.")


def planned(s, pupil, rng: random.Random) -> None:
    """A family meeting agreed an action plan; progress on it; a call since; for some, the next meeting."""
    opened = rng.randint(25, 120)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="Attendance has fallen.")
    s.note(case, NoteKind.HOME_VISIT, s.ago(opened - 2), "Home visit: talked through the absences with the family.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(opened - 3),
        held=s.ago(opened - 8),
        summary="Agreed a plan to get back to full attendance.",
        actions=(
            ("Weekly check-in with the form tutor", "school", s.ago(max(1, opened - 20))),
            ("Ring the school by 9am on any day of absence", "family", s.ahead(rng.randint(2, 20))),
            ("Refer to the family support service", "local_authority", s.ahead(rng.randint(2, 20))),
        )[: rng.randint(1, 3)],
        review_on=_review(s, rng),
        views=("Wants to be back with friends.", "Mum wants help with mornings."),
    )
    s.progress(case, 0, s.ago(opened - 10), "in_progress", "Started this week.")
    if rng.random() < 0.6:
        s.note(case, NoteKind.PHONE_CALL, s.ago(rng.randint(1, opened - 10)), "Call with mum: mornings are better.")
    if rng.random() < 0.3:
        s.meeting(case, MeetingKind.FAMILY_ATTENDANCE, arranged=s.ago(rng.randint(1, 6)), held=None)


def escalated(s, pupil, rng: random.Random) -> None:
    """Opened at risk on the school's concern, escalated when the band rose, then a plan."""
    opened = rng.randint(40, 120)
    case = s.open(
        pupil,
        CaseStage.AT_RISK,
        s.ago(opened),
        officer=s.cast.officer,
        reason="School concern: attendance falling.",
        override="Opened at risk on the school's concern, before the figures showed the band.",
    )
    s.note(case, NoteKind.HOME_VISIT, s.ago(opened - 2), "Home visit: child anxious about school.", significant=True)
    s.move(case, "escalate", s.ago(opened - 8), actor=s.cast.officer, reason="Attendance now below 90%.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(opened - 9),
        held=s.ago(opened - 12),
        summary="Agreed a plan to get back to full-time attendance.",
        actions=(
            ("Weekly check-in with the class teacher", "school", s.ago(rng.randint(1, 10))),
            ("Refer to the young carers service", "local_authority", s.ahead(rng.randint(2, 15))),
        ),
        review_on=_review(s, rng),
    )
    s.progress(case, 0, s.ago(opened - 14), "done", "Check-ins running on Fridays.")


def team_around_the_family(s, pupil, rng: random.Random) -> None:
    """Severe absence: a social worker joins, a team around the family agrees actions, the next one arranged."""
    opened = rng.randint(30, 120)
    case = s.open(pupil, CaseStage.SEVERE, s.ago(opened), officer=s.cast.officer, reason="Attendance below 50%.")
    s.join(case, "Aisha Bello", ParticipantRole.SOCIAL_WORKER, s.ago(opened - 2))
    s.note(case, NoteKind.HOME_VISIT, s.ago(opened - 1), "No answer at home; card left.", significant=True)
    s.meeting(
        case,
        MeetingKind.TEAM_AROUND_THE_FAMILY,
        arranged=s.ago(opened - 4),
        held=s.ago(opened - 9),
        extra=(ParticipantRole.SOCIAL_WORKER,),
        summary="Whole-family plan agreed.",
        actions=(
            ("Reduced timetable for two weeks, then full time", "school", s.ago(max(1, opened - 20))),
            ("Housing application support", ParticipantRole.SOCIAL_WORKER, s.ahead(rng.randint(2, 20))),
        ),
        review_on=_review(s, rng),
        child_attended=False,
    )
    s.progress(case, 0, s.ago(opened - 11), "in_progress", "Reduced timetable started.")
    s.meeting(case, MeetingKind.TEAM_AROUND_THE_FAMILY, arranged=s.ago(rng.randint(1, 6)), held=None)


def early_help(s, pupil, rng: random.Random) -> None:
    """Several needs: consent, an early help key worker as lead practitioner, the case moved to early help."""
    opened = rng.randint(30, 120)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="Several needs.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(opened - 2),
        held=s.ago(opened - 6),
        summary="Family want help with routines and money worries.",
        actions=(("Early help assessment", "local_authority", s.ago(max(1, opened - 25))),),
        review_on=_review(s, rng),
    )
    s.record(case, RecordKind.FAMILY_CONSENT, s.ago(opened - 6), "Parents consented to an early help assessment.")
    s.join(case, "Martin Reid", ParticipantRole.KEY_WORKER, s.ago(opened - 7), lead=True)
    s.move(case, "start_early_help", s.ago(opened - 8), actor=s.cast.officer, reason="Needs beyond attendance.")
    s.meeting(case, MeetingKind.TEAM_AROUND_THE_FAMILY, arranged=s.ago(rng.randint(1, 6)), held=None)


def contract(s, pupil, rng: random.Random) -> None:
    """A family meeting, an attendance contract agreed, its review meeting arranged."""
    opened = rng.randint(30, 120)
    officer = s.cast.officer
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=officer, reason="Persistent absence.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(opened - 3),
        held=s.ago(opened - 8),
        summary="Parents agreed to a contract.",
        actions=(("Breakfast club place", "school", s.ago(max(1, opened - 15))),),
        review_on=_review(s, rng),
    )
    agreed = s.ago(opened - 10)
    with s.diary.on(agreed):
        contracts.save_contract(
            case,
            parent_commitments="Get the children to school by 8.50am every day.",
            support_commitments="Breakfast club place; a fortnightly call from the officer.",
            party_ids=[s.parent(case).id, s.person(case, ParticipantRole.CASE_OFFICER).id],
            agreed_on=agreed,
            review_on=_review(s, rng),
            expected_version=None,
            actor=officer,
        )
        db.session.flush()
    s.move(case, "agree_contract", agreed, actor=officer, reason="Contract agreed at the meeting.")
    s.meeting(case, MeetingKind.CONTRACT_REVIEW, arranged=s.ago(rng.randint(1, 6)), held=None)


def notice_to_improve(s, pupil, rng: random.Random) -> None:
    """Support offered at a meeting, then a notice to improve (its letter served by hand)."""
    opened = rng.randint(40, 100)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="Persistent absence.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(opened - 3),
        held=s.ago(opened - 8),
        summary="Support offered: mentor, breakfast club.",
        actions=(("Mentor once a week", "school", s.ahead(rng.randint(2, 15))),),
        review_on=_review(s, rng),
    )
    s.record(case, RecordKind.SUPPORT_OFFERED, s.ago(opened - 8), "Mentor and breakfast club offered.")
    s.notice_to_improve(case, s.ago(rng.randint(3, 25)), weeks=4)


def penalty_notice(s, pupil, rng: random.Random) -> None:
    """The notice to improve failed; a manager approved penalty notices; one issued (letters throughout)."""
    opened = rng.randint(70, 120)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="Persistent absence.")
    s.record(case, RecordKind.SUPPORT_OFFERED, s.ago(opened - 3), "Mentor and family support worker offered.")
    issued = s.issue_in_term_time(opened - 8, earliest=opened - 4, latest=opened - 40)
    if not period_register(pupil.id, *s.improvement_period(issued)).unauthorised:
        # Its failure could not be recorded: the child missed no session without leave in the period.
        s.notice_to_improve(case, issued, weeks=3)
        return
    notice = s.notice_to_improve(case, issued, weeks=3, outcome=s.ago(opened - 30))
    decided = s.diary.on_or_after(notice.outcome_recorded_on + timedelta(days=1))
    s.approve(
        case, "issue_fpn", notice.outcome_recorded_on, decided, reason="No improvement.", comment="Agreed.", parents=1
    )
    s.penalty_notices(case, s.diary.on_or_after(decided + timedelta(days=1)), 1)


def awaiting_penalty_approval(s, pupil, rng: random.Random) -> None:
    """A term-time holiday, support not appropriate, a manager asked to approve penalty notices; half decided."""
    opened = rng.randint(8, 40)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="A holiday in term time.")
    s.note(case, NoteKind.CONVERSATION, s.ago(opened - 1), "Leave was refused before the holiday; family went.")
    s.record(case, RecordKind.SUPPORT_NOT_APPROPRIATE, s.ago(opened - 3), "Term-time holiday after leave refused.")
    asked = s.ago(rng.randint(0, opened - 4))
    if rng.random() < 1 / 2:
        s.approve(case, "issue_fpn", asked, s.ago(0), reason="Holiday after leave was refused.", comment="Agreed.")
    else:
        s.ask_approval(case, "issue_fpn", asked, reason="Holiday in term time after leave was refused.")


def escalation_requested(s, pupil, rng: random.Random) -> None:
    """At risk, but the school's concern is greater than the figures: a manager asked to approve escalation."""
    opened = rng.randint(5, 40)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="School's concern.")
    s.note(case, NoteKind.EMAIL, s.ago(opened - 1), "School: absences are getting longer.")
    s.ask_approval(case, "escalate", s.ago(rng.randint(0, opened - 2)), reason="Absences getting longer.")


def closed(s, pupil, rng: random.Random) -> None:
    """Attendance recovered; the case closed."""
    opened = rng.randint(30, 120)
    case = s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="Attendance has fallen.")
    s.note(case, NoteKind.HOME_VISIT, s.ago(opened - 2), "Family settled; bus pass arranged.")
    s.note(case, NoteKind.PHONE_CALL, s.ago(opened - 15), "School confirm full attendance for three weeks.")
    s.close(case, s.ago(rng.randint(1, opened - 16)), ClosureReason.IMPROVED, "Full attendance for five weeks.")


def no_contact(s, pupil, rng: random.Random) -> None:
    """Opened weeks ago and not touched since (drifting)."""
    opened = rng.randint(25, 120)
    s.open(pupil, _stage(pupil), s.ago(opened), officer=s.cast.officer, reason="Attendance has fallen.")


SHAPES = (
    Shape("first_contact", 18, (), first_contact),
    Shape("planned", 30, (), planned),
    Shape("escalated", 8, (Band.PERSISTENT,), escalated),
    Shape("team_around_the_family", 25, (Band.SEVERE,), team_around_the_family),
    Shape("early_help", 6, (Band.PERSISTENT, Band.SEVERE), early_help),
    Shape("contract", 6, (Band.PERSISTENT, Band.SEVERE), contract),
    Shape("notice_to_improve", 2, (Band.PERSISTENT, Band.SEVERE), notice_to_improve, penalty_threshold=True),
    Shape("penalty_notice", 1, (Band.PERSISTENT, Band.SEVERE), penalty_notice, penalty_threshold=True),
    Shape("awaiting_penalty_approval", 4, (), awaiting_penalty_approval, penalty_threshold=True),
    Shape("escalation_requested", 3, (Band.AT_RISK,), escalation_requested),
    Shape("closed", 10, (), closed),
    Shape("no_contact", 6, (), no_contact),
)


# --- what the page benchmark asks for ---------------------------------------------------------------------


def _plan(rng: random.Random) -> dict:
    """Per account the pages are measured for: pupils and cases it can see, and its schools by size."""
    accounts = {}
    for account in DEMO_ACCOUNTS:
        if account.email not in ("officer@demo.example", "manager@demo.example"):
            continue
        user: User = user_service.find_by_email(account.email)
        pupil_ids = db.session.scalars(visible_pupil_ids(user).order_by(Pupil.id)).all()
        school_sizes = db.session.execute(
            sa.select(School.id, School.urn, sa.func.count(Pupil.id))
            .join(Pupil, Pupil.school_id == School.id)
            .where(School.id.in_(visible_schools(user).with_only_columns(School.id)))
            .group_by(School.id, School.urn)
            .order_by(sa.func.count(Pupil.id).desc(), School.id)
        ).all()
        case_ids = db.session.scalars(
            sa.select(Case.id).where(Case.pupil_id.in_(visible_pupil_ids(user))).order_by(Case.id)
        ).all()
        accounts[account.role.value] = {
            "email": account.email,
            "password": account.password,
            "visible_pupils": len(pupil_ids),
            "visible_cases": len(case_ids),
            "pupil_sample": rng.sample(pupil_ids, k=min(SAMPLE, len(pupil_ids))),
            "case_sample": rng.sample(case_ids, k=min(SAMPLE, len(case_ids))),
            "schools": [{"id": school_id, "urn": urn, "pupils": count} for school_id, urn, count in school_sizes],
        }
    trust_sizes = db.session.execute(
        sa.select(Trust.id, sa.func.count(School.id))
        .join(School, School.trust_id == Trust.id)
        .group_by(Trust.id)
        .order_by(sa.func.count(School.id).desc(), Trust.id)
    ).all()
    return {"accounts": accounts, "trust_ids": [trust_id for trust_id, _count in trust_sizes], "lists": list(LISTS)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    seed(arguments.out, arguments.cases, arguments.seed)


if __name__ == "__main__":
    main()
