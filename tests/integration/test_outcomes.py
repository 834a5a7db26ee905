"""Outcomes: attendance over the 6 school weeks after a case enters a stage against the 6 before, computed
from the stored registers in one go, against a brute-force calculation one pupil and one entry at a time."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from ewo_cases.extensions import db
from ewo_cases.models import Case, CaseTransition, Role, User
from ewo_cases.services import audit, outcomes
from ewo_cases.services.attendance import engine, figures, registers
from ewo_cases.services.cases import open_case
from ewo_cases.services.outcomes import LOOKBACK_WEEKS, OUTCOME_WEEKS, OutcomeFilters
from workflows import ENGLAND, CaseStage, ClosureReason
from workflows.attendance import CODE_TO_CHAR, CODES, NO_MARK, SessionClass, monday_on_or_before

TODAY = date(2026, 3, 27)  # a Friday in spring term
YEAR_START = registers.register_start(2025)  # Monday 1 September 2025
HOLIDAY_WEEKS = {date(2025, 10, 27), date(2025, 12, 22), date(2025, 12, 29), date(2026, 2, 16)}


@pytest.fixture(autouse=True)
def _today(app, monkeypatch):
    monkeypatch.setitem(app.config, "TODAY", TODAY.isoformat())


def school_days(start: date = date(2025, 9, 3), end: date = TODAY - timedelta(days=1)) -> list[date]:
    """Weekdays from ``start`` to ``end`` outside the holiday weeks."""
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and monday_on_or_before(day) not in HOLIDAY_WEEKS:
            days.append(day)
        day += timedelta(days=1)
    return days


def register(marks: dict[date, tuple[str, str]]) -> bytearray:
    """A 2025/26 register from {day: (AM code, PM code)}."""
    buffer = bytearray(NO_MARK.encode() * registers.LENGTH)
    for day, codes in marks.items():
        for session, code in enumerate(codes):
            buffer[(day - YEAR_START).days * 2 + session] = ord(CODE_TO_CHAR[code])
    return buffer


def store(pupil, marks: dict[date, tuple[str, str]]) -> bytearray:
    row = register(marks)
    registers.merge({(pupil.id, pupil.school_id, 2025): row})
    return row


def enter(pupil, officer, stages: list[tuple[CaseStage, date]]):
    """Open a case at the first stage on its day, then record each later entry as the transition service does."""
    first_stage, first_day = stages[0]
    manager = db.session.scalar(db.select(User).where(User.role == Role.MANAGER).limit(1))
    case = open_case(
        pupil,
        first_stage,
        actor=manager,
        officer=officer,
        reason="Attendance",
        override_reason="Opened at this stage for the test",
        now=_moment(first_day),
    )
    previous = first_stage
    for stage, day in stages[1:]:
        db.session.add(
            CaseTransition(
                case_id=case.id,
                trigger="escalate",
                from_stage=previous.value,
                to_stage=stage.value,
                actor_id=officer.id,
                occurred_at=_moment(day),
            )
        )
        case.stage, case.stage_changed_at, previous = stage, _moment(day), stage
    db.session.flush()
    return case


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=ENGLAND).astimezone(UTC)


def brute_force(row: bytearray, entered_on: date) -> tuple[float, float] | None:
    """One entry, the long way: the pupil's school weeks from ``engine.weekly``, 6 before and 6 after."""
    weeks = engine.weekly(np.frombuffer(bytes(row), dtype=np.uint8), YEAR_START)
    entry_week = monday_on_or_before(entered_on)
    limit = entry_week - timedelta(weeks=LOOKBACK_WEEKS)
    before = [week for week in weeks if week.week_start < entry_week][-OUTCOME_WEEKS:]
    # Whole weeks only: the current week (TODAY's) is not over, so it is left out.
    after = [week for week in weeks if entry_week < week.week_start < monday_on_or_before(TODAY)][:OUTCOME_WEEKS]
    if len(before) < OUTCOME_WEEKS or len(after) < OUTCOME_WEEKS or before[0].week_start < limit:
        return None

    def pct(chosen) -> float:
        return 100 * sum(week.attending for week in chosen) / sum(week.possible for week in chosen)

    return pct(before), pct(after)


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)


@pytest.fixture
def officer(make_user, manager):
    return make_user(Role.OFFICER)


def measured(entries) -> dict[tuple[int, CaseStage], tuple[float, float] | None]:
    return {
        (entry.case_id, entry.stage): None if before is None else (before, after)
        for entry, before, after in outcomes.measure(entries, TODAY)
    }


def test_a_known_change_leaves_out_the_entry_week_and_skips_holidays(make_pupil, officer, manager):
    pupil = make_pupil()
    entered_on = date(2026, 1, 14)  # a Wednesday
    entry_week = monday_on_or_before(entered_on)
    marks = {}
    for day in school_days():
        week = monday_on_or_before(day)
        if week < entry_week:
            marks[day] = ("/", "N")  # half the sessions before
        elif week == entry_week:
            marks[day] = ("O", "O")  # the entry week: never counted
        else:
            marks[day] = ("/", "\\")  # every session after
    store(pupil, marks)
    case = enter(pupil, officer, [(CaseStage.PERSISTENT, entered_on)])
    report = outcomes.outcomes(manager, OutcomeFilters(year=2025))
    persistent = next(line for line in report.stages if line.key == "persistent")
    assert (persistent.entries, persistent.counted) == (1, 1)
    assert (persistent.before_pct, persistent.after_pct, persistent.mean_change) == (50.0, 100.0, 50.0)
    assert persistent.improved == 1
    assert report.overall.mean_change == 50.0
    assert measured(outcomes.entries_in(manager, OutcomeFilters(2025), YEAR_START, TODAY)) == {
        (case.id, CaseStage.PERSISTENT): (50.0, 100.0)
    }


def test_the_authoritys_outcomes_are_kept_until_the_registers_or_the_cases_change(make_pupil, officer, manager):
    pupil = make_pupil()
    store(pupil, dict.fromkeys(school_days(), ("/", "\\")))
    enter(pupil, officer, [(CaseStage.PERSISTENT, date(2026, 1, 14))])

    def change() -> float | None:
        return outcomes.outcomes(manager, OutcomeFilters(year=2025)).overall.mean_change

    assert change() == 0.0
    store(pupil, {day: ("/", "\\") if day < date(2026, 1, 12) else ("O", "O") for day in school_days()})
    assert change() == 0.0  # the registers changed behind the stored figures' back: still the kept result
    figures.refresh()  # as every marks import does, renewing the figures' stamp
    assert change() == -100.0
    case = db.session.scalar(db.select(Case).where(Case.pupil_id == pupil.id))
    db.session.add(  # written behind the services' back, with no audit event: still the kept result
        CaseTransition(
            case_id=case.id,
            trigger="escalate",
            from_stage="persistent",
            to_stage="severe",
            actor_id=officer.id,
            occurred_at=_moment(date(2026, 2, 4)),
        )
    )
    db.session.flush()
    assert outcomes.outcomes(manager, OutcomeFilters(year=2025)).overall.entries == 1
    audit.record(officer, "case.checked", case, "Any change a service records")
    assert outcomes.outcomes(manager, OutcomeFilters(year=2025)).overall.entries == 2


def test_an_entry_without_six_school_weeks_on_each_side_is_not_counted(make_pupil, officer, manager):
    recent, early = make_pupil(), make_pupil()
    store(recent, dict.fromkeys(school_days(), ("/", "\\")))
    store(early, dict.fromkeys(school_days(), ("/", "\\")))
    enter(recent, officer, [(CaseStage.AT_RISK, date(2026, 3, 4))])  # 3 school weeks after
    enter(early, officer, [(CaseStage.AT_RISK, date(2025, 10, 1))])  # 4 school weeks before
    line = next(line for line in outcomes.outcomes(manager, OutcomeFilters(year=2025)).stages if line.key == "at_risk")
    assert (line.entries, line.counted, line.mean_change, line.before_pct) == (2, 0, None, None)


def test_the_current_week_is_not_measured_until_it_is_over(make_pupil, officer, manager):
    pupil = make_pupil()
    # Six whole school weeks after the entry only once this week (TODAY's, from Monday 23 March) is counted.
    entered_on = date(2026, 2, 4)
    store(pupil, dict.fromkeys(school_days(), ("/", "\\")))
    enter(pupil, officer, [(CaseStage.AT_RISK, entered_on)])
    after_weeks = [
        w for w in sorted({monday_on_or_before(d) for d in school_days()}) if w > monday_on_or_before(entered_on)
    ]
    assert after_weeks[OUTCOME_WEEKS - 1] == monday_on_or_before(TODAY)
    line = next(line for line in outcomes.outcomes(manager, OutcomeFilters(year=2025)).stages if line.key == "at_risk")
    assert (line.entries, line.counted) == (1, 0)
    next_week = outcomes.outcomes(manager, OutcomeFilters(year=2025), today=TODAY + timedelta(days=3))
    assert next(line for line in next_week.stages if line.key == "at_risk").counted == 1
    assert next_week.measured_to == date(2026, 3, 29)


def test_weeks_with_no_possible_session_are_not_school_weeks(make_pupil, officer, manager):
    pupil = make_pupil()
    entered_on = date(2026, 1, 7)
    marks = dict.fromkeys(school_days(), ("/", "\\"))
    for day in school_days(date(2025, 11, 24), date(2025, 12, 19)):
        marks[day] = ("#", "#")  # a planned closure: not possible, so not school weeks
    store(pupil, marks)
    enter(pupil, officer, [(CaseStage.SEVERE, entered_on)])
    row = register(marks)
    assert brute_force(row, entered_on) == (100.0, 100.0)
    weeks = [week.week_start for week in engine.weekly(np.frombuffer(bytes(row), np.uint8), YEAR_START)]
    before = [week for week in weeks if week < monday_on_or_before(entered_on)][-OUTCOME_WEEKS:]
    assert before[0] == date(2025, 10, 6)  # back past the closure and the October half term
    line = next(line for line in outcomes.outcomes(manager, OutcomeFilters(year=2025)).stages if line.key == "severe")
    assert (line.counted, line.mean_change) == (1, 0.0)


def test_many_pupils_and_entries_match_the_brute_force(make_pupil, make_school, officer, manager):
    rng = random.Random(7)
    schools = [make_school(), make_school()]
    codes = ["/", "/", "/", "/", "\\", "L", "I", "M", "N", "O", "G", "U", "C", "#", "Y1"]
    stages = list(CaseStage)[:9]
    expected, rows = {}, {}
    days = school_days()
    for number in range(25):
        pupil = make_pupil(school=schools[number % 2])
        skew = rng.random()
        marks = {
            day: (rng.choice(codes) if rng.random() < skew else "/", rng.choice(codes) if rng.random() < skew else "\\")
            for day in days
            if rng.random() > 0.05  # an odd unmarked day
        }
        if number % 5 == 0:
            marks = {day: value for day, value in marks.items() if day >= date(2025, 11, 3)}  # joined late
        rows[pupil.id] = store(pupil, marks)
        entries = sorted(rng.sample(days, 3))
        case = enter(
            pupil, officer, [(rng.choice(stages[:3]), entries[0]), *((rng.choice(stages), d) for d in entries[1:])]
        )
        for transition in db.session.scalars(
            db.select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.id)
        ):
            day = transition.occurred_at.astimezone(ENGLAND).date()
            expected[(case.id, CaseStage(transition.to_stage), day)] = brute_force(rows[pupil.id], day)
    found = outcomes.entries_in(manager, OutcomeFilters(2025), YEAR_START, TODAY)
    results = {
        (entry.case_id, entry.stage, entry.entered_on): (before, after)
        for entry, before, after in outcomes.measure(found, TODAY)
    }
    assert set(results) == set(expected)
    counted = 0
    for key, want in expected.items():
        got = results[key]
        if want is None:
            assert got == (None, None), key
        else:
            counted += 1
            assert got == pytest.approx(want), key
    assert counted >= 20
    report = outcomes.outcomes(manager, OutcomeFilters(year=2025))
    changes = [after - before for before, after in (v for v in expected.values() if v)]
    assert report.overall.counted == len(changes)
    assert report.overall.mean_change == round(sum(changes) / len(changes), 1)


def test_filters_and_groups_narrow_the_entries(make_pupil, make_school, make_user, manager):
    here, there = make_school(name="Here"), make_school(name="There")
    first, second = make_user(Role.OFFICER, name="First Officer"), make_user(Role.OFFICER, name="Second Officer")
    for school, officer in ((here, first), (there, second), (there, first)):
        pupil = make_pupil(school=school)
        store(pupil, dict.fromkeys(school_days(), ("/", "\\")))
        enter(pupil, officer, [(CaseStage.PERSISTENT, date(2026, 1, 14))])
    assert outcomes.outcomes(manager, OutcomeFilters(2025, school_id=there.id)).overall.entries == 2
    assert outcomes.outcomes(manager, OutcomeFilters(2025, officer_id=first.id)).overall.entries == 2
    groups = outcomes.outcomes(manager, OutcomeFilters(2025, group_by="officer")).groups
    assert [(line.label, line.entries, line.counted) for line in groups] == [
        ("First Officer", 2, 2),
        ("Second Officer", 1, 1),
    ]
    assert outcomes.outcomes(manager, OutcomeFilters(2024)).overall.entries == 0


def test_closure_reasons_count_cases_closed_this_academic_year(make_case, manager):
    closed = [make_case() for _ in range(4)]
    for case, reason, day in zip(
        closed,
        [ClosureReason.IMPROVED, ClosureReason.IMPROVED, ClosureReason.LEFT_SCHOOL, ClosureReason.IMPROVED],
        [date(2025, 10, 1), date(2026, 2, 2), date(2026, 3, 3), date(2025, 8, 29)],  # the last: the year before
        strict=True,
    ):
        case.stage, case.closed_at, case.closure_reason = CaseStage.CLOSED, _moment(day), reason
    make_case()  # open
    db.session.flush()
    report = outcomes.outcomes(manager, OutcomeFilters(year=2025))
    shares = {line.reason: (line.cases, line.share_pct) for line in report.closures if line.cases}
    assert report.closed == 3
    assert shares == {ClosureReason.IMPROVED: (2, 66.7), ClosureReason.LEFT_SCHOOL: (1, 33.3)}


# --- the vectorised windows, without a database ------------------------------------------------------------


def _brute_windows(possible: np.ndarray, attending: np.ndarray, row: int, week: int):
    school = [w for w in range(possible.shape[1]) if possible[row, w] > 0]
    before = [w for w in school if w < week][-OUTCOME_WEEKS:]
    after = [w for w in school if w > week][:OUTCOME_WEEKS]
    if len(before) < OUTCOME_WEEKS or len(after) < OUTCOME_WEEKS or before[0] < week - LOOKBACK_WEEKS:
        return None
    return tuple(int(values[row, chosen].sum()) for chosen in (before, after) for values in (possible, attending))


@pytest.mark.parametrize("seed", range(5))
def test_the_windows_of_random_registers_match_the_brute_force(seed):
    weeks = 60
    marks = engine.random_registers(300, weeks, seed=seed)
    generator = np.random.default_rng(seed)
    holidays = generator.random((300, weeks)) < 0.2
    marks.reshape(300, weeks, 14)[holidays] = ord(NO_MARK)
    possible, attending = engine.weekly_counts(marks)
    rows = generator.integers(0, 300, 2000)
    entry_weeks = generator.integers(0, weeks, 2000)
    result = outcomes.windows(possible, attending, rows, entry_weeks)
    for index, (row, week) in enumerate(zip(rows, entry_weeks, strict=True)):
        want = _brute_windows(possible, attending, int(row), int(week))
        if want is None:
            assert not result.counted[index]
        else:
            assert result.counted[index]
            got = (
                result.before_possible[index],
                result.before_attending[index],
                result.after_possible[index],
                result.after_attending[index],
            )
            assert got == want


def test_weekly_counts_match_a_count_of_each_mark():
    marks = engine.random_registers(50, 10, seed=3)
    possible, attending = engine.weekly_counts(marks)
    codes = {ord(code.char): code for code in CODES.values()}
    for row in range(50):
        for week in range(10):
            week_codes = [codes.get(int(byte)) for byte in marks[row, week * 14 : (week + 1) * 14]]
            assert possible[row, week] == sum(1 for code in week_codes if code and code.is_possible)
            assert attending[row, week] == sum(
                1 for code in week_codes if code and code.session_class is SessionClass.ATTENDING
            )
