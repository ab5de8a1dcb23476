import datetime

import pytest

from dieuhanh.processing.calendar import (
    DeadlineState,
    add_working_days,
    clear_cache,
    deadline_state,
    is_working_day,
    working_days_between,
)

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh(db):
    clear_cache()
    yield
    clear_cache()


def test_weekends_and_holidays_are_skipped():
    assert not is_working_day(D(2026, 11, 28))  # Saturday
    assert not is_working_day(D(2026, 9, 2))  # Quốc khánh
    assert not is_working_day(D(2026, 2, 17))  # Tết
    assert is_working_day(D(2026, 11, 24))


def test_adding_working_days_across_tet_2026():
    # Friday 13 Feb 2026 + 1 working day: Tết runs 14-22 Feb, so Monday 23 Feb.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 12), 3) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)


def test_adding_working_days_across_a_weekend_and_national_day():
    # Friday 28 Aug 2026; 31 Aug is a Monday, 1-2 Sep are days off.
    assert add_working_days(D(2026, 8, 28), 2) == D(2026, 9, 3)


def test_working_days_between_is_consistent_with_adding():
    start = D(2026, 1, 1)
    for n in range(0, 60, 7):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_deadline_states():
    today = D(2026, 11, 24)  # a Tuesday
    assert deadline_state(None, today) == DeadlineState.NONE
    assert deadline_state(D(2026, 11, 23), today) == DeadlineState.OVERDUE
    assert deadline_state(today, today) == DeadlineState.DUE_SOON
    assert deadline_state(D(2026, 11, 26), today) == DeadlineState.DUE_SOON
    assert deadline_state(D(2026, 11, 27), today) == DeadlineState.ON_TIME
