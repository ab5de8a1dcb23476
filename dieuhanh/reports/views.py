"""Leaders' pages (issue 16, decision 0048): the dashboard of a unit's subtree, its drill-down one level at a time,
and the list behind every number."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.pagination import keyset_page, page_for_request
from dieuhanh.units.models import Unit

from . import charts, dashboard, lists, selectors
from .services import FIGURES


def _refused(request: HttpRequest, status: int, message: str) -> HttpResponse:
    title = _("Access denied") if status == 403 else _("Not found")
    return render(request, "site/error.html", {"status": status, "title": title, "message": message}, status=status)


def _unit(request: HttpRequest, unit_id: Any) -> Unit | HttpResponse:
    """The unit, or the readable refusal: 404 for none, 403 for one the reader may not see."""
    pk = parse_id(unit_id)
    unit = Unit.objects.filter(pk=pk).first() if pk is not None else None
    if unit is None:
        return _refused(request, 404, _("There is no such unit."))
    if not selectors.can_read(request.user, unit):
        return _refused(request, 403, _("You may see the figures of the units you lead and of the units below "
                                        "them only."))
    return unit


def _period(request: HttpRequest) -> tuple[dict[str, Any], dict[str, str]]:
    """The period of the query string, and the messages to show beside its fields."""
    get = request.GET
    raw = {"period": get.get("period", ""), "start": get.get("start", ""), "end": get.get("end", "")}
    try:
        kind, start, end = lists.read_period(raw["period"], raw["start"], raw["end"])
    except ValidationError as exc:
        return {"kind": raw["period"] or "dates", "start": None, "end": None, "raw": raw}, {
            field: " ".join(str(m) for m in messages) for field, messages in exc.message_dict.items()}
    return {"kind": kind, "start": start, "end": end, "raw": raw}, {}


def _query(period: dict[str, Any], **extra: Any) -> str:
    values = {"period": period["kind"]}
    if period["kind"] == "dates":
        values.update(start=period["start"].isoformat(), end=period["end"].isoformat())
    values.update({k: v for k, v in extra.items() if v})
    return urlencode(values)


def _next_direction(column: str, sort: str, descending: bool) -> str:
    """A column's header sorts by it: a second click reverses; names start A-Z, numbers largest first."""
    if column == sort:
        return "asc" if descending else "desc"
    return "asc" if column == "name" else "desc"


def _cells(unit: Unit, figures: dict[str, Any], query: str, listed: set[str]) -> list[dict[str, Any]]:
    """The dashboard's columns of one unit: label, value, and the link to the rows behind a count."""
    base = reverse("reports:figure_list", args=[unit.pk, "-"])[:-2]
    return [{"key": key, "label": label, "value": figures.get(key),
             "url": f"{base}{key}/?{query}" if key in listed else None}
            for key, label in dashboard.columns().items()]


def _month_links(unit: Unit, months: list[charts.Month]) -> list[dict[str, Any]]:
    """Each month of the charts' tables with links to its documents in and out (the lists of that month)."""
    base = reverse("reports:figure_list", args=[unit.pk, "-"])[:-2]
    rows = []
    for m in months:
        last = lists.calendar_period("month", m.first_day)[1]
        query = urlencode({"period": "dates", "start": m.first_day.isoformat(), "end": last.isoformat()})
        rows.append({"month": m, "in_url": f"{base}in_total/?{query}", "out_url": f"{base}out_total/?{query}"})
    return rows


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The reader's own dashboard: their (first) highest readable unit's; the awaiting counters alone for someone who
    reads no unit's figures (a unit administrator who does not lead)."""
    tops = dashboard.readable_tops(request.user)
    if tops:  # the first; the others are tabs on its page
        query = request.GET.urlencode()
        return redirect(f"{request.path}units/{tops[0].pk}/" + (f"?{query}" if query else ""))
    return render(request, "reports/dashboard.html", {"unit": None, "tops": tops,
                                                       "awaits": dashboard.awaits(request.user, None)})


@login_required
@require_GET
def unit_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    if isinstance(unit, HttpResponse):
        return unit
    user = request.user
    period, errors = _period(request)
    context: dict[str, Any] = {
        "unit": unit, "trail": dashboard.trail(user, unit), "tops": dashboard.readable_tops(user),
        "awaits": dashboard.awaits(user, unit), "period": period, "errors": errors,
        "periods": [(k, lists.PERIOD_LABELS[k]) for k in lists.PERIODS], "columns": dashboard.columns(),
        "derived": dashboard.DERIVED, "listed": set(lists.listed_figures()),
    }
    if errors:
        return render(request, "reports/dashboard.html", context, status=400)
    start, end = period["start"], period["end"]
    sort = request.GET.get("sort", "name")
    sort = sort if sort in dashboard.sorts() else "name"
    descending = request.GET.get("dir") == "desc"
    rows = dashboard.children(user, unit, start, end)
    months = dashboard.monthly(user, unit, end)
    query, listed = _query(period), context["listed"]
    for row in rows:
        row["cells"] = _cells(row["unit"], row, query, listed)
    figures = dashboard.health(selectors.unit_figures(user, unit, start, end))
    context.update({
        "health": figures, "cells": _cells(unit, figures, query, listed),
        "children": dashboard.sort_children(rows, sort, descending), "ranking": dashboard.ranking(rows),
        "sort": sort, "descending": descending, "query": query,
        "sort_links": {c: "?" + _query(period, sort=c, dir=_next_direction(c, sort, descending))
                       for c in dashboard.sorts()},
        "months": months, "month_links": _month_links(unit, months),
        "bars": charts.bars(months, title=_("Documents in and out by month"), incoming_label=_("Documents in"),
                            outgoing_label=_("Documents out")),
        "line": charts.line(months, title=_("Share handled on time by month")),
    })
    return render(request, "reports/dashboard.html", context)


@login_required
@require_GET
def figure_list(request: HttpRequest, unit_id: int, figure: str) -> HttpResponse:
    """The rows a figure counts, with the same unit, period and reader's policy as the number that links here."""
    unit = _unit(request, unit_id)
    if isinstance(unit, HttpResponse):
        return unit
    if figure not in FIGURES or figure not in lists.listed_figures():
        return _refused(request, 404, _("There is no list for this figure."))
    period, errors = _period(request)
    context: dict[str, Any] = {"unit": unit, "figure": figure, "period": period, "errors": errors,
                               "label": dashboard.LABELS.get(figure, figure), "trail": dashboard.trail(
                                   request.user, unit)}
    if errors:
        return render(request, "reports/list.html", context, status=400)
    try:
        kind, page = lists.figure_page(request.user, unit, figure, period["start"], period["end"],
                                       cursor=request.GET.get("cursor"))
    except ValidationError:  # a mangled cursor: the first page (the API answers 400 instead)
        kind, page = lists.figure_page(request.user, unit, figure, period["start"], period["end"])
    total = selectors.unit_figures(request.user, unit, period["start"], period["end"]).get(figure)
    context.update({"kind": kind, "rows": [lists.row_facts(kind, r) for r in page.items], "page": page,
                    "query": _query(period), "total": total})
    return render(request, "reports/list.html", context)


@login_required
@require_GET
def extensions(request: HttpRequest) -> HttpResponse:
    """Flow extension requests waiting for the reader's decision (the dashboard's counter opens this list)."""
    page = page_for_request(lambda cursor=None: keyset_page(dashboard.extension_requests(request.user), ["-id"],
                                                            cursor=cursor), request)
    return render(request, "reports/list_extensions.html", {"page": page})
