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
@click.option(
    "--demonstration",
    is_flag=True,
    help="Load it even though the database holds accounts or schools the demo did not make: this database is a "
    "demonstration or training copy, never a live service.",
)
def demo_data(seed: int, schools: int, pupils: int | None, if_empty: bool, demonstration: bool) -> None:
    """Load the demonstration authority and print its sign-in details (safe to run again on a demo database).

    Refused on a database with anyone else's accounts or schools: the demo's sign-ins are published.
    """
    if if_empty and not demo.database_is_empty():
        click.echo("The database already has data; demo data not loaded.")
        if demo.holds_only_demo_data():
            print_demo_logins()
        return
    if not (demonstration or demo.holds_only_demo_data()):
        raise click.ClickException(
            "This database holds accounts or schools that the demo did not make, so it may be a live service: "
            "demo data would add accounts whose passwords are published. Nothing was loaded. If this really is a "
            "demonstration or training database, run the command again with --demonstration."
        )
    demo.load_demo(today=clock.today(), seed=seed, schools=schools, pupils=pupils)
    db.session.commit()
    click.echo("Demo data loaded.")
    if demo.too_early_for_cases(clock.today()):
        click.echo(
            f"No demo cases yet: their stories need {demo.STORY_SCHOOL_DAYS} school days of this year's registers "
            "to find children in each attendance band. Set EWO_TODAY to a later date (YYYY-MM-DD) on a new "
            "database to see them."
        )
    print_demo_logins()


def print_demo_logins() -> None:
    """Show the demo accounts' sign-in details."""
    click.echo("\nDemo sign-ins (demonstration only; never load demo data into a live service):")
    for account in demo.DEMO_ACCOUNTS:
        click.echo(f"  {ROLE_LABELS[account.role]:<28} {account.email:<24} {account.password}")
