"""``flask --app wsgi users ...``"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ewo_cases.extensions import db
from ewo_cases.models import Role, School
from ewo_cases.services import users
from ewo_cases.services.errors import ServiceError

users_group = AppGroup("users", help="Manage accounts.")


@users_group.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]), help="Role.")
@click.option(
    "--school",
    "urns",
    multiple=True,
    metavar="URN",
    help="A school in an officer's patch or a lead's school; repeat for more.",
)
@click.password_option(help="Prompted for when not given; at least 12 characters and hard to guess.")
def create_user(email: str, name: str, role: str, urns: tuple[str, ...], password: str) -> None:
    """Create an account (the password is prompted for, twice)."""
    schools = list(db.session.scalars(sa.select(School).where(School.urn.in_(urns))))
    unknown = sorted(set(urns) - {school.urn for school in schools})
    if unknown:
        raise click.ClickException(f"No school with URN {', '.join(unknown)}")
    try:
        user = users.create_user(
            email=email, name=name, role=Role(role), password=password, schools=schools, actor=None
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {user.role.label.lower()} {user.name} <{user.email}>")
