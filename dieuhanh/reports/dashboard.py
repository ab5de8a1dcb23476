"""What a leader's dashboard shows (issue 16, decision 0048), assembled once for the page and the API: what awaits
the reader now (the home counters' own querysets, each linking to its list), the health of a unit's subtree over a
period (the rollups of decision 0045), the units directly below, sortable and ranked, and twelve months of
documents in and out and of the share on time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.policy import has_role_in, is_system_admin, units_with_roles
from dieuhanh.documents.policy import cleared_q
from dieuhanh.drafting import selectors as drafting
from dieuhanh.kernel.pagination import capped_count
from dieuhanh.processing import selectors as processing
from dieuhanh.processing.models import ExtensionRequest
from dieuhanh.tasks import selectors as tasks
from dieuhanh.units.models import Unit
from dieuhanh.units.selectors import ancestors

from . import selectors
from .charts import Month
from .services import FIGURES

DIRECTORS = {Role.LEADER, Role.DEPUTY}
ASSIGNERS = {Role.LEADER, Role.DEPUTY, Role.CLERK}
# Who gets the dashboard's link on the home page: leaders, deputies, unit administrators (decision 0048).
DASHBOARD_ROLES = {Role.LEADER, Role.DEPUTY, Role.UNIT_ADMIN}

# The columns of the health block and of the children's table, in reading order; "percent" and "days" columns are
# derived (no list of their own), the others are figures whose number opens their list. A figure the rollup does
# not have (yet) is left out.
LABELS: dict[str, Any] = {
    "in_total": gettext_lazy("Documents in"),
    "out_total": gettext_lazy("Documents out"),
    "in_on_time": gettext_lazy("Handled on time"),
    "in_late": gettext_lazy("Handled late"),
    "in_open": gettext_lazy("Open within deadline"),
    "in_overdue": gettext_lazy("Open past deadline"),
    "in_unassigned": gettext_lazy("Not yet assigned"),
    "in_on_time_percent": gettext_lazy("Share on time"),
    "avg_days": gettext_lazy("Average working days to finish"),
    "tasks_given": gettext_lazy("Tasks given"),
    "tasks_on_time": gettext_lazy("Tasks finished on time"),
    "tasks_late": gettext_lazy("Tasks finished late"),
    "tasks_open": gettext_lazy("Tasks open within deadline"),
    "tasks_overdue": gettext_lazy("Tasks open past deadline"),
    "tasks_extended": gettext_lazy("Tasks extended"),
    "in_electronic": gettext_lazy("Received electronically"),
    "in_exchanged": gettext_lazy("Received by exchange"),
    "out_electronic": gettext_lazy("Sent electronically only"),
    "out_exchanged": gettext_lazy("Sent by exchange"),
    "out_paper": gettext_lazy("Sent on paper"),
    "out_signed": gettext_lazy("Digitally signed"),
    "electronic_percent": gettext_lazy("Share exchanged electronically"),
    "signed_percent": gettext_lazy("Share digitally signed"),
}
DERIVED = {"in_on_time_percent", "avg_days", "electronic_percent", "signed_percent"}
NEEDS = {"avg_days": "in_done_days", "signed_percent": "out_signed"}


def columns() -> dict[str, Any]:
    """The columns shown: every count the rollup has, and the derived ones it has the figures for."""
    return {key: label for key, label in LABELS.items()
            if (key in FIGURES if key not in DERIVED else NEEDS.get(key, "in_total") in FIGURES)}


def sorts() -> tuple[str, ...]:
    return ("name", *columns())


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def health(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures with the shares and the average derived from them; a share of nothing is None (shown "—").
    Figures another part of the app adds later (decision 0045's "not yet") are used when present."""
    f: dict[str, Any] = dict(figures)
    ended = f.get("in_on_time", 0) + f.get("in_late", 0)
    f["in_on_time_percent"] = _percent(f.get("in_on_time", 0), ended)
    f["avg_days"] = round(f["in_done_days"] / ended, 1) if ended and "in_done_days" in f else None
    # received electronically (any electronic origin) and sent with no paper copy, among all in and out
    electronic = f.get("in_electronic", 0) + f.get("out_electronic", 0)
    f["electronic_percent"] = _percent(electronic, f.get("in_total", 0) + f.get("out_total", 0))
    f["signed_percent"] = _percent(f["out_signed"], f.get("out_total", 0)) if "out_signed" in f else None
    return f


def _link(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:  # a list whose page is not installed
        return None


@dataclass
class Await:
    key: str
    label: str
    count: int
    url: str | None


def extension_requests(user: User) -> Any:
    """Flow extension requests waiting for ``user``'s decision (they assigned the flow), of documents they are
    cleared for here."""
    return (ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING, flow__assigned_by=user)
            .filter(cleared_q(user, "flow__entry__document__"))
            .select_related("flow__entry__document", "requested_by"))


def awaits(user: User, unit: Unit | None) -> list[Await]:
    """What awaits the reader now, each count from the very queryset of the list it links to."""
    rows: list[Await] = []
    if unit is not None and (has_role_in(user, unit, ASSIGNERS)):
        rows.append(Await("to_assign", _("To assign"), capped_count(processing.awaiting_assignment(unit, user)),
                          _link("processing:awaiting", f"?unit={unit.pk}")))
    rows.append(Await("reports", _("Reports to approve"), capped_count(tasks.tasks_for(user, "awaiting_my_approval")),
                      _link("tasks:list", "?kind=awaiting_my_approval")))
    rows.append(Await("drafts", _("Drafts to sign"), capped_count(drafting.drafts_for(user, "signature")),
                      _link("drafting:list", "?kind=signature")))
    rows.append(Await("extensions", _("Extension requests"), capped_count(extension_requests(user)),
                      _link("reports:extensions")))
    rows.append(Await("overdue", _("Processing overdue"), capped_count(processing.flows_for(user, "overdue")),
                      _link("processing:my_work", "?kind=overdue")))
    rows.append(Await("tasks_overdue", _("Tasks overdue"), capped_count(tasks.tasks_for(user, "overdue")),
                      _link("tasks:list", "?kind=overdue")))
    rows.append(Await("due_soon", _("Processing due soon"), capped_count(processing.flows_for(user, "due_soon")),
                      _link("processing:my_work", "?kind=due_soon")))
    rows.append(Await("tasks_due_soon", _("Tasks due soon"), capped_count(tasks.tasks_for(user, "due_soon")),
                      _link("tasks:list", "?kind=due_soon")))
    return rows


def readable_tops(user: User) -> list[Unit]:
    """The highest units whose figures ``user`` reads: every root for a system administrator, else the units where
    they lead or deputize (none of them below another)."""
    if is_system_admin(user):
        return list(Unit.objects.filter(parent__isnull=True).order_by("sort_key", "id"))
    units = units_with_roles(user, DIRECTORS)
    return [u for u in units if not any(u.path.startswith(o.path) and u.pk != o.pk for o in units)]


def trail(user: User, unit: Unit) -> list[Unit]:
    """The units above ``unit`` the reader may read, top first (the drill-down's way back up)."""
    return [u for u in ancestors(unit) if selectors.can_read(user, u)]


def sort_children(rows: list[dict[str, Any]], sort: str, descending: bool) -> list[dict[str, Any]]:
    """Children sorted by a column (a share of nothing last whatever the direction), or by name."""
    if sort == "name":
        return sorted(rows, key=lambda r: r["unit"].name.casefold(), reverse=descending)
    present = [r for r in rows if r.get(sort) is not None]
    absent = [r for r in rows if r.get(sort) is None]
    return sorted(present, key=lambda r: r[sort], reverse=descending) + absent


def ranking(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units ranked by their share on time (those with nothing finished are left out), best first."""
    ranked = [r for r in rows if r.get("in_on_time_percent") is not None]
    return sorted(ranked, key=lambda r: (-r["in_on_time_percent"], -(r["in_on_time"] + r["in_late"]),
                                         r["unit"].name.casefold()))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_of(row: dict[str, Any]) -> datetime.date | None:
    for key in ("month", "start", "first_day", "day"):
        value = row.get(key)
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value[:10]).replace(day=1)
            except ValueError:
                return None
    return None


def monthly(user: User, unit: Unit, last_day: datetime.date, months: int = 12) -> list[Month]:
    """Twelve months ending with the month of ``last_day``: documents in and out and the share on time. Read from
    ``selectors.monthly_series`` (one grouped query) when the app has it, else one aggregate per month."""
    first = _add_months(last_day.replace(day=1), 1 - months)
    by_month: dict[datetime.date, dict[str, Any]] = {}
    series = getattr(selectors, "monthly_series", None)
    if series is not None:
        for row in series(user, unit, first, months=months):
            month = _month_of(row)
            if month is not None:
                by_month[month] = row
    else:
        for i in range(months):
            start = _add_months(first, i)
            end = _add_months(start, 1) - datetime.timedelta(days=1)
            by_month[start] = selectors.unit_figures(user, unit, start, end)
    result = []
    for i in range(months):
        start = _add_months(first, i)
        row = by_month.get(start, {})
        ended = (row.get("in_on_time") or 0) + (row.get("in_late") or 0)
        result.append(Month(start, row.get("in_total") or 0, row.get("out_total") or 0,
                            _percent(row.get("in_on_time") or 0, ended)))
    return result


def children(user: User, unit: Unit, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    return [health(row) for row in selectors.child_figures(user, unit, start, end)]
