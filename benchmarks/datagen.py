"""The synthetic authority's files, as its schools' MIS would send them: ``schools.csv``, ``pupils.csv``,
``carers.csv`` and a full academic year of ``marks.csv``.

They are made once per (pupils, schools, seed, academic year) by the app's demo generators in a scratch
SQLite database (``flask demo-data --schools N --pupils N``), then written out, and cached in the work
directory (``/tmp/ewo-bench/files-…`` by default). ``python -m benchmarks.datagen FOLDER YEAR`` is the
writing step; it runs in the scratch database's environment.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from datetime import date
from pathlib import Path

from benchmarks.common import FLASK, PYTHON, app_env, log, run_measured, secret_key, write_json

FILES = ("schools.csv", "pupils.csv", "carers.csv", "marks.csv")
PUPIL_FLAGS = ("pupil_premium", "looked_after", "previously_looked_after", "child_protection", "child_in_need")


def ensure_files(work_dir: Path, pupils: int, schools: int, seed: int, today: date) -> tuple[Path, dict]:
    """The cached files for this authority, generating them first if they are not there."""
    academic_year = today.year - 1 if today.month < 9 else today.year
    folder = work_dir / f"files-p{pupils}-s{schools}-seed{seed}-{academic_year}"
    meta_path = folder / "meta.json"
    if meta_path.exists() and all((folder / name).exists() for name in FILES):
        log(f"Using cached files in {folder}")
        return folder, json.loads(meta_path.read_text())
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    scratch = folder / "scratch.sqlite"
    env = app_env(f"sqlite:///{scratch}", today)
    logs = folder / "logs"
    log(f"Generating a {pupils}-pupil, {schools}-school authority (seed {seed}) in a scratch database")
    migrate = run_measured([*FLASK, "db", "upgrade"], env, logs, "scratch-db-upgrade")
    demo = run_measured(
        [*FLASK, "demo-data", "--schools", str(schools), "--pupils", str(pupils), "--seed", str(seed)],
        env,
        logs,
        "scratch-demo-data",
    )
    log(f"demo-data took {demo.seconds:.1f} s; exporting the files")
    export = run_measured(
        [PYTHON, "-m", "benchmarks.datagen", str(folder), str(academic_year)], env, logs, "scratch-export"
    )
    scratch.unlink()
    counts = {name: _count_rows(folder / name) for name in FILES}
    meta = {
        "pupils": pupils,
        "schools": schools,
        "seed": seed,
        "academic_year": academic_year,
        "today": today.isoformat(),
        "rows": counts,
        "bytes": {name: (folder / name).stat().st_size for name in FILES},
        "generation_seconds": {
            "db_upgrade": round(migrate.seconds, 1),
            "demo_data": round(demo.seconds, 1),
            "export": round(export.seconds, 1),
        },
    }
    write_json(meta_path, meta)
    log(f"Wrote {folder}: " + ", ".join(f"{name} {count:,} rows" for name, count in counts.items()))
    return folder, meta


def _count_rows(path: Path) -> int:
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 24), b"")) - 1


# --- the writing step, run in the scratch database's environment ----------------------------------------


def export(folder: Path, academic_year: int) -> None:
    """Write the four files from the scratch database."""
    import sqlalchemy as sa

    from ewo_cases import create_app
    from ewo_cases.extensions import db
    from ewo_cases.models import Carer, Pupil, PupilCarer, School, Trust

    app = create_app({"SECRET_KEY": secret_key()})
    with app.app_context():
        with (folder / "schools.csv").open("w", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(["urn", "name", "phase", "trust"])
            query = sa.select(School.urn, School.name, School.phase, Trust.name).outerjoin(Trust).order_by(School.urn)
            for urn, name, phase, trust in db.session.execute(query):
                writer.writerow([urn, name, phase.value, trust or ""])

        with (folder / "pupils.csv").open("w", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(
                [
                    "upn",
                    "school_urn",
                    "forename",
                    "surname",
                    "date_of_birth",
                    "year_group",
                    "sex",
                    *PUPIL_FLAGS,
                    "sen_status",
                    "ethnicity",
                    "eal",
                ]
            )
            query = sa.select(Pupil, School.urn).join(School, School.id == Pupil.school_id).order_by(Pupil.upn)
            for pupil, urn in db.session.execute(query.execution_options(yield_per=5000)):
                writer.writerow(
                    [
                        pupil.upn,
                        urn,
                        pupil.forename,
                        pupil.surname,
                        pupil.date_of_birth.isoformat(),
                        pupil.year_group,
                        pupil.sex,
                        *(_flag(getattr(pupil, name)) for name in PUPIL_FLAGS),
                        pupil.sen_status.value,
                        pupil.ethnicity or "",
                        "" if pupil.eal is None else _flag(pupil.eal),
                    ]
                )
            db.session.expunge_all()

        with (folder / "carers.csv").open("w", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(
                [
                    "upn",
                    "carer_ref",
                    "forename",
                    "surname",
                    "relationship",
                    "parental_responsibility",
                    "lives_with_pupil",
                    "address",
                    "phone",
                    "email",
                ]
            )
            query = (
                sa.select(
                    Pupil.upn,
                    Carer.carer_ref,
                    Carer.forename,
                    Carer.surname,
                    PupilCarer.relationship_to_pupil,
                    PupilCarer.parental_responsibility,
                    PupilCarer.lives_with_pupil,
                    Carer.address,
                    Carer.phone,
                    Carer.email,
                )
                .join(PupilCarer, PupilCarer.pupil_id == Pupil.id)
                .join(Carer, Carer.id == PupilCarer.carer_id)
                .order_by(Pupil.upn, PupilCarer.id)
            )
            for row in db.session.execute(query):
                writer.writerow(
                    [*row[:5], _flag(row.parental_responsibility), _flag(row.lives_with_pupil), *row[7:8]]
                    + [value or "" for value in row[8:]]
                )

        _export_marks(folder / "marks.csv", academic_year)


def _export_marks(path: Path, academic_year: int) -> None:
    """Every mark of the year, a school's pupils together and each pupil's marks in date order."""
    import sqlalchemy as sa

    from ewo_cases.extensions import db
    from ewo_cases.models import AttendanceRegister, Pupil, School
    from ewo_cases.services.demo.marks import marks_rows

    query = (
        sa.select(Pupil.upn, School.urn, AttendanceRegister.marks)
        .join(Pupil, Pupil.id == AttendanceRegister.pupil_id)
        .join(School, School.id == AttendanceRegister.school_id)
        .where(AttendanceRegister.academic_year == academic_year)
        .order_by(School.urn, Pupil.upn)
    )
    day_text: dict[date, str] = {}
    written = 0
    with path.open("w", newline="", buffering=1 << 20) as file:
        file.write("upn,school_urn,date,session,code\n")
        for upn, urn, register in db.session.execute(query.execution_options(yield_per=2000)):
            prefix = f"{upn},{urn},"
            lines = []
            for day, session, code in marks_rows(register.encode("ascii"), academic_year):
                text = day_text.get(day)
                if text is None:
                    text = day_text[day] = day.isoformat()
                lines.append(f"{prefix}{text},{session},{code}\n")
            file.writelines(lines)
            written += len(lines)
    log(f"marks.csv: {written:,} rows")


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("academic_year", type=int)
    arguments = parser.parse_args()
    export(arguments.folder, arguments.academic_year)


if __name__ == "__main__":
    main()
