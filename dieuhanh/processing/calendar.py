"""Working days: weekends and a configurable holiday calendar (seeded with Vietnam's public holidays)."""

import datetime

from django.conf import settings

from .models import Holiday

_cache = {}


def holidays(year):
    """The set of holiday dates of ``year`` (cached per process; cleared when holidays change)."""
    if year not in _cache:
        _cache[year] = set(Holiday.objects.filter(date__year=year).values_list("date", flat=True))
    return _cache[year]


def clear_cache():
    _cache.clear()


def is_working_day(day):
    return day.weekday() < 5 and day not in holidays(day.year)


def add_working_days(start, days):
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    day, left = start, days
    step = 1 if days >= 0 else -1
    while left != 0:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            left -= step
    return day


def working_days_between(start, end):
    """Working days in (start, end]; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


class DeadlineState:
    NONE = "none"
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def deadline_state(deadline, today=None):
    """On time, due soon (within DIEUHANH_DUE_SOON_DAYS working days) or overdue."""
    if deadline is None:
        return DeadlineState.NONE
    today = today or datetime.date.today()
    if deadline < today:
        return DeadlineState.OVERDUE
    if working_days_between(today, deadline) <= getattr(settings, "DIEUHANH_DUE_SOON_DAYS", 2):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
