"""Error pages in the service's own style, for every status the service answers with."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ewo_cases.extensions import db, limiter
from ewo_cases.services.errors import ConflictError
from ewo_cases.templating import help_contact


@dataclass(frozen=True)
class ErrorPage:
    title: str
    message: str


ERROR_PAGES = {
    400: ErrorPage(
        "There is a problem with your request",
        "The page could not use what was sent. Go back, check your answers and try again.",
    ),
    403: ErrorPage(
        "You do not have permission to see this page",
        "Your role does not include this page. If you need it for your work, ask {contact}.",
    ),
    404: ErrorPage(
        "Page not found",
        "If you typed the web address, check it is correct. The record may also be outside the schools you work with.",
    ),
    405: ErrorPage("There is a problem with your request", "This page cannot be used in that way."),
    409: ErrorPage(
        "Someone else changed this record",
        "Your changes have not been saved, because the record changed after you opened it. "
        "Open it again to see the latest version, then make your changes again.",
    ),
    413: ErrorPage("The file is too large", "Split the file into smaller files and import each one."),
    429: ErrorPage("Too many attempts", "You have tried to do this too many times in a short time."),
    500: ErrorPage(
        "Sorry, there is a problem with the service",
        "Try again later. Anything you saved before this page appeared has been kept.",
    ),
}


def render_error(status: int, message: str | None = None, headers: list[tuple[str, str]] | None = None, **context):
    """Render the error page for ``status``, optionally with a more specific message, the exception's headers
    and more for the page (such as what a conflicting form had typed)."""
    page = ERROR_PAGES.get(status, ERROR_PAGES[500] if status >= 500 else ERROR_PAGES[400])
    message = message or page.message.format(contact=help_contact())
    body = render_template("errors/error.html", page=page, message=message, status=status, **context)
    return body, status, headers or []


def wait_for_limits() -> str:
    """How long until every limit this request broke lets it through again: 'a minute' or 'N minutes'."""
    resets = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    # To the nearest minute: the limiter rounds its reset time up to the next whole second.
    minutes = max(1, round((max(resets, default=0) - time.time()) / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Keep what the exception says beyond its body, such as a 405's Allow.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return render_error(error.code or 500, headers=headers)

    @app.errorhandler(RateLimitExceeded)
    def throttled(_error: RateLimitExceeded):
        return render_error(429, f"{ERROR_PAGES[429].message} Wait {wait_for_limits()}, then try again.")

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(
            400, "The form had expired or was not sent by this service. Go back, reload the page and try again."
        )

    @app.errorhandler(ConflictError)
    def conflict(error: ConflictError):
        db.session.rollback()
        return render_error(
            409,
            f"Your changes have not been saved: the {error.message}. "
            "Open the record again to see the latest version, then make your changes again.",
            typed=error.typed,
            # The page the form was on shows the record as it now is (a GET never changes anything).
            back_to=request.full_path.rstrip("?") if request.method == "POST" else None,
        )

    @app.errorhandler(StaleDataError)
    def stale(_error: StaleDataError):
        db.session.rollback()
        return render_error(409)

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_error(500)
