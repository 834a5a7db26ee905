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


#: Well formed but 264 characters long: the longest local part and three of the longest domain labels.
TOO_LONG_EMAIL = f"{'e' * 64}@{'d' * 63}.{'d' * 63}.{'d' * 63}.example"


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
        ({"name": "   "}, "Enter the person&#39;s full name"),
        ({"name": "N" * 201}, "Full name must be 200 characters or fewer"),
        ({"email": TOO_LONG_EMAIL}, "Email address must be 254 characters or fewer"),
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
        f"/users/{officer.id}",
        data={"email": officer.email, "name": officer.name, "role": "officer", "version": officer.version},
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
        f"/users/{officer.id}",
        data={"email": officer.email, "name": "My Edit", "role": "officer", "active": "y", "version": stale_version},
    )
    assert response.status_code == 409, response.text
    assert "Someone else changed this record" in response.text
    assert db.session.get(User, officer.id).name == "Changed Meanwhile"


def test_admins_cannot_lock_themselves_out(client, admin):
    response = client.post(
        f"/users/{admin.id}",
        data={"email": admin.email, "name": admin.name, "role": "officer", "active": "y", "version": admin.version},
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


def edit_form(account: User, **overrides) -> dict[str, object]:
    return {
        "email": account.email,
        "name": account.name,
        "role": account.role.value,
        "active": "y",
        "version": account.version,
        **overrides,
    }


def test_an_admin_corrects_an_accounts_email(client, admin, make_user):
    officer = make_user(Role.OFFICER, email="nia.offcer@council.example")
    response = client.post(f"/users/{officer.id}", data=edit_form(officer, email=" Nia.Officer@Council.example "))
    assert response.status_code == 302
    assert db.session.get(User, officer.id).email == "nia.officer@council.example"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.updated"))
    assert event.data["before"]["email"] == "nia.offcer@council.example"
    assert event.data["after"]["email"] == "nia.officer@council.example"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter an email address"),
        ("nia.officer", "Enter an email address in the correct format"),
        ("taken", "An account with this email address already exists"),
    ],
)
def test_a_bad_email_correction_is_explained_and_nothing_is_written(client, admin, make_user, email, message):
    officer = make_user(Role.OFFICER, email="nia@council.example")
    other = make_user(Role.OFFICER)
    email = other.email if email == "taken" else email
    response = client.post(f"/users/{officer.id}", data=edit_form(officer, email=email))
    assert response.status_code == 400 and message in response.text
    assert db.session.get(User, officer.id).email == "nia@council.example"


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
    ("overrides", "message"),
    [
        ({"--school": "000000"}, "No school with URN 000000"),
        ({"--school": None}, "Choose the school this attendance lead works for"),
        ({"--email": "notanemail"}, "Enter an email address in the correct format"),
        ({"--email": "x@school"}, "Enter an email address in the correct format"),
        ({"--email": "  "}, "Enter an email address"),
        ({"--email": TOO_LONG_EMAIL}, "Email address must be 254 characters or fewer"),
        ({"--name": ""}, "Enter the person's full name"),
        ({"--name": "   "}, "Enter the person's full name"),
        ({"--name": "N" * 201}, "Full name must be 200 characters or fewer"),
    ],
    ids=[
        "unknown school",
        "lead without school",
        "no at sign",
        "no dot in domain",
        "blank email",
        "email too long",
        "empty name",
        "blank name",
        "name too long",
    ],
)
def test_cli_refuses_bad_input_and_writes_nothing(runner, make_school, overrides, message):
    make_school(urn="123456")
    before = count_users()
    options = {"--email": "x@school.example", "--name": "Xena Lead", "--role": "school_lead", "--school": "123456"}
    options.update(overrides)
    args = [part for option, value in options.items() if value is not None for part in (option, value)]
    result = runner.invoke(args=["users", "create", *args], input="orchard-violin-summit\norchard-violin-summit\n")
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert count_users() == before


def test_cli_accepts_a_name_of_the_longest_length(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "long@council.example", "--name", "N" * 200, "--role", "manager"],
        input="orchard-violin-summit\norchard-violin-summit\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.name).where(User.email == "long@council.example")) == "N" * 200
