"""``flask --app wsgi demo-data``"""

from __future__ import annotations

import click

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import ROLE_LABELS
from ewo_cases.services import demo


@click.command("demo-data")
@click.option("--seed", default=1, show_default=True, help="Seed for the generated data.")
@click.option(
    "--schools",
    type=click.IntRange(min=len(demo.DEMO_SCHOOLS)),
    default=len(demo.DEMO_SCHOOLS),
    show_default=True,
    help="Number of schools (more make a large synthetic authority).",
)
@click.option("--pupils", type=click.IntRange(min=1), help="Number of pupils across the schools.")
@click.option("--if-empty", is_flag=True, help="Do nothing unless the database has no schools and no accounts.")
def demo_data(seed: int, schools: int, pupils: int | None, if_empty: bool) -> None:
    """Load the demonstration authority and print its sign-in details (safe to run again)."""
    if if_empty and not demo.database_is_empty():
        click.echo("The database already has data; demo data not loaded.")
    else:
        demo.load_demo(today=clock.today(), seed=seed, schools=schools, pupils=pupils)
        db.session.commit()
        click.echo("Demo data loaded.")
    print_demo_logins()


def print_demo_logins() -> None:
    """Show the demo accounts' sign-in details."""
    click.echo("\nDemo sign-ins (demonstration only; never load demo data into a live service):")
    for account in demo.DEMO_ACCOUNTS:
        click.echo(f"  {ROLE_LABELS[account.role]:<28} {account.email:<24} {account.password}")
