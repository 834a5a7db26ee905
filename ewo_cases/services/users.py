"""Accounts: creating and changing users, passwords and signing in."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import SCHOOL_LINKED_ROLES, Role, School, User
from ewo_cases.security import (
    PasswordRejected,
    check_password_policy,
    decoy_password_hash,
    hash_password,
    password_matches,
)
from ewo_cases.services import audit
from ewo_cases.services.errors import ServiceError, check_version


def normalise_email(email: str) -> str:
    """Emails are compared and stored lower-case without surrounding spaces."""
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """Return the account with this email, if any."""
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    schools: Sequence[School] = (),
    actor: User | None,
) -> User:
    """Create an account, refusing a duplicate email, a weak password or schools that do not fit the role."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise ServiceError("An account with this email address already exists", field="email")
    _check_schools_fit_role(role, schools)
    _check_password(password, email, name)
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password))
    user.schools = list(schools) if role in SCHOOL_LINKED_ROLES else []
    db.session.add(user)
    audit.record(
        actor,
        "user.created",
        user,
        f"Created {role.label.lower()} account for {user.name}",
        email=email,
        role=role.value,
        schools=[school.urn for school in user.schools],
    )
    return user


def update_user(
    user: User,
    *,
    name: str,
    role: Role,
    schools: Sequence[School],
    active: bool,
    expected_version: int | None,
    actor: User,
) -> User:
    """Change an account's details; deactivating it (or changing its role) ends its sessions."""
    check_version(user, expected_version)
    _check_schools_fit_role(role, schools)
    if user.id == actor.id and (not active or role != user.role):
        raise ServiceError("You cannot deactivate your own account or change your own role", field="role")
    before = {
        "name": user.name,
        "role": user.role.value,
        "active": user.active,
        "schools": [school.urn for school in user.schools],
    }
    if role != user.role or (user.active and not active):
        user.session_generation += 1
    user.name, user.role, user.active = name.strip(), role, active
    user.schools = list(schools) if role in SCHOOL_LINKED_ROLES else []
    after = {
        "name": user.name,
        "role": user.role.value,
        "active": user.active,
        "schools": [school.urn for school in user.schools],
    }
    audit.record(actor, "user.updated", user, f"Updated the account of {user.name}", before=before, after=after)
    return user


def set_password(user: User, password: str, *, actor: User | None) -> User:
    """Give the account a new password and end its other sessions."""
    _check_password(password, user.email, user.name)
    user.password_hash = hash_password(password)
    user.session_generation += 1
    audit.record(actor, "user.password_set", user, f"Set a new password for {user.name}")
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active account these credentials belong to, or None (taking the same time either way)."""
    user = find_by_email(email)
    if user is None:
        password_matches(decoy_password_hash(), password)
        return None
    if not password_matches(user.password_hash, password) or not user.active:
        return None
    return user


def record_sign_in(user: User) -> None:
    """Note when the user last signed in."""
    user.last_signed_in_at = clock.now()
    audit.record(user, "user.signed_in", user, f"{user.name} signed in")


def load_session_user(session_id: str) -> User | None:
    """Resolve Flask-Login's session id (``"<user id>:<generation>"``) to an active account."""
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def _check_password(password: str, email: str, name: str) -> None:
    try:
        check_password_policy(password, [email, email.split("@")[0], *name.split()])
    except PasswordRejected as exc:
        raise ServiceError(str(exc), field="password") from exc


def _check_schools_fit_role(role: Role, schools: Sequence[School]) -> None:
    if role == Role.SCHOOL_LEAD and not schools:
        raise ServiceError("Choose the school this attendance lead works for", field="schools")
