"""Keyset pagination: pages are addressed by the last row's sort key, never by OFFSET, never counted exactly."""

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

MAX_PAGE_SIZE = 200
# Counters on lists count at most this many rows (+1, to know there are more), shown as "1000+".
COUNT_CAP = 1000


@dataclass
class Page:
    items: list
    next_cursor: str | None
    has_more: bool


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise ValidationError({"cursor": _("Invalid cursor.")}) from exc
    if not isinstance(values, list) or len(values) != size:
        raise ValidationError({"cursor": _("Invalid cursor.")})
    return values


def _after(fields: Sequence[str], values: Sequence[Any]) -> Q:
    """WHERE clause for rows strictly after ``values`` in ``fields`` order; a "-" prefix means descending."""
    clause = Q()
    for i, field in enumerate(fields):
        name = field.lstrip("-")
        step = Q(**{f"{name}__{'lt' if field.startswith('-') else 'gt'}": values[i]})
        for prev_field, prev_value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{prev_field.lstrip("-"): prev_value})
        clause |= step
    return clause


def _row_after(queryset: QuerySet, fields: Sequence[str], values: Sequence[Any]) -> QuerySet:
    """``(a, b) > (x, y)`` as one row-value comparison, which the database turns into an index range.

    Only for fields of the model itself, all sorted the same way; the OR form above is the fallback.
    """
    meta = queryset.model._meta
    columns = [f"{meta.db_table}.{meta.get_field(f.lstrip('-')).column}" for f in fields]
    op = "<" if fields[0].startswith("-") else ">"
    placeholders = ", ".join(["%s"] * len(values))
    return queryset.extra(where=[f"({', '.join(columns)}) {op} ({placeholders})"], params=list(values))


def _same_direction(queryset: QuerySet, fields: Sequence[str]) -> bool:
    directions = {f.startswith("-") for f in fields}
    names = [f.lstrip("-") for f in fields]
    try:
        concrete = all(queryset.model._meta.get_field(n).concrete and "__" not in n for n in names)
    except Exception:  # noqa: BLE001 - a related path: use the portable form
        return False
    return len(directions) == 1 and concrete


def keyset_page(queryset: QuerySet, fields: Sequence[str], cursor: str | None = None, limit: Any = 50) -> Page:
    """Return one page of ``queryset`` ordered by ``fields`` (the last one must be unique, e.g. the id)."""
    try:
        limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    except (TypeError, ValueError):
        limit = MAX_PAGE_SIZE
    qs = queryset.order_by(*fields)
    if cursor:
        values = decode_cursor(cursor, len(fields))
        if len(fields) > 1 and _same_direction(queryset, fields):
            qs = _row_after(qs, fields, values)
        else:
            qs = qs.filter(_after(fields, values))
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, f.lstrip("-")) for f in fields])
    return Page(items=rows, next_cursor=next_cursor, has_more=has_more)


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """Rows of ``qs``, exact up to ``cap``; beyond it ``cap + 1``, which the page shows as "cap+" rather than
    counting millions of rows. Counters call it on the very queryset their list shows, so a counter equals the
    length of the list it opens: the home page (site.home) and the lists of processing, tasks, drafting and
    records loans."""
    return qs.order_by().values("pk")[: cap + 1].count()


def page_for_request(page_fn: Callable[..., Page], request: HttpRequest, *args: Any, **kwargs: Any) -> Page:
    """Call a selector's page function with the request's ``cursor``; a mangled cursor starts from the first page
    (on pages people click; the API answers 400 instead)."""
    try:
        return page_fn(*args, cursor=request.GET.get("cursor"), **kwargs)
    except ValidationError:
        return page_fn(*args, **kwargs)
