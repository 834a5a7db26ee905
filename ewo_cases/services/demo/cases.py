"""Demonstration cases: children at every stage of the workflow, each brought there the way a real case
is, through the services officers, school leads and managers use, on the school days it happened.

Replaying history through the services (rather than writing rows) means every demo case obeys the
workflow's guards and has the audit trail, chronology and letters a real one would. The service's clock is
moved to each day in turn, so dates, clocks and "not in the future" checks all see that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import (
    ActionOwner,
    ActionStatus,
    Agency,
    AgencyKind,
    Case,
    CaseParticipant,
    EsoStatus,
    LetterKind,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    NoteKind,
    ParticipantRole,
    Professional,
    Pupil,
    PupilAttendance,
    PupilCarer,
    RecordKind,
    School,
    ServiceMethod,
    User,
)
from ewo_cases.services import (
    approvals,
    chronology,
    contracts,
    directory,
    letters,
    meetings,
    participants,
    plans,
    targeting,
)
from ewo_cases.services import cases as case_service
from ewo_cases.services.demo.calendar import school_year
from ewo_cases.services.legal import eso as eso_service
from ewo_cases.services.legal import notices, notices_to_improve, prosecution
from ewo_cases.services.transitions import Inputs, apply_transition, improvement_period_register, period_register
from workflows import CaseStage, ClosureReason, stage_for_band
from workflows import legal as rules
from workflows.attendance import Band, academic_year_start
from workflows.legal import Section444, Sentence, Verdict, WithdrawalGround

#: Agencies and professionals in the demo directory: (agency, kind, [(name, job title)]).
DIRECTORY = (
    (
        "Anytown Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        [("Aisha Bello", "Social worker"), ("Tom Whitfield", "Senior social worker")],
    ),
    ("Anytown Early Help Hub", AgencyKind.EARLY_HELP, [("Martin Reid", "Family support worker")]),
    ("Anytown CAMHS", AgencyKind.MENTAL_HEALTH, [("Dr Helen Cho", "Clinical psychologist")]),
    ("Anytown School Nursing Service", AgencyKind.SCHOOL_NURSING, [("Jo Evans", "School nurse")]),
    ("Anytown Attendance Support Team", AgencyKind.ATTENDANCE_SUPPORT, [("Ravi Shah", "Attendance support worker")]),
    ("Anytown SEND Service", AgencyKind.SEND, [("Grace Okoro", "SEND case officer")]),
    ("Anytown Virtual School", AgencyKind.VIRTUAL_SCHOOL, [("Paul Hart", "Virtual School Head")]),
    (
        "Anytown Educational Psychology Service",
        AgencyKind.EDUCATIONAL_PSYCHOLOGY,
        [("Dr Sian Lloyd", "Educational psychologist")],
    ),
    ("Anytown Police Schools Team", AgencyKind.POLICE, [("PC Dan Mills", "Schools liaison officer")]),
    ("Anytown Homes", AgencyKind.HOUSING, [("Karen Doyle", "Housing officer")]),
    ("Anytown Young Carers", AgencyKind.YOUNG_CARERS, [("Lily Marsh", "Young carers worker")]),
    ("Anytown Youth Justice Service", AgencyKind.YOUTH_JUSTICE, [("Femi Adeyemi", "Youth justice worker")]),
)


@dataclass(frozen=True)
class Cast:
    """The demo's staff: two officers with their patches, a school lead and a manager."""

    officer: User
    other_officer: User
    lead: User
    manager: User


class Diary:
    """The school days around today, and a way to act on one of them."""

    def __init__(self, today: date) -> None:
        years = (today.year - 2, today.year - 1, today.year)
        days = sorted(day for year in years for day in school_year(year).school_days)
        self.today = today
        self.past = [day for day in days if day <= today]
        self.future = [day for day in days if day > today]

    def ago(self, school_days: int) -> date:
        """The school day ``school_days`` before today (0 is the last school day up to today)."""
        return self.past[-1 - school_days]

    def ahead(self, school_days: int) -> date:
        """The school day ``school_days`` after today (1 is the next)."""
        return self.future[school_days - 1]

    def before(self, day: date, school_days: int) -> date:
        """The school day ``school_days`` before ``day`` (a school day)."""
        return self.past[self.past.index(day) - school_days]

    def school_weeks_from(self, first: date, weeks: int) -> int:
        """How many of the ``weeks`` runs of 7 days from ``first`` are school weeks, as the registers would show."""
        days = set(self.past) | set(self.future)
        return rules.school_weeks_held(
            sum(first + timedelta(days=week * 7 + day) in days for day in range(7)) for week in range(weeks)
        )

    def on_or_after(self, day: date) -> date:
        """The first school day on or after ``day``."""
        return next(school_day for school_day in (*self.past, *self.future) if school_day >= day)

    @contextmanager
    def on(self, day: date) -> Iterator[date]:
        """Act on ``day``: the service's clock reads that day until the block ends."""
        before = current_app.config.get("TODAY")
        current_app.config["TODAY"] = day.isoformat()
        try:
            yield day
        finally:
            current_app.config["TODAY"] = before


class Casting:
    """Chooses the children for the stories: on roll, of compulsory school age, one story each."""

    def __init__(self) -> None:
        self.used: set[int] = set()

    def child(
        self,
        urn: str,
        bands: tuple[Band, ...],
        *,
        threshold: bool = False,
        parents: int = 1,
        with_a_carer_who_is_not_a_parent: bool = False,
        absent_in: tuple[date, date] | None = None,
    ) -> Pupil:
        """A child of the school in one of ``bands``; ``absent_in``: with unauthorised absence in that period."""
        for pupil in db.session.scalars(self._candidates(urn, bands, threshold)):
            not_parents = [link for link in pupil.carer_links if not link.is_parent]
            if (
                len(_parents(pupil)) >= parents
                and (not_parents or not with_a_carer_who_is_not_a_parent)
                and (absent_in is None or period_register(pupil.id, *absent_in).unauthorised)
            ):
                self.used.add(pupil.id)
                return pupil
        raise LookupError(f"no demo child at {urn} in {bands} with {parents} parent(s)")

    def siblings(self, bands: tuple[Band, ...], officer: User) -> tuple[Pupil, Pupil]:
        """Two children of one family, both in ``bands``, at schools in ``officer``'s patch."""
        patch = [school.id for school in officer.schools]
        candidates = list(db.session.scalars(self._candidates(None, bands, False).where(School.id.in_(patch))))
        by_carer: dict[int, Pupil] = {}
        for pupil in candidates:
            for link in _parents(pupil):
                brother_or_sister = by_carer.setdefault(link.carer_id, pupil)
                if brother_or_sister is not pupil:
                    self.used.update({pupil.id, brother_or_sister.id})
                    return brother_or_sister, pupil
        raise LookupError(f"no demo brothers or sisters in {bands}")

    def _candidates(self, urn: str | None, bands: tuple[Band, ...], threshold: bool) -> sa.Select:
        query = (
            sa.select(Pupil)
            .join(School, School.id == Pupil.school_id)
            .join(PupilAttendance, PupilAttendance.pupil_id == Pupil.id)
            .where(
                PupilAttendance.band.in_(bands),
                Pupil.year_group != "R",
                Pupil.looked_after.is_(False),
                Pupil.id.not_in(self.used or {0}),
            )
            .order_by(Pupil.upn)
        )
        if urn is not None:
            query = query.where(School.urn == urn)
        if threshold:
            query = query.where(PupilAttendance.penalty_threshold_met.is_(True))
        return query


def _stage(pupil: Pupil) -> CaseStage:
    """The support stage matching the child's attendance band."""
    return stage_for_band(db.session.get(PupilAttendance, pupil.id).band)


def _parents(pupil: Pupil) -> list[PupilCarer]:
    """Carers with parental responsibility (parents under s576, who receive notices)."""
    return [link for link in pupil.carer_links if link.parental_responsibility]


#: School days of this year's registers the stories need: the year to date decides each child's band, and
#: before then too few children are in each band (or have met the penalty threshold) for every story.
STORY_SCHOOL_DAYS = 25


def too_early_for_cases(today: date) -> bool:
    """Whether ``today`` is too early in the school year for the demo's cases (see ``STORY_SCHOOL_DAYS``)."""
    return sum(day >= academic_year_start(today) for day in Diary(today).past) < STORY_SCHOOL_DAYS


def load_demo_cases(today: date) -> None:
    """Replay the demo cases' histories up to ``today``, unless any case exists already or it is too early in
    the school year; flush only."""
    if too_early_for_cases(today) or db.session.scalar(sa.select(sa.func.count(Case.id))):
        return
    cast = _cast()
    if cast is None:
        return
    story = Story(Diary(today), cast, Casting(), _load_directory(cast.manager))
    for tell in STORIES:
        tell(story)
    db.session.flush()


def _cast() -> Cast | None:
    from ewo_cases.services.demo.authority import DEMO_ACCOUNTS

    users = {user.email: user for user in db.session.scalars(sa.select(User))}
    emails = [account.email for account in DEMO_ACCOUNTS]
    if not all(email in users for email in emails[:4]):
        return None
    officer, other_officer, lead, manager = (users[email] for email in emails[:4])
    return Cast(officer, other_officer, lead, manager)


def _load_directory(actor: User) -> dict[str, Professional]:
    professionals = {}
    for agency_name, kind, people in DIRECTORY:
        agency = db.session.scalar(sa.select(Agency).where(Agency.name == agency_name))
        agency = agency or directory.save_agency(
            None, name=agency_name, kind=kind, phone="01632 960000", email=None, active=True, actor=actor
        )
        for name, job_title in people:
            professionals[name] = directory.save_professional(
                None,
                agency=agency,
                name=name,
                job_title=job_title,
                phone="01632 960001",
                email=f"{name.split()[-1].lower()}@anytown.example",
                active=True,
                actor=actor,
            )
    db.session.flush()
    return professionals


class Story:
    """The verbs the stories are told in: each calls the service a person would, on the day they did."""

    def __init__(self, diary: Diary, cast: Cast, casting: Casting, professionals: dict[str, Professional]):
        self.diary, self.cast, self.casting, self.professionals = diary, cast, casting, professionals

    def ago(self, school_days: int) -> date:
        return self.diary.ago(school_days)

    def ahead(self, school_days: int) -> date:
        return self.diary.ahead(school_days)

    # --- opening and moving -------------------------------------------------------------------------------

    def open(
        self, pupil: Pupil, stage: CaseStage, day: date, *, officer: User, reason: str, override: str = ""
    ) -> Case:
        contact = self.cast.lead if self.cast.lead.schools and pupil.school in self.cast.lead.schools else None
        with self.diary.on(day):
            return case_service.open_case(
                pupil,
                stage,
                actor=officer,
                officer=officer,
                school_contact=contact,
                reason=reason,
                override_reason=override,
            )

    def move(self, case: Case, trigger: str, day: date, *, actor: User, **inputs: object) -> None:
        with self.diary.on(day):
            apply_transition(case, trigger, actor=actor, inputs=Inputs(**inputs))

    def approve(
        self,
        case: Case,
        trigger: str,
        asked: date,
        decided: date,
        *,
        reason: str,
        comment: str,
        parents: int | None = None,
    ) -> None:
        """Ask and approve ``trigger``; for penalty notices, to the first ``parents`` parents (all by default)."""
        parent_ids = [self.parent(case, number).carer_id for number in range(parents)] if parents else None
        with self.diary.on(asked):
            request = approvals.request(
                case, trigger, reason=reason, actor=case.assigned_officer, parent_ids=parent_ids
            )
            db.session.flush()
        with self.diary.on(decided):
            approvals.decide(
                request, approve=True, comment=comment, actor=self.cast.manager, expected_version=request.version
            )

    def ask_approval(self, case: Case, trigger: str, day: date, *, reason: str):
        with self.diary.on(day):
            request = approvals.request(case, trigger, reason=reason, actor=case.assigned_officer)
            db.session.flush()
        return request

    def record(self, case: Case, kind: RecordKind, day: date, details: str) -> None:
        with self.diary.on(day):
            case_service.add_record(case, kind, occurred_on=day, details=details, actor=case.assigned_officer)

    def close(self, case: Case, day: date, reason: ClosureReason, note: str) -> None:
        self.move(case, "close", day, actor=case.assigned_officer, closure_reason=reason, reason=note)

    # --- people --------------------------------------------------------------------------------------------

    def join(self, case: Case, name: str, role: ParticipantRole, day: date, *, lead: bool = False) -> None:
        with self.diary.on(day):
            participants.add_participant(
                case,
                self.professionals[name],
                role=role,
                lead_practitioner=lead,
                started_on=day,
                notes="",
                actor=case.assigned_officer,
            )
            db.session.flush()

    def parent(self, case: Case, number: int = 0) -> CaseParticipant:
        people = [p for p in plans.participants_of(case) if p.role is ParticipantRole.PARENT_CARER]
        responsible = {link.carer_id for link in _parents(case.pupil)}
        return [p for p in people if p.carer_id in responsible][number]

    def person(self, case: Case, role: ParticipantRole) -> CaseParticipant:
        return next(p for p in plans.participants_of(case) if p.role is role)

    def owner(self, case: Case, who: str | ParticipantRole) -> str:
        """An action owner choice: a kind of owner, or the person in ``who``'s role."""
        if isinstance(who, ParticipantRole):
            return f"{plans.PARTICIPANT_CHOICE}{self.person(case, who).id}"
        return who

    # --- contact, meetings and plans -----------------------------------------------------------------------

    def note(self, case: Case, kind: NoteKind, day: date, summary: str, *, significant: bool = False):
        with self.diary.on(day):
            return chronology.add_note(
                case,
                kind=kind,
                occurred_at=_moment(day, time(11)),
                summary=summary,
                significant=significant,
                actor=case.assigned_officer,
            )

    def meeting(
        self,
        case: Case,
        kind: MeetingKind,
        *,
        arranged: date,
        held: date | None,
        summary: str = "",
        absent: dict[int, MeetingAttendance] | None = None,
        extra: tuple[ParticipantRole, ...] = (),
        actions: tuple[tuple[str, str | ParticipantRole, date], ...] = (),
        review_on: date | None = None,
        invite_letter: bool = False,
        child_attended: bool = True,
        views: tuple[str, str] = ("", ""),
        decisions: str = "",
    ) -> Meeting:
        """Arrange a meeting on ``arranged`` for ``held`` (or the next school week, if not yet held)."""
        day = held or self.diary.on_or_after(arranged + timedelta(days=7))
        with self.diary.on(arranged):
            invited = meetings.default_invitees(case) + [self.person(case, role).id for role in extra]
            place = f"{case.pupil.school.name}, meeting room 2"
            meeting = meetings.schedule_meeting(
                case,
                kind=kind,
                arrangements=meetings.MeetingArrangements(day, time(10), place, invited),
                actor=case.assigned_officer,
            )
            db.session.flush()
            if invite_letter:
                self.letter(case, LetterKind.MEETING_INVITATION, self.parent(case), arranged, meeting=meeting)
        if held is None:
            return meeting
        with self.diary.on(held):
            answers = {
                attendee.id: (absent or {}).get(index, MeetingAttendance.ATTENDED)
                for index, attendee in enumerate(meeting.attendees)
            }
            child_views, family_views = views
            meetings.record_meeting(
                meeting,
                meetings.MeetingRecord(
                    held_on=held,
                    attendance=answers,
                    child_attended=child_attended,
                    summary=summary,
                    child_views=child_views,
                    family_views=family_views,
                    decisions=decisions or summary,
                ),
                actions=[plans.NewAction(description, self.owner(case, who), due) for description, who, due in actions],
                plan_review_on=review_on,
                expected_version=meeting.version,
                actor=case.assigned_officer,
            )
        return meeting

    def progress(self, case: Case, number: int, day: date, status: str, note: str, *, actor: User | None = None):
        with self.diary.on(day):
            action = plans.sorted_actions(plans.plan_of(case))[number]
            plans.update_action(
                action,
                status=ActionStatus(status),
                note=note,
                details=None,
                expected_version=action.version,
                actor=actor or case.assigned_officer,
            )

    def letter(
        self,
        case: Case,
        kind: LetterKind,
        addressee: CaseParticipant,
        day: date,
        *,
        served: tuple[date, ServiceMethod] | None = None,
        **sources: object,
    ):
        with self.diary.on(day):
            letter = letters.generate_letter(case, kind, addressee, case.assigned_officer, **sources)
            db.session.flush()
        if served:
            served_on, method = served
            with self.diary.on(served_on):
                letters.serve_letter(
                    letter,
                    served_on=served_on,
                    method=method,
                    actor=case.assigned_officer,
                    expected_version=letter.version,
                )
        return letter

    # --- legal -----------------------------------------------------------------------------------------------

    def improvement_period(self, issued: date, weeks: int = 3) -> tuple[date, date]:
        """The days of the improvement period of a notice issued on ``issued`` (it starts once received)."""
        received = self.diary.on_or_after(issued + timedelta(days=1))
        return received, received + timedelta(weeks=weeks, days=-1)

    def issue_in_term_time(self, preferred: int, *, earliest: int, latest: int, weeks: int = 3) -> date:
        """The school day nearest ``preferred`` school days ago (from ``earliest`` to ``latest`` days ago) on which
        a notice to improve could be issued whose ``weeks`` weeks are all school weeks: the registers must show
        that many before its failure can be recorded, and a week of holiday is not one."""
        choices = sorted(range(latest, earliest + 1), key=lambda days_ago: (abs(days_ago - preferred), -days_ago))
        for days_ago in choices:
            issued = self.ago(days_ago)
            received, _last_day = self.improvement_period(issued, weeks)
            if self.diary.school_weeks_from(received, weeks) == weeks:
                return issued
        raise LookupError(f"no {weeks} weeks of term time from {earliest} to {latest} school days ago")

    def notice_to_improve(self, case: Case, issued: date, *, weeks: int, outcome: date | None = None):
        received = self.diary.on_or_after(issued + timedelta(days=1))
        with self.diary.on(received):
            notice = notices_to_improve.issue_notice_to_improve(
                case,
                issued_on=issued,
                received_on=received,
                starts_on=received,
                weeks=weeks,
                sufficient_improvement="No unauthorised absence during the period, and every absence explained "
                "to the school by 9.30am on the day.",
                threshold_reason="",
                actor=case.assigned_officer,
            )
        self.letter(
            case,
            LetterKind.NOTICE_TO_IMPROVE,
            self.parent(case),
            received,
            served=(received, ServiceMethod.HAND),
            notice_to_improve=notice,
        )
        if outcome is not None:
            assessed = self.diary.on_or_after(max(outcome, notice.improvement_ends_on))
            with self.diary.on(assessed):
                register = improvement_period_register(case, notice, assessed)
                notices_to_improve.record_notice_outcome(
                    notice,
                    case,
                    improved=False,
                    assessed_on=assessed,
                    note=f"The registers show {notices_to_improve.period_text(register)} during the period; "
                    "no contact from the family about them.",
                    actor=case.assigned_officer,
                    expected_version=notice.version,
                )
        return notice

    def penalty_notices(self, case: Case, issued: date, parents: int, *, reason: str = "") -> list:
        carers = [self.parent(case, number).carer_id for number in range(parents)]
        period = (self.diary.before(issued, 45), self.diary.before(issued, 1))
        with self.diary.on(issued):
            issued_notices = notices.issue_penalty_notices(
                case, carer_ids=carers, issued_on=issued, period=period, actor=case.assigned_officer, reason=reason
            )
        for notice in issued_notices:
            addressee = next(p for p in plans.participants_of(case) if p.carer_id == notice.carer_id)
            self.letter(case, LetterKind.PENALTY_NOTICE, addressee, issued, penalty_notice=notice)
            received = issued + timedelta(days=2)
            with self.diary.on(self.diary.on_or_after(received)):
                notices.record_receipt(
                    notice, received_on=received, actor=case.assigned_officer, expected_version=notice.version
                )
        return issued_notices

    def pay(self, case: Case, notice, day: date) -> None:
        amount = rules.amount_payable(notice.kind, notice.received_on, day)
        with self.diary.on(day):
            notices.record_payment(
                notice, paid_on=day, amount=amount, actor=case.assigned_officer, expected_version=notice.version
            )

    def prosecution_evidence(self, case: Case, day: date) -> None:
        """The warning letter, certificate and s447 consideration a prosecution file needs."""
        self.letter(case, LetterKind.WARNING_OF_LEGAL_ACTION, self.parent(case), day, served=(day, ServiceMethod.POST))
        self.record(
            case,
            RecordKind.ATTENDANCE_CERTIFICATE,
            self.diary.on_or_after(day + timedelta(days=2)),
            "Certificate of attendance signed by the head teacher, with the register extract.",
        )
        self.record(
            case,
            RecordKind.ESO_CONSIDERED,
            self.diary.on_or_after(day + timedelta(days=2)),
            "An order was considered (s447): the parents have not engaged with voluntary support, so "
            "supervision would add nothing a court's order to attend cannot.",
        )

    def lay(self, case: Case, prepared: date, laid: date, parents: int, *, court: str) -> object:
        carers = {self.parent(case, number).carer_id: Section444.S444_1 for number in range(parents)}
        with self.diary.on(prepared):
            file = prosecution.save_prosecution(
                case,
                period=(self.diary.before(prepared, 60), self.diary.before(prepared, 1)),
                court=court,
                interview_under_caution_on=None,
                notes="Parents invited to an interview under caution and did not attend.",
                sections=carers,
                actor=case.assigned_officer,
                expected_version=None,
            )
        self.approve(
            case,
            "prosecute",
            prepared,
            self.diary.on_or_after(prepared + timedelta(days=1)),
            reason="Support has been offered throughout and refused; the file is complete.",
            comment="Agreed: the evidence of support first is clear. Lay the information.",
        )
        with self.diary.on(laid):
            return prosecution.lay_prosecution(case, file, laid_on=laid, actor=case.assigned_officer)


def _moment(day: date, at: time) -> datetime:
    """``at`` on ``day`` in England, or now if that is still to come (a note cannot be in the future)."""
    return min(datetime.combine(day, at, clock.LONDON), clock.now())


# --- the stories -----------------------------------------------------------------------------------------


def school_led_support(s: Story) -> None:
    """At risk: referred by the school lead, a targeting support meeting, a meeting arranged with the family."""
    pupil = s.casting.child("100002", (Band.AT_RISK,))
    with s.diary.on(s.ago(16)):
        referral = case_service.refer(
            pupil,
            actor=s.cast.lead,
            reason="Attendance has fallen to about 93% this term, mostly Mondays.",
            support_so_far="Form tutor conversations and a first letter home.",
        )
        db.session.flush()
    with s.diary.on(s.ago(14)):
        case = case_service.accept_referral(
            referral,
            actor=s.cast.officer,
            stage=CaseStage.AT_RISK,
            officer=s.cast.officer,
            expected_version=referral.version,
        )
    s.note(case, NoteKind.PHONE_CALL, s.ago(13), "Spoke to mum: Monday absences follow weekend contact visits.")
    s.letter(
        case,
        LetterKind.ATTENDANCE_CONCERN,
        s.parent(case),
        s.ago(13),
        served=(s.ago(12), ServiceMethod.POST),
    )
    s.meeting(
        case,
        MeetingKind.TARGETING_SUPPORT,
        arranged=s.ago(12),
        held=s.ago(8),
        summary="Reviewed the pattern of Monday absence with mum and the attendance lead.",
        actions=(
            ("Meet and greet at the school gate each Monday", ParticipantRole.SCHOOL_ATTENDANCE_LEAD, s.ahead(10)),
            ("Agree Sunday-evening return times with dad", "family", s.ahead(5)),
        ),
        review_on=s.ahead(15),
        views=("Likes the Monday breakfast club.", "Mum wants help talking to dad about Sunday nights."),
    )
    s.meeting(case, MeetingKind.FAMILY_ATTENDANCE, arranged=s.ago(2), held=None, invite_letter=True)


def escalated_to_persistent(s: Story) -> None:
    """Persistent: opened at risk, escalated as the band rose; a plan with an overdue review. A grandmother who
    helps out is involved but is not a parent under s576 (no notice could go to her)."""
    pupil = s.casting.child("100001", (Band.PERSISTENT,), with_a_carer_who_is_not_a_parent=True)
    case = s.open(
        pupil,
        CaseStage.AT_RISK,
        s.ago(40),
        officer=s.cast.officer,
        reason="School concern: attendance falling since September.",
        override="Opened at risk on the school's first concern, before the term's figures showed the band.",
    )
    s.note(
        case,
        NoteKind.HOME_VISIT,
        s.ago(38),
        "Home visit: mum caring for grandmother; child anxious about leaving her.",
        significant=True,
    )
    s.move(case, "escalate", s.ago(32), actor=s.cast.officer, reason="Attendance now below 90%.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(33),
        held=s.ago(30),
        summary="Agreed a plan to get back to full-time attendance.",
        absent={1: MeetingAttendance.APOLOGIES},
        actions=(
            ("Weekly check-in with the class teacher", "school", s.ago(10)),
            ("Ring the school by 9am on any day of absence", "family", s.ahead(15)),
            ("Refer to the young carers service", "local_authority", s.ago(20)),
        ),
        review_on=s.ago(2),
    )
    s.progress(case, 0, s.ago(29), "in_progress", "Referral sent to the young carers service.")
    s.letter(
        case,
        LetterKind.MEETING_SUMMARY,
        s.parent(case),
        s.ago(29),
        served=(s.ago(29), ServiceMethod.EMAIL),
        meeting=db.session.scalar(sa.select(Meeting).where(Meeting.case_id == case.id)),
    )
    s.progress(case, 0, s.ago(18), "done", "Young carers service has taken the referral; first session booked.")
    s.join(case, "Lily Marsh", ParticipantRole.KEY_WORKER, s.ago(18))
    s.progress(case, 1, s.ago(22), "in_progress", "Check-ins running on Fridays.")
    call = s.note(case, NoteKind.PHONE_CALL, s.ago(24), "Mum rang: child ill with a cold on Monday.")
    with s.diary.on(s.ago(23)):
        chronology.correct_note(
            call,
            kind=NoteKind.PHONE_CALL,
            occurred_at=call.occurred_at,
            summary="Mum rang: child ill with a cold on Monday and Tuesday; GP appointment on Wednesday.",
            significant=False,
            reason="Added the second day and the GP appointment mum mentioned.",
            actor=s.cast.officer,
        )


def severe_whole_family(s: Story) -> None:
    """Severe: a team around the family with a social worker, actions for the school lead."""
    pupil = s.casting.child("100002", (Band.SEVERE,))
    case = s.open(
        pupil, CaseStage.SEVERE, s.ago(45), officer=s.cast.officer, reason="Attendance below 50% since half term."
    )
    s.join(case, "Aisha Bello", ParticipantRole.SOCIAL_WORKER, s.ago(42))
    s.join(case, "Karen Doyle", ParticipantRole.OTHER, s.ago(41))
    s.join(case, "Dr Helen Cho", ParticipantRole.HEALTH_PROFESSIONAL, s.ago(36))
    s.note(
        case,
        NoteKind.HOME_VISIT,
        s.ago(44),
        "No answer at home; card left. Neighbour says the family moved in with relatives.",
        significant=True,
    )
    s.letter(case, LetterKind.ATTENDANCE_CONCERN, s.parent(case), s.ago(43), served=(s.ago(43), ServiceMethod.HAND))
    s.meeting(
        case,
        MeetingKind.TEAM_AROUND_THE_FAMILY,
        arranged=s.ago(40),
        held=s.ago(35),
        extra=(ParticipantRole.SOCIAL_WORKER,),
        summary="Whole-family plan agreed: housing, a reduced timetable for two weeks, then full time.",
        actions=(
            ("Reduced timetable for two weeks, then full time", ParticipantRole.SCHOOL_ATTENDANCE_LEAD, s.ago(25)),
            ("Mentor sessions twice a week", ParticipantRole.SCHOOL_ATTENDANCE_LEAD, s.ahead(10)),
            ("Housing application support", ParticipantRole.SOCIAL_WORKER, s.ahead(20)),
        ),
        review_on=s.ahead(5),
        child_attended=False,
    )
    s.progress(case, 0, s.ago(26), "in_progress", "Reduced timetable started; attended every morning this week.")
    s.meeting(case, MeetingKind.TEAM_AROUND_THE_FAMILY, arranged=s.ago(3), held=None)


def early_help_started(s: Story) -> None:
    """Early help: consent and a lead practitioner from the early help hub."""
    pupil = s.casting.child("100003", (Band.PERSISTENT,))
    case = s.open(
        pupil, CaseStage.PERSISTENT, s.ago(55), officer=s.cast.officer, reason="Persistent absence; several needs."
    )
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(52),
        held=s.ago(48),
        summary="Family want help with routines, money worries and a sibling's health.",
        actions=(("Early help assessment", "local_authority", s.ago(30)),),
        review_on=s.ahead(8),
    )
    s.record(case, RecordKind.FAMILY_CONSENT, s.ago(48), "Mum and dad consented to an early help assessment.")
    s.join(case, "Martin Reid", ParticipantRole.KEY_WORKER, s.ago(47), lead=True)
    s.move(case, "start_early_help", s.ago(46), actor=s.cast.officer, reason="Several needs beyond attendance.")
    s.progress(case, 0, s.ago(30), "done", "Assessment completed by the lead practitioner.")
    s.join(case, "Jo Evans", ParticipantRole.HEALTH_PROFESSIONAL, s.ago(28))
    s.meeting(case, MeetingKind.TEAM_AROUND_THE_FAMILY, arranged=s.ago(5), held=None, invite_letter=True)


def contract_agreed(s: Story) -> None:
    """Parenting contract: agreed at a meeting, the contract letter served, a review arranged."""
    pupil = s.casting.child("100004", (Band.PERSISTENT,))
    officer = s.cast.other_officer
    case = s.open(pupil, CaseStage.PERSISTENT, s.ago(50), officer=officer, reason="Persistent absence.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(45),
        held=s.ago(40),
        summary="Dad agreed to a contract; the school will support mornings.",
        actions=(("Breakfast club place", "school", s.ago(35)), ("Morning routine chart", "family", s.ago(30))),
        review_on=s.ahead(12),
    )
    with s.diary.on(s.ago(38)):
        contract = contracts.save_contract(
            case,
            parent_commitments="Get the children to school by 8.50am every day; ring the school on any absence.",
            support_commitments="Breakfast club place; a fortnightly call from the officer.",
            party_ids=[s.parent(case).id, s.person(case, ParticipantRole.CASE_OFFICER).id],
            agreed_on=s.ago(38),
            review_on=s.ahead(10),
            expected_version=None,
            actor=officer,
        )
        db.session.flush()
    s.move(case, "agree_contract", s.ago(38), actor=officer, reason="Contract agreed at the meeting.")
    s.letter(
        case,
        LetterKind.ATTENDANCE_CONTRACT,
        s.parent(case),
        s.ago(38),
        served=(s.ago(37), ServiceMethod.HAND),
        contract=contract,
    )
    s.meeting(case, MeetingKind.CONTRACT_REVIEW, arranged=s.ago(4), held=None)


def notice_to_improve_running(s: Story) -> None:
    """Notice to improve: support offered and recorded, the improvement period still running."""
    pupil = s.casting.child("100001", (Band.PERSISTENT, Band.SEVERE), threshold=True)
    case = s.open(pupil, _stage(pupil), s.ago(45), officer=s.cast.officer, reason="Persistent absence.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(40),
        held=s.ago(35),
        summary="Support offered: mentor, breakfast club. Mum says the absences are family days out.",
        actions=(("Mentor once a week", "school", s.ahead(10)),),
        review_on=s.ahead(10),
    )
    s.record(case, RecordKind.SUPPORT_OFFERED, s.ago(35), "Mentor and breakfast club offered at the meeting.")
    s.notice_to_improve(case, s.ago(9), weeks=4)


def penalty_notices_part_paid(s: Story) -> None:
    """Penalty notices: the notice to improve failed; one parent paid, the other has not after 28 days."""
    # The child missed sessions without leave during the notice's 3 weeks. Support is offered 65 school days ago.
    issued = s.issue_in_term_time(57, earliest=64, latest=47)
    pupil = s.casting.child(
        "100002", (Band.PERSISTENT, Band.SEVERE), threshold=True, parents=2, absent_in=s.improvement_period(issued)
    )
    case = s.open(pupil, _stage(pupil), s.ago(70), officer=s.cast.officer, reason="Persistent absence.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(68),
        held=s.ago(65),
        summary="Support offered; parents declined the mentor.",
        actions=(("Attend every day", "child", s.ago(40)),),
        review_on=s.ago(40),
    )
    s.record(case, RecordKind.SUPPORT_OFFERED, s.ago(65), "Mentor and family support worker offered; declined.")
    notice = s.notice_to_improve(case, issued, weeks=3, outcome=s.ago(42))
    decided = s.diary.on_or_after(notice.outcome_recorded_on + timedelta(days=1))
    s.approve(
        case,
        "issue_fpn",
        notice.outcome_recorded_on,
        decided,
        reason="No improvement during the notice's period; both parents are liable.",
        comment="Agreed: the notice to improve was clear and support was offered.",
        parents=2,
    )
    mother, _unpaid = s.penalty_notices(case, s.diary.on_or_after(decided + timedelta(days=1)), 2)
    s.pay(case, mother, mother.received_on + timedelta(days=10))  # a parent pays on any day, term time or not


def application_for_fpn_waiting(s: Story) -> None:
    """Waiting for a manager: a term-time holiday, support not appropriate, approval asked for."""
    pupil = s.casting.child("100005", (Band.PERSISTENT, Band.AT_RISK), threshold=True)
    officer = s.cast.other_officer
    case = s.open(
        pupil,
        _stage(pupil),
        s.ago(12),
        officer=officer,
        reason="Ten days' absence: a family holiday in term time.",
    )
    s.note(case, NoteKind.CONVERSATION, s.ago(11), "Head teacher refused leave before the holiday; family went.")
    s.record(
        case,
        RecordKind.SUPPORT_NOT_APPROPRIATE,
        s.ago(6),
        "Term-time holiday taken after leave was refused; attendance otherwise good, no needs identified.",
    )
    s.ask_approval(
        case, "issue_fpn", s.ago(2), reason="Holiday in term time after leave was refused; both weeks unauthorised."
    )


def eso_in_force(s: Story) -> None:
    """Education supervision order: a first request rejected, social care consulted, the order made, a breach."""
    pupil = s.casting.child("100004", (Band.SEVERE,))
    officer = s.cast.other_officer
    case = s.open(pupil, CaseStage.SEVERE, s.ago(55), officer=officer, reason="Severe absence.")
    s.meeting(
        case,
        MeetingKind.TEAM_AROUND_THE_FAMILY,
        arranged=s.ago(53),
        held=s.ago(50),
        summary="Support plan agreed with mum; CAMHS referral made.",
        actions=(("CAMHS referral", "local_authority", s.ago(40)),),
        review_on=s.ago(30),
    )
    s.record(case, RecordKind.SUPPORT_OFFERED, s.ago(50), "Mentor, CAMHS referral and a reduced timetable offered.")
    s.record(
        case, RecordKind.SUPPORT_FAILED, s.ago(30), "Reduced timetable and mentoring tried for six weeks: no change."
    )
    rejected = s.ask_approval(
        case, "apply_eso", s.ago(29), reason="Voluntary support has not worked; an order would give it structure."
    )
    with s.diary.on(s.ago(28)):
        approvals.decide(
            rejected,
            approve=False,
            comment="Consult children's social care first and record their view.",
            actor=s.cast.manager,
            expected_version=rejected.version,
        )
    s.record(case, RecordKind.SOCIAL_CARE_CONSULTED, s.ago(25), "Social care: no open plan; support an order.")
    s.approve(
        case,
        "apply_eso",
        s.ago(24),
        s.ago(23),
        reason="Social care consulted and support an order.",
        comment="Agreed.",
    )
    with s.diary.on(s.ago(22)):
        order = eso_service.apply_for_eso(
            case, applied_on=s.ago(22), hearing_on=s.ago(12), notes="Application to the family court.", actor=officer
        )
    with s.diary.on(s.ago(12)):
        eso_service.update_eso(
            order,
            status=EsoStatus.MADE,
            hearing_on=s.ago(12),
            made_on=s.ago(12),
            supervisor=officer,
            directions="Attend every school day; meet the supervisor fortnightly; take part in the CAMHS sessions.",
            notes="",
            actor=officer,
            expected_version=order.version,
        )
    with s.diary.on(s.ago(4)):
        eso_service.record_breach(
            order, occurred_on=s.ago(4), description="Missed the fortnightly meeting with no reason.", actor=officer
        )
    s.meeting(case, MeetingKind.ESO_REVIEW, arranged=s.ago(3), held=None)


def prosecution_listed(s: Story) -> None:
    """Prosecution: notices unpaid after 28 days, the information laid, the first hearing adjourned."""
    # Not later: the notices must go unpaid for 28 days before the information is laid, 18 school days ago.
    issued = s.issue_in_term_time(58, earliest=74, latest=58)
    pupil = s.casting.child(
        "100001", (Band.PERSISTENT, Band.SEVERE), threshold=True, absent_in=s.improvement_period(issued)
    )
    officer = s.cast.officer
    case = s.open(pupil, _stage(pupil), s.ago(80), officer=officer, reason="Persistent absence.")
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(78),
        held=s.ago(75),
        summary="Support offered and declined.",
        actions=(("Attend every day", "child", s.ago(60)),),
        review_on=s.ago(55),
    )
    s.record(case, RecordKind.SUPPORT_OFFERED, s.ago(75), "Mentor and breakfast club offered; declined.")
    notice = s.notice_to_improve(case, issued, weeks=3, outcome=s.ago(43))
    decided = s.diary.on_or_after(notice.outcome_recorded_on + timedelta(days=1))
    s.approve(
        case, "issue_fpn", notice.outcome_recorded_on, decided, reason="No improvement.", comment="Agreed.", parents=1
    )
    s.penalty_notices(case, s.diary.on_or_after(decided + timedelta(days=1)), 1)
    s.prosecution_evidence(case, s.ago(22))
    file = s.lay(case, s.ago(18), s.ago(15), 1, court="Anytown Magistrates' Court")
    with s.diary.on(s.ago(5)):
        prosecution.add_hearing(
            file,
            hearing_on=s.ago(5),
            court="Anytown Magistrates' Court",
            purpose="First hearing",
            result="Adjourned: the parent did not attend; summons re-served.",
            actor=officer,
        )
        prosecution.add_hearing(
            file, hearing_on=s.ahead(8), court="Anytown Magistrates' Court", purpose="Trial", result="", actor=officer
        )


def prosecution_concluded(s: Story) -> None:
    """After a broken contract: prosecuted, a guilty plea with a parenting order, support goes on."""
    pupil = s.casting.child("100005", (Band.PERSISTENT, Band.SEVERE))
    officer = s.cast.other_officer
    case = s.open(
        pupil,
        _stage(pupil),
        s.ago(58),
        officer=officer,
        reason="Attendance falling for a second year.",
    )
    s.meeting(
        case,
        MeetingKind.FAMILY_ATTENDANCE,
        arranged=s.ago(57),
        held=s.ago(55),
        summary="Contract offered and agreed in principle.",
        actions=(("Get to school by 8.50am", "family", s.ago(45)),),
        review_on=s.ago(40),
    )
    with s.diary.on(s.ago(52)):
        contracts.save_contract(
            case,
            parent_commitments="Children in school every day by 8.50am.",
            support_commitments="Weekly call from the officer; school transport pass.",
            party_ids=[s.parent(case).id],
            agreed_on=s.ago(52),
            review_on=s.ago(40),
            expected_version=None,
            actor=officer,
        )
        db.session.flush()
    s.move(case, "agree_contract", s.ago(52), actor=officer)
    s.record(case, RecordKind.SUPPORT_FAILED, s.ago(35), "Contract broken from the second week; calls unanswered.")
    s.prosecution_evidence(case, s.ago(33))
    file = s.lay(case, s.ago(29), s.ago(26), 1, court="Anytown Magistrates' Court")
    with s.diary.on(s.ago(10)):
        prosecution.add_hearing(
            file,
            hearing_on=s.ago(10),
            court="Anytown Magistrates' Court",
            purpose="First hearing",
            result="Guilty plea.",
            actor=officer,
        )
        prosecution.record_outcome(
            file.parents[0],
            verdict=Verdict.GUILTY,
            sentences=[Sentence.FINE, Sentence.COSTS, Sentence.PARENTING_ORDER],
            fine_pounds=120,
            costs_pounds=100,
            outcome_on=s.ago(10),
            note="Parenting order for 12 months.",
            actor=officer,
            expected_version=file.parents[0].version,
        )
    s.move(
        case,
        "record_outcome",
        s.ago(9),
        actor=officer,
        target=_stage(case.pupil),
        reason="Outcome recorded; support continues under the parenting order.",
    )


def notice_withdrawn(s: Story) -> None:
    """A notice withdrawn (issued in error), so the penalty stage ends and support resumes."""
    pupil = s.casting.child("100003", (Band.PERSISTENT,), threshold=True)
    officer = s.cast.officer
    case = s.open(pupil, CaseStage.PERSISTENT, s.ago(30), officer=officer, reason="Term-time holiday reported.")
    s.record(case, RecordKind.SUPPORT_NOT_APPROPRIATE, s.ago(25), "Holiday in term time without leave.")
    s.approve(case, "issue_fpn", s.ago(24), s.ago(23), reason="Holiday without leave.", comment="Agreed.", parents=1)
    [notice] = s.penalty_notices(case, s.ago(22), 1)
    with s.diary.on(s.ago(15)):
        notices.withdraw_notice(
            notice,
            withdrawn_on=s.ago(15),
            ground=WithdrawalGround.OUGHT_NOT_TO_HAVE_BEEN_ISSUED,
            note="The head teacher had granted leave; the register was coded wrongly.",
            actor=officer,
            expected_version=notice.version,
        )
    s.move(case, "fpn_resolved", s.ago(14), actor=officer, target=CaseStage.PERSISTENT)


def closed_improved(s: Story) -> None:
    """Closed: attendance recovered after a house move."""
    pupil = s.casting.child("100003", (Band.NONE,))
    case = s.open(
        pupil,
        CaseStage.AT_RISK,
        s.ago(40),
        officer=s.cast.officer,
        reason="Three weeks' unexplained absence after a house move.",
        override="The school's concern came before the figures: the absence was in the last fortnight.",
    )
    s.note(case, NoteKind.HOME_VISIT, s.ago(38), "Family settled in the new flat; bus pass arranged.")
    s.note(case, NoteKind.PHONE_CALL, s.ago(20), "School confirm full attendance for three weeks.")
    s.close(case, s.ago(11), ClosureReason.IMPROVED, "Full attendance for five weeks.")


def quiet_cases(s: Story) -> None:
    """More open cases for full caseloads; one with no contact for over four weeks."""
    for urn, band, officer, opened in (
        ("100001", Band.AT_RISK, s.cast.officer, 6),
        ("100003", Band.AT_RISK, s.cast.officer, 27),
        ("100004", Band.AT_RISK, s.cast.other_officer, 9),
        ("100005", Band.PERSISTENT, s.cast.other_officer, 15),
    ):
        pupil = s.casting.child(urn, (band,))
        stage = CaseStage.AT_RISK if band is Band.AT_RISK else CaseStage.PERSISTENT
        case = s.open(pupil, stage, s.ago(opened), officer=officer, reason=f"{band.label} from the school's data.")
        s.note(case, NoteKind.PHONE_CALL, s.ago(opened - 1), "Introductory call to the family.")


def waiting_referral(s: Story) -> None:
    """A referral from the school lead waiting for the local authority, and one declined earlier."""
    declined = s.casting.child("100002", (Band.AT_RISK,))
    with s.diary.on(s.ago(20)):
        referral = case_service.refer(
            declined, actor=s.cast.lead, reason="Several late marks.", support_so_far="Tutor conversations."
        )
        db.session.flush()
    with s.diary.on(s.ago(19)):
        case_service.decline_referral(
            referral,
            actor=s.cast.officer,
            reason="Attendance is above 94%: keep school-led support going and refer again if it falls.",
            expected_version=referral.version,
        )
    waiting = s.casting.child("100002", (Band.PERSISTENT,))
    with s.diary.on(s.ago(1)):
        case_service.refer(
            waiting,
            actor=s.cast.lead,
            reason="Persistent absence since October; the family do not answer calls.",
            support_so_far="Two letters, a home visit by the pastoral lead, a mentor offered.",
        )


def brothers_and_sisters(s: Story) -> None:
    """Two children of one family on open cases, each case showing the other, one officer for both."""
    elder, younger = s.casting.siblings((Band.AT_RISK, Band.PERSISTENT), s.cast.officer)
    for pupil, day in ((elder, s.ago(26)), (younger, s.ago(24))):
        case = s.open(
            pupil,
            _stage(pupil),
            day,
            officer=s.cast.officer,
            reason=f"Attendance falling; {pupil.forename}'s brother or sister is also missing school.",
        )
        s.note(
            case, NoteKind.HOME_VISIT, s.diary.on_or_after(day + timedelta(days=1)), "Home visit about both children."
        )
    s.join(case, "Ravi Shah", ParticipantRole.KEY_WORKER, s.ago(20), lead=True)


def termly_targeting_meeting(s: Story) -> None:
    """The school lead records this term's targeting meeting: a school action for a pupil in the pack with no case."""
    school = s.cast.lead.schools[0]
    held = s.ago(5)
    with s.diary.on(held):
        without_case = [item.pupil for item in targeting.pupils_to_discuss(school, s.cast.lead) if item.case is None]
        actions = [
            targeting.PupilAction(
                pupil.id,
                "Pastoral lead to meet the family and agree a morning routine",
                ActionOwner.SCHOOL,
                s.ahead(10),
            )
            for pupil in without_case[:1]
        ]
        targeting.record_meeting(
            school,
            targeting.TargetingRecord(
                held_on=held,
                recorder_attended=True,
                attended=[f"{s.cast.officer.name}, Education Welfare Officer", "Jo Reid, head of year"],
                apologies=["School nurse"],
                summary="Went through this term's pack: most pupils improving; new concerns in Year 8.",
                decisions="The school will follow up the pupils without a case; the EWO reviews the rest.",
                next_meeting_on=s.ahead(40),
            ),
            actions=actions,
            user=s.cast.lead,
        )


#: Recent contact on most open cases, so the drift report and alerts show the few that really lack it.
RECENT_CONTACTS = (
    (NoteKind.PHONE_CALL, "Called mum: the week has started better; agreed to talk again on Friday."),
    (NoteKind.HOME_VISIT, "Home visit: spoke with the child and dad about mornings; no concerns seen."),
    (NoteKind.CONVERSATION, "Spoke with the attendance lead: attendance up this week, the mentor is in place."),
    (NoteKind.EMAIL, "Emailed the family the dates agreed and the name of the school contact."),
)


def keep_in_touch(s: Story) -> None:
    """A recent contact on three open cases in four; the fourth is left to drift."""
    open_cases = db.session.scalars(sa.select(Case).where(Case.stage != CaseStage.CLOSED).order_by(Case.id)).all()
    for number, case in enumerate(open_cases):
        if number % 4 == 3:
            continue
        opened = s.diary.on_or_after(case.opened_at.astimezone(clock.LONDON).date())
        kind, summary = RECENT_CONTACTS[number % len(RECENT_CONTACTS)]
        s.note(case, kind, max(s.ago(1 + number % 6), opened), summary)


STORIES = (
    school_led_support,
    escalated_to_persistent,
    severe_whole_family,
    early_help_started,
    contract_agreed,
    notice_to_improve_running,
    penalty_notices_part_paid,
    application_for_fpn_waiting,
    eso_in_force,
    prosecution_listed,
    prosecution_concluded,
    notice_withdrawn,
    closed_improved,
    quiet_cases,
    waiting_referral,
    brothers_and_sisters,
    termly_targeting_meeting,
    keep_in_touch,
)
