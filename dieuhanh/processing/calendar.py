"""Working days: weekends and a configurable holiday calendar (seeded with Vietnam's public holidays)."""

import datetime
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.audit.services import record

from . import holidays as table
from .models import Holiday

logger = logging.getLogger(__name__)

# Each process keeps a year's holidays for this long: a change made by another process (the command, another
# worker) is seen within it; the process that makes the change clears its cache at once.
CACHE_SECONDS = 300
# Warn when the calendar has no decreed days for a year that starts within this many months.
WARNING_MONTHS = 3

_cache: dict[int, tuple[float, frozenset[datetime.date]]] = {}
_warned: set[int] = set()


def holidays(year: int) -> frozenset[datetime.date]:
    """The holiday dates of ``year`` (cached per process for ``CACHE_SECONDS``; cleared when holidays change)."""
    cached = _cache.get(year)
    if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
        days = frozenset(Holiday.objects.filter(date__year=year).values_list("date", flat=True))
        if not days and year not in _warned:
            _warned.add(year)
            logger.warning("The holiday calendar has no days for %s: working days count only weekends. Load the "
                           "year with `dieuhanh holidays --year %s`.", year, year)
        cached = _cache[year] = (time.monotonic(), days)
    return cached[1]


def clear_cache() -> None:
    _cache.clear()
    _warned.clear()


@transaction.atomic
def replace_year(*, year: int, days: list[tuple[datetime.date, str]], provisional: bool) -> int:
    """Make ``days`` the holidays of ``year`` (the yearly update, decision 0039): the year's rows are replaced, the
    change is audited, and the calendar's cache is cleared now and again when the change commits."""
    if any(day.year != year for day, _name in days):
        raise ValueError(f"Every day must fall in {year}.")
    by_day = dict(sorted(days))  # one name a day
    Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.bulk_create([Holiday(date=day, name=name[:100], provisional=provisional)
                                 for day, name in by_day.items()])
    record(actor=None, action="holidays.replace",
           data={"year": year, "days": len(by_day), "provisional": provisional})
    clear_cache()
    transaction.on_commit(clear_cache)  # a reader between the delete and the commit may have cached the old year
    return len(by_day)


def load_year(year: int) -> tuple[int, bool]:
    """Load ``year``: the decreed days when ``holidays.BY_YEAR`` holds them, else the ``holidays`` package's days,
    provisional. Returns how many days and whether they are provisional."""
    days, provisional = table.decreed(year), False
    if not days:
        days, provisional = table.from_package(year), True
    return replace_year(year=year, days=days, provisional=provisional), provisional


def coverage_warning(today: datetime.date | None = None, months: int = WARNING_MONTHS) -> str | None:
    """What an administrator must do about the holiday calendar now, or None: a year within ``months`` that has no
    days, or only provisional ones."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=31 * months)
    missing, provisional = [], []
    for year in range(today.year, horizon.year + 1):
        kinds = set(Holiday.objects.filter(date__year=year).values_list("provisional", flat=True))
        if not kinds:
            missing.append(year)
        elif True in kinds:
            provisional.append(year)
    if missing:
        return _("The holiday calendar has no days for %(years)s: deadlines in working days will count only "
                 "weekends. Load them with `dieuhanh holidays --year YEAR`.") % {
            "years": ", ".join(map(str, missing))}
    if provisional:
        return _("The holidays of %(years)s are provisional (computed by the holidays package): replace them with "
                 "the days off the government announces (`dieuhanh holidays --year YEAR --file days.csv`).") % {
            "years": ", ".join(map(str, provisional))}
    return None


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
