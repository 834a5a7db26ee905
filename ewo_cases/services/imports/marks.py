"""``marks.csv``: one row per pupil per session. Millions of rows, so the rows go straight into
per-pupil register buffers (one byte per session) in a single tight loop, and only those buffers,
one per pupil, school and year, are merged with what is stored and written back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Pupil, School
from ewo_cases.services.attendance import figures, registers
from ewo_cases.services.imports import values
from ewo_cases.services.imports.base import Columns, CsvFile, ImportContext, Importer
from workflows.attendance import CODE_TO_CHAR, NO_MARK, academic_year_start, monday_on_or_before

COLUMNS = Columns(required=("upn", "school_urn", "date", "session", "code"))
SESSIONS = {"AM": 0, "PM": 1}
CODE_BYTES = {code: ord(char) for code, char in CODE_TO_CHAR.items()}
EMPTY = ord(NO_MARK)
#: Marks are accepted from this date, and up to a year ahead (planned closures are entered in advance).
EARLIEST_DATE = date(2000, 9, 1)


@dataclass
class ImportedMarks:
    """The file's marks, by (pupil, school, academic year), as registers with '.' where the file said nothing."""

    registers: dict[tuple[int, int, int], bytearray] = field(default_factory=dict)
    #: The registers of one pupil and year, at every school in the file, to catch a session marked twice.
    by_pupil_year: dict[tuple[int, int], list[bytearray]] = field(default_factory=dict)

    def register(self, pupil_id: int, school_id: int, year: int) -> tuple[bytearray, list[bytearray]]:
        key = (pupil_id, school_id, year)
        buffer = self.registers[key] = bytearray(NO_MARK.encode() * registers.LENGTH)
        siblings = self.by_pupil_year.setdefault((pupil_id, year), [])
        siblings.append(buffer)
        return buffer, siblings


def load_marks(csv_file: CsvFile, context: ImportContext) -> int:
    """Read every row into register buffers, then merge them into the stored registers."""
    marks = read_marks(csv_file, context)
    if context.report:
        return 0
    changed = registers.merge(marks.registers)
    figures.refresh({pupil_id for pupil_id, _school, _year in marks.registers})
    return changed


def read_marks(csv_file: CsvFile, context: ImportContext) -> ImportedMarks:
    """Check and place every mark; bad rows go to the report."""
    return MarksReader(csv_file, context).read()


class MarksReader:
    """The lookups a marks file is checked against, and the loop that reads it."""

    def __init__(self, csv_file: CsvFile, context: ImportContext) -> None:
        self.csv_file, self.context = csv_file, context
        self.pupils = dict(db.session.execute(sa.select(Pupil.upn, Pupil.id)).all())
        if context.school is not None:
            self.schools = {context.school.urn: context.school.id}
        else:
            self.schools = dict(db.session.execute(sa.select(School.urn, School.id)).all())
        self.dates = DatePositions()
        self.columns = tuple(csv_file.index[column] for column in COLUMNS.required)

    def read(self) -> ImportedMarks:
        """The hot loop: a few dictionary lookups and one byte written per row."""
        report, pupils, schools, dates = self.context.report, self.pupils, self.schools, self.dates
        upn_at, urn_at, date_at, session_at, code_at = self.columns
        marks = ImportedMarks()
        open_registers: dict[tuple[int, int, int], tuple[bytearray, list[bytearray]]] = {}
        rows = 0
        try:
            for line, row in self.csv_file.rows():
                rows += 1
                pupil_id = pupils.get(row[upn_at]) or pupils.get(row[upn_at].strip().upper())
                school_id = schools.get(row[urn_at])
                position = dates.get(row[date_at])
                session = SESSIONS.get(row[session_at])
                code = CODE_BYTES.get(row[code_at])
                if pupil_id is None or school_id is None or position is None or session is None or code is None:
                    self.report_row(line, row)
                    continue
                key = (pupil_id, school_id, position[0])
                entry = open_registers.get(key)
                if entry is None:
                    entry = open_registers[key] = marks.register(*key)
                buffer, siblings = entry
                index = position[1] + session
                if buffer[index] != EMPTY or (len(siblings) > 1 and any(other[index] != EMPTY for other in siblings)):
                    report.add(
                        line,
                        "session",
                        f"{row[date_at]} {row[session_at]}",
                        "This pupil already has a mark for this session earlier in the file",
                    )
                    continue
                buffer[index] = code
        finally:
            self.context.rows_read = rows  # also when the file turns out unreadable part-way
        return marks

    def report_row(self, line: int, row: list[str]) -> None:
        """Say what is wrong with each bad value of a row (the slow path, taken only for bad rows)."""
        report, context = self.context.report, self.context
        upn, urn, day, session, code = (row[index] for index in self.columns)
        if upn not in self.pupils and upn.strip().upper() not in self.pupils:
            _valid, problem = values.upn(upn.strip())
            report.add(line, "upn", upn, problem or "No pupil has this UPN: import pupils.csv first")
        if urn not in self.schools:
            problem = (
                f"You can only import marks for your own school ({context.school.urn})"
                if context.school is not None
                else "No school has this URN: import schools.csv first"
            )
            report.add(line, "school_urn", urn, problem)
        if self.dates.get(day) is None:
            _parsed, problem = values.iso_date(day)
            report.add(
                line, "date", day, problem or f"Date must be between {EARLIEST_DATE.isoformat()} and a year from today"
            )
        if session not in SESSIONS:
            report.add(line, "session", session, "Session must be AM or PM")
        if code not in CODE_BYTES:
            report.add(line, "code", code, "Not an attendance code in use since August 2024")


class DatePositions(dict):
    """Map a date string to (academic year, index of its AM session in that year's register), or None."""

    def __init__(self) -> None:
        super().__init__()
        self.latest = clock.today() + timedelta(days=366)

    def __missing__(self, value: str) -> tuple[int, int] | None:
        day, problem = values.iso_date(value)
        if problem or not EARLIEST_DATE <= day <= self.latest:
            self[value] = None
            return None
        first = academic_year_start(day)
        self[value] = position = (first.year, (day - monday_on_or_before(first)).days * 2)
        return position

    def get(self, value: str) -> tuple[int, int] | None:  # type: ignore[override]
        return self[value]


IMPORTER = Importer(COLUMNS, load_marks)
