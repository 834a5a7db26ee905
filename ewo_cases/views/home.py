"""The home page: each role's own starting point."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ewo_cases.access import public, signed_in
from ewo_cases.extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
@signed_in
def index():
    """Show the signed-in user's home page for their role."""
    return render_template(f"home/{current_user.role.value}.html")


@bp.get("/accessibility")
@public
def accessibility():
    """The accessibility statement public sector websites must publish."""
    return render_template("home/accessibility.html")


@bp.get("/privacy")
@public
def privacy():
    """What the service records about children and about its users."""
    return render_template("home/privacy.html")


@bp.get("/healthz")
@public
def health():
    """Answer a load balancer's health check: the app is up and the database answers."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
