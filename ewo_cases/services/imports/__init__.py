"""All-or-nothing CSV imports of the data contract (``schools``, ``pupils``, ``carers``, ``marks``).

``run_import`` records an ``ImportRun``, reads the file through ``CsvFile`` (UTF-8, optional BOM,
header checked against the contract), lets the kind's importer validate and write every row inside a
SAVEPOINT, and rolls that SAVEPOINT back if any row was bad: the run and its error report are kept,
nothing else is. The caller commits.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import ImportKind, ImportOutcome, ImportRun, School, User
from ewo_cases.services import audit
from ewo_cases.services.imports import carers, marks, pupils, schools
from ewo_cases.services.imports.base import CsvFile, ErrorReport, FileRejected, ImportContext, Importer

#: A piped file is copied so that it can be read twice; up to this size the copy stays in memory.
SPOOL_IN_MEMORY = 8 << 20
IMPORTERS: dict[ImportKind, Importer] = {
    ImportKind.SCHOOLS: schools.IMPORTER,
    ImportKind.PUPILS: pupils.IMPORTER,
    ImportKind.CARERS: carers.IMPORTER,
    ImportKind.MARKS: marks.IMPORTER,
}


def run_import(
    kind: ImportKind,
    stream: BinaryIO,
    *,
    filename: str,
    actor: User | None,
    school: School | None = None,
    on_read: Callable[[int], None] | None = None,
    command_line_user: str | None = None,
) -> ImportRun:
    """Import a file all-or-nothing and return its run; the caller commits. ``command_line_user`` is the
    operating-system account of a command-line import, which has no signed-in ``actor``."""
    importer = IMPORTERS[kind]
    run = ImportRun(
        kind=kind,
        filename=filename[:255],
        user_id=actor.id if actor else None,
        command_line_user=command_line_user[:100] if command_line_user else None,
        school_id=school.id if school else None,
        outcome=ImportOutcome.RUNNING,
    )
    db.session.add(run)
    db.session.flush()
    stream = _seekable(stream)
    start = stream.tell()

    def reopen() -> CsvFile:
        stream.seek(start)
        return CsvFile(stream, importer.columns, context.report)

    context = ImportContext(ErrorReport(), actor, school, reopen=reopen)
    changed = 0
    try:
        with db.session.begin_nested():
            changed = importer.load(CsvFile(stream, importer.columns, context.report, on_read), context)
            if context.report:
                raise FileRejected
    except FileRejected:
        changed = 0
    _finish(run, context, changed)
    return run


def _seekable(stream: BinaryIO) -> BinaryIO:
    """The stream itself, or (for a pipe) a copy that can be read twice, kept on disk beyond a few MB."""
    if stream.seekable():
        return stream
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (it lives as long as the import)
    shutil.copyfileobj(stream, copy)
    copy.seek(0)
    return copy


def _finish(run: ImportRun, context: ImportContext, changed: int) -> None:
    report = context.report
    run.finished_at = clock.now()
    run.rows_read = context.rows_read
    run.rows_changed = changed
    run.error_count = report.count
    # Some checks run a chunk of rows at a time, so put the problems back in line order.
    run.errors = [error.as_dict() for error in sorted(report.listed, key=lambda error: error.line)]
    run.outcome = ImportOutcome.FAILED if report else ImportOutcome.SUCCEEDED
    if report:
        summary = f"Import of {run.kind.value} file {run.filename} failed with {report.count} errors"
    else:
        summary = f"Imported {run.kind.value} file {run.filename}: {changed} of {run.rows_read} rows changed"
    audit.record(
        context.actor,
        f"import.{run.outcome.value}",
        run,
        summary,
        kind=run.kind.value,
        rows_read=run.rows_read,
        rows_changed=changed,
        errors=report.count,
    )
