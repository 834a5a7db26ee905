"""The pieces every import shares: reading a contract CSV file (encoding, header, row shape) with
line-numbered errors, and the description of a kind of file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from ewo_cases.models import School, User

#: How many errors a report lists; the rest are counted.
ERRORS_LISTED = 50
#: Characters read at a time by ``CsvFile.lines``.
LINE_BATCH_CHARACTERS = 1 << 22


@dataclass(frozen=True)
class RowError:
    """One problem with one value of one row."""

    line: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        shown = f" '{self.value}'" if self.value else ""
        return f"{where}:{shown} {self.reason}"


@dataclass
class ErrorReport:
    """The errors found so far: the first ``ERRORS_LISTED`` in full, and a count of all."""

    listed: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, column: str, value: str, reason: str) -> None:
        self.count += 1
        if len(self.listed) < ERRORS_LISTED:
            self.listed.append(RowError(line, column, _shorten(value), reason))

    @property
    def unlisted(self) -> int:
        return self.count - len(self.listed)

    def __bool__(self) -> bool:
        return self.count > 0


class FileRejected(Exception):
    """The file cannot be read any further (empty, not UTF-8 text, a bad header)."""


@dataclass(frozen=True)
class Columns:
    """The columns a file must have, and those it may have."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.required + self.optional


class CountingReader(io.RawIOBase):
    """Wrap a binary stream and report how many bytes have been read (for progress bars)."""

    def __init__(self, stream: BinaryIO, on_read: Callable[[int], None] | None) -> None:
        self._stream = stream
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        if self._on_read and data:
            self._on_read(len(data))
        return len(data)


class CsvFile:
    """A contract CSV file: check the header on opening, then iterate ``(line, values)`` rows."""

    def __init__(
        self,
        stream: BinaryIO,
        columns: Columns,
        report: ErrorReport,
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        self._stream = stream
        self._report = report
        buffered = io.BufferedReader(CountingReader(stream, on_read), buffer_size=1 << 20)
        # utf-8-sig accepts (and drops) a leading byte-order mark, as the contract allows.
        self._text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="strict", newline="")
        self._reader = csv.reader(self._text)
        header = next(self._checked(self._reader), None)
        if header is None:
            report.add(1, "", "", "The file is empty: it needs a header row and at least one data row")
            raise FileRejected
        self.header = [name.strip() for name in header]
        self._check_header(columns)
        self.index = {name: position for position, name in enumerate(self.header)}

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield each data row with its line number; rows of the wrong width are reported and skipped."""
        width = len(self.header)
        reader = self._reader
        seen_any = False
        for row in self._checked(reader):
            if not row:  # a blank line
                continue
            seen_any = True
            if len(row) != width:
                self._report.add(reader.line_num, "", "", f"Expected {width} values, found {len(row)}")
                continue
            yield reader.line_num, row
        if not seen_any:
            self.report_no_rows()

    @contextmanager
    def lines(self) -> Iterator[Iterator[list[str]]]:
        """The data lines as raw text without their line endings, in batches, for a hot loop that splits
        them itself (see ``split``).

        Reading large blocks and splitting them at newlines skips the csv module and any per-line call;
        a decoding failure is still reported, and ends the file, as in ``rows``. Lines are counted as the
        csv module counts them, for files ending lines with LF or CR LF.
        """
        try:
            yield self._line_batches()
        except UnicodeDecodeError:
            self._report_undecodable()

    def _line_batches(self) -> Iterator[list[str]]:
        rest = ""
        while block := self._text.read(LINE_BATCH_CHARACTERS):
            text = rest + block
            if "\r" in text:
                text = text.replace("\r\n", "\n")  # a CR LF split across two blocks is joined in ``rest``
            lines = text.split("\n")
            rest = lines.pop()
            yield lines
        if rest:
            yield [rest]

    def split(self, line: int, text: str) -> list[str] | None:
        """Split one raw line as the csv module would (the slow path, for quoted values); report a row of
        the wrong width and return None. A blank line is returned as an empty list."""
        try:
            row = next(csv.reader([text]), [])
        except csv.Error as exc:
            self._report.add(line, "", "", f"The file is not readable CSV: {exc}")
            return None
        if row and len(row) != len(self.header):
            self._report.add(line, "", "", f"Expected {len(self.header)} values, found {len(row)}")
            return None
        return row

    def report_no_rows(self) -> None:
        self._report.add(2, "", "", "The file has a header row but no data rows")

    def getter(self, name: str) -> Callable[[list[str]], str]:
        """Return a fast accessor for one column's (stripped) value, or '' if the column is absent."""
        position = self.index.get(name)
        if position is None:
            return lambda _row: ""
        return lambda row: row[position].strip()

    def _checked(self, reader: Iterator[list[str]]) -> Iterator[list[str]]:
        """Pass rows through, turning a decoding or CSV failure into a reported, final error."""
        try:
            yield from reader
        except UnicodeDecodeError:
            self._report_undecodable()
        except csv.Error as exc:
            self._report.add(self._reader.line_num + 1, "", "", f"The file is not readable CSV: {exc}")
            raise FileRejected from None

    def _report_undecodable(self) -> None:
        self._report.add(
            self._first_undecodable_line(), "", "", "The file is not UTF-8 text. Save or export it as CSV UTF-8"
        )
        raise FileRejected from None

    def _first_undecodable_line(self) -> int:
        """Find the line that is not UTF-8 (the decoder reads ahead in large chunks, so re-read to find it)."""
        if not self._stream.seekable():
            return self._reader.line_num + 1
        self._stream.seek(0)
        for number, raw in enumerate(self._stream, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
        return self._reader.line_num + 1

    def _check_header(self, columns: Columns) -> None:
        seen: set[str] = set()
        for name in self.header:
            if name in seen:
                self._report.add(1, name, name, "Column appears more than once")
            elif name not in columns.allowed:
                allowed = ", ".join(columns.allowed)
                self._report.add(1, name, name, f"Unknown column. The columns of this file are: {allowed}")
            seen.add(name)
        for name in columns.required:
            if name not in seen:
                self._report.add(1, name, "", "Required column is missing")
        if self._report:
            raise FileRejected


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str, max_length: int, *, required: bool = True) -> str | None:
    """Return why free text is unacceptable (empty, too long, control characters), or None."""
    if required and not value:
        return "Enter a value"
    if len(value) > max_length:
        return f"Must be {max_length} characters or fewer"
    if CONTROL_CHARACTERS.search(value):
        return "Contains control characters: the file may be damaged or not a text file"
    return None


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass
class ImportContext:
    """What an importer needs besides the file: where to report, who is importing, for which school."""

    report: ErrorReport
    actor: User | None
    #: A school lead's upload: every row must belong to this school.
    school: School | None = None
    rows_read: int = 0
    #: The file again from its first row, for an importer that checks every row before writing any.
    reopen: Callable[[], CsvFile] | None = None


@dataclass(frozen=True)
class Importer:
    """A kind of file: its columns and the function that validates and writes its rows.

    ``load`` returns the number of stored rows it changed; it reports bad rows to ``context.report``
    and writes nothing once the report is non-empty (the SAVEPOINT is rolled back anyway).
    """

    columns: Columns
    load: Callable[[CsvFile, ImportContext], int]
