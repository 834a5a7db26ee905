"""A small authority for the governors' report tests, its marks imported through ``flask import marks`` so
that the stored figures are the real ones; and the brute-force breakdown of those stored figures."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from ewo_cases.extensions import db
from ewo_cases.models import EnrolmentAttendance, Phase, Pupil, PupilAttendance, School, SenStatus, Trust
from tests.factories import valid_upn
from tests.unit.attendance import brute_force

TODAY = "2025-12-01"
DIMENSIONS = [
    "pupil_premium",
    "sen_status",
    "looked_after",
    "previously_looked_after",
    "child_protection",
    "child_in_need",
    "sex",
    "year_group",
    "ethnicity",
]
URNS = {"alder": "700001", "birch": "700002", "cedar": "700003", "damson": "700004"}


@dataclass
class Area:
    """Oak Trust runs Alder and Birch (primary) and Damson (secondary); Cedar (primary) has no trust."""

    trust: Trust
    alder: School
    birch: School
    cedar: School
    damson: School
    pupils: dict[str, Pupil]


def school_days(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def sessions(upn: str, urn: str, days: list[date], codes: str) -> list[tuple[str, str, date, str, str]]:
    """Marks for consecutive sessions (AM then PM of each day), one character of ``codes`` each."""
    slots = [(day, session) for day in days for session in ("AM", "PM")]
    return [(upn, urn, day, session, code) for (day, session), code in zip(slots, codes, strict=True)]


def build_area(make_trust, make_school, make_pupil, runner, tmp_path: Path) -> Area:
    """Create the schools and pupils and import their marks (September to November 2025)."""
    trust = make_trust("Oak Trust")
    alder = make_school(URNS["alder"], "Alder Primary", Phase.PRIMARY, trust)
    birch = make_school(URNS["birch"], "Birch Primary", Phase.PRIMARY, trust)
    cedar = make_school(URNS["cedar"], "Cedar Primary", Phase.PRIMARY, None)
    damson = make_school(URNS["damson"], "Damson Academy", Phase.SECONDARY, trust)
    specs = {
        # Alder: persistent, looked after (the only one), never possible, severe, and a pupil who moved to Cedar.
        "pp": (
            alder,
            {"pupil_premium": True, "sen_status": SenStatus.SEN_SUPPORT, "year_group": "3", "ethnicity": "WBRI"},
        ),
        "looked_after": (alder, {"looked_after": True, "sen_status": SenStatus.EHCP, "year_group": "R", "sex": "M"}),
        "closed": (alder, {"child_protection": True, "year_group": "3"}),
        "severe": (
            alder,
            {"previously_looked_after": True, "child_in_need": True, "year_group": "3", "ethnicity": "ABAN"},
        ),
        "mover": (cedar, {"year_group": "4", "pupil_premium": True}),
        "birch_1": (birch, {"year_group": "5", "sex": "M"}),
        "birch_2": (birch, {"year_group": "5", "child_protection": True}),
        "cedar_1": (cedar, {"year_group": "6", "ethnicity": "WBRI"}),
        "damson_1": (damson, {"year_group": "10", "pupil_premium": True}),
        "damson_2": (damson, {"year_group": "11", "sen_status": SenStatus.EHCP, "sex": "M"}),
    }
    pupils = {name: make_pupil(school, valid_upn(), **values) for name, (school, values) in specs.items()}
    weeks = school_days(date(2025, 9, 1), 40)
    first, second = weeks[:20], weeks[20:]
    a, b, c, d = URNS["alder"], URNS["birch"], URNS["cedar"], URNS["damson"]
    marks = [
        *sessions(pupils["pp"].upn, a, first, "/\\" * 16 + "NN" * 4),
        *sessions(pupils["looked_after"].upn, a, first[:10], "/\\" * 9 + "I\\"),
        *sessions(pupils["closed"].upn, a, first[:5], "#" * 10),
        *sessions(pupils["severe"].upn, a, first[:10], "OG" * 6 + "/\\" * 4),
        *sessions(pupils["mover"].upn, a, first, "/N" * 20),
        *sessions(pupils["mover"].upn, c, second, "/\\" * 20),
        *sessions(pupils["birch_1"].upn, b, weeks, "/\\" * 38 + "MC" * 2),
        *sessions(pupils["birch_2"].upn, b, weeks, "/\\" * 30 + "UN" * 10),
        *sessions(pupils["cedar_1"].upn, c, weeks, "/\\" * 40),
        *sessions(pupils["damson_1"].upn, d, weeks, "/\\" * 35 + "IO" * 5),
        *sessions(pupils["damson_2"].upn, d, second, "/\\" * 10 + "XX" * 10),
    ]
    path = tmp_path / "marks.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["upn", "school_urn", "date", "session", "code"])
        writer.writerows((upn, urn, day.isoformat(), session, code) for upn, urn, day, session, code in marks)
    result = runner.invoke(args=["import", "marks", str(path)])
    assert result.exit_code == 0, result.output
    return Area(trust, alder, birch, cedar, damson, pupils)


def group_of(pupil: Pupil, dimension: str) -> str:
    value = getattr(pupil, dimension)
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, SenStatus):
        return value.value
    return value or ""


def expected_rows(model: type, school_ids: list[int] | None = None) -> list[dict]:
    """The breakdown of the stored figures (enrolments at these schools, or every pupil), by brute force."""
    query = sa.select(model, Pupil).join(Pupil, Pupil.id == model.pupil_id)
    if school_ids is not None:
        query = query.where(model.school_id.in_(school_ids))
    pupils = [
        (
            SimpleNamespace(
                possible=row.possible,
                attending=row.attending,
                authorised=row.authorised,
                unauthorised=row.unauthorised,
            ),
            {dimension: group_of(pupil, dimension) for dimension in DIMENSIONS},
        )
        for row, pupil in db.session.execute(query)
    ]
    return brute_force.cohort_rows(pupils, DIMENSIONS)


def expected_school(school: School) -> list[dict]:
    return expected_rows(EnrolmentAttendance, [school.id])


def expected_authority() -> list[dict]:
    return expected_rows(PupilAttendance)
