"""/api/v1/reports: the figures of a unit's subtree and of each unit directly below it, a leader's dashboard, and
the rows behind every figure (issue 16)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from dieuhanh.units.models import Unit

from . import dashboard, lists, periods, selectors

router = Router(tags=["reports"])



class ErrorItem(Schema):
    field: str
    message: str


class ForbiddenOut(Schema):
    detail: str
    errors: list[ErrorItem]


class ChildOut(Schema):
    unit_id: int
    name: str
    figures: dict[str, int]


class FiguresOut(Schema):
    unit_id: int
    name: str
    start: datetime.date
    end: datetime.date
    figures: dict[str, int]
    children: list[ChildOut]


@router.get("/reports/units/{unit_id}/figures", response={200: FiguresOut, 403: ForbiddenOut})
def unit_figures(request: HttpRequest, unit_id: int, start: str | None = None, end: str | None = None) -> Any:
    """The unit's subtree figures over [start, end] and the same figures for each unit directly below it."""
    first, last = periods.dates(start, end)
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        figures = selectors.unit_figures(request.user, unit, first, last)
        children = selectors.child_figures(request.user, unit, first, last)
    except PermissionDenied as exc:
        return 403, {"detail": str(exc), "errors": [{"field": "unit_id", "message": str(exc)}]}
    return {"unit_id": unit.pk, "name": unit.name, "start": first, "end": last, "figures": figures,
            "children": [{"unit_id": c["unit"].pk, "name": c["unit"].name,
                          "figures": {k: v for k, v in c.items() if k != "unit"}} for c in children]}



# --- The dashboard and the rows behind each figure (decision 0048) --------------------------------------------------

Value = int | float | None


class AwaitOut(Schema):
    key: str
    label: str
    count: int
    url: str | None


class UnitRowOut(Schema):
    unit_id: int
    name: str
    figures: dict[str, Value]


class MonthOut(Schema):
    month: datetime.date
    documents_in: int
    documents_out: int
    on_time_percent: int | None


class DashboardOut(Schema):
    unit_id: int
    name: str
    period: str
    start: datetime.date
    end: datetime.date
    awaits: list[AwaitOut]
    figures: dict[str, Value]
    children: list[UnitRowOut]
    ranking: list[UnitRowOut]
    months: list[MonthOut]


class ItemOut(Schema):
    id: int
    kind: str
    date: datetime.date | None
    symbol: str
    title: str
    unit: str
    state: str
    deadline: datetime.date | None
    readable: bool
    url: str | None


class ItemsOut(Schema):
    unit_id: int
    figure: str
    start: datetime.date
    end: datetime.date
    items: list[ItemOut]
    next_cursor: str | None


def _forbidden(exc: PermissionDenied) -> tuple[int, dict[str, Any]]:
    return 403, {"detail": str(exc), "errors": [{"field": "unit_id", "message": str(exc)}]}


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {"unit_id": row["unit"].pk, "name": row["unit"].name,
            "figures": {k: v for k, v in row.items() if k != "unit"}}


@router.get("/reports/units/{unit_id}/dashboard", response={200: DashboardOut, 403: ForbiddenOut})
def unit_dashboard(request: HttpRequest, unit_id: int, period: str | None = None, start: str | None = None,
                   end: str | None = None) -> Any:
    """A leader's dashboard of the unit's subtree: what awaits the reader now, the health over the period (``period``
    = week, month, quarter, year: the current one; or ``dates`` with ``start`` and ``end``), the units directly
    below with the same figures and ranked by the share on time, and twelve months to the period's end."""
    kind, first, last = lists.read_period(period, start, end)
    unit = get_object_or_404(Unit, pk=unit_id)
    user = request.user
    try:
        figures = dashboard.health(selectors.unit_figures(user, unit, first, last))
        rows = dashboard.children(user, unit, first, last)
    except PermissionDenied as exc:
        return _forbidden(exc)
    months = dashboard.monthly(user, unit, last)
    return {"unit_id": unit.pk, "name": unit.name, "period": kind, "start": first, "end": last,
            "awaits": [vars(a) for a in dashboard.awaits(user, unit)], "figures": figures,
            "children": [_row(r) for r in rows], "ranking": [_row(r) for r in dashboard.ranking(rows)],
            "months": [{"month": m.first_day, "documents_in": m.incoming, "documents_out": m.outgoing,
                        "on_time_percent": m.on_time_percent} for m in months]}


@router.get("/reports/units/{unit_id}/figures/{figure}/items", response={200: ItemsOut, 403: ForbiddenOut})
def figure_items(request: HttpRequest, unit_id: int, figure: str, period: str | None = None,
                 start: str | None = None, end: str | None = None, cursor: str | None = None, limit: int = 50) -> Any:
    """The rows one figure counts over the unit's subtree and the period, as the reader may see them (clearance and
    network zone), newest first, one keyset page at a time: their number is the figure's. A row whose document or
    task the reader may not open (``readable`` false) has no symbol, title or link."""
    _kind, first, last = lists.read_period(period, start, end)
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        kind, page = lists.figure_page(request.user, unit, figure, first, last, cursor=cursor, limit=limit)
    except PermissionDenied as exc:
        return _forbidden(exc)
    return {"unit_id": unit.pk, "figure": figure, "start": first, "end": last,
            "items": [lists.row_facts(kind, r) for r in page.items], "next_cursor": page.next_cursor}
