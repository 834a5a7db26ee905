"""``carers.csv``: one row per adult per child. The same ``carer_ref`` on several children is one adult,
which is how brothers and sisters are linked, across schools too."""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Pupil, PupilCarer
from ewo_cases.services.imports import values
from ewo_cases.services.imports.base import Columns, CsvFile, ImportContext, Importer
from ewo_cases.services.imports.rows import RowParser, text, upsert_changed_keys

COLUMNS = Columns(
    required=(
        "upn",
        "carer_ref",
        "forename",
        "surname",
        "relationship",
        "parental_responsibility",
        "lives_with_pupil",
        "address",
    ),
    optional=("phone", "email"),
)
#: The columns that describe the adult rather than their tie to one child: the same on every row of a ref.
PERSON_COLUMNS = ("forename", "surname", "address", "phone", "email")


def load_carers(csv_file: CsvFile, context: ImportContext) -> int:
    """Check every row, then store the adults and their ties to each child."""
    pupils = pupil_ids_by_upn(context)
    parser = RowParser(
        csv_file,
        {
            "upn": lambda value: pupil_id_for(value, pupils, context),
            "carer_ref": text(40),
            "forename": text(100),
            "surname": text(100),
            "relationship": text(60),
            "parental_responsibility": values.flag,
            "lives_with_pupil": values.flag,
            "address": text(500),
            "phone": text(40, required=False),
            "email": email,
        },
        context.report,
    )
    people: dict[str, tuple[int, dict]] = {}
    links: dict[tuple[int, str], tuple[int, dict]] = {}
    for line, row in csv_file.rows():
        context.rows_read += 1
        record = parser.parse(line, row)
        if record is None:
            continue
        ref, person = record["carer_ref"], {column: record[column] for column in PERSON_COLUMNS}
        first_line, first_person = people.setdefault(ref, (line, person))
        if first_person != person:
            context.report.add(
                line,
                "carer_ref",
                ref,
                f"This carer has different details on line {first_line}: one carer_ref must be one adult",
            )
        tie = {
            "relationship_to_pupil": record["relationship"],
            "parental_responsibility": record["parental_responsibility"],
            "lives_with_pupil": record["lives_with_pupil"],
        }
        first_line, _tie = links.setdefault((record["upn"], ref), (line, tie))
        if first_line != line:
            context.report.add(line, "carer_ref", ref, f"This carer is listed for this pupil on line {first_line} too")
    if context.report:
        return 0
    return store_carers(
        {ref: person for ref, (_, person) in people.items()}, {link: tie for link, (_, tie) in links.items()}
    )


def store_carers(people: dict[str, dict], ties: dict[tuple[int, str], dict]) -> int:
    """Write the adults (by carer_ref), then each one's tie to each child (by pupil id and carer_ref).

    Return how many rows (ties) changed: those whose tie or whose adult's details were new or different.
    """
    changed_people = upsert_changed_keys(
        Carer, "carer_ref", [{"carer_ref": ref, **person} for ref, person in people.items()]
    )
    carer_ids = dict(db.session.execute(sa.select(Carer.carer_ref, Carer.id)).all())
    changed_ties = upsert_changed_keys(
        PupilCarer,
        ("pupil_id", "carer_id"),
        [{"pupil_id": pupil_id, "carer_id": carer_ids[ref], **tie} for (pupil_id, ref), tie in ties.items()],
    )
    return sum((ref,) in changed_people or (pupil_id, carer_ids[ref]) in changed_ties for pupil_id, ref in ties)


def pupil_ids_by_upn(context: ImportContext) -> dict[str, int]:
    """The pupils rows may name: those on roll at a school lead's school, or any known pupil."""
    query = sa.select(Pupil.upn, Pupil.id)
    if context.school is not None:
        query = query.where(Pupil.school_id == context.school.id)
    return dict(db.session.execute(query).all())


def pupil_id_for(upn: str, pupils: dict[str, int], context: ImportContext) -> tuple[int | None, str | None]:
    upn = upn.upper()
    if upn in pupils:
        return pupils[upn], None
    _valid, problem = values.upn(upn)
    if problem:
        return None, problem
    if context.school is not None:
        return None, f"No pupil with this UPN is on roll at your school ({context.school.urn})"
    return None, "No pupil has this UPN: import pupils.csv first"


def email(value: str) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return None, "Email address is not in the correct format, like name@example.com"


IMPORTER = Importer(COLUMNS, load_carers)
