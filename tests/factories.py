"""Factory fixtures: each returns a callable that adds a record with sensible defaults and flushes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

import pytest
from stdnum.gb import upn as upn_number
from werkzeug.security import generate_password_hash

from ewo_cases.models import Phase, Pupil, Role, School, SenStatus, Trust, User

#: Every factory-made account signs in with this password.
PASSWORD = "factory-made-passphrase"
# A cheap hash: the tests need accounts that can sign in, not slow hashing.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_numbers = itertools.count(1)


@pytest.fixture
def make_trust(db_session) -> Callable[..., Trust]:
    def make(name: str | None = None) -> Trust:
        trust = Trust(name=name or f"Trust {next(_numbers)}")
        db_session.add(trust)
        db_session.flush()
        return trust

    return make


@pytest.fixture
def make_school(db_session) -> Callable[..., School]:
    def make(
        urn: str | None = None, name: str | None = None, phase: Phase = Phase.PRIMARY, trust: Trust | None = None
    ) -> School:
        number = next(_numbers)
        school = School(urn=urn or f"{900000 + number}", name=name or f"School {number}", phase=phase, trust=trust)
        db_session.add(school)
        db_session.flush()
        return school

    return make


def valid_upn(serial: int | None = None) -> str:
    """A valid UPN (LA 801, check letter computed), distinct for each ``serial`` below 100,000."""
    body = f"8012000{next(_numbers) if serial is None else serial:05d}"
    return upn_number.calc_check_digit(body) + body


@pytest.fixture
def make_pupil(db_session, make_school) -> Callable[..., Pupil]:
    def make(school: School | None = None, upn: str | None = None, **overrides: object) -> Pupil:
        number = next(_numbers)
        values = {
            "forename": "Pupil",
            "surname": f"Number {number}",
            "date_of_birth": date(2015, 1, 1),
            "year_group": "5",
            "sex": "F",
            "pupil_premium": False,
            "sen_status": SenStatus.NONE,
            "looked_after": False,
            "previously_looked_after": False,
            "child_protection": False,
            "child_in_need": False,
            **overrides,
        }
        pupil = Pupil(upn=upn or valid_upn(), school=school or make_school(), **values)
        db_session.add(pupil)
        db_session.flush()
        return pupil

    return make


@pytest.fixture
def make_user(db_session) -> Callable[..., User]:
    def make(
        role: Role = Role.OFFICER,
        schools: list[School] | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        active: bool = True,
    ) -> User:
        number = next(_numbers)
        user = User(
            email=email or f"user{number}@council.example",
            name=name or f"User {number}",
            role=role,
            active=active,
            password_hash=_PASSWORD_HASH,
            schools=schools or [],
        )
        db_session.add(user)
        db_session.flush()
        return user

    return make


@pytest.fixture
def sign_in(client) -> Callable[[User], None]:
    """Sign the test client in as ``user`` through the real sign-in form."""

    def sign_in_as(user: User) -> None:
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text

    return sign_in_as


@pytest.fixture
def make_figures(db_session):
    """Give a pupil year-to-date attendance figures, as a marks import would, in the band wanted."""
    from ewo_cases.models import PupilAttendance
    from workflows.attendance import Band

    attending = {Band.NONE: 98, Band.AT_RISK: 94, Band.PERSISTENT: 80, Band.SEVERE: 40}

    def make(pupil: Pupil, band: Band = Band.PERSISTENT, *, unauthorised_in_window: int = 0) -> PupilAttendance:
        figures = db_session.get(PupilAttendance, pupil.id) or PupilAttendance(pupil_id=pupil.id)
        figures.range_start, figures.range_end = date(2025, 9, 1), date(2025, 12, 5)
        figures.possible, figures.attending = 100, attending[band]
        figures.authorised, figures.unauthorised = (
            100 - attending[band] - unauthorised_in_window,
            unauthorised_in_window,
        )
        figures.illness, figures.attendance_pct, figures.band = 0, float(attending[band]), band
        figures.unauth_10wk_max = figures.unauth_10wk_latest = unauthorised_in_window
        figures.penalty_threshold_met = unauthorised_in_window >= 10
        figures.longest_unauth_days, figures.sessions_until_below_90, figures.projected_below_90 = 0, 0, False
        figures.last_school_week = date(2025, 12, 1)
        db_session.add(figures)
        db_session.flush()
        return figures

    return make


@pytest.fixture
def make_case(db_session, make_pupil, make_user, make_figures):
    """Open a case through the real service (so it has its audit history) at a support stage.

    Tests that need a case in a later stage set ``case.stage`` afterwards: that skips the records the
    workflow would demand, so such a case's history does not replay (``audit verify`` would flag it).
    """
    from ewo_cases.services.cases import open_case
    from workflows import CaseStage
    from workflows.attendance import Band

    def make(
        pupil: Pupil | None = None,
        stage: CaseStage = CaseStage.PERSISTENT,
        *,
        officer: User | None = None,
        unauthorised_in_window: int = 0,
    ):
        pupil = pupil or make_pupil()
        band = {CaseStage.AT_RISK: Band.AT_RISK, CaseStage.SEVERE: Band.SEVERE}.get(stage, Band.PERSISTENT)
        make_figures(pupil, band, unauthorised_in_window=unauthorised_in_window)
        officer = officer or make_user(Role.OFFICER, schools=[pupil.school])
        opening_stage = (
            stage
            if stage in (CaseStage.AT_RISK, CaseStage.PERSISTENT, CaseStage.SEVERE)
            else {Band.AT_RISK: CaseStage.AT_RISK, Band.SEVERE: CaseStage.SEVERE}.get(band, CaseStage.PERSISTENT)
        )
        case = open_case(pupil, opening_stage, actor=officer, officer=officer, reason="Attendance has fallen")
        if stage != opening_stage:
            case.stage = stage
            db_session.flush()
        return case

    return make
