"""``pupils.csv``: one row per pupil on roll, keyed by UPN, with the cohort characteristics."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Pupil, School
from ewo_cases.services.attendance import figures
from ewo_cases.services.imports import values
from ewo_cases.services.imports.base import Columns, CsvFile, ImportContext, Importer
from ewo_cases.services.imports.rows import RowParser, chunked, text, upsert_by_key

COLUMNS = Columns(
    required=(
        "upn",
        "school_urn",
        "forename",
        "surname",
        "date_of_birth",
        "year_group",
        "sex",
        "pupil_premium",
        "sen_status",
        "looked_after",
        "previously_looked_after",
        "child_protection",
        "child_in_need",
    ),
    optional=("ethnicity", "eal"),
)
FLAG_COLUMNS = ("pupil_premium", "looked_after", "previously_looked_after", "child_protection", "child_in_need")
#: Nursery children can be 2; a pupil with an EHC plan may stay in a special school until 25.
AGE_RANGE = (2, 25)


def load_pupils(csv_file: CsvFile, context: ImportContext) -> int:
    """Check every row, keeping only the UPNs; then read the file again, adding and updating pupils a chunk
    at a time. Memory does not grow with the file beyond one UPN per row."""
    schools = school_ids_by_urn(context)
    parser = pupil_parser(csv_file, schools, context)
    first_line: dict[str, int] = {}
    for chunk in chunked(csv_file.rows()):
        context.rows_read += len(chunk)
        checked = []
        for line, row in chunk:
            record = parser.parse(line, row)
            if record is None:
                continue
            upn = record["upn"]
            if upn in first_line:
                context.report.add(line, "upn", upn, f"UPN appears more than once (first on line {first_line[upn]})")
                continue
            first_line[upn] = line
            checked.append((line, upn))
        refuse_pupils_on_roll_elsewhere(checked, context)
    if context.report:
        return 0
    rows = context.reopen()
    parser = pupil_parser(rows, schools, context)
    changed = sum(
        upsert_by_key(Pupil, "upn", [as_pupil(parser.parse(line, row)) for line, row in chunk])
        for chunk in chunked(rows.rows())
    )
    if changed:
        figures.renew_stamp()  # reports group pupils by these details, and a move changes their school
    return changed


def pupil_parser(csv_file: CsvFile, schools: dict[str, int], context: ImportContext) -> RowParser:
    return RowParser(
        csv_file,
        {
            "upn": values.upn,
            "school_urn": lambda urn: school_id_for(urn, schools, context),
            "forename": text(100),
            "surname": text(100),
            "date_of_birth": plausible_birth_date,
            "year_group": lambda value: values.choice(value.upper(), values.YEAR_GROUP_SET, "Year group"),
            "sex": lambda value: values.choice(value.upper(), values.SEXES, "Sex"),
            **dict.fromkeys(FLAG_COLUMNS, values.flag),
            "sen_status": sen_status,
            "ethnicity": text(10, required=False),
            "eal": values.optional_flag,
        },
        context.report,
    )


def refuse_pupils_on_roll_elsewhere(checked: list[tuple[int, str]], context: ImportContext) -> None:
    """A school's file must not move another school's pupil (and their record) into its view."""
    if context.school is None or not checked:
        return
    elsewhere = set(
        db.session.scalars(
            sa.select(Pupil.upn).where(
                Pupil.upn.in_({upn for _line, upn in checked}), Pupil.school_id != context.school.id
            )
        )
    )
    for line, upn in checked:
        if upn in elsewhere:
            context.report.add(
                line, "upn", upn, "This pupil is on roll at another school: ask the local authority to record the move"
            )


def school_ids_by_urn(context: ImportContext) -> dict[str, int]:
    """The schools rows may name: a school lead's own, or any known school."""
    if context.school is not None:
        return {context.school.urn: context.school.id}
    return dict(db.session.execute(sa.select(School.urn, School.id)).all())


def school_id_for(urn: str, schools: dict[str, int], context: ImportContext) -> tuple[int | None, str | None]:
    """The id of a school the row may name, or why it may not."""
    if urn in schools:
        return schools[urn], None
    if context.school is not None:
        return None, f"You can only import rows for your own school ({context.school.urn})"
    return None, "No school has this URN: import schools.csv first"


def plausible_birth_date(value: str) -> tuple[date | None, str | None]:
    born, problem = values.iso_date(value)
    if problem:
        return None, problem
    today = clock.today()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not AGE_RANGE[0] <= age <= AGE_RANGE[1]:
        return None, f"Date of birth gives an age of {age}: pupils are {AGE_RANGE[0]} to {AGE_RANGE[1]}"
    return born, None


def sen_status(value: str):
    status = values.SEN_STATUSES.get(value.upper())
    return (status, None) if status else (None, "SEN status must be N (none), K (SEN support) or E (EHC plan)")


def as_pupil(record: dict) -> dict:
    """Rename the contract's columns to the model's."""
    record = dict(record)
    record["school_id"] = record.pop("school_urn")
    return record


IMPORTER = Importer(COLUMNS, load_pupils)
