"""Reads of the gateway's tables (gateway contract)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import InboxItem, OutboxItem


def outbox_items(*, package_ids: Iterable[str] | None = None,
                 states: Iterable[str] | None = None) -> QuerySet[OutboxItem]:
    """Outbox items, newest first, without their payload (callers list them; the worker reads payloads)."""
    items = OutboxItem.objects.defer("payload").order_by("-created_at", "-pk")
    if package_ids is not None:
        items = items.filter(package_id__in=list(package_ids))
    if states is not None:
        items = items.filter(state__in=list(states))
    return items


def inbox_items(*, source: str | None = None, package_ids: Iterable[str] | None = None) -> QuerySet[InboxItem]:
    items = InboxItem.objects.order_by("-received_at", "-pk")
    if source is not None:
        items = items.filter(source=source)
    if package_ids is not None:
        items = items.filter(package_id__in=list(package_ids))
    return items
