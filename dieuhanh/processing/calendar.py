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


def next_working_day(day):
    """``day`` itself when people work that day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


MAX_WORKING_DAYS = 366


def resolve_deadline(*, deadline=None, working_days=None, confirm_non_working_day=False, today=None,
                     field="deadline", days_field="working_days"):
    """The deadline someone gave, as a date: a date, or "N working days" counted from ``today`` (weekends and the
    holiday calendar skipped), not both. A date on a weekend or public holiday is refused with the next working
    day offered, unless the person confirms they mean it (issue 14, item 17; decision 0034). Raises
    ``ValidationError`` naming the field; ``None`` when neither is given."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    today = today or datetime.date.today()
    if working_days is not None:
        if deadline is not None:
            raise ValidationError({days_field: _("Give either a date or a number of working days, not both.")})
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            raise ValidationError({days_field: _("Between 1 and %(n)s working days.") % {"n": MAX_WORKING_DAYS}})
        return add_working_days(today, working_days)
    if deadline is None or confirm_non_working_day or deadline < today or is_working_day(deadline):
        return deadline  # a past date is refused by the service, with its own message
    suggested = next_working_day(deadline)
    error = ValidationError(
        _("%(date)s is not a working day (a weekend or public holiday). The next working day is %(next)s; choose "
          "it, or confirm this date.") % {"date": f"{deadline:%d/%m/%Y}", "next": f"{suggested:%d/%m/%Y}"},
        code="non_working_day", params={"next_working_day": suggested.isoformat()})
    raise ValidationError({field: error})
