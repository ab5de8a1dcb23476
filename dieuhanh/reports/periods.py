"""The period a figure, list or report covers, read from what a page or the API received: one reading for all of
them, each bad field named (``start``, ``end``)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The longest period one request may read: ten years of days.
MAX_DAYS = 3660


def _date(value: Any, name: str, errors: dict[str, str]) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if not value:
        errors[name] = _("Give a date (YYYY-MM-DD).")
        return None
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = _("Not a date: use YYYY-MM-DD.")
        return None


def read_dates(start: Any, end: Any, errors: dict[str, str]) -> tuple[datetime.date | None, datetime.date | None]:
    """[start, end] from text or dates; what is wrong goes into ``errors`` by field name."""
    first, last = _date(start, "start", errors), _date(end, "end", errors)
    if first and last and last < first:
        errors["end"] = _("The period ends before it starts.")
    elif first and last and (last - first).days > MAX_DAYS:
        errors["end"] = _("The period is longer than ten years.")
    return first, last


def dates(start: Any, end: Any) -> tuple[datetime.date, datetime.date]:
    """[start, end], or a ValidationError naming ``start`` or ``end``."""
    errors: dict[str, str] = {}
    first, last = read_dates(start, end, errors)
    if errors or first is None or last is None:
        raise ValidationError(errors)
    return first, last
