"""Password policy and the HTTP security headers on every response."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import cache

from flask import Flask, Response, current_app, g, request
from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 12
#: zxcvbn's scale is 0-4; 3 means "safely unguessable: moderate protection from offline attack".
MIN_PASSWORD_SCORE = 3
#: zxcvbn's work grows with length; nobody needs more than this.
MAX_PASSWORD_LENGTH = 128


class PasswordRejected(ValueError):
    """A password that the policy refuses; the message says why, for the person choosing it."""


def check_password_policy(password: str, personal_words: Iterable[str] = ()) -> None:
    """Refuse short, common or easily guessed passwords (NCSC: length plus a deny list)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer")
    personal = [word.lower() for word in personal_words if len(word) >= 3]
    if any(word in password.lower() for word in personal):
        raise PasswordRejected("Password must not contain your name or email address")
    from zxcvbn import zxcvbn  # its word lists take a fifth of a second to load: only when a password is set

    verdict = zxcvbn(password, user_inputs=personal)
    if verdict["score"] < MIN_PASSWORD_SCORE:
        warning = verdict["feedback"]["warning"]
        reason = f" ({warning.rstrip('.').lower()})" if warning else ""
        raise PasswordRejected(f"Password is too easy to guess{reason}. Try three random words, or a longer passphrase")


def hash_password(password: str) -> str:
    """Hash a password with Werkzeug's default (scrypt)."""
    return generate_password_hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Compare in constant time."""
    return check_password_hash(password_hash, password)


@cache
def decoy_password_hash() -> str:
    """A hash of a random password, checked when no account matches the email so that response times do
    not reveal which email addresses have accounts. Made on first use: hashing takes a quarter of a
    second, which every command's start-up would pay."""
    return hash_password(secrets.token_urlsafe(24))


def init_app(app: Flask) -> None:
    """Give every response the security headers, and the page and its CSP the same nonce."""
    app.after_request(_add_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})


def csp_nonce() -> str:
    """This request's nonce for inline scripts, made when first asked for.

    Made on demand rather than by a before_request hook, because a request refused by an earlier hook (403,
    sign-in's 429, a bad CSRF token) still renders a page whose inline script needs it.
    """
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _add_security_headers(response: Response) -> Response:
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not current_app.debug:
        # Sent whatever request.is_secure says: behind a proxy that ends TLS the app may see plain http, and the
        # service is only ever offered over HTTPS (its cookies are Secure). Browsers ignore it over plain http.
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        # Pages carry children's personal data: never keep them in a shared or browser cache.
        response.headers["Cache-Control"] = "no-store"
    return response
