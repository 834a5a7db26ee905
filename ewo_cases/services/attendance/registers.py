"""Reading and writing registers in bulk, and turning them into arrays for the engine.

A register (``AttendanceRegister.marks``) holds one pupil's marks at one school for one academic year:
one character per session from the Monday on or before 1 September, for 54 weeks. A session belongs to
exactly one register, so the registers of a pupil never disagree: positions outside a register's
own year, or marked at another school, are '.'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import REGISTER_LENGTH, AttendanceRegister
from workflows.attendance import NO_MARK, academic_year_start, monday_on_or_before

LENGTH = REGISTER_LENGTH
EMPTY = ord(NO_MARK)
#: Enough ids per IN (...) for any database.
CHUNK = 500

RegisterKey = tuple[int, int, int]  # pupil id, school id, academic year


def register_start(academic_year: int) -> date:
    """The Monday on or before 1 September: the first day of that year's registers."""
    return monday_on_or_before(date(academic_year, 9, 1))


def academic_year_of(day: date) -> int:
    return academic_year_start(day).year


def session_index(day: date) -> tuple[int, int]:
    """The academic year of ``day`` and the index of its AM session in that year's register."""
    year = academic_year_of(day)
    return year, (day - register_start(year)).days * 2


def merge(imported: Mapping[RegisterKey, bytearray], *, only_school: int | None = None) -> int:
    """Write imported marks over the stored registers; return how many session marks changed.

    A mark replaces whatever the same session held, at that school or (if the pupil was marked at another
    school for that session before) at another school, because a session has one mark. ``only_school``
    (a school's own import) leaves every other school's registers untouched: that import has refused
    sessions another school marked.
    """
    keys = list(imported)
    stored = _stored_registers(
        {pupil for pupil, _school, _year in keys}, {year for *_, year in keys}, only_school=only_school
    )
    new = np.frombuffer(b"".join(imported[key] for key in keys), dtype=np.uint8).reshape(len(keys), LENGTH)
    marked = new != EMPTY
    row_of = {key: row for row, key in enumerate(keys)}
    rows_of_pupil_year: dict[tuple[int, int], list[int]] = {}
    for row, (pupil, _school, year) in enumerate(keys):
        rows_of_pupil_year.setdefault((pupil, year), []).append(row)
    changes: dict[RegisterKey, np.ndarray] = {}
    changed = 0
    for key in [*keys, *(key for key in stored if key not in row_of)]:
        old, row = stored.get(key), row_of.get(key)
        if old is None:
            changed += int(np.count_nonzero(marked[row]))
            changes[key] = new[row]
            continue
        clashes = _marks_elsewhere(key, keys, marked, rows_of_pupil_year)
        merged = old if clashes is None else np.where(clashes, EMPTY, old).astype(np.uint8)
        if row is not None:
            merged = np.where(marked[row], new[row], merged)
            changed += int(np.count_nonzero(merged[marked[row]] != old[marked[row]]))
        if not np.array_equal(merged, old):
            changes[key] = merged
    _write(changes, set(stored))
    return changed


def _marks_elsewhere(
    key: RegisterKey,
    keys: list[RegisterKey],
    marked: np.ndarray,
    rows_of_pupil_year: dict[tuple[int, int], list[int]],
) -> np.ndarray | None:
    """Sessions the file marked for this register's pupil and year at another school."""
    pupil, school, year = key
    others = [row for row in rows_of_pupil_year.get((pupil, year), ()) if keys[row][1] != school]
    if not others:
        return None
    return marked[others].any(axis=0)


def _stored_registers(
    pupil_ids: set[int], years: set[int], *, only_school: int | None
) -> dict[RegisterKey, np.ndarray]:
    """The stored registers of these pupils in these years (at one school, if given)."""
    query = sa.select(
        AttendanceRegister.pupil_id,
        AttendanceRegister.school_id,
        AttendanceRegister.academic_year,
        AttendanceRegister.marks,
    ).where(AttendanceRegister.academic_year.in_(years))
    if only_school is not None:
        query = query.where(AttendanceRegister.school_id == only_school)
    stored = {}
    for pupil_id, school_id, year, marks in db.session.execute(query).yield_per(5000):
        if pupil_id in pupil_ids:
            stored[(pupil_id, school_id, year)] = np.frombuffer(marks.encode("ascii"), dtype=np.uint8)
    return stored


def _write(changes: dict[RegisterKey, np.ndarray], existing: set[RegisterKey]) -> None:
    """Insert new registers and update changed ones (with COPY on PostgreSQL)."""
    if not changes:
        return
    now = clock.now()
    rows = [(pupil, school, year, marks.tobytes().decode("ascii")) for (pupil, school, year), marks in changes.items()]
    if db.session.get_bind().dialect.name == "postgresql":
        _copy_to_postgres(rows, now)
        return
    new = [
        dict(zip(("pupil_id", "school_id", "academic_year", "marks"), row, strict=True), updated_at=now)
        for row in rows
        if row[:3] not in existing
    ]
    updated = [{"p": row[0], "s": row[1], "y": row[2], "m": row[3], "t": now} for row in rows if row[:3] in existing]
    if new:
        db.session.execute(sa.insert(AttendanceRegister), new)
    if updated:
        table = AttendanceRegister.__table__
        db.session.execute(
            table.update()
            .where(
                table.c.pupil_id == sa.bindparam("p"),
                table.c.school_id == sa.bindparam("s"),
                table.c.academic_year == sa.bindparam("y"),
            )
            .values(marks=sa.bindparam("m"), updated_at=sa.bindparam("t")),
            updated,
        )
    db.session.flush()


def _copy_to_postgres(rows: list[tuple[int, int, int, str]], now) -> None:
    """Stream the registers into a temporary table with COPY, then upsert them in one statement."""
    db.session.flush()
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.execute(
        "CREATE TEMPORARY TABLE incoming_registers (pupil_id integer, school_id integer, "
        "academic_year integer, marks text) ON COMMIT DROP"
    )
    with cursor.copy("COPY incoming_registers (pupil_id, school_id, academic_year, marks) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(
        "INSERT INTO attendance_registers (pupil_id, school_id, academic_year, marks, updated_at) "
        "SELECT pupil_id, school_id, academic_year, marks, %s FROM incoming_registers "
        "ON CONFLICT (pupil_id, school_id, academic_year) DO UPDATE SET marks = EXCLUDED.marks, "
        "updated_at = EXCLUDED.updated_at",
        (now,),
    )
    cursor.execute("DROP TABLE incoming_registers")


@dataclass(frozen=True)
class Marks:
    """Registers laid side by side for the engine: one row per pupil (or enrolment), from a Monday."""

    pupil_ids: np.ndarray
    #: Set when each row is one school's marks (enrolment level); empty when rows combine schools.
    school_ids: np.ndarray
    marks: np.ndarray
    first_day: date

    def marked(self) -> np.ndarray:
        """Which rows hold at least one mark (of any code, possible session or not)."""
        return (self.marks != EMPTY).any(axis=1)

    def only_marked(self) -> Marks:
        """The rows that hold at least one mark."""
        keep = self.marked()
        school_ids = self.school_ids[keep] if len(self.school_ids) else self.school_ids
        return Marks(self.pupil_ids[keep], school_ids, self.marks[keep], self.first_day)


def load(
    start: date,
    end: date,
    *,
    pupil_ids: Iterable[int] | None = None,
    school_id: int | None = None,
    by_enrolment: bool = False,
) -> Marks:
    """Lay out the marks from ``start`` to ``end`` inclusive, one row per pupil or per pupil and school.

    ``school_id`` keeps only the marks that school recorded. Sessions outside the range are '.'.
    """
    first_day = monday_on_or_before(start)
    weeks = (end - first_day).days // 7 + 1
    years = range(academic_year_of(start), academic_year_of(end) + 1)
    rows = _register_rows(years, pupil_ids, school_id)
    keys = sorted({(pupil, school) for pupil, school, _year, _marks in rows})
    row_of = {key: index for index, key in enumerate(keys)}
    # 0 stands for "no mark" while combining, so that np.maximum merges disjoint registers.
    laid_out = np.zeros((len(keys), weeks * 14), dtype=np.uint8)
    for year in years:
        _lay_out_year(laid_out, row_of, [row for row in rows if row[2] == year], year, first_day)
    _blank_outside(laid_out, first_day, start, end)
    enrolments = Marks(
        np.array([key[0] for key in keys], dtype=np.int64),
        np.array([key[1] for key in keys], dtype=np.int64),
        laid_out,
        first_day,
    )
    if by_enrolment:
        laid_out[laid_out == 0] = EMPTY
        return enrolments
    return by_pupil(enrolments, blank=0)


def by_pupil(enrolments: Marks, *, blank: int = EMPTY) -> Marks:
    """Combine the rows of each pupil's schools into one row per pupil.

    A session has one mark (see ``merge``), so the rows never disagree and the combination is their
    element-wise maximum once ``blank`` (no mark) is 0; the result marks no mark with '.'.
    """
    pupil_ids, starts = np.unique(enrolments.pupil_ids, return_index=True)
    marks = enrolments.marks if blank == 0 else np.where(enrolments.marks == blank, 0, enrolments.marks)
    combined = marks if len(pupil_ids) == len(marks) else np.maximum.reduceat(marks, starts, axis=0)
    combined = np.where(combined == 0, EMPTY, combined).astype(np.uint8)
    return Marks(pupil_ids, np.empty(0, np.int64), combined, enrolments.first_day)


def _register_rows(years: range, pupil_ids: Iterable[int] | None, school_id: int | None) -> list[tuple]:
    # The table, not the mapped class: reading registers needs no ORM, and so never configures the mappers.
    table = AttendanceRegister.__table__.c
    query = sa.select(table.pupil_id, table.school_id, table.academic_year, table.marks).where(
        table.academic_year.in_(list(years))
    )
    if school_id is not None:
        query = query.where(table.school_id == school_id)
    if pupil_ids is None:
        return db.session.execute(query).all()
    wanted = sorted(set(pupil_ids))
    rows = []
    for first in range(0, len(wanted), CHUNK):
        chunk = wanted[first : first + CHUNK]
        rows.extend(db.session.execute(query.where(table.pupil_id.in_(chunk))).all())
    return rows


def _lay_out_year(laid_out, row_of, rows, year: int, first_day: date) -> None:
    """Lay one year's registers (one per pupil and school) into their rows, beside the other years'."""
    if not rows:
        return
    registers = np.frombuffer("".join(row[3] for row in rows).encode("ascii"), dtype=np.uint8).reshape(
        len(rows), LENGTH
    )
    offset = (register_start(year) - first_day).days * 2
    src_from, dest_from = max(0, -offset), max(0, offset)
    width = min(LENGTH - src_from, laid_out.shape[1] - dest_from)
    if width <= 0:
        return
    registers = registers[:, src_from : src_from + width]
    registers = np.where(registers == EMPTY, 0, registers).astype(np.uint8)
    targets = np.array([row_of[(row[0], row[1])] for row in rows])
    # A year's register and the next overlap by a few days (each is blank outside its own year).
    block = laid_out[targets, dest_from : dest_from + width]
    laid_out[targets, dest_from : dest_from + width] = np.maximum(block, registers)


def _blank_outside(laid_out: np.ndarray, first_day: date, start: date, end: date) -> None:
    laid_out[:, : (start - first_day).days * 2] = 0
    laid_out[:, ((end - first_day).days + 1) * 2 :] = 0
