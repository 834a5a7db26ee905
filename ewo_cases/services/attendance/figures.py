"""Attendance figures: computed by the engine from the registers, for any date range, and kept for the
academic year to date in ``pupil_attendance`` and ``enrolment_attendance`` so that lists and pages read
them instead of scanning marks. Refreshed after every marks import and by ``flask attendance refresh``,
which should run every night: the current penalty window moves on each day whether or not marks arrive."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa
from flask import current_app

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import EnrolmentAttendance, FiguresStamp, Pupil, PupilAttendance, Role, User
from ewo_cases.services.attendance import calendars, crossings, engine, registers
from workflows.attendance import academic_year_start, penalty_look_back_start

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
    """Recompute the stored figures of these pupils (every pupil by default) as at ``today``; return how many.

    The figures are the year to date's, except ``unauth_10wk_latest``: the current penalty window, the 10
    school weeks ending today, which in the autumn reaches back into the last school year. Pupils with
    marks only in that look-back (none yet this year) get a row too, so a window that spans the summer is
    never missed. The marks are read once and each computation takes its own range of them.
    """
    start, end = year_to_date(today)
    window_start = penalty_look_back_start(end)
    first = min(start, window_start)
    pupil_ids = None if pupil_ids is None else sorted(set(pupil_ids))
    enrolments = registers.load(first, end, pupil_ids=pupil_ids, by_enrolment=True)
    counts = []
    for model, laid_out in ((PupilAttendance, registers.by_pupil(enrolments)), (EnrolmentAttendance, enrolments)):
        marks = laid_out.only_marked()
        year_to_date_figures = _summarise_range(marks, start, end)
        window = _summarise_range(marks, window_start, end)
        rows = stored_rows(RangeFigures(marks, year_to_date_figures, start, end), window=window)
        if model is PupilAttendance:
            year_marks, monday = engine.select_range(marks.marks, marks.first_day, start, end)
            crossings.stamp(rows, year_marks, monday, at_risk_threshold())
        else:
            calendars.refresh(None if pupil_ids is None else set(marks.school_ids.tolist()))
        _delete(model, pupil_ids)
        if rows:
            db.session.execute(model.__table__.insert(), rows)
        counts.append(len(rows))
    renew_stamp()
    return counts[0]


#: The id of ``figures_stamps``' one row.
STAMP_ID = 1


def renew_stamp() -> None:
    """Record that the stored figures, or the pupils' details reported with them, have changed; flush."""
    token = uuid.uuid4().hex
    renewed = db.session.execute(sa.update(FiguresStamp).where(FiguresStamp.id == STAMP_ID).values(token=token))
    if not renewed.rowcount:
        db.session.add(FiguresStamp(id=STAMP_ID, token=token))
    db.session.flush()


def stamp() -> str | None:
    """The stored figures' current token (``FiguresStamp``), or None before they were first stored."""
    return db.session.scalar(sa.select(FiguresStamp.token).where(FiguresStamp.id == STAMP_ID))


def _summarise_range(marks: registers.Marks, start: date, end: date) -> engine.Summary:
    selected, monday = engine.select_range(marks.marks, marks.first_day, start, end)
    return engine.summarise(selected, monday, at_risk_threshold())


def _delete(model: type, pupil_ids: list[int] | None) -> None:
    if pupil_ids is None:
        db.session.execute(sa.delete(model))
        return
    for first in range(0, len(pupil_ids), CHUNK):
        db.session.execute(sa.delete(model).where(model.pupil_id.in_(pupil_ids[first : first + CHUNK])))


def stored_rows(computed: RangeFigures, *, window: engine.Summary | None = None) -> list[dict]:
    """The rows to store for each pupil (or enrolment) of a computation; ``window``, computed over the
    penalty look-back for the same rows, gives the current window's unauthorised sessions (without it, the
    range's own last 10 school weeks)."""
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
    if window is not None:
        columns["unauth_10wk_latest"] = window.unauth_10wk_latest.tolist()
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
    return computed.marks.marked()


# Whose figures a user reads ------------------------------------------------------------------------------

StoredFigures = type[PupilAttendance] | type[EnrolmentAttendance]


def stored_figures_for(user: User) -> StoredFigures:
    """The stored figures a user's lists and pages show.

    A school lead sees their school's own marks (enrolment level, as DfE counts a school's attendance),
    so their lists match their MIS and the figures their school reports; everyone else sees a pupil's
    figures across every school they attended this year.
    """
    return EnrolmentAttendance if user.role == Role.SCHOOL_LEAD else PupilAttendance


def joined_to_pupil(model: StoredFigures) -> sa.ColumnElement[bool]:
    """Join a pupil to their figures: at their current school for enrolment figures."""
    if model is EnrolmentAttendance:
        return sa.and_(EnrolmentAttendance.pupil_id == Pupil.id, EnrolmentAttendance.school_id == Pupil.school_id)
    return PupilAttendance.pupil_id == Pupil.id


def stored_for_pupil(model: StoredFigures, pupil: Pupil) -> PupilAttendance | EnrolmentAttendance | None:
    """One pupil's stored figures of this kind."""
    if model is EnrolmentAttendance:
        return db.session.get(EnrolmentAttendance, (pupil.id, pupil.school_id))
    return db.session.get(PupilAttendance, pupil.id)


def figures_date(model: StoredFigures) -> date | None:
    """The day every stored figure runs to at least ("figures as at"); None before any.

    An import refreshes only its own pupils, so until the nightly refresh some figures are older: the
    oldest is the date a list can promise.
    """
    return db.session.scalar(sa.select(sa.func.min(model.range_end)))
