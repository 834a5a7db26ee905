"""What interventions achieve: attendance before and after each entry of a case into a stage, and why cases
closed, for a team manager.

For each entry of a case into a stage (opening it, and every move after), the pupil's attendance over the 6
school weeks after the week of entry is set against the 6 school weeks before it. A school week is a
Monday–Sunday week with at least one possible session (``data-contract.md``); the week of entry is left out
because it falls on both sides. Only whole weeks are measured: the current week, not yet over, is left out
(its marks are not all in). Only entries with 6 school weeks on each side count, and the 6 before must
start within ``LOOKBACK_WEEKS`` of the entry. Attendance is the pupil's at any school; cases are grouped by
their current school and officer. The registers of every pupil concerned are loaded in one go and the
windows found for every entry at once (``windows``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import Case, CaseTransition, Pupil, School, User
from ewo_cases.scoping import sees_whole_authority
from ewo_cases.services.attendance import registers
from ewo_cases.services.attendance.engine import weekly_counts
from ewo_cases.services.kept import Kept, casework_changes
from ewo_cases.services.oversight import local_day, start_of, visible_cases
from workflows import CLOSURE_REASON_LABELS, OPEN_STAGES, STAGE_LABELS, CaseStage, ClosureReason
from workflows.attendance import academic_year_start, monday_on_or_before

#: School weeks on each side of an entry into a stage.
OUTCOME_WEEKS = 6
#: The 6 school weeks before an entry must start within this many weeks before the week of entry.
LOOKBACK_WEEKS = 26


@dataclass(frozen=True)
class Windows:
    """For each entry: the sessions in the school weeks before and after, and whether both sides are whole."""

    before_possible: np.ndarray
    before_attending: np.ndarray
    after_possible: np.ndarray
    after_attending: np.ndarray
    counted: np.ndarray

    def before_pct(self) -> np.ndarray:
        return _pct(self.before_attending, self.before_possible, self.counted)

    def after_pct(self) -> np.ndarray:
        return _pct(self.after_attending, self.after_possible, self.counted)


def _pct(attending: np.ndarray, possible: np.ndarray, counted: np.ndarray) -> np.ndarray:
    return np.where(counted, 100 * attending / np.maximum(possible, 1), np.nan)


def windows(
    possible: np.ndarray,
    attending: np.ndarray,
    rows: np.ndarray,
    weeks: np.ndarray,
    *,
    school_weeks: int = OUTCOME_WEEKS,
    lookback: int = LOOKBACK_WEEKS,
) -> Windows:
    """Sum the sessions of the ``school_weeks`` school weeks before and after week ``weeks[i]`` of row ``rows[i]``.

    ``possible`` and ``attending`` are per row per week (``weekly_counts``). The entry's own week is in
    neither window. All entries are done at once: prefix sums per row, and one sorted search over every row
    (each row's running count of school weeks offset so the rows follow one another) finds where each window
    starts or ends.
    """
    pupils, width = possible.shape
    school_week_counts = _prefix(possible > 0)
    possible_sums, attending_sums = _prefix(possible), _prefix(attending)
    rows, weeks = np.asarray(rows, dtype=np.int64), np.asarray(weeks, dtype=np.int64)
    flat = (school_week_counts[:, 1:] + (np.arange(pupils) * (width + 1))[:, None]).ravel()

    def week_of(rank: np.ndarray) -> np.ndarray:
        """Return the week index of each row's ``rank``-th school week (1-based)."""
        return np.searchsorted(flat, rows * (width + 1) + rank, side="left") - rows * width

    before_count = school_week_counts[rows, weeks]
    first = week_of(np.maximum(before_count - school_weeks + 1, 1))
    has_before = (before_count >= school_weeks) & (first >= weeks - lookback)
    up_to_entry = school_week_counts[rows, weeks + 1]
    has_after = school_week_counts[rows, width] - up_to_entry >= school_weeks
    last = np.minimum(week_of(up_to_entry + school_weeks), width - 1)
    return Windows(
        before_possible=possible_sums[rows, weeks] - possible_sums[rows, first],
        before_attending=attending_sums[rows, weeks] - attending_sums[rows, first],
        after_possible=possible_sums[rows, last + 1] - possible_sums[rows, weeks + 1],
        after_attending=attending_sums[rows, last + 1] - attending_sums[rows, weeks + 1],
        counted=has_before & has_after,
    )


def _prefix(values: np.ndarray) -> np.ndarray:
    """Return running sums along each row with a leading 0: ``result[r, k]`` sums the weeks before ``k``."""
    sums = np.zeros((values.shape[0], values.shape[1] + 1), dtype=np.int64)
    np.cumsum(values, axis=1, out=sums[:, 1:])
    return sums


@dataclass(frozen=True)
class OutcomeFilters:
    year: int
    school_id: int | None = None
    officer_id: int | None = None
    group_by: str | None = None


@dataclass(frozen=True)
class Entry:
    """A case entering a stage."""

    case_id: int
    pupil_id: int
    stage: CaseStage
    entered_on: date
    school_id: int
    school_name: str
    officer_id: int
    officer_name: str


#: An entry with the attendance % before and after it (both None when too few school weeks were measured).
Measured = tuple[Entry, float | None, float | None]


@dataclass(frozen=True)
class OutcomeLine:
    """The entries of one stage (or group), how many had 6 school weeks each side, and the mean change."""

    key: str
    label: str
    entries: int
    counted: int
    before_pct: float | None
    after_pct: float | None
    mean_change: float | None
    improved: int


@dataclass(frozen=True)
class ClosureLine:
    reason: ClosureReason
    label: str
    cases: int
    share_pct: float | None


@dataclass(frozen=True)
class Outcomes:
    year: int
    start: date
    end: date
    measured_to: date
    stages: list[OutcomeLine]
    overall: OutcomeLine
    groups: list[OutcomeLine]
    closures: list[ClosureLine]
    closed: int

    def shown_stages(self) -> list[OutcomeLine]:
        """Return the stages some case entered in the year."""
        return [line for line in self.stages if line.entries]

    def change_bars(self) -> list[tuple[str, float | None]]:
        """(label, mean change) for the chart: each stage entered, then all stages together."""
        return [(line.label, line.mean_change) for line in [*self.shown_stages(), self.overall]]

    def closure_bars(self) -> list[tuple[str, float | None, None]]:
        """(label, share, no comparator) for the chart of closure reasons given in the year."""
        return [(line.label, line.share_pct, None) for line in self.closures if line.cases]


def academic_years(user: User, today: date | None = None) -> list[int]:
    """Return the academic years (by their first calendar year) from the first case's to this one, newest first."""
    current = academic_year_start(today or clock.today()).year
    first = db.session.scalar(visible_cases(sa.select(sa.func.min(Case.opened_at)), user))
    first_year = academic_year_start(local_day(first)).year if first else current
    return list(range(current, min(first_year, current) - 1, -1))


def outcomes(user: User, filters: OutcomeFilters, *, today: date | None = None) -> Outcomes:
    """Attendance before and after each entry into a stage in the academic year, and why cases closed."""
    today = today or clock.today()
    start = date(filters.year, 9, 1)
    end = min(date(filters.year + 1, 8, 31), today)
    measured = _measured(user, filters, start, end, today)
    stages = [
        _line(stage.value, STAGE_LABELS[stage], [pair for pair in measured if pair[0].stage == stage])
        for stage in OPEN_STAGES
    ]
    closures, closed = closure_reasons(user, filters, start, end)
    return Outcomes(
        year=filters.year,
        start=start,
        end=end,
        measured_to=last_whole_week_end(today),
        stages=stages,
        overall=_line("all", "All stages", measured),
        groups=_group_lines(measured, filters.group_by),
        closures=closures,
        closed=closed,
    )


#: Every entry into a stage in the authority, measured, as this process last worked them out (for managers).
_AUTHORITY_MEASURES = Kept[list[Measured]]("the authority's entries, measured")


def _measured(user: User, filters: OutcomeFilters, start: date, end: date, today: date) -> list[Measured]:
    """The entries into a stage in the period, measured; for the whole authority, read from its registers only
    once something they depend on has changed."""
    if not sees_whole_authority(user):
        return measure(entries_in(user, filters, start, end), today)
    everything = _AUTHORITY_MEASURES.get(
        (start, end, today, casework_changes()),
        lambda: measure(entries_in(user, OutcomeFilters(year=filters.year), start, end), today),
    )
    return [
        measured
        for measured in everything
        if (not filters.school_id or measured[0].school_id == filters.school_id)
        and (not filters.officer_id or measured[0].officer_id == filters.officer_id)
    ]


def entries_in(user: User, filters: OutcomeFilters, start: date, end: date) -> list[Entry]:
    """Return every entry of a case into an open stage between ``start`` and ``end`` (inclusive)."""
    query = (
        sa.select(
            CaseTransition.case_id,
            Case.pupil_id,
            CaseTransition.to_stage,
            CaseTransition.occurred_at,
            School.id,
            School.name,
            User.id,
            User.name,
        )
        .join(Case, Case.id == CaseTransition.case_id)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .join(User, User.id == Case.assigned_officer_id)
        .where(
            CaseTransition.to_stage.in_([stage.value for stage in OPEN_STAGES]),
            CaseTransition.occurred_at >= start_of(start),
            CaseTransition.occurred_at < start_of(end + timedelta(days=1)),
        )
        .order_by(CaseTransition.occurred_at, CaseTransition.id)
    )
    if filters.school_id:
        query = query.where(Pupil.school_id == filters.school_id)
    if filters.officer_id:
        query = query.where(Case.assigned_officer_id == filters.officer_id)
    return [
        Entry(case_id, pupil_id, CaseStage(stage), local_day(at), school_id, school, officer_id, officer)
        for case_id, pupil_id, stage, at, school_id, school, officer_id, officer in db.session.execute(
            visible_cases(query, user)
        )
    ]


def last_whole_week_end(today: date) -> date:
    """The Sunday that ended the last whole week before ``today``'s (the latest day outcomes measure)."""
    return monday_on_or_before(today) - timedelta(days=1)


def measure(entries: list[Entry], today: date) -> list[Measured]:
    """Pair each entry with the pupil's attendance % over the school weeks before and after (None if too few),
    in whole weeks up to the one before ``today``'s."""
    if not entries:
        return []
    first_day = monday_on_or_before(min(entry.entered_on for entry in entries)) - timedelta(weeks=LOOKBACK_WEEKS)
    marks = registers.load(first_day, last_whole_week_end(today), pupil_ids={entry.pupil_id for entry in entries})
    possible, attending = weekly_counts(marks.marks)
    row_of = {int(pupil_id): row for row, pupil_id in enumerate(marks.pupil_ids)}
    weeks = [(monday_on_or_before(entry.entered_on) - marks.first_day).days // 7 for entry in entries]
    # An entry this week has no whole week after it yet (and no column in the marks).
    found = [i for i, e in enumerate(entries) if e.pupil_id in row_of and weeks[i] < possible.shape[1]]
    rows = np.array([row_of[entries[i].pupil_id] for i in found], dtype=np.int64)
    result = windows(possible, attending, rows, np.array([weeks[i] for i in found], dtype=np.int64))
    before, after = result.before_pct(), result.after_pct()
    counted = {i: position for position, i in enumerate(found) if result.counted[position]}
    return [
        (entry, float(before[counted[i]]), float(after[counted[i]])) if i in counted else (entry, None, None)
        for i, entry in enumerate(entries)
    ]


def _line(key: str, label: str, measured: list[Measured]) -> OutcomeLine:
    counted = [(before, after) for _entry, before, after in measured if before is not None]
    if not counted:
        return OutcomeLine(key, label, len(measured), 0, None, None, None, 0)
    before = sum(pair[0] for pair in counted) / len(counted)
    after = sum(pair[1] for pair in counted) / len(counted)
    change = sum(pair[1] - pair[0] for pair in counted) / len(counted)
    improved = sum(1 for pair in counted if pair[1] > pair[0])
    return OutcomeLine(
        key, label, len(measured), len(counted), round(before, 1), round(after, 1), round(change, 1), improved
    )


def _group_lines(measured: list[Measured], group_by: str | None) -> list[OutcomeLine]:
    if group_by not in ("school", "officer"):
        return []
    groups: dict[tuple[str, int], list] = defaultdict(list)
    for item in measured:
        entry = item[0]
        key = (entry.school_name, entry.school_id) if group_by == "school" else (entry.officer_name, entry.officer_id)
        groups[key].append(item)
    return [_line(str(key_id), name, items) for (name, key_id), items in sorted(groups.items())]


def closure_reasons(user: User, filters: OutcomeFilters, start: date, end: date) -> tuple[list[ClosureLine], int]:
    """Count the cases closed between ``start`` and ``end`` for each reason, with each reason's share."""
    query = (
        sa.select(Case.closure_reason, sa.func.count(Case.id))
        .join(Pupil, Pupil.id == Case.pupil_id)
        .where(
            Case.stage == CaseStage.CLOSED,
            Case.closed_at >= start_of(start),
            Case.closed_at < start_of(end + timedelta(days=1)),
        )
        .group_by(Case.closure_reason)
    )
    if filters.school_id:
        query = query.where(Pupil.school_id == filters.school_id)
    if filters.officer_id:
        query = query.where(Case.assigned_officer_id == filters.officer_id)
    counts: Counter[ClosureReason] = Counter()
    for reason, count in db.session.execute(visible_cases(query, user)):
        counts[ClosureReason(reason or ClosureReason.OTHER)] += count
    total = sum(counts.values())
    lines = [
        ClosureLine(
            reason, label, counts.get(reason, 0), round(100 * counts.get(reason, 0) / total, 1) if total else None
        )
        for reason, label in CLOSURE_REASON_LABELS.items()
    ]
    return lines, total
