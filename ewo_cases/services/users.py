"""Accounts: creating and changing users, passwords and signing in."""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)

#: The columns' own limits, checked here so that every caller (form, command line) gets a message, not a DB error.
MAX_EMAIL_LENGTH = User.__table__.c.email.type.length
MAX_NAME_LENGTH = User.__table__.c.name.type.length
EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.gov.uk"


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
    """Create an account, refusing a bad or duplicate email, a missing name, a weak password or schools that do
    not fit the role."""
    email = _checked_email(email)
    name = _checked_name(name)
    _check_schools_fit_role(role, schools)
    _check_password(password, email, name)
    user = User(email=email, name=name, role=role, password_hash=hash_password(password))
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
    email: str,
    name: str,
    role: Role,
    schools: Sequence[School],
    active: bool,
    expected_version: int | None,
    actor: User,
) -> User:
    """Change an account's details (correcting its email too); deactivating it (or changing its role) ends its
    sessions."""
    check_version(user, expected_version)
    email = _checked_email(email, account=user)
    name = _checked_name(name)
    _check_schools_fit_role(role, schools)
    if user.id == actor.id and (not active or role != user.role):
        raise ServiceError("You cannot deactivate your own account or change your own role", field="role")
    before = _details(user)
    if role != user.role or (user.active and not active):
        user.session_generation += 1
    user.email, user.name, user.role, user.active = email, name, role, active
    user.schools = list(schools) if role in SCHOOL_LINKED_ROLES else []
    after = _details(user)
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


def record_failed_sign_in(email: str, address: str | None) -> None:
    """Log a refused sign-in, and audit it against the account when the email is one (a guessed password)."""
    email = normalise_email(email)
    user = find_by_email(email)
    reason = "no such account" if user is None else "account deactivated" if not user.active else "wrong password"
    log.warning("Sign-in refused for %s from %s: %s", email, address, reason)
    if user is not None:
        summary = f"Refused a sign-in to {user.name}'s account"
        audit.record(None, "user.sign_in_failed", user, summary, reason=reason, address=address)


def log_throttled_sign_in(email: str, address: str | None, limit: str) -> None:
    """Log a sign-in refused by the throttle before its password was checked."""
    log.warning("Sign-in throttled for %s from %s: more than %s", normalise_email(email), address, limit)


def load_session_user(session_id: str) -> User | None:
    """Resolve Flask-Login's session id (``"<user id>:<generation>"``) to an active account."""
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def _checked_email(email: str, account: User | None = None) -> str:
    """The normalised email, refusing an empty, malformed, over-long or (for another account) taken one."""
    email = normalise_email(email)
    if not email:
        raise ServiceError("Enter an email address", field="email")
    if len(email) > MAX_EMAIL_LENGTH:
        raise ServiceError(f"Email address must be {MAX_EMAIL_LENGTH} characters or fewer", field="email")
    # email-validator (with the DNS library it brings) takes longer to import than the rest of start-up:
    # only when an address is checked.
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise ServiceError(EMAIL_FORMAT_MESSAGE, field="email") from error
    holder = find_by_email(email)
    if holder is not None and holder is not account:
        raise ServiceError("An account with this email address already exists", field="email")
    return email


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ServiceError("Enter the person's full name", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ServiceError(f"Full name must be {MAX_NAME_LENGTH} characters or fewer", field="name")
    return name


def _details(user: User) -> dict[str, object]:
    """What the audit shows of an account before and after a change."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "active": user.active,
        "schools": [school.urn for school in user.schools],
    }


def _check_password(password: str, email: str, name: str) -> None:
    try:
        check_password_policy(password, [email, email.split("@")[0], *name.split()])
    except PasswordRejected as exc:
        raise ServiceError(str(exc), field="password") from exc


def _check_schools_fit_role(role: Role, schools: Sequence[School]) -> None:
    if role == Role.SCHOOL_LEAD and not schools:
        raise ServiceError("Choose the school this attendance lead works for", field="schools")
