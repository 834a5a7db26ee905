"""``marks.csv``: one row per pupil per session. Millions of rows, so the rows go straight into
per-pupil register buffers (one byte per session) in a single tight loop, and only those buffers,
one per pupil, school and year, are merged with what is stored and written back.

The loop splits raw lines itself and looks values up as they are written; anything unusual (quotes, a
blank line, a value with spaces, an unknown value) drops to a slow path that reads the line as CSV, trims
the values, tries again and reports exactly what is wrong. Files list a pupil's marks together, so the
pupil, school and register of the previous row are reused while they stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import AttendanceRegister, Pupil, School
from ewo_cases.services.attendance import figures, registers
from ewo_cases.services.imports import values
from ewo_cases.services.imports.base import Columns, CsvFile, ImportContext, Importer
from workflows.attendance import CODE_TO_CHAR, NO_MARK

COLUMNS = Columns(required=("upn", "school_urn", "date", "session", "code"))
SESSIONS = {"AM": 0, "PM": 1}
CODE_BYTES = {code: ord(char) for code, char in CODE_TO_CHAR.items()}
EMPTY = ord(NO_MARK)
#: Marks are accepted from this date, and up to a year ahead (planned closures are entered in advance).
EARLIEST_DATE = date(2000, 9, 1)

MARKED_EARLIER = "This pupil already has a mark for this session earlier in the file"
MARKED_ELSEWHERE = (
    "Another school has already recorded a mark for this pupil for this session: "
    "ask the local authority to correct the other school's register"
)

Position = tuple[int, int]  # academic year, index of the AM session in that year's register


@dataclass
class ImportedMarks:
    """The file's marks, by (pupil, school, academic year), as registers with '.' where the file said nothing."""

    registers: dict[tuple[int, int, int], bytearray] = field(default_factory=dict)
    #: The registers of one pupil and year at every school (in the file, and for a school's import the
    #: other schools' stored ones), to catch a session marked twice.
    by_pupil_year: dict[tuple[int, int], list[bytearray | bytes]] = field(default_factory=dict)

    def register(self, pupil_id: int, school_id: int, year: int) -> tuple[bytearray, list[bytearray | bytes]]:
        key = (pupil_id, school_id, year)
        buffer = self.registers.get(key)
        siblings = self.by_pupil_year.setdefault((pupil_id, year), [])
        if buffer is None:
            buffer = self.registers[key] = bytearray(NO_MARK.encode() * registers.LENGTH)
            siblings.append(buffer)
        return buffer, siblings


def load_marks(csv_file: CsvFile, context: ImportContext) -> int:
    """Read every row into register buffers, then merge them into the stored registers."""
    marks = read_marks(csv_file, context)
    if context.report:
        return 0
    school_id = context.school.id if context.school is not None else None
    changed = registers.merge(marks.registers, only_school=school_id)
    figures.refresh({pupil_id for pupil_id, _school, _year in marks.registers})
    return changed


def read_marks(csv_file: CsvFile, context: ImportContext) -> ImportedMarks:
    """Check and place every mark; bad rows go to the report."""
    return MarksReader(csv_file, context).read()


class MarksReader:
    """The lookups a marks file is checked against, and the loop that reads it."""

    def __init__(self, csv_file: CsvFile, context: ImportContext) -> None:
        self.csv_file, self.context = csv_file, context
        self.marks = ImportedMarks()
        pupils = sa.select(Pupil.upn, Pupil.id)
        if context.school is not None:
            # A school's file may only mark its own pupils, and never a session another school marked.
            self.pupils = dict(db.session.execute(pupils.where(Pupil.school_id == context.school.id)).all())
            self.schools = {context.school.urn: context.school.id}
            self._add_other_schools_registers(context.school.id)
        else:
            self.pupils = dict(db.session.execute(pupils).all())
            self.schools = dict(db.session.execute(sa.select(School.urn, School.id)).all())
        self.dates = DatePositions()
        self.columns = tuple(csv_file.index[column] for column in COLUMNS.required)

    def _add_other_schools_registers(self, school_id: int) -> None:
        """Put the registers other schools hold for this school's pupils beside the file's, read-only."""
        query = (
            sa.select(AttendanceRegister.pupil_id, AttendanceRegister.academic_year, AttendanceRegister.marks)
            .join(Pupil, Pupil.id == AttendanceRegister.pupil_id)
            .where(Pupil.school_id == school_id, AttendanceRegister.school_id != school_id)
        )
        for pupil_id, year, stored in db.session.execute(query):
            self.marks.by_pupil_year.setdefault((pupil_id, year), []).append(stored.encode("ascii"))

    def read(self) -> ImportedMarks:
        """The hot loop: a split, a few lookups and one byte written per row."""
        report, dates, marks = self.context.report, self.dates, self.marks
        # Bound methods, looked up once rather than on each of millions of rows.
        pupil_of, school_of, session_of, code_of = self.pupils.get, self.schools.get, SESSIONS.get, CODE_BYTES.get
        width = len(self.csv_file.header)
        upn_at, urn_at, date_at, session_at, code_at = self.columns
        last_upn = last_urn = None
        pupil_id = school_id = year = -1
        buffer: bytearray = bytearray()
        siblings: list = []
        shared = False  # whether another register of this pupil and year may hold the same session
        line, blank_lines = 1, 0
        try:
            with self.csv_file.lines() as batches:
                for batch in batches:
                    for text in batch:
                        line += 1
                        row = text.split(",")
                        if len(row) != width:
                            row = self.csv_file.split(line, text)
                            if not row:
                                blank_lines += row is not None  # a blank line is not a row
                                continue
                        upn, urn = row[upn_at], row[urn_at]
                        position = dates[row[date_at]]
                        session = session_of(row[session_at])
                        code = code_of(row[code_at])
                        if upn != last_upn or urn != last_urn:
                            pupil_id, school_id = pupil_of(upn), school_of(urn)
                            last_upn, last_urn, year = upn, urn, -1
                        if pupil_id is None or school_id is None or position is None or session is None or code is None:
                            resolved = self.resolve(line, row, text)
                            last_upn = None  # the pupil and school of this row may differ from the next one's
                            if resolved is None:
                                continue
                            pupil_id, school_id, position, session, code = resolved
                            year = -1
                        if position[0] != year:
                            year = position[0]
                            buffer, siblings = marks.register(pupil_id, school_id, year)
                            shared = len(siblings) > 1
                        index = position[1] + session
                        if buffer[index] != EMPTY or (shared and any(other[index] != EMPTY for other in siblings)):
                            self.report_marked_twice(line, row, buffer, siblings, index)
                            continue
                        buffer[index] = code
        finally:
            # Counted also when the file turns out unreadable part-way.
            self.context.rows_read = line - 1 - blank_lines
        if not self.context.rows_read and not report:
            self.csv_file.report_no_rows()
        return marks

    def resolve(self, line: int, row: list[str], text: str) -> tuple[int, int, Position, int, int] | None:
        """The slow path, for a row with a value not found as written: read quoted values as CSV, trim every
        value and look again; report each value that is still wrong."""
        if '"' in text:
            row = self.csv_file.split(line, text) or row
        upn, urn, day, session, code = (row[index].strip() for index in self.columns)
        upn = upn.upper()
        pupil_id, school_id, position = self.pupils.get(upn), self.schools.get(urn), self.dates[day]
        session_index, code_byte = SESSIONS.get(session), CODE_BYTES.get(code)
        if None not in (pupil_id, school_id, position, session_index, code_byte):
            return pupil_id, school_id, position, session_index, code_byte
        report, school = self.context.report, self.context.school
        if pupil_id is None:
            _valid, problem = values.upn(upn)
            report.add(line, "upn", row[self.columns[0]], problem or unknown_pupil(school))
        if school_id is None:
            problem = (
                f"You can only import marks for your own school ({school.urn})"
                if school is not None
                else "No school has this URN: import schools.csv first"
            )
            report.add(line, "school_urn", urn, problem)
        if position is None:
            _parsed, problem = values.iso_date(day)
            report.add(
                line, "date", day, problem or f"Date must be between {EARLIEST_DATE.isoformat()} and a year from today"
            )
        if session_index is None:
            report.add(line, "session", session, "Session must be AM or PM")
        if code_byte is None:
            report.add(line, "code", code, "Not an attendance code in use since August 2024")
        return None

    def report_marked_twice(self, line: int, row: list[str], buffer, siblings: list, index: int) -> None:
        in_file = buffer[index] != EMPTY or any(
            isinstance(other, bytearray) and other[index] != EMPTY for other in siblings
        )
        value = f"{row[self.columns[2]].strip()} {row[self.columns[3]].strip()}"
        self.context.report.add(line, "session", value, MARKED_EARLIER if in_file else MARKED_ELSEWHERE)


def unknown_pupil(school: School | None) -> str:
    """Why a well-formed UPN is refused: no such pupil, or (for a school's file) not on that school's roll."""
    if school is not None:
        return f"No pupil with this UPN is on roll at your school ({school.urn})"
    return "No pupil has this UPN: import pupils.csv first"


class DatePositions(dict):
    """Map a date string to (academic year, index of its AM session in that year's register), or None."""

    def __init__(self) -> None:
        super().__init__()
        self.latest = clock.today() + timedelta(days=366)

    def __missing__(self, value: str) -> Position | None:
        self[value] = position = self._position(value)
        return position

    def _position(self, value: str) -> Position | None:
        day, problem = values.iso_date(value)
        if problem or not EARLIEST_DATE <= day <= self.latest:
            return None
        year, index = registers.session_index(day)
        # A date the register cannot hold is a bad row, never an error part-way through the file.
        return (year, index) if 0 <= index <= registers.LENGTH - 2 else None


IMPORTER = Importer(COLUMNS, load_marks)
