"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user

from ewo_cases.access import public, signed_in
from ewo_cases.extensions import db, limiter
from ewo_cases.services import users
from forms.auth import SignInForm

bp = Blueprint("auth", __name__)


def _email_key() -> str:
    """Throttle per account as well as per address, so one account cannot be guessed at from many."""
    return "sign-in:" + users.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    return response.status_code >= 400


def _throttled(limit: RequestLimit) -> None:
    users.log_throttled_sign_in(request.form.get("email", ""), request.remote_addr, str(limit.limit))


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], deduct_when=_failed, on_breach=_throttled)
@limiter.limit(_login_rate_limit, methods=["POST"], deduct_when=_failed, on_breach=_throttled, key_func=_email_key)
@public
def sign_in():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()
            session.permanent = True  # PERMANENT_SESSION_LIFETIME is the idle timeout
            login_user(user)
            users.record_sign_in(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        users.record_failed_sign_in(form.email.data, request.remote_addr)
        db.session.commit()
        form.email.errors = ["Enter a correct email address and password"]
    return render_template("auth/sign_in.html", form=form), 400 if form.errors else 200


@bp.post("/sign-out")
@signed_in
def sign_out():
    """End the session."""
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` path on this site, never an absolute URL elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")
