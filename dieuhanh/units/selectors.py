"""Reads of the unit directory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from dieuhanh.accounts.policy import grants, remembered
from dieuhanh.kernel.pagination import keyset_page
from dieuhanh.kernel.text import fold

from .models import Unit

if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import Any

    from django.db.models import QuerySet

    from dieuhanh.accounts.models import User
    from dieuhanh.kernel.pagination import Page

# A character greater than every character used in paths, so [path, path + _PATH_END) is the subtree.
_PATH_END = "~"


def subtree(unit: Unit, include_self: bool = True) -> QuerySet[Unit]:
    """All units under ``unit``: one indexed range scan on ``path``, whatever the depth."""
    qs = Unit.objects.filter(path__gte=unit.path, path__lt=unit.path + _PATH_END)
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    return qs


def ancestors(unit: Unit, include_self: bool = False) -> QuerySet[Unit]:
    paths = unit.ancestor_paths()
    if not include_self:
        paths = paths[:-1]
    return Unit.objects.filter(path__in=paths).order_by("depth")


def successors(unit: Unit, limit: int = 20) -> list[Unit]:
    """The chain of units that took over ``unit``'s collection (its successor, that one's successor, ...)."""
    chain: list[Unit] = []
    seen, current = {unit.pk}, unit
    while current.successor_id and current.successor_id not in seen and len(chain) < limit:
        current = Unit.objects.get(pk=current.successor_id)
        seen.add(current.pk)
        chain.append(current)
    return chain


def predecessor_ids(unit_ids: Collection[int]) -> set[int]:
    """Ids of every unit whose collection passed, directly or through others, to one of ``unit_ids``: one query
    per generation of reorganizations, a single empty one in the common case."""
    found: set[int] = set()
    frontier = set(unit_ids)
    while frontier:
        frontier = set(Unit.objects.filter(successor_id__in=frontier).values_list("id", flat=True)) \
            - found - set(unit_ids)
        found |= frontier
    return found


def get_unit(unit_id: int) -> Unit:
    return get_object_or_404(Unit, pk=unit_id)


def search_units(*, query: str = "", parent_id: int | None = None, roots_only: bool = False, kind: str | None = None,
                 status: str | None = None, within: Any = None) -> QuerySet[Unit]:
    """Units whose name, short name or code contains every word of ``query``, folded (``ha noi`` finds Hà Nội)."""
    qs = Unit.objects.all()
    for word in fold(query).split():
        qs = qs.filter(search_text__contains=word)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    elif roots_only:
        qs = qs.filter(parent__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if within is not None:
        qs = qs.filter(path__gte=within.path, path__lt=within.path + _PATH_END)
    return qs


def unit_page(*, cursor: str | None = None, limit: int = 50, **filters: Any) -> Page:
    """A keyset page of units in Vietnamese alphabetical order."""
    return keyset_page(search_units(**filters), ["sort_key", "id"], cursor=cursor, limit=limit)


def children_with_flags(unit: Unit) -> QuerySet[Unit]:
    """Children of ``unit`` (or roots when ``None``), each annotated with whether it has children itself."""
    from django.db.models import Exists, OuterRef

    qs = Unit.objects.filter(parent=unit) if unit is not None else Unit.objects.filter(parent__isnull=True)
    return qs.annotate(has_children=Exists(Unit.objects.filter(parent=OuterRef("pk")))).order_by("sort_key", "id")


def member_unit_ids(user: User) -> set[int]:
    """Ids of the units the user holds any role in (one query per request, shared with the grants cache)."""
    def compute() -> set[int]:
        paths = {path for path, _ in grants(user)}
        return set(Unit.objects.filter(path__in=paths).values_list("id", flat=True)) if paths else set()

    return remembered(user, "member_unit_ids", compute)
