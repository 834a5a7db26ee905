"""``carers.csv``: one row per adult per child. The same ``carer_ref`` on several children is one adult,
which is how brothers and sisters are linked, across schools too."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import Carer, Pupil, PupilCarer
from ewo_cases.services.imports import values
from ewo_cases.services.imports.base import Columns, CsvFile, ImportContext, Importer
from ewo_cases.services.imports.rows import RowParser, chunked, text, upsert_changed_keys, values_by_key

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
    """Check every row, keeping only keys and a fingerprint of each adult's details; then read the file
    again, storing the adults and their ties to each child a chunk of rows at a time."""
    pupils = pupil_ids_by_upn(context)
    parser = carer_parser(csv_file, pupils, context)
    people: dict[str, tuple[int, bytes]] = {}
    ties: dict[tuple[int, str], int] = {}
    for line, row in csv_file.rows():
        context.rows_read += 1
        record = parser.parse(line, row)
        if record is None:
            continue
        ref, details = record["carer_ref"], fingerprint(person_of(record))
        first_line, first_details = people.setdefault(ref, (line, details))
        if first_details != details:
            context.report.add(
                line,
                "carer_ref",
                ref,
                f"This carer has different details on line {first_line}: one carer_ref must be one adult",
            )
        first_line = ties.setdefault((record["upn"], ref), line)
        if first_line != line:
            context.report.add(line, "carer_ref", ref, f"This carer is listed for this pupil on line {first_line} too")
    refuse_changes_to_other_schools_carers(people, context)
    if context.report:
        return 0
    rows = context.reopen()
    parser = carer_parser(rows, pupils, context)
    changed_people: set[str] = set()
    return sum(
        store_chunk([parser.parse(line, row) for line, row in chunk], changed_people) for chunk in chunked(rows.rows())
    )


def carer_parser(csv_file: CsvFile, pupils: dict[str, int], context: ImportContext) -> RowParser:
    return RowParser(
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


def person_of(record: dict) -> dict:
    """The columns of a row that describe the adult."""
    return {column: record[column] for column in PERSON_COLUMNS}


def fingerprint(person: dict) -> bytes:
    """A short digest of an adult's details, to compare rows of one carer_ref without keeping the details."""
    return hashlib.blake2b(repr(tuple(person[column] for column in PERSON_COLUMNS)).encode(), digest_size=16).digest()


def refuse_changes_to_other_schools_carers(people: dict[str, tuple[int, bytes]], context: ImportContext) -> None:
    """A school's file may link its pupils to an adult already recorded for children at other schools, but
    not change that adult's details, which every school and officer working with those children sees."""
    if context.school is None:
        return
    for refs in chunked(people):
        shared = (
            sa.select(*(getattr(Carer, column) for column in ("carer_ref", *PERSON_COLUMNS)))
            .where(Carer.carer_ref.in_(refs))
            .where(
                Carer.id.in_(
                    sa.select(PupilCarer.carer_id)
                    .join(Pupil, Pupil.id == PupilCarer.pupil_id)
                    .where(Pupil.school_id != context.school.id)
                )
            )
        )
        for ref, *details in db.session.execute(shared):
            line, file_details = people[ref]
            if fingerprint(dict(zip(PERSON_COLUMNS, details, strict=True))) != file_details:
                context.report.add(
                    line,
                    "carer_ref",
                    ref,
                    "This adult is also recorded for children at other schools, so only the local authority can "
                    "change their details: give the details already recorded, or ask the local authority",
                )


def store_carers(
    people: dict[str, dict], ties: dict[tuple[int, str], dict], changed_people: set[str] | None = None
) -> int:
    """Write the adults (by carer_ref), then each one's tie to each child (by pupil id and carer_ref).

    Return how many rows (ties) changed: those whose tie or whose adult's details were new or different.
    ``changed_people`` gathers the refs whose details changed, for a caller writing a file a chunk of rows
    at a time, whose later chunks hold ties of adults an earlier chunk changed.
    """
    changed_people = set() if changed_people is None else changed_people
    changed_people.update(
        ref for (ref,) in upsert_changed_keys(Carer, "carer_ref", [{"carer_ref": r, **p} for r, p in people.items()])
    )
    carer_ids = values_by_key(Carer.carer_ref, Carer.id, people)
    changed_ties = upsert_changed_keys(
        PupilCarer,
        ("pupil_id", "carer_id"),
        [{"pupil_id": pupil_id, "carer_id": carer_ids[ref], **tie} for (pupil_id, ref), tie in ties.items()],
    )
    return sum(ref in changed_people or (pupil_id, carer_ids[ref]) in changed_ties for pupil_id, ref in ties)


def store_chunk(records: list[dict], changed_people: set[str]) -> int:
    """Write one chunk of checked rows of a file."""
    people = {record["carer_ref"]: person_of(record) for record in records}
    ties = {
        (record["upn"], record["carer_ref"]): {
            "relationship_to_pupil": record["relationship"],
            "parental_responsibility": record["parental_responsibility"],
            "lives_with_pupil": record["lives_with_pupil"],
        }
        for record in records
    }
    return store_carers(people, ties, changed_people)


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
    # Imported on first use: it is a tenth of a second of every command's start-up otherwise.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return None, "Email address is not in the correct format, like name@example.com"


IMPORTER = Importer(COLUMNS, load_carers)
