"""Every day of every academic year has a place in its year's register."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ewo_cases.models import REGISTER_LENGTH
from ewo_cases.services.attendance.registers import register_start, session_index


@pytest.mark.parametrize("academic_year", range(2000, 2041))
def test_every_day_of_the_year_fits_its_register_once(academic_year):
    first, last = date(academic_year, 9, 1), date(academic_year + 1, 8, 31)
    start = register_start(academic_year)
    assert start.weekday() == 0 and first - timedelta(days=6) <= start <= first
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    indexes = []
    for day in days:
        year, index = session_index(day)
        assert year == academic_year
        indexes.append(index)
    assert indexes == list(range(indexes[0], indexes[0] + 2 * len(days), 2)), "one place per day, in order"
    assert indexes[0] >= 0 and indexes[-1] + 1 < REGISTER_LENGTH, f"31 August {academic_year + 1} PM fits"


def test_2019_20_is_the_longest_kind_of_year():
    """Monday 26 August 2019 to Monday 31 August 2020 is 372 days: more than 53 weeks."""
    assert register_start(2019) == date(2019, 8, 26)
    assert session_index(date(2020, 8, 31)) == (2019, 371 * 2)
    assert 371 * 2 + 1 >= 53 * 14
