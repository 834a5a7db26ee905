"""Administrators manage accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ewo_cases.access import allow
from ewo_cases.extensions import db
from ewo_cases.models import ROLE_LABELS, Role, School, User
from ewo_cases.scoping import one_or_404
from ewo_cases.services import users
from ewo_cases.views import saved, status_for
from forms.users import NewUserForm, SetPasswordForm, UserDetailsForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
@allow(Role.ADMIN)
def index():
    """List every account."""
    accounts = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("users/index.html", accounts=accounts)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new():
    """Create an account."""
    form = _with_choices(NewUserForm())
    if form.validate_on_submit() and (
        account := saved(
            form,
            lambda: users.create_user(
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                password=form.password.data,
                schools=_chosen_schools(form),
                actor=current_user,
            ),
        )
    ):
        flash(f"Account created for {account.name}.", "success")
        return redirect(url_for("users.index"))
    return render_template("users/new.html", form=form), status_for(form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(user_id: int):
    """Change an account's email, name, role, schools or active flag."""
    account = one_or_404(sa.select(User).where(User.id == user_id))
    form = _with_choices(
        UserDetailsForm(
            data={
                "email": account.email,
                "name": account.name,
                "role": account.role.value,
                "schools": account.school_ids,
                "active": account.active,
                "version": account.version,
            }
        )
    )
    if form.validate_on_submit() and saved(
        form,
        lambda: users.update_user(
            account,
            email=form.email.data,
            name=form.name.data,
            role=Role(form.role.data),
            schools=_chosen_schools(form),
            active=form.active.data,
            expected_version=form.version.data,
            actor=current_user,
        ),
    ):
        flash(f"Account for {account.name} updated.", "success")
        return redirect(url_for("users.index"))
    return render_template("users/edit.html", form=form, account=account), status_for(form)


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@allow(Role.ADMIN)
def set_password(user_id: int):
    """Give an account a new password (its sessions end)."""
    account = one_or_404(sa.select(User).where(User.id == user_id))
    form = SetPasswordForm()
    if form.validate_on_submit() and saved(
        form,
        lambda: users.set_password(
            account,
            form.password.data,
            actor=current_user,
        ),
    ):
        flash(f"New password set for {account.name}. Tell them in person or by phone, not by email.", "success")
        return redirect(url_for("users.index"))
    return render_template("users/password.html", form=form, account=account), status_for(form)


def _with_choices(form: UserDetailsForm) -> UserDetailsForm:
    form.role.choices = [(role.value, ROLE_LABELS[role]) for role in Role]
    schools = db.session.scalars(sa.select(School).order_by(School.name))
    form.schools.choices = [(school.id, str(school)) for school in schools]
    return form


def _chosen_schools(form: UserDetailsForm) -> list[School]:
    if not form.schools.data:
        return []
    return list(db.session.scalars(sa.select(School).where(School.id.in_(form.schools.data))))
