"""Factory fixtures: each returns a callable that adds a record with sensible defaults and flushes."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from werkzeug.security import generate_password_hash

from ewo_cases.models import Phase, Role, School, Trust, User

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
