"""Reading the rollups for a reader (issue 16, decision 0045): a leader or deputy reads their units and everything
below, a system administrator everything; secret documents count only for cleared readers (documents.policy)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.policy import has_role_in, is_system_admin
from dieuhanh.documents.policy import cleared_q
from dieuhanh.units.models import Unit

from . import rollups
from .models import Grain, SubtreeFigure
from .services import FIGURES

# A character greater than every character of a path: [path, path + END) is the subtree (as units.selectors).
END = "~"
READERS = {Role.LEADER, Role.DEPUTY}


def can_read(user: User, unit: Unit) -> bool:
    """Leaders and deputies read their own units and every unit below, never a sibling or a parent."""
    return is_system_admin(user) or has_role_in(user, unit, READERS, inherited=True)


def _period(start: datetime.date, end: datetime.date) -> Q:
    """The subtree rows that make up [start, end]: the month rows of the whole months inside it, the day rows of
    the partial months at both ends (decision 0046)."""
    first = start if start.day == 1 else rollups.next_month(start)  # first whole month
    after = rollups.month_of(end + datetime.timedelta(days=1))  # the month after the last whole month
    if first >= after:
        return Q(grain=Grain.DAY, day__gte=start, day__lte=end)
    return (Q(grain=Grain.MONTH, day__gte=first, day__lt=after) | Q(grain=Grain.DAY, day__gte=start, day__lt=first)
            | Q(grain=Grain.DAY, day__gte=after, day__lte=end))


def _rows(user: User, unit: Unit, start: datetime.date, end: datetime.date) -> Any:
    if not can_read(user, unit):
        raise PermissionDenied(_("You may not see this unit's figures."))
    return SubtreeFigure.objects.filter(_period(start, end), cleared_q(user))


def _totals(row: dict[str, Any]) -> dict[str, int]:
    figures = {name: row.get(name) or 0 for name in FIGURES}
    ended = figures["in_on_time"] + figures["in_late"]
    # the share on time among incoming documents whose processing ended, in whole percent
    figures["in_on_time_percent"] = round(100 * figures["in_on_time"] / ended) if ended else 0
    return figures


def unit_figures(user: User, unit: Unit, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The figures of ``unit``'s subtree over [start, end]: one aggregate over at most a row a month and a row a
    day of the partial months, of the unit's stored subtree totals."""
    return _totals(_rows(user, unit, start, end).filter(unit_id=unit.pk)
                   .aggregate(**{name: Sum(name) for name in FIGURES}))


def child_figures(user: User, unit: Unit, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """One row per unit directly below ``unit`` with its subtree's figures, in the directory's order: the children,
    then one grouped query over their own subtree rows."""
    cells = _rows(user, unit, start, end)  # the permission check first
    children = list(Unit.objects.filter(parent=unit).order_by("sort_key", "id"))
    if not children:
        return []
    rows = (cells.filter(unit_id__in=[c.pk for c in children]).values("unit_id")
            .annotate(**{name: Sum(name) for name in FIGURES}).order_by())
    by_unit = {row["unit_id"]: row for row in rows}
    return [{"unit": child, **_totals(by_unit.get(child.pk, {}))} for child in children]


def monthly_series(user: User, unit: Unit, start_month: datetime.date, months: int = 12) -> list[dict[str, Any]]:
    """``months`` months of ``unit``'s subtree from the month of ``start_month``, one dict a month (``month``: its
    first day) with in_total, out_total, in_on_time, in_late and in_on_time_percent (None when nothing ended): one
    query over the stored month rows."""
    first = rollups.month_of(start_month)
    bounds = [first]
    for _i in range(months):
        bounds.append(rollups.next_month(bounds[-1]))
    if not can_read(user, unit):
        raise PermissionDenied(_("You may not see this unit's figures."))
    names = ("in_total", "out_total", "in_on_time", "in_late")
    rows = (SubtreeFigure.objects.filter(cleared_q(user), unit_id=unit.pk, grain=Grain.MONTH, day__gte=first,
                                         day__lt=bounds[-1])
            .values("day").annotate(**{name: Sum(name) for name in names}).order_by())
    by_month: dict[datetime.date, Any] = {row["day"]: row for row in rows}
    series: list[dict[str, Any]] = []
    for month in bounds[:-1]:
        found = by_month.get(month) or {}
        row: dict[str, int] = {name: found.get(name) or 0 for name in names}
        ended = row["in_on_time"] + row["in_late"]
        series.append({"month": month, **row,
                       "in_on_time_percent": round(100 * row["in_on_time"] / ended) if ended else None})
    return series
