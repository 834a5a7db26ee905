"""``flask --app wsgi import schools|pupils|carers|marks FILE``"""

from __future__ import annotations

import getpass
import os
import sys

import click

from ewo_cases.extensions import db
from ewo_cases.models import ImportKind, ImportOutcome
from ewo_cases.services.imports import run_import
from ewo_cases.services.imports.base import RowError


@click.command("import")
@click.argument("kind", type=click.Choice([kind.value for kind in ImportKind]))
@click.argument("file", type=click.File("rb"))
def import_command(kind: str, file) -> None:
    """Import a contract CSV file, all or nothing; bad rows are listed and nothing is written."""
    import_kind = ImportKind(kind)
    size = os.fstat(file.fileno()).st_size if file.seekable() else 0
    with click.progressbar(length=max(size, 1), label=f"Importing {file.name}", file=sys.stderr, show_pos=False) as bar:
        run = run_import(
            import_kind,
            file,
            filename=os.path.basename(file.name),
            actor=None,
            on_read=bar.update,
            command_line_user=operating_system_user(),
        )
    db.session.commit()
    if run.outcome is ImportOutcome.SUCCEEDED:
        click.echo(f"Imported {run.rows_read} rows from {file.name}: {run.rows_changed} added or changed.")
        return
    problems = "1 problem" if run.error_count == 1 else f"{run.error_count} problems"
    click.echo(f"Nothing was imported: {problems} in {file.name}.", err=True)
    for error in run.errors:
        click.echo(f"  {RowError(**error)}", err=True)
    if run.error_count > len(run.errors):
        click.echo(f"  … and {run.error_count - len(run.errors)} more", err=True)
    sys.exit(1)


def operating_system_user() -> str:
    """The account running the command, for the import log (there is no signed-in user)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name, no USER variable and no password entry
        return f"user id {os.getuid()}"
