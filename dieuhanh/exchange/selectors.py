"""Reads of the exchange: received packages, sent packages with their outbox state, the directory of organs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from dieuhanh.gateway import selectors as gateway_selectors
from dieuhanh.kernel.pagination import Page, keyset_page

from . import policy
from .models import ReceivedPackage, SentPackage

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User


def received(user: User, *, state: str = "") -> QuerySet[ReceivedPackage]:
    qs = ReceivedPackage.objects.filter(policy.received_q(user)).select_related("document")
    return qs.filter(state=state) if state else qs


def received_page(user: User, *, state: str = "", cursor: str | None = None, limit: Any = 50) -> Page:
    return keyset_page(received(user, state=state), ["-id"], cursor=cursor, limit=limit)


@dataclass
class SentRow:
    sent: SentPackage
    state: str  # the outbox's: queued | sending | sent | failed ("" when the gateway holds no such item)
    attempts: int
    last_error: str
    item_id: int | None


def outbox_states(rows: list[SentPackage]) -> dict[tuple[str, str], Any]:
    """The gateway's outbox items of ``rows``, by (destination, package id); one query."""
    if not rows:
        return {}
    items = gateway_selectors.outbox_items(package_ids=[r.package_id for r in rows])
    return {(i.destination, i.package_id): i for i in items}


def sent_page(user: User, *, failed: bool = False, cursor: str | None = None, limit: Any = 50) -> tuple[Page,
                                                                                                      list[SentRow]]:
    qs = SentPackage.objects.filter(policy.sent_q(user)).select_related("document", "delivery")
    if failed:
        failed_ids = gateway_selectors.outbox_items(states=["failed"]).values_list("package_id", flat=True)
        qs = qs.filter(package_id__in=failed_ids)
    page = keyset_page(qs, ["-id"], cursor=cursor, limit=limit)
    items = outbox_states(page.items)
    rows = []
    for sent in page.items:
        item = items.get((sent.organ_code, sent.package_id))
        rows.append(SentRow(sent=sent, state=getattr(item, "state", ""), attempts=getattr(item, "attempts", 0),
                            last_error=getattr(item, "last_error", "") or "", item_id=getattr(item, "pk", None)))
    return page, rows
