"""/api/v1/reports: the figures of a unit's subtree and of each unit directly below it (issue 16)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from dieuhanh.units.models import Unit

from . import selectors

router = Router(tags=["reports"])

# The longest period one request may read: ten years of days.
MAX_DAYS = 3660


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


def _date(value: str | None, field: str, errors: dict[str, Any]) -> datetime.date | None:
    if not value:
        errors[field] = _("Give a date (YYYY-MM-DD).")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Not a date: use YYYY-MM-DD.")
        return None


def period(start: str | None, end: str | None) -> tuple[datetime.date, datetime.date]:
    """The period [start, end] from query text, or a ValidationError naming each bad field."""
    errors: dict[str, Any] = {}
    first, last = _date(start, "start", errors), _date(end, "end", errors)
    if first and last and last < first:
        errors["end"] = _("The period ends before it starts.")
    elif first and last and (last - first).days > MAX_DAYS:
        errors["end"] = _("The period is longer than ten years.")
    if errors or first is None or last is None:
        raise ValidationError(errors)
    return first, last


@router.get("/reports/units/{unit_id}/figures", response={200: FiguresOut, 403: ForbiddenOut})
def unit_figures(request: HttpRequest, unit_id: int, start: str | None = None, end: str | None = None) -> Any:
    """The unit's subtree figures over [start, end] and the same figures for each unit directly below it."""
    first, last = period(start, end)
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        figures = selectors.unit_figures(request.user, unit, first, last)
        children = selectors.child_figures(request.user, unit, first, last)
    except PermissionDenied as exc:
        return 403, {"detail": str(exc), "errors": [{"field": "unit_id", "message": str(exc)}]}
    return {"unit_id": unit.pk, "name": unit.name, "start": first, "end": last, "figures": figures,
            "children": [{"unit_id": c["unit"].pk, "name": c["unit"].name,
                          "figures": {k: v for k, v in c.items() if k != "unit"}} for c in children]}

