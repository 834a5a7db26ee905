"""Attendance figures: computed by the engine from the registers, for any date range, and kept for the
academic year to date in ``pupil_attendance`` and ``enrolment_attendance`` so that lists and pages read
them instead of scanning marks. Refreshed after every marks import and by ``flask attendance refresh``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa
from flask import current_app

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import EnrolmentAttendance, PupilAttendance
from ewo_cases.services.attendance import calendars, crossings, engine, registers
from workflows.attendance import academic_year_start

CHUNK = registers.CHUNK


@dataclass(frozen=True)
class RangeFigures:
    """The engine's figures for some pupils over a range, with the marks they came from."""

    marks: registers.Marks
    summary: engine.Summary
    start: date
    end: date


def at_risk_threshold() -> int:
    return int(current_app.config["AT_RISK_THRESHOLD"])


def year_to_date(today: date | None = None) -> tuple[date, date]:
    """The default range: from 1 September to today."""
    today = today or clock.today()
    return academic_year_start(today), today


def for_range(
    start: date,
    end: date,
    *,
    pupil_ids: Iterable[int] | None = None,
    school_id: int | None = None,
    by_enrolment: bool = False,
) -> RangeFigures:
    """Compute the figures of the pupils with marks between ``start`` and ``end`` (inclusive)."""
    marks = registers.load(start, end, pupil_ids=pupil_ids, school_id=school_id, by_enrolment=by_enrolment)
    return RangeFigures(marks, engine.summarise(marks.marks, marks.first_day, at_risk_threshold()), start, end)


def refresh(pupil_ids: Iterable[int] | None = None, *, today: date | None = None) -> int:
    """Recompute the year-to-date figures of these pupils (every pupil by default); return how many."""
    start, end = year_to_date(today)
    pupil_ids = None if pupil_ids is None else sorted(set(pupil_ids))
    counts = []
    for model, by_enrolment in ((PupilAttendance, False), (EnrolmentAttendance, True)):
        computed = for_range(start, end, pupil_ids=pupil_ids, by_enrolment=by_enrolment)
        rows = stored_rows(computed)
        if by_enrolment:
            schools = None if pupil_ids is None else set(computed.marks.school_ids.tolist())
            calendars.refresh(schools)
        else:
            crossings.stamp(rows, computed.marks.marks, computed.marks.first_day, at_risk_threshold())
        _delete(model, pupil_ids)
        if rows:
            db.session.execute(sa.insert(model), rows)
        counts.append(len(rows))
    db.session.flush()
    return counts[0]


def _delete(model: type, pupil_ids: list[int] | None) -> None:
    if pupil_ids is None:
        db.session.execute(sa.delete(model))
        return
    for first in range(0, len(pupil_ids), CHUNK):
        db.session.execute(sa.delete(model).where(model.pupil_id.in_(pupil_ids[first : first + CHUNK])))


def stored_rows(computed: RangeFigures) -> list[dict]:
    """The rows to store for each pupil (or enrolment) of a computation."""
    summary, marks = computed.summary, computed.marks
    columns = {
        name: getattr(summary, name).tolist()
        for name in (
            "possible",
            "attending",
            "authorised",
            "unauthorised",
            "illness",
            "unauth_10wk_max",
            "unauth_10wk_latest",
            "penalty_threshold_met",
            "longest_unauth_days",
        )
    }
    columns["attendance_pct"] = [None if np.isnan(pct) else pct for pct in summary.attendance_pct.tolist()]
    columns["band"] = summary.bands()
    columns["sessions_until_below_90"] = engine.sessions_until_below(summary).tolist()
    columns["projected_below_90"] = engine.projected_below_90(summary).tolist()
    columns["last_school_week"] = [
        None if np.isnat(week) else week.astype(date) for week in summary.last_school_week_start
    ]
    columns["pupil_id"] = marks.pupil_ids.tolist()
    if len(marks.school_ids):
        columns["school_id"] = marks.school_ids.tolist()
    fixed = {"range_start": computed.start, "range_end": computed.end, "computed_at": clock.now()}
    names = list(columns)
    return [{**fixed, **dict(zip(names, values, strict=True))} for values in zip(*columns.values(), strict=True)]


def with_marks(computed: RangeFigures) -> np.ndarray:
    """Which rows hold at least one mark in the range (of any code, possible session or not)."""
    return (computed.marks.marks != registers.EMPTY).any(axis=1)
