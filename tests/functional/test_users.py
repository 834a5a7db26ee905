"""Administrators manage accounts; every change is audited; bad input writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import AuditEvent, Role, User


@pytest.fixture
def admin(make_user, sign_in, client):
    user = make_user(Role.ADMIN, name="Ada Admin")
    sign_in(user)
    return user


def count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def new_account(**overrides):
    form = {
        "email": "new.officer@council.example",
        "name": "Nia Officer",
        "role": "officer",
        "password": "lantern-copper-meadow",
        "confirm": "lantern-copper-meadow",
    }
    return {**form, **overrides}


def test_admin_creates_an_officer_with_a_patch(client, admin, make_school):
    schools = [make_school(), make_school()]
    response = client.post("/users/new", data=new_account(schools=[school.id for school in schools]))
    assert response.status_code == 302
    created = db.session.scalar(sa.select(User).where(User.email == "new.officer@council.example"))
    assert created.role is Role.OFFICER and created.school_ids == sorted(school.id for school in schools)
    assert created.password_hash.startswith("scrypt:")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.actor_id == admin.id and event.entity_id == created.id
    assert "Account created for Nia Officer" in client.get("/users/").text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": ""}, "Enter an email address"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"name": ""}, "Enter the person&#39;s full name"),
        ({"role": ""}, "Choose a role"),
        ({"role": "superuser"}, "Select the role from the list"),
        ({"password": "short", "confirm": "short"}, "Password must be 12 characters or more"),
        ({"password": "password12345", "confirm": "password12345"}, "Password is too easy to guess"),
        ({"password": "nia-officer-council", "confirm": "nia-officer-council"}, "must not contain your name or email"),
        ({"confirm": "something-else-entirely"}, "Passwords do not match"),
        ({"role": "school_lead"}, "Choose the school this attendance lead works for"),
        ({"schools": "999999"}, "Select the schools from the list"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(client, admin, overrides, message):
    before = count_users()
    response = client.post("/users/new", data=new_account(**overrides))
    assert response.status_code == 400
    assert message in response.text and "There is a problem" in response.text
    assert count_users() == before


def test_a_duplicate_email_is_refused(client, admin, make_user):
    existing = make_user()
    response = client.post("/users/new", data=new_account(email=existing.email.upper()))
    assert response.status_code == 400 and "An account with this email address already exists" in response.text


def test_deactivating_an_account_ends_its_sessions(app, client, admin, make_user, make_school):
    officer = make_user(Role.OFFICER)
    officer_client = app.test_client()
    officer_client.post("/sign-in", data={"email": officer.email, "password": "factory-made-passphrase"})
    assert officer_client.get("/").status_code == 200
    response = client.post(
        f"/users/{officer.id}", data={"name": officer.name, "role": "officer", "version": officer.version}
    )
    assert response.status_code == 302
    assert db.session.get(User, officer.id).active is False
    assert officer_client.get("/").status_code == 302


def test_a_stale_edit_is_a_conflict_not_an_overwrite(client, admin, make_user):
    officer = make_user(Role.OFFICER, name="Original Name")
    stale_version = officer.version
    officer.name = "Changed Meanwhile"
    db.session.flush()
    response = client.post(
        f"/users/{officer.id}", data={"name": "My Edit", "role": "officer", "active": "y", "version": stale_version}
    )
    assert response.status_code == 409, response.text
    assert "Someone else changed this record" in response.text
    assert db.session.get(User, officer.id).name == "Changed Meanwhile"


def test_admins_cannot_lock_themselves_out(client, admin):
    response = client.post(
        f"/users/{admin.id}", data={"name": admin.name, "role": "officer", "active": "y", "version": admin.version}
    )
    assert response.status_code == 400
    assert db.session.get(User, admin.id).role is Role.ADMIN


def test_setting_a_password(client, admin, make_user):
    officer = make_user()
    response = client.post(
        f"/users/{officer.id}/password", data={"password": "harbour-violet-canyon", "confirm": "harbour-violet-canyon"}
    )
    assert response.status_code == 302
    assert db.session.get(User, officer.id).password_hash.startswith("scrypt:")


def test_editing_an_unknown_account_is_not_found(client, admin):
    assert client.get("/users/999999").status_code == 404


def test_cli_creates_a_user_and_prompts_for_the_password(runner, make_school):
    school = make_school(urn="123456")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Lead@School.example",
            "--name",
            "Lee Lead",
            "--role",
            "school_lead",
            "--school",
            "123456",
        ],
        input="orchard-violin-summit\norchard-violin-summit\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "lead@school.example"))
    assert user.role is Role.SCHOOL_LEAD and user.schools == [school]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "000000"], "No school with URN 000000"),
        ([], "Choose the school this attendance lead works for"),
    ],
)
def test_cli_refuses_bad_input(runner, args, message):
    result = runner.invoke(
        args=["users", "create", "--email", "x@school.example", "--name", "X", "--role", "school_lead", *args],
        input="orchard-violin-summit\norchard-violin-summit\n",
    )
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "x@school.example")) is None
