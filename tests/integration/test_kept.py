"""Values a process keeps between requests: worked out once per key, on the database in use."""

from __future__ import annotations

from ewo_cases.services.kept import Kept


def test_a_value_is_worked_out_once_for_each_key_even_when_it_is_none(db_session):
    kept = Kept[int | None]("a test value")
    worked_out = []

    def work_out() -> None:
        worked_out.append(True)

    assert kept.get("first", work_out) is None
    assert kept.get("first", work_out) is None
    assert len(worked_out) == 1
    kept.get("second", work_out)
    kept.get("first", work_out)  # only the latest key is kept
    assert len(worked_out) == 3


def test_forgetting_makes_the_next_request_work_it_out_again(db_session):
    kept = Kept[int]("a test value")
    assert kept.get("key", lambda: 1) == 1
    assert kept.get("key", lambda: 2) == 1
    kept.forget()
    assert kept.get("key", lambda: 2) == 2
