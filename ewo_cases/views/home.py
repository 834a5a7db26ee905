"""The home page: each role's own starting point."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ewo_cases import clock
from ewo_cases.access import public, signed_in
from ewo_cases.extensions import db
from ewo_cases.models import Role
from ewo_cases.services import home

bp = Blueprint("home", __name__)

#: What each role's home page is built from (the administrator's home is a list of links).
HOME_PAGES = {
    Role.OFFICER: home.officer_home,
    Role.SCHOOL_LEAD: home.school_lead_home,
    Role.MANAGER: home.manager_home,
}


@bp.get("/")
@signed_in
def index():
    """Show the signed-in user's home page for their role."""
    build = HOME_PAGES.get(current_user.role)
    page = build(current_user, clock.today()) if build else None
    return render_template(f"home/{current_user.role.value}.html", home=page, today=clock.today())


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
