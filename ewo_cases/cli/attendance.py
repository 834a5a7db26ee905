"""``flask --app wsgi attendance summary|cohorts|refresh``"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ewo_cases.extensions import db
from ewo_cases.models import Pupil, School
from ewo_cases.services.attendance import engine, figures

attendance_group = AppGroup("attendance", help="Attendance figures from the imported marks.")

SUMMARY_COLUMNS = ("upn", *engine.SUMMARY_COLUMNS)
COHORT_COLUMNS = engine.COHORT_COLUMNS
DATE = click.DateTime(formats=["%Y-%m-%d"])


def range_options(command):
    """--from, --to, --school and --format, shared by the reporting commands."""
    for option in reversed(
        (
            click.option("--from", "start", type=DATE, help="First date (default: 1 September of this academic year)."),
            click.option("--to", "end", type=DATE, help="Last date (default: today)."),
            click.option("--school", "urn", metavar="URN", help="Only the marks this school recorded."),
            click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv", show_default=True),
        )
    ):
        command = option(command)
    return command


@attendance_group.command("summary")
@range_options
def summary(start: datetime | None, end: datetime | None, urn: str | None, output: str) -> None:
    """One row per pupil with marks in the range, sorted by UPN."""
    computed, upns = _compute(start, end, urn)
    present = figures.with_marks(computed).tolist()
    pupil_ids = computed.marks.pupil_ids.tolist()
    rows = [
        {"upn": upns[pupil_id], **row}
        for pupil_id, row, marked in zip(pupil_ids, computed.summary.rows(), present, strict=True)
        if marked
    ]
    rows.sort(key=lambda row: row["upn"])
    _write(rows, SUMMARY_COLUMNS, output)


@attendance_group.command("cohorts")
@range_options
def cohorts(start: datetime | None, end: datetime | None, urn: str | None, output: str) -> None:
    """The governors' breakdown: absence by pupil characteristic (pupils with a possible session)."""
    computed, _upns = _compute(start, end, urn)
    _write(
        engine.cohort_rows_for(computed.summary, characteristics(computed.marks.pupil_ids.tolist())),
        COHORT_COLUMNS,
        output,
    )


@attendance_group.command("refresh")
def refresh() -> None:
    """Recompute every pupil's stored figures as at today. Schedule it nightly: the current penalty window
    (the 10 school weeks up to today) moves on every day, marks or no marks. Run it after changing
    thresholds too."""
    count = figures.refresh()
    db.session.commit()
    click.echo(f"Recomputed the figures of {count} pupils.", err=True)


#: The cohort dimensions after "all", as columns of ``pupils``.
DIMENSIONS = (
    "pupil_premium",
    "sen_status",
    "looked_after",
    "previously_looked_after",
    "child_protection",
    "child_in_need",
    "sex",
    "year_group",
    "ethnicity",
)


def characteristics(pupil_ids: list[int]) -> dict[str, list[str]]:
    """Each pupil's group in every cohort dimension, written as ``pupils.csv`` writes it."""
    pupils = Pupil.__table__.c
    columns = [pupils[name] for name in DIMENSIONS]
    stored = {row[0]: row[1:] for row in db.session.execute(sa.select(pupils.id, *columns))}
    groups = {name: [] for name in DIMENSIONS}
    for pupil_id in pupil_ids:
        for name, value in zip(DIMENSIONS, stored[pupil_id], strict=True):
            groups[name].append(_group(value))
    return groups


def _group(value) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    return "" if value is None else str(value)


def _compute(start: datetime | None, end: datetime | None, urn: str | None):
    default_start, default_end = figures.year_to_date()
    start_day: date = start.date() if start else default_start
    end_day: date = end.date() if end else default_end
    if end_day < start_day:
        raise click.BadParameter("--to must not be before --from")
    # Tables, not mapped classes: these reports need no ORM, so the mappers are never configured.
    schools, pupils = School.__table__.c, Pupil.__table__.c
    school_id = None
    if urn is not None:
        school_id = db.session.scalar(sa.select(schools.id).where(schools.urn == urn))
        if school_id is None:
            raise click.BadParameter(f"no school has URN {urn}", param_hint="--school")
    computed = figures.for_range(start_day, end_day, school_id=school_id)
    return computed, dict(db.session.execute(sa.select(pupils.id, pupils.upn)).all())


def _write(rows: list[dict], columns: tuple[str, ...], output: str) -> None:
    if output == "json":
        json.dump(rows, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
        return
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    # The csv module writes None as an empty value; only true and false need spelling out.
    writer.writerows([[_csv_value(row[column]) for column in columns] for row in rows])


def _csv_value(value):
    if value is True or value is False:
        return "true" if value else "false"
    return value
