"""The governors' attendance report: absence by pupil characteristic for a school, a trust or the whole
local authority, beside the trust, the authority and the other schools of the same phase.

The groups and the arithmetic are the data contract's ``attendance cohorts`` (``engine.cohort_rows``):
schools and trusts count **enrolments** (a pupil's marks at that school, as DfE counts them and as
``attendance cohorts --school`` does); the authority counts each **pupil** once across every school, as
``attendance cohorts`` does without ``--school``. The academic year to date is read from the stored figures
(``enrolment_attendance``, ``pupil_attendance``) with one query per table; other periods are computed from
the registers.

A school's report compares it with its trust, the **other** schools of its phase (the school itself left
out) and the authority, headline and group by group. Local authority staff see every comparison. What a
school attendance lead may see of other schools: their own school's report, the headline figures of the
trust, of the other schools of the phase and of the authority, and the authority's figures per group, but
only where each holds at least ``MIN_OTHER_PUPILS`` pupils from schools they cannot see (so that no child
elsewhere can be picked out); never the trust's or the other schools' figures per group, because a trust or
a phase has few schools and another school's breakdown could be worked out from them; and the other schools
of the phase only as "School A", "School B"…, lettered in rank order and without their pupil numbers (and
the other schools together only when there are at least ``MIN_OTHER_SCHOOLS`` of them).

**What may be published.** A group of fewer than ``SMALL_GROUP`` pupils can point to individual children:
the charts leave such groups out (saying so), the tables show their figures tagged "Small group" for the
school's own use, and the CSV file flags them (``small_group`` = ``true``). Governors may publish the
figures of groups not so flagged; never those of a small group.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

import numpy as np
import sqlalchemy as sa

from ewo_cases import clock
from ewo_cases.extensions import db
from ewo_cases.models import EnrolmentAttendance, Phase, Pupil, PupilAttendance, Role, School, Trust, User
from ewo_cases.models.pupils import YEAR_GROUPS, SenStatus, year_group_label
from ewo_cases.scoping import schools as visible_schools
from ewo_cases.services.attendance import engine, figures
from ewo_cases.services.kept import Kept
from workflows import attendance as rules
from workflows.attendance import academic_year_start


class Scope(StrEnum):
    """What a report covers; also the ``scope`` column of its CSV file."""

    SCHOOL = "school"
    TRUST = "trust"
    AUTHORITY = "authority"


class PeriodKind(StrEnum):
    YEAR = "year"
    TERM = "term"
    CUSTOM = "custom"


#: A comparison shown to a school lead must hold at least this many pupils from schools they cannot see.
MIN_OTHER_PUPILS = 10
#: The fewest other schools of the phase whose figures together are shown to a viewer who cannot see them.
MIN_OTHER_SCHOOLS = 2
#: Groups smaller than this are flagged: their figures can point to individual children.
SMALL_GROUP = 5
#: Roles that may see every school's name and the trust and authority reports.
LA_ROLES = frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN})

#: The contract's cohort columns with the scope first and, last, whether the group is too small to publish.
CSV_COLUMNS = ("scope", *engine.COHORT_COLUMNS, "small_group")
DIMENSION_LABELS = {
    "pupil_premium": "Pupil premium",
    "sen_status": "Special educational needs (SEND)",
    "looked_after": "Looked after children",
    "previously_looked_after": "Previously looked after children",
    "child_protection": "Child protection plan",
    "child_in_need": "Child in need",
    "sex": "Sex",
    "year_group": "Year group",
    "ethnicity": "Ethnicity",
}
_FLAG_LABELS = {
    "pupil_premium": ("Pupil premium", "Not pupil premium"),
    "looked_after": ("Looked after", "Not looked after"),
    "previously_looked_after": ("Previously looked after", "Not previously looked after"),
    "child_protection": ("Child protection plan", "No child protection plan"),
    "child_in_need": ("Child in need", "Not child in need"),
}
_SEX_LABELS = {"F": "Female", "M": "Male"}
#: The Department for Education's ethnicity codes (the school census's main and extended categories).
ETHNICITY_LABELS = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy or Roma",
    "WOTH": "Any other White background",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}
_FLAGS = tuple(_FLAG_LABELS)
_TEXTS = ("sen_status", "sex", "year_group", "ethnicity")
_COUNTS = ("possible", "attending", "authorised", "unauthorised")
#: The counts read from the database: every possible session is attended, authorised or unauthorised, so
#: ``attending`` follows from the others.
_FETCHED = ("possible", "authorised", "unauthorised")


def group_label(dimension: str, group: str) -> str:
    """Return how a group is written on the page (``E`` is "EHC plan", ``R`` is "Reception")."""
    if dimension in _FLAG_LABELS:
        return _FLAG_LABELS[dimension][0 if group == "Y" else 1]
    if dimension == "sen_status" and group in {status.value for status in SenStatus}:
        return SenStatus(group).label
    if dimension == "sex":
        return _SEX_LABELS.get(group, group or "Not recorded")
    if dimension == "year_group":
        return year_group_label(group)
    if dimension == "ethnicity" and group in ETHNICITY_LABELS:
        return ETHNICITY_LABELS[group]
    return group or "Not recorded"


def school_order(year_group: str) -> tuple[int, str]:
    """Sort key of a year group in school order (N1, N2, R, 1 … 14), anything unknown last."""
    return (YEAR_GROUPS.index(year_group) if year_group in YEAR_GROUPS else len(YEAR_GROUPS), year_group)


# Periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The dates a report covers, both included."""

    kind: PeriodKind
    start: date
    end: date
    name: str


def year_to_date(today: date | None = None) -> Period:
    """Return the academic year to date: 1 September to today."""
    start, end = figures.year_to_date(today)
    return Period(PeriodKind.YEAR, start, end, "Academic year to date")


def this_term(today: date | None = None) -> Period:
    """Return the current term to date.

    Terms are taken as 1 September to 31 December, 1 January to Easter Sunday, and the day after to
    31 August: schools set their own dates, but Easter Sunday falls in every school's Easter holiday, when
    no possible sessions are recorded, so the split lands in the holiday. Choose other dates for exact ones.
    """
    today = today or clock.today()
    if today.month >= 9:
        return Period(PeriodKind.TERM, academic_year_start(today), today, "Autumn term to date")
    easter = easter_sunday(today.year)
    if today <= easter:
        return Period(PeriodKind.TERM, date(today.year, 1, 1), today, "Spring term to date")
    return Period(PeriodKind.TERM, easter + timedelta(days=1), today, "Summer term to date")


def custom_period(start: date, end: date) -> Period:
    """Return a period of the user's own dates."""
    if end < start:
        raise ValueError("the end of a period must not be before its start")
    return Period(PeriodKind.CUSTOM, start, end, "Chosen dates")


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of ``year`` (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday) // 433
    month = (h + weekday - 7 * m + 90) // 25
    return date(year, month, (h + weekday - 7 * m + 33 * month + 19) % 32)


# Per-pupil counts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Session counts per pupil (or per enrolment), with each one's group in every cohort dimension."""

    school_ids: np.ndarray
    possible: np.ndarray
    attending: np.ndarray
    authorised: np.ndarray
    unauthorised: np.ndarray
    groups: dict[str, np.ndarray] = field(default_factory=dict)

    def where(self, keep: np.ndarray) -> Counts:
        """Return the pupils for whom ``keep`` is true."""
        return Counts(
            self.school_ids[keep],
            *(getattr(self, name)[keep] for name in _COUNTS),
            {name: values[keep] for name, values in self.groups.items()},
        )

    def at(self, school_ids: Collection[int]) -> Counts:
        """Return the enrolments at these schools."""
        return self.where(np.isin(self.school_ids, np.fromiter(school_ids, dtype=np.int64)))

    def without_groups(self) -> Counts:
        """Return the counts alone."""
        return Counts(self.school_ids, *(getattr(self, name) for name in _COUNTS))

    def rows(self) -> list[dict]:
        """Return the contract's cohort rows (only ``all`` when the groups were not loaded)."""
        return self._rows

    def headline(self) -> Headline:
        """Return the headline figures."""
        return self._headline

    # Worked out once for each Counts: the authority's, kept by the process, serves every report until the
    # figures change (nothing changes them in place: the rows are only read).
    @cached_property
    def _rows(self) -> list[dict]:
        return engine.cohort_rows(*(getattr(self, name) for name in _COUNTS), self.groups)

    @cached_property
    def _headline(self) -> Headline:
        return Headline.of(self)


def _empty_counts(groups: bool = False) -> Counts:
    empty = {name: np.zeros(0, dtype=bool if name in _FLAGS else str) for name in (*_FLAGS, *_TEXTS)}
    return Counts(*(np.zeros(0, dtype=np.int64) for _ in range(5)), empty if groups else {})


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a query's rows are turned into arrays.

    Tens of thousands of row tuples alive at once set off full collections that cost several times the
    query itself; the rows hold no cycles, so reference counting frees them all without it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _group_columns() -> list[sa.ColumnElement]:
    """The ``pupils`` columns of the cohort dimensions, as plain integers and strings (nothing to convert)."""
    table = Pupil.__table__.c
    return [
        *(sa.type_coerce(table[name], sa.Integer) for name in _FLAGS),
        *(sa.func.coalesce(sa.type_coerce(table[name], sa.String), "") for name in _TEXTS),
    ]


def _columns(query: sa.Select) -> list[tuple]:
    """Run a query and return its result column by column."""
    with _collector_paused():
        return list(zip(*db.session.execute(query).all(), strict=True))


def _group_arrays(columns: list[tuple]) -> dict[str, np.ndarray]:
    """Turn the columns of ``_group_columns()`` into one array per dimension."""
    flags, texts = columns[: len(_FLAGS)], columns[len(_FLAGS) :]
    arrays = {name: np.array(values, dtype=bool) for name, values in zip(_FLAGS, flags, strict=True)}
    return arrays | {name: np.array(values, dtype=str) for name, values in zip(_TEXTS, texts, strict=True)}


def _fetch(query: sa.Select, *, groups: bool) -> Counts:
    """Run a query of school id, the ``_FETCHED`` counts and (if ``groups``) the group columns."""
    columns = _columns(query)
    if not columns:
        return _empty_counts(groups)
    school_ids, possible, authorised, unauthorised = (np.array(values, dtype=np.int64) for values in columns[:4])
    attending = possible - authorised - unauthorised
    return Counts(
        school_ids, possible, attending, authorised, unauthorised, _group_arrays(columns[4:]) if groups else {}
    )


#: What this process last read of each stored-figures table, kept under the figures' stamp.
_KEPT = {
    model.__tablename__: Kept[Counts](f"every row of {model.__tablename__}")
    for model in (PupilAttendance, EnrolmentAttendance)
}


def _kept(model: type[PupilAttendance] | type[EnrolmentAttendance]) -> Counts:
    """Return ``_every_row(model)``, as read before if the stored figures have not changed since."""
    return _KEPT[model.__tablename__].get(figures.stamp(), lambda: _read_only(_every_row(model)))


def _read_only(counts: Counts) -> Counts:
    """Make kept counts read-only: every request this process serves shares them."""
    for values in (counts.school_ids, *(getattr(counts, name) for name in _COUNTS), *counts.groups.values()):
        values.flags.writeable = False
    return counts


def _every_row(model: type[PupilAttendance] | type[EnrolmentAttendance]) -> Counts:
    """Every row of a stored-figures table with the pupil's groups: an enrolment's school, or a pupil's own."""
    table, pupils = model.__table__.c, Pupil.__table__.c
    school_id = table.school_id if model is EnrolmentAttendance else pupils.school_id
    query = sa.select(school_id, *(table[name] for name in _FETCHED), *_group_columns()).join_from(
        model.__table__, Pupil.__table__, pupils.id == table.pupil_id
    )
    return _fetch(query, groups=True)


class StoredFigures:
    """The academic year to date, from the figures stored after every marks import.

    What it reads of them is kept in this process until their stamp (``figures.stamp``) changes: every report
    and school lead's home page needs the whole authority's figures, and reading them costs more than the rest
    of the page.
    """

    def enrolments(self, school_ids: Collection[int] | None = None, *, groups: bool = False) -> Counts:
        """Return the enrolments at these schools (all schools when None)."""
        counts = _kept(EnrolmentAttendance)
        counts = counts if school_ids is None else counts.at(school_ids)
        return counts if groups else counts.without_groups()

    def pupils(self, *, groups: bool = True) -> Counts:
        """Return every pupil once, with their figures across all their schools (and their current school)."""
        counts = _kept(PupilAttendance)
        return counts if groups else counts.without_groups()

    @staticmethod
    def dates() -> tuple[date, date] | None:
        """Return the first and last dates the stored figures cover, or None when there are none."""
        return _DATES.get(figures.stamp(), _read_dates)


#: The first and last dates of the stored figures, as this process last read them (finding the first reads
#: every row).
_DATES = Kept[tuple[date, date] | None]("the stored figures' dates")


def _read_dates() -> tuple[date, date] | None:
    first, last = db.session.execute(
        sa.select(sa.func.min(PupilAttendance.range_start), sa.func.max(PupilAttendance.range_end))
    ).one()
    return None if first is None else (first, last)


class ComputedFigures:
    """Any period, computed from the registers once for every enrolment in the authority."""

    def __init__(self, start: date, end: date) -> None:
        computed = figures.for_range(start, end, by_enrolment=True)
        self._pupil_ids = computed.marks.pupil_ids
        self._all = counts_of(computed)

    def enrolments(self, school_ids: Collection[int] | None = None, *, groups: bool = False) -> Counts:
        """Return the enrolments at these schools (all schools when None)."""
        counts = self._all if school_ids is None else self._all.at(school_ids)
        return counts if groups else counts.without_groups()

    def pupils(self, *, groups: bool = True) -> Counts:
        """Return every pupil once: a session is marked at one school only, so their enrolments add up."""
        pupil_ids, first, which = np.unique(self._pupil_ids, return_index=True, return_inverse=True)
        totals = []
        for name in _COUNTS:
            total = np.zeros(len(pupil_ids), dtype=np.int64)
            np.add.at(total, which, getattr(self._all, name))
            totals.append(total)
        return Counts(
            self._all.school_ids[first], *totals, {name: values[first] for name, values in self._all.groups.items()}
        )


def counts_of(computed: figures.RangeFigures) -> Counts:
    """Return the counts of an enrolment computation (``by_enrolment=True``), with every pupil's groups."""
    summary = computed.summary
    return Counts(
        computed.marks.school_ids.astype(np.int64),
        *(getattr(summary, name).astype(np.int64) for name in _COUNTS),
        _groups_of(computed.marks.pupil_ids),
    )


#: Fewer pupils than this are looked up by id; more, by reading every pupil once.
_LOOKED_UP_BY_ID = 2000


def _groups_of(pupil_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Return the group of each of these pupils in every dimension."""
    query = sa.select(Pupil.__table__.c.id, *_group_columns())
    if len(pupil_ids) < _LOOKED_UP_BY_ID:
        query = query.where(Pupil.__table__.c.id.in_(sorted(set(pupil_ids.tolist()))))
    columns = _columns(query)
    if not columns:
        return _empty_counts(groups=True).groups
    ids = np.array(columns[0], dtype=np.int64)
    order = np.argsort(ids)
    positions = order[np.searchsorted(ids, pupil_ids, sorter=order)]
    return {name: values[positions] for name, values in _group_arrays(columns[1:]).items()}


# Headline figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """Attendance and absence rates (session-weighted), and persistent and severe absence per 100 pupils.

    The attendance rate is 100 minus the overall absence rate, so that the two always add up to 100.
    """

    pupils: int
    possible: int
    attendance_pct: float | None
    overall_absence_pct: float | None
    authorised_pct: float | None
    unauthorised_pct: float | None
    persistent_pupils: int
    persistent_pct: float | None
    severe_pupils: int
    severe_pct: float | None

    @classmethod
    def of(cls, counts: Counts) -> Headline:
        """Return the headline of these pupils (those without a possible session are left out)."""
        return cls.of_totals(engine.totals(*(getattr(counts, name) for name in _COUNTS)))

    @classmethod
    def of_totals(cls, totals: Mapping[str, int]) -> Headline:
        """Return the headline of pupils with these totals (``engine.totals_by``; none when empty)."""
        totals = Counter(totals)
        everyone = engine.cohort_row("all", "all", totals)
        absence = everyone["overall_absence_pct"]
        authorised = totals["authorised"]
        return cls(
            pupils=everyone["pupils"],
            possible=everyone["possible"],
            attendance_pct=None if absence is None else (1000 - round(absence * 10)) / 10,
            overall_absence_pct=absence,
            authorised_pct=rules.percentage(authorised, everyone["possible"]),
            unauthorised_pct=everyone["unauthorised_pct"],
            persistent_pupils=everyone["persistent_pupils"],
            persistent_pct=everyone["persistent_pct"],
            severe_pupils=everyone["severe_pupils"],
            severe_pct=everyone["severe_pct"],
        )


class SchoolTotals:
    """Each school's totals of some enrolments, added up in one pass, from which the headline of any set of
    schools follows (totals add up; ``counts.at(ids).headline()`` for each set would read every row again)."""

    def __init__(self, counts: Counts) -> None:
        self._by_school = engine.totals_by(counts.school_ids, *(getattr(counts, name) for name in _COUNTS))

    def headline(self, school_ids: Iterable[int]) -> Headline:
        totals: Counter[str] = Counter()
        for school_id in school_ids:
            totals.update(self._by_school.get(school_id, {}))
        return Headline.of_totals(totals)


def school_headline(school_id: int) -> dict:
    """Return a school's year-to-date headline beside the authority's (for the school lead's home page).

    ``{"school": {...}, "authority": {...}, "start": date, "end": date}``; each figure set holds
    ``pupils``, ``attendance_pct``, ``overall_absence_pct``, ``authorised_pct``, ``unauthorised_pct``,
    ``persistent_pct``, ``severe_pct`` (None when no pupil has a possible session) and the pupil counts.
    """
    stored = StoredFigures()
    dates = stored.dates()
    return {
        "school": asdict(stored.enrolments([school_id]).headline()),
        "authority": asdict(stored.pupils(groups=False).headline()),
        "start": dates[0] if dates else None,
        "end": dates[1] if dates else None,
    }


# The report ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Figures to set beside a report's own: its trust, the schools of its phase, or the authority."""

    scope: str
    name: str
    #: None when withheld from the viewer (too few pupils at schools they cannot see).
    headline: Headline | None
    #: The cohort rows shown, by (dimension, group); the ``all`` row is the headline.
    groups: dict[tuple[str, str], dict] = field(default_factory=dict)


@dataclass(frozen=True)
class RankedSchool:
    """A school of the same phase, ranked by overall absence (1 is the lowest)."""

    rank: int
    name: str
    #: Set when the viewer may open the school's own report.
    school_id: int | None
    is_subject: bool
    named: bool
    headline: Headline


@dataclass(frozen=True)
class Part:
    """One line of a table of the parts of a trust or the authority (a school, a phase, a trust)."""

    name: str
    headline: Headline
    #: Set when the viewer may open the school's or trust's own report.
    school_id: int | None = None
    trust_id: int | None = None


@dataclass(frozen=True)
class GroupLine:
    """One group of a dimension, with the same group's figures in each comparison shown by group."""

    group: str
    label: str
    row: dict
    #: By the scope of each of ``Section.comparisons``: its row for the group, None when not shown.
    compared: dict[str, dict | None]
    small: bool

    @property
    def authority(self) -> dict | None:
        """The authority's row for the same group, when shown."""
        return self.compared.get(Scope.AUTHORITY)


@dataclass(frozen=True)
class Section:
    """The groups of one dimension, beside the comparisons that have figures by group."""

    dimension: str
    title: str
    lines: list[GroupLine]
    comparisons: list[Comparison] = field(default_factory=list)


@dataclass(frozen=True)
class CohortReport:
    """A governors' report: the breakdown of one school, trust or the authority, and its comparisons."""

    scope: Scope
    name: str
    period: Period
    rows: list[dict]
    headline: Headline
    comparisons: list[Comparison] = field(default_factory=list)
    ranking: list[RankedSchool] = field(default_factory=list)
    parts: dict[str, list[Part]] = field(default_factory=dict)
    phase: Phase | None = None

    @property
    def authority(self) -> Comparison | None:
        """Return the comparison with the whole authority, if the report has one."""
        return next((c for c in self.comparisons if c.scope == Scope.AUTHORITY), None)

    @property
    def headline_chart(self) -> list[tuple[str, Headline]]:
        """What the headline charts set side by side: the report and each comparison shown, or for the whole
        authority (which has nothing to compare with) each phase and then the authority."""
        if self.scope == Scope.AUTHORITY:
            phases = self.parts.get("By phase", [])
            return [*((part.name, part.headline) for part in phases), (self.name, self.headline)]
        return [(self.name, self.headline), *((c.name, c.headline) for c in self.comparisons if c.headline)]

    @property
    def by_group(self) -> list[Comparison]:
        """The comparisons shown group by group (the authority's last), not only as a headline."""
        return [c for c in self.comparisons if c.headline is not None and set(c.groups) - {("all", "all")}]

    def sections(self) -> list[Section]:
        """Return the breakdown by dimension, each group beside the same group in each comparison shown."""
        compared = self.by_group
        sections: dict[str, Section] = {}
        for row in self.rows[1:]:
            dimension, group = row["dimension"], row["group"]
            section = sections.setdefault(dimension, Section(dimension, DIMENSION_LABELS[dimension], [], compared))
            same = {comparison.scope: comparison.groups.get((dimension, group)) for comparison in compared}
            section.lines.append(
                GroupLine(group, group_label(dimension, group), row, same, row["pupils"] < SMALL_GROUP)
            )
        if "year_group" in sections:  # the rows sort as strings (the contract's CSV); people read R, 1, 2 … 11
            sections["year_group"].lines.sort(key=lambda line: school_order(line.group))
        return list(sections.values())

    def csv_rows(self) -> list[dict]:
        """Return the report's own rows, then each comparison's shown to the viewer, small groups flagged."""
        rows = [_csv_row(self.scope.value, row) for row in self.rows]
        for comparison in self.comparisons:
            if comparison.headline is not None:
                rows.extend(_csv_row(comparison.scope, row) for row in comparison.groups.values())
        return rows


def _csv_row(scope: str, row: dict) -> dict:
    return {"scope": str(scope), **row, "small_group": "true" if row["pupils"] < SMALL_GROUP else "false"}


def cohort_report(
    scope: Scope | str,
    *,
    viewer: User,
    period: Period | None = None,
    school: School | None = None,
    trust: Trust | None = None,
) -> CohortReport:
    """Build the report of a school, a trust or the authority for ``period`` (year to date by default).

    The caller checks that ``viewer`` may see the school or trust; this decides what of the rest they see.
    """
    period = period or year_to_date()
    source, period = _source(period)
    scope = Scope(scope)
    if scope == Scope.SCHOOL:
        return _school_report(source, period, viewer, school)
    if scope == Scope.TRUST:
        return _trust_report(source, period, trust, _visible_school_ids(viewer))
    return _authority_report(source, period, _visible_school_ids(viewer))


def _source(period: Period) -> tuple[StoredFigures | ComputedFigures, Period]:
    """Return where the figures come from: stored for the year to date (if current), else the registers."""
    if period.kind == PeriodKind.YEAR:
        dates = StoredFigures.dates()
        if dates is None:
            return StoredFigures(), period
        if dates[0] == period.start:
            return StoredFigures(), Period(period.kind, dates[0], dates[1], period.name)
    return ComputedFigures(period.start, period.end), period


@dataclass(frozen=True)
class _School:
    id: int
    name: str
    phase: Phase
    trust_id: int | None


def _schools() -> dict[int, _School]:
    query = sa.select(School.id, School.name, School.phase, School.trust_id).order_by(School.name)
    return {row.id: _School(*row) for row in db.session.execute(query)}


#: The comparison with the other schools of a school's phase (the school itself left out).
OTHER_SCHOOLS = "other_schools"


def _school_report(source, period: Period, viewer: User, school: School) -> CohortReport:
    schools = _schools()
    sees_all = viewer.role in LA_ROLES
    openable_ids = _visible_school_ids(viewer)
    own_ids = set(schools) if sees_all else openable_ids
    trust_ids = {i for i, s in schools.items() if school.trust_id and s.trust_id == school.trust_id}
    phase_ids = {i for i, s in schools.items() if s.phase == school.phase}
    others_ids = phase_ids - {school.id}
    everyone = source.enrolments()
    # Groups only where they are shown: the school's, and the comparisons' for the authority's staff (a
    # school lead sees trust and other schools as headlines, and needs their own schools' groups).
    detailed = source.enrolments({school.id} | (trust_ids | others_ids if sees_all else own_ids), groups=True)
    mine = detailed.at([school.id])
    viewers = None if sees_all else detailed.at(own_ids)

    def compared(ids: set[int]) -> Counts:
        return detailed.at(ids) if sees_all else everyone.at(ids)

    comparisons = []
    if school.trust_id:
        comparisons.append(_comparison(Scope.TRUST, school.trust.name, compared(trust_ids), viewers, trust_ids))
    # One other school's figures, to a viewer who may not see it, would be that school's: its row in the
    # ranking (without its pupil count) is the comparison then.
    if len(others_ids) >= (1 if sees_all else MIN_OTHER_SCHOOLS):
        others_name = f"Other {school.phase.label.lower()} schools in the authority"
        comparisons.append(_comparison(OTHER_SCHOOLS, others_name, compared(others_ids), viewers, others_ids))
    comparisons.append(_comparison(Scope.AUTHORITY, "Local authority", source.pupils(), viewers))
    return CohortReport(
        Scope.SCHOOL,
        school.name,
        period,
        mine.rows(),
        mine.headline(),
        comparisons,
        _ranking(everyone, schools, phase_ids, school.id, named_ids=own_ids, openable_ids=openable_ids),
        phase=school.phase,
    )


def _visible_school_ids(viewer: User) -> set[int]:
    return set(db.session.scalars(visible_schools(viewer).with_only_columns(School.id)))


def _comparison(
    scope: str, name: str, counts: Counts, viewers: Counts | None = None, school_ids: set[int] | None = None
) -> Comparison:
    """Return a comparison; for a restricted viewer, only what holds enough pupils from other schools.

    ``viewers`` are the enrolments (with groups) at the schools the viewer can see, None when they may see
    every school; ``school_ids`` the schools the comparison covers (None: all of them).
    """
    headline = counts.headline()
    rows = counts.rows() if counts.groups else [_all_row(counts)]
    if viewers is None:
        return Comparison(scope, name, headline, {(row["dimension"], row["group"]): row for row in rows})
    theirs_in_scope = viewers if school_ids is None else viewers.at(school_ids)
    if headline.pupils - theirs_in_scope.headline().pupils < MIN_OTHER_PUPILS:
        return Comparison(scope, name, None)
    if scope != Scope.AUTHORITY:
        return Comparison(scope, name, headline, {("all", "all"): rows[0]})
    theirs = {(row["dimension"], row["group"]): row["pupils"] for row in viewers.rows()}
    shown = {
        (row["dimension"], row["group"]): row
        for row in rows
        if row["pupils"] - theirs.get((row["dimension"], row["group"]), 0) >= MIN_OTHER_PUPILS
    }
    return Comparison(scope, name, headline, shown)


def _all_row(counts: Counts) -> dict:
    return engine.cohort_rows(*(getattr(counts, name) for name in _COUNTS), {})[0]


def _ranking(
    everyone: Counts,
    schools: dict[int, _School],
    phase_ids: set[int],
    subject_id: int,
    *,
    named_ids: set[int],
    openable_ids: set[int],
) -> list[RankedSchool]:
    """Rank the schools of a phase by overall absence; name only those the viewer may name."""
    totals = SchoolTotals(everyone)
    headlines = {school_id: totals.headline([school_id]) for school_id in phase_ids}
    counted = sorted(
        (school_id for school_id, headline in headlines.items() if headline.pupils),
        # Ties: the report's own school first, then in an order that says nothing about the others' names.
        key=lambda school_id: (headlines[school_id].overall_absence_pct, school_id != subject_id, school_id),
    )
    ranked, letters = [], _letters()
    for position, school_id in enumerate(counted):
        previous = ranked[-1] if ranked else None
        same = previous and previous.headline.overall_absence_pct == headlines[school_id].overall_absence_pct
        named = school_id in named_ids
        ranked.append(
            RankedSchool(
                rank=previous.rank if same else position + 1,
                name=schools[school_id].name if named else f"School {next(letters)}",
                school_id=school_id if school_id in openable_ids else None,
                is_subject=school_id == subject_id,
                named=named,
                headline=headlines[school_id],
            )
        )
    return ranked


def _letters() -> Iterator[str]:
    """Yield A, B, … Z, AA, AB, … (as spreadsheet columns are named)."""
    number = 0
    while True:
        number += 1
        name, rest = "", number
        while rest:
            rest, digit = divmod(rest - 1, 26)
            name = chr(ord("A") + digit) + name
        yield name


def _trust_report(source, period: Period, trust: Trust, openable_ids: set[int]) -> CohortReport:
    schools = _schools()
    trust_ids = {school_id for school_id, school in schools.items() if school.trust_id == trust.id}
    counts = source.enrolments(trust_ids, groups=True)
    return CohortReport(
        Scope.TRUST,
        trust.name,
        period,
        counts.rows(),
        counts.headline(),
        [_comparison(Scope.AUTHORITY, "Local authority", source.pupils())],
        parts={"Schools in the trust": _school_parts(SchoolTotals(counts), schools, trust_ids, openable_ids)},
    )


def _authority_report(source, period: Period, openable_ids: set[int]) -> CohortReport:
    schools = _schools()
    counts = source.pupils()
    everyone = SchoolTotals(source.enrolments())
    by_phase = [
        Part(phase.label, everyone.headline(ids))
        for phase in Phase
        if (ids := {school_id for school_id, school in schools.items() if school.phase == phase})
    ]
    trusts = dict(db.session.execute(sa.select(Trust.id, Trust.name).order_by(Trust.name)).all())
    by_trust = [
        Part(name, everyone.headline(i for i, s in schools.items() if s.trust_id == trust_id), trust_id=trust_id)
        for trust_id, name in trusts.items()
    ]
    maintained = {school_id for school_id, school in schools.items() if school.trust_id is None}
    if maintained:
        by_trust.append(Part("Maintained schools (no trust)", everyone.headline(maintained)))
    return CohortReport(
        Scope.AUTHORITY,
        "Local authority",
        period,
        counts.rows(),
        counts.headline(),
        parts={
            "By phase": by_phase,
            "By trust": by_trust,
            "By school": _school_parts(everyone, schools, set(schools), openable_ids),
        },
    )


def _school_parts(
    totals: SchoolTotals, schools: dict[int, _School], ids: set[int], openable_ids: set[int]
) -> list[Part]:
    """Each of these schools' headline, by name, linked when the viewer may open the school's report."""
    return [
        Part(schools[i].name, totals.headline([i]), school_id=i if i in openable_ids else None)
        for i in sorted(ids, key=lambda i: schools[i].name)
    ]
