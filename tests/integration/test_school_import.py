"""``flask --app wsgi import schools FILE``: all-or-nothing, line-numbered errors, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import ImportKind, ImportOutcome, ImportRun, Phase, School, Trust

GOOD = (
    "urn,name,phase,trust\n"
    "100001,Northfield Primary School,primary,Northfield Learning Trust\n"
    "100002,Northfield Academy,secondary,Northfield Learning Trust\n"
    "100003,Hilltop School,special,\n"
)


@pytest.fixture
def import_file(runner, tmp_path: Path):
    """Write ``content`` (str or bytes) to a file and import it; return the CLI result."""

    def run(content: str | bytes, kind: str = "schools"):
        path = tmp_path / f"{kind}.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return runner.invoke(args=["import", kind, str(path)])

    return run


def schools() -> list[tuple[str, str, Phase, str | None]]:
    rows = db.session.scalars(sa.select(School).order_by(School.urn))
    return [(s.urn, s.name, s.phase, s.trust.name if s.trust else None) for s in rows]


def last_run() -> ImportRun:
    return db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()


def test_a_good_file_is_imported_with_its_trusts(import_file):
    result = import_file(GOOD)
    assert result.exit_code == 0, result.output
    assert "Imported 3 rows" in result.output and "3 added or changed" in result.output
    assert schools() == [
        ("100001", "Northfield Primary School", Phase.PRIMARY, "Northfield Learning Trust"),
        ("100002", "Northfield Academy", Phase.SECONDARY, "Northfield Learning Trust"),
        ("100003", "Hilltop School", Phase.SPECIAL, None),
    ]
    run = last_run()
    assert (run.kind, run.outcome, run.rows_read, run.rows_changed) == (
        ImportKind.SCHOOLS,
        ImportOutcome.SUCCEEDED,
        3,
        3,
    )


def test_reimporting_changes_nothing_and_a_changed_row_replaces_the_stored_one(import_file):
    import_file(GOOD)
    versions = {s.urn: s.version for s in db.session.scalars(sa.select(School))}
    assert "0 added or changed" in import_file(GOOD).output
    assert {s.urn: s.version for s in db.session.scalars(sa.select(School))} == versions
    result = import_file(GOOD.replace("Hilltop School,special,", "Hilltop Academy,special,Riverside Trust"))
    assert "1 added or changed" in result.output
    assert schools()[2] == ("100003", "Hilltop Academy", Phase.SPECIAL, "Riverside Trust")


def test_reimporting_without_the_trust_column_takes_schools_out_of_their_trusts_but_keeps_the_trusts(import_file):
    """Trusts are kept, though empty: reports and the school pages refer to them, and a later file may use them."""
    assert import_file(GOOD).exit_code == 0
    trust_ids = set(db.session.scalars(sa.select(Trust.id)))
    without_trusts = "urn,name,phase\n100001,Northfield Primary School,primary\n100002,Northfield Academy,secondary\n"
    result = import_file(without_trusts)
    assert result.exit_code == 0, result.output
    assert [trust for *_, trust in schools()] == [None, None, None]
    assert set(db.session.scalars(sa.select(Trust.id))) == trust_ids


def test_columns_may_come_in_any_order_with_a_byte_order_mark(import_file):
    result = import_file("\ufeffphase,name,urn\nprimary,Solo School,200001\n".encode())
    assert result.exit_code == 0, result.output
    assert schools() == [("200001", "Solo School", Phase.PRIMARY, None)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("", ["line 1: The file is empty"], id="empty file"),
        pytest.param("urn,name,phase\n", ["line 2: The file has a header row but no data rows"], id="header only"),
        pytest.param("urn,name\n100001,A\n", ["line 1, column phase: Required column is missing"], id="missing column"),
        pytest.param(
            "urn,name,phase,headteacher\n100001,A,primary,B\n",
            [
                "line 1, column headteacher: 'headteacher' Unknown column. The columns of this file are: "
                "urn, name, phase, trust"
            ],
            id="extra column",
        ),
        pytest.param(
            "urn,name,phase,name\n100001,A,primary,B\n",
            ["line 1, column name: 'name' Column appears more than once"],
            id="duplicate column",
        ),
        pytest.param(
            "urn,name,phase\n10001,A,primary\n1000011,B,primary\nABCDEF,C,primary\n",
            [
                "line 2, column urn: '10001' URN must be 6 digits",
                "line 3, column urn: '1000011' URN must be 6 digits",
                "line 4, column urn: 'ABCDEF' URN must be 6 digits",
            ],
            id="bad urns",
        ),
        pytest.param(
            "urn,name,phase\n100001,A,primary\n100001,B,primary\n",
            ["line 3, column urn: '100001' URN appears more than once (first on line 2)"],
            id="duplicate key",
        ),
        pytest.param(
            "urn,name,phase\n100001,A,college\n",
            [
                "line 2, column phase: 'college' Phase must be one of: nursery, primary, middle, secondary, "
                "all-through, special, ap"
            ],
            id="bad phase",
        ),
        pytest.param("urn,name,phase\n100001,,primary\n", ["line 2, column name: Enter a value"], id="empty name"),
        pytest.param("urn,name,phase\n100001,A\n", ["line 2: Expected 3 values, found 2"], id="short row"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ["line 1: The file is not UTF-8 text"], id="binary junk"
        ),
        pytest.param(
            b"urn,name,phase\n100001,A\x00B,primary\n",
            ["line 2, column name: 'A\x00B' Contains control characters"],
            id="NUL byte",
        ),
        pytest.param(
            (
                "urn,name,phase\n"
                + "".join(f"{300000 + n},Plain School,primary\n" for n in range(3000))
                + "100002,Ysgol Gymraeg Caf\u00e9,primary\n"
            ).encode("cp1252"),
            ["line 3002: The file is not UTF-8 text. Save or export it as CSV UTF-8"],
            id="wrong encoding",
        ),
    ],
)
def test_a_bad_file_is_refused_with_line_numbered_errors_and_nothing_is_written(import_file, content, expected):
    result = import_file(content)
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    for message in expected:
        assert message in result.output
    assert schools() == [] and db.session.scalar(sa.select(sa.func.count(Trust.id))) == 0
    run = last_run()
    assert run.outcome is ImportOutcome.FAILED and run.error_count == len(expected)


def test_an_error_anywhere_keeps_out_every_row(import_file):
    result = import_file(GOOD + "100004,Broken,primry,\n")
    assert result.exit_code == 1 and "line 5, column phase" in result.output
    assert "Nothing was imported: 1 problem in" in result.output  # not "1 problems"
    assert schools() == []


def test_the_report_lists_the_first_fifty_errors_and_counts_the_rest(import_file):
    rows = "".join(f"{n:05d},School {n},primary\n" for n in range(60))
    result = import_file("urn,name,phase\n" + rows)
    assert result.output.count("URN must be 6 digits") == 50
    assert "Nothing was imported: 60 problems in" in result.output
    assert "… and 10 more" in result.output
    assert last_run().error_count == 60 and len(last_run().errors) == 50
