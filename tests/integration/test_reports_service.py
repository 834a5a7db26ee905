"""The governors' report service against a brute-force breakdown of the stored per-pupil figures, and
against ``flask attendance cohorts``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from ewo_cases.models import EnrolmentAttendance, Phase, Role
from ewo_cases.services import reports
from ewo_cases.services.attendance import figures
from ewo_cases.services.reports import PeriodKind, Scope
from tests.report_area import (
    TODAY,
    URNS,
    build_area,
    expected_authority,
    expected_rows,
    expected_school,
    school_days,
    sessions,
)


@pytest.fixture(autouse=True)
def _today(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TODAY", TODAY)


@pytest.fixture
def area(make_trust, make_school, make_pupil, runner, tmp_path):
    return build_area(make_trust, make_school, make_pupil, runner, tmp_path)


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)


def cli_cohorts(runner, *options: str) -> list[dict]:
    """``flask attendance cohorts`` as typed rows."""
    result = runner.invoke(args=["attendance", "cohorts", "--format", "json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_school_report_is_the_brute_force_breakdown_of_its_enrolments(area, manager):
    for school in (area.alder, area.birch, area.cedar, area.damson):
        report = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=school)
        assert report.rows == expected_school(school), school.name


def test_the_trust_and_authority_reports_are_brute_force_breakdowns(area, manager):
    trust = reports.cohort_report(Scope.TRUST, viewer=manager, trust=area.trust)
    assert trust.rows == expected_rows(EnrolmentAttendance, [area.alder.id, area.birch.id, area.damson.id])
    authority = reports.cohort_report(Scope.AUTHORITY, viewer=manager)
    assert authority.rows == expected_authority()


def test_every_part_of_the_authority_and_trust_reports_is_the_brute_force_of_its_schools(area, manager):
    def brute_force(school_ids: list[int]) -> tuple:
        row = expected_rows(EnrolmentAttendance, school_ids)[0]
        return row["pupils"], row["overall_absence_pct"], row["persistent_pct"], row["severe_pct"]

    def shown(part: reports.Part) -> tuple:
        return (
            part.headline.pupils,
            part.headline.overall_absence_pct,
            part.headline.persistent_pct,
            part.headline.severe_pct,
        )

    primary, secondary = [area.alder.id, area.birch.id, area.cedar.id], [area.damson.id]
    in_trust = [area.alder.id, area.birch.id, area.damson.id]
    parts = reports.cohort_report(Scope.AUTHORITY, viewer=manager).parts
    assert [shown(part) for part in parts["By phase"]] == [brute_force(primary), brute_force(secondary)]
    assert [shown(part) for part in parts["By trust"]] == [brute_force(in_trust), brute_force([area.cedar.id])]
    schools = [area.alder, area.birch, area.cedar, area.damson]
    assert [shown(part) for part in parts["By school"]] == [brute_force([school.id]) for school in schools]
    trust = reports.cohort_report(Scope.TRUST, viewer=manager, trust=area.trust)
    assert [shown(part) for part in trust.parts["Schools in the trust"]] == [
        brute_force([school.id]) for school in (area.alder, area.birch, area.damson)
    ]
    ranking = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.alder).ranking
    assert {school.school_id: school.headline.overall_absence_pct for school in ranking} == {
        school_id: brute_force([school_id])[1] for school_id in primary
    }


def test_a_group_of_one_counts_and_a_pupil_with_no_possible_session_does_not(area, manager):
    rows = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.alder).rows
    by_group = {(row["dimension"], row["group"]): row for row in rows}
    assert by_group[("looked_after", "Y")] == {
        "dimension": "looked_after",
        "group": "Y",
        "pupils": 1,
        "possible": 20,
        "absence_sessions": 1,
        "overall_absence_pct": 5.0,
        "unauthorised_pct": 0.0,
        "persistent_pupils": 0,
        "persistent_pct": 0.0,
        "severe_pupils": 0,
        "severe_pct": 0.0,
    }
    # The pupil whose every mark is '#' is the only one with a child protection plan at Alder.
    assert ("child_protection", "Y") not in by_group
    assert by_group[("all", "all")]["pupils"] == 4  # pp, looked after, severe and the mover's Alder enrolment
    severe = by_group[("previously_looked_after", "Y")]
    assert (severe["pupils"], severe["severe_pupils"], severe["severe_pct"]) == (1, 1, 100.0)


def test_schools_count_enrolments_and_the_authority_counts_each_pupil_once(area, manager):
    authority = reports.cohort_report(Scope.AUTHORITY, viewer=manager)
    schools = [
        reports.cohort_report(Scope.SCHOOL, viewer=manager, school=school).headline
        for school in (area.alder, area.birch, area.cedar, area.damson)
    ]
    assert sum(headline.pupils for headline in schools) == authority.headline.pupils + 1  # the mover, twice
    assert sum(headline.possible for headline in schools) == authority.headline.possible


@pytest.mark.parametrize("urn", sorted(URNS.values()))
def test_the_school_report_equals_attendance_cohorts_for_the_school(area, manager, runner, urn):
    school = next(s for s in (area.alder, area.birch, area.cedar, area.damson) if s.urn == urn)
    report = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=school)
    assert report.rows == cli_cohorts(runner, "--school", urn)
    period = reports.custom_period(date(2025, 9, 8), date(2025, 10, 10))
    report = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=school, period=period)
    assert report.rows == cli_cohorts(runner, "--school", urn, "--from", "2025-09-08", "--to", "2025-10-10")


def test_the_authority_report_equals_attendance_cohorts_for_every_period(area, manager, runner):
    assert reports.cohort_report(Scope.AUTHORITY, viewer=manager).rows == cli_cohorts(runner)
    period = reports.custom_period(date(2025, 9, 15), date(2025, 10, 3))
    computed = reports.cohort_report(Scope.AUTHORITY, viewer=manager, period=period)
    assert computed.rows == cli_cohorts(runner, "--from", "2025-09-15", "--to", "2025-10-03")


def test_stored_and_computed_figures_agree_for_the_year_to_date(area, manager):
    """The year to date is read from the stored figures; computing it from the registers gives the same."""
    year = reports.year_to_date()
    same_dates = reports.custom_period(year.start, year.end)
    for scope, subject in ((Scope.SCHOOL, {"school": area.alder}), (Scope.TRUST, {"trust": area.trust})):
        stored = reports.cohort_report(scope, viewer=manager, **subject)
        computed = reports.cohort_report(scope, viewer=manager, period=same_dates, **subject)
        assert stored.rows == computed.rows
        assert stored.comparisons == computed.comparisons
        assert stored.ranking == computed.ranking
    stored = reports.cohort_report(Scope.AUTHORITY, viewer=manager)
    computed = reports.cohort_report(Scope.AUTHORITY, viewer=manager, period=same_dates)
    assert (stored.rows, stored.parts) == (computed.rows, computed.parts)


def test_the_headline_rates_are_session_weighted_and_add_up(area, manager):
    headline = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.birch).headline
    # Birch: 160 possible sessions; 4 authorised (M, C) and 20 unauthorised; one of two pupils persistent.
    assert headline == reports.Headline(
        pupils=2,
        possible=160,
        attendance_pct=85.0,
        overall_absence_pct=15.0,
        authorised_pct=2.5,
        unauthorised_pct=12.5,
        persistent_pupils=1,
        persistent_pct=50.0,
        severe_pupils=0,
        severe_pct=0.0,
    )


def test_school_headline_gives_the_school_and_the_authority(area):
    headline = reports.school_headline(area.birch.id)
    assert headline["school"]["attendance_pct"] == 85.0
    assert headline["school"]["pupils"] == 2
    authority = {row["dimension"]: row for row in expected_authority()}["all"]
    assert headline["authority"]["overall_absence_pct"] == authority["overall_absence_pct"]
    assert headline["authority"]["persistent_pct"] == authority["persistent_pct"]
    assert headline["authority"]["pupils"] == authority["pupils"]
    assert (headline["start"], headline["end"]) == (date(2025, 9, 1), date(2025, 12, 1))


def test_school_headline_without_figures(make_school):
    headline = reports.school_headline(make_school().id)
    assert headline["school"]["pupils"] == 0 and headline["school"]["attendance_pct"] is None
    assert headline["start"] is None


def test_the_school_report_compares_with_trust_phase_and_authority(area, manager):
    report = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.alder)
    trust, phase, authority = report.comparisons
    assert (trust.scope, trust.name) == (Scope.TRUST, "Oak Trust")
    assert trust.groups == {
        (row["dimension"], row["group"]): row
        for row in expected_rows(EnrolmentAttendance, [area.alder.id, area.birch.id, area.damson.id])
    }
    # The other primary schools: Birch and Cedar, never Alder itself.
    assert (phase.scope, phase.name, phase.headline.pupils) == (
        "other_schools",
        "Other primary schools in the authority",
        2 + 2,
    )
    assert phase.groups == {
        (row["dimension"], row["group"]): row
        for row in expected_rows(EnrolmentAttendance, [area.birch.id, area.cedar.id])
    }
    assert authority.groups == {(row["dimension"], row["group"]): row for row in expected_authority()}
    assert [school.name for school in report.ranking] == ["Cedar Primary", "Birch Primary", "Alder Primary"]
    assert [school.rank for school in report.ranking] == [1, 2, 3]
    assert [school.is_subject for school in report.ranking] == [False, False, True]


def test_a_school_lead_sees_other_schools_only_anonymised_and_in_aggregate(area, make_user, monkeypatch):
    lead = make_user(Role.SCHOOL_LEAD, schools=[area.alder])
    report = reports.cohort_report(Scope.SCHOOL, viewer=lead, school=area.alder)
    assert [(school.name, school.named, school.school_id) for school in report.ranking] == [
        ("School A", False, None),
        ("School B", False, None),
        ("Alder Primary", True, area.alder.id),
    ]
    # Too few pupils at other schools in this tiny authority: every comparison is withheld.
    assert [comparison.headline for comparison in report.comparisons] == [None, None, None]
    monkeypatch.setattr(reports, "MIN_OTHER_PUPILS", 2)
    report = reports.cohort_report(Scope.SCHOOL, viewer=lead, school=area.alder)
    trust, phase, authority = report.comparisons
    assert trust.headline.pupils == 8 and list(trust.groups) == [("all", "all")]  # never the trust's breakdown
    assert phase.headline.pupils == 4 and list(phase.groups) == [("all", "all")]
    # Of the authority's groups, only those with 2 or more pupils outside Alder are shown.
    shown = set(authority.groups)
    assert ("sex", "M") in shown  # birch_1, damson_2 (and Alder's looked-after pupil)
    assert ("looked_after", "Y") not in shown  # the only one is at Alder
    assert ("previously_looked_after", "Y") not in shown
    assert ("ethnicity", "ABAN") not in shown
    assert ("year_group", "10") not in shown  # one pupil, at Damson
    assert ("child_protection", "Y") not in shown  # one counted pupil, at Birch
    rows = [{k: v for k, v in row.items() if k != "small_group"} for row in report.csv_rows()]
    assert [row for row in rows if row["scope"] == "trust"] == [{"scope": "trust", **trust.groups[("all", "all")]}]
    assert [row for row in rows if row["scope"] == "other_schools"] == [
        {"scope": "other_schools", **phase.groups[("all", "all")]}
    ]
    assert [row for row in rows if row["scope"] == "authority"] == [
        {"scope": "authority", **row} for row in authority.groups.values()
    ]


def test_csv_rows_hold_the_scope_and_the_contract_columns(area, manager):
    report = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.alder)
    rows = report.csv_rows()
    assert all(list(row) == list(reports.CSV_COLUMNS) for row in rows)
    trust, others, authority = report.comparisons
    assert [row["scope"] for row in rows] == ["school"] * len(report.rows) + ["trust"] * len(trust.groups) + [
        "other_schools"
    ] * len(others.groups) + ["authority"] * len(authority.groups)
    assert [row["small_group"] for row in rows] == ["true" if row["pupils"] < 5 else "false" for row in rows]
    buffer = io.StringIO()
    csv.DictWriter(buffer, reports.CSV_COLUMNS).writerows(rows)


def test_terms_split_at_new_year_and_easter():
    assert reports.easter_sunday(2025) == date(2025, 4, 20)
    assert reports.easter_sunday(2026) == date(2026, 4, 5)
    assert reports.easter_sunday(2024) == date(2024, 3, 31)
    autumn = reports.this_term(date(2025, 11, 3))
    assert (autumn.kind, autumn.start, autumn.end, autumn.name) == (
        PeriodKind.TERM,
        date(2025, 9, 1),
        date(2025, 11, 3),
        "Autumn term to date",
    )
    assert reports.this_term(date(2026, 4, 5)).start == date(2026, 1, 1)
    assert reports.this_term(date(2026, 4, 6)).start == date(2026, 4, 6)
    assert reports.this_term(date(2026, 8, 31)).name == "Summer term to date"
    with pytest.raises(ValueError, match="before its start"):
        reports.custom_period(date(2025, 10, 2), date(2025, 10, 1))


def test_a_report_with_no_marks_has_no_figures(make_school, manager):
    school = make_school()
    report = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=school)
    assert report.rows == [
        {
            "dimension": "all",
            "group": "all",
            "pupils": 0,
            "possible": 0,
            "absence_sessions": 0,
            "overall_absence_pct": None,
            "unauthorised_pct": None,
            "persistent_pupils": 0,
            "persistent_pct": None,
            "severe_pupils": 0,
            "severe_pct": None,
        }
    ]
    assert report.headline.attendance_pct is None and report.ranking == []
    authority = reports.cohort_report(
        Scope.AUTHORITY, viewer=manager, period=reports.custom_period(date(2025, 9, 1), date(2025, 9, 30))
    )
    assert authority.rows[0]["pupils"] == 0


def test_letters_continue_after_z():
    letters = reports._letters()
    names = [next(letters) for _ in range(28)]
    assert names[:3] == ["A", "B", "C"] and names[25:] == ["Z", "AA", "AB"]


def test_a_lone_other_school_of_the_phase_is_not_shown_as_a_comparison_to_a_school_lead(
    area, make_user, make_school, manager
):
    make_school("700009", "Elm Academy", Phase.SECONDARY)  # Damson's one other secondary school
    lead = make_user(Role.SCHOOL_LEAD, schools=[area.damson])
    scopes = [c.scope for c in reports.cohort_report(Scope.SCHOOL, viewer=lead, school=area.damson).comparisons]
    assert reports.OTHER_SCHOOLS not in scopes  # it would be Elm's own figures
    scopes = [c.scope for c in reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.damson).comparisons]
    assert reports.OTHER_SCHOOLS in scopes
    # Alder has two other primary schools (Birch, Cedar): together they may be shown to Alder's lead.
    lead = make_user(Role.SCHOOL_LEAD, schools=[area.alder])
    scopes = [c.scope for c in reports.cohort_report(Scope.SCHOOL, viewer=lead, school=area.alder).comparisons]
    assert reports.OTHER_SCHOOLS in scopes


# The stored figures this process keeps between requests -------------------------------------------------


def reimport_marks(runner, tmp_path, upn: str, urn: str, codes: str) -> None:
    """Import the first ``len(codes) / 2`` school days of September again for one pupil."""
    path = tmp_path / "more-marks.csv"
    rows = sessions(upn, urn, school_days(date(2025, 9, 1), len(codes) // 2), codes)
    path.write_text(
        "upn,school_urn,date,session,code\n"
        + "".join(f"{upn},{urn},{day.isoformat()},{session},{code}\n" for upn, urn, day, session, code in rows)
    )
    result = runner.invoke(args=["import", "marks", str(path)])
    assert result.exit_code == 0, result.output


def test_a_report_after_a_marks_import_shows_the_new_figures(area, manager, runner, tmp_path):
    before = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.cedar).headline
    kept_under = figures.stamp()
    reimport_marks(runner, tmp_path, area.pupils["cedar_1"].upn, URNS["cedar"], "NN" * 10)
    assert kept_under is not None and figures.stamp() != kept_under
    after = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.cedar)
    assert after.headline != before
    assert after.rows == expected_school(area.cedar)
    assert reports.cohort_report(Scope.AUTHORITY, viewer=manager).rows == expected_authority()


def test_a_report_after_a_pupils_import_groups_pupils_by_their_new_details(area, manager, runner, tmp_path):
    reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.cedar)
    pupil = area.pupils["cedar_1"]
    path = tmp_path / "pupils.csv"
    path.write_text(
        "upn,school_urn,forename,surname,date_of_birth,year_group,sex,pupil_premium,sen_status,looked_after,"
        "previously_looked_after,child_protection,child_in_need\n"
        f"{pupil.upn},{URNS['cedar']},{pupil.forename},{pupil.surname},{pupil.date_of_birth.isoformat()},6,F,"
        "Y,N,N,N,N,N\n"
    )
    result = runner.invoke(args=["import", "pupils", str(path)])
    assert result.exit_code == 0, result.output
    rows = reports.cohort_report(Scope.SCHOOL, viewer=manager, school=area.cedar).rows
    assert rows == expected_school(area.cedar)
    assert {(row["dimension"], row["group"]): row["pupils"] for row in rows}[("pupil_premium", "Y")] == 2


def test_the_kept_figures_cannot_be_changed_by_a_page(area, manager):
    counts = reports.StoredFigures().enrolments(groups=True)
    with pytest.raises(ValueError, match="read-only"):
        counts.possible[0] = 0
