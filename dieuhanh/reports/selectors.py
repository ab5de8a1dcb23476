"""Reading the rollups for a reader (issue 16, decision 0045): a leader or deputy reads their units and everything
below, a system administrator everything; secret documents count only for cleared readers (documents.policy)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.policy import has_role_in, is_system_admin
from dieuhanh.documents.policy import cleared_q
from dieuhanh.units.models import STEP_WIDTH, Unit

from .models import DailyFigure
from .services import FIGURES

# A character greater than every character of a path: [path, path + END) is the subtree (as units.selectors).
END = "~"
READERS = {Role.LEADER, Role.DEPUTY}


def can_read(user: User, unit: Unit) -> bool:
    """Leaders and deputies read their own units and every unit below, never a sibling or a parent."""
    return is_system_admin(user) or has_role_in(user, unit, READERS, inherited=True)


def _cells(user: User, unit: Unit, start: datetime.date, end: datetime.date) -> Any:
    if not can_read(user, unit):
        raise PermissionDenied(_("You may not see this unit's figures."))
    return DailyFigure.objects.filter(
        Q(unit__path__gte=unit.path, unit__path__lt=unit.path + END, day__gte=start, day__lte=end), cleared_q(user))


def _totals(row: dict[str, Any]) -> dict[str, int]:
    figures = {name: row.get(name) or 0 for name in FIGURES}
    ended = figures["in_on_time"] + figures["in_late"]
    # the share on time among incoming documents whose processing ended, in whole percent
    figures["in_on_time_percent"] = round(100 * figures["in_on_time"] / ended) if ended else 0
    return figures


def unit_figures(user: User, unit: Unit, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The figures of ``unit``'s subtree over [start, end]: one aggregate over an indexed path range."""
    return _totals(_cells(user, unit, start, end).aggregate(**{name: Sum(name) for name in FIGURES}))


def child_figures(user: User, unit: Unit, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """One row per unit directly below ``unit`` with its subtree's figures, in the directory's order: one grouped
    query (a child's subtree is every path that starts with the child's path)."""
    width = len(unit.path) + STEP_WIDTH
    rows = (_cells(user, unit, start, end).filter(unit__depth__gt=unit.depth)
            .values(prefix=Substr("unit__path", 1, width)).annotate(**{name: Sum(name) for name in FIGURES}))
    by_prefix = {row["prefix"]: row for row in rows}
    return [{"unit": child, **_totals(by_prefix.get(child.path, {}))}
            for child in Unit.objects.filter(parent=unit).order_by("sort_key", "id")]
