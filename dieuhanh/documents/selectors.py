"""Reads for documents, queues and registers. Lists are keyset-paginated and never counted exactly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from dieuhanh.kernel.pagination import Page, keyset_page
from dieuhanh.units.models import Unit

from .models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Document,
    DocumentFile,
    DocumentStatus,
    IncomingEntry,
    NumberSeries,
    OutgoingEntry,
    Register,
    SeriesCounter,
)
from .policy import cleared_q

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dieuhanh.accounts.models import User


def get_document(document_id: int) -> Document:
    return get_object_or_404(Document.objects.select_related("document_type", "issuing_unit"), pk=document_id)


def get_delivery(delivery_id: int) -> Delivery:
    return get_object_or_404(Delivery.objects.select_related("document", "recipient_unit", "sender_unit"),
                             pk=delivery_id)


def document_detail(document_id: int) -> Document:
    """A document with its files and every delivery with its trail (a fixed number of queries)."""
    return get_object_or_404(
        Document.objects.select_related("document_type", "issuing_unit", "series", "created_by", "issued_by")
        .prefetch_related(
            Prefetch("files", queryset=DocumentFile.objects.select_related("blob")),
            "recipients",
            Prefetch("deliveries", queryset=Delivery.objects.select_related("recipient_unit").order_by("id")
                     .prefetch_related(Prefetch("events", queryset=DeliveryEvent.objects.select_related("actor")))),
        ),
        pk=document_id,
    )


# arrived copies, and copies whose recall the unit refused before accepting them (16 without an entry)
_AWAITING_RECEIPT = (Q(status=DeliveryStatus.ARRIVED)
                     | Q(status=DeliveryStatus.RECALL_REFUSED, incoming_entry__isnull=True))


def receipt_queue(unit: Unit) -> QuerySet[Delivery]:
    """Every copy that waits on the unit's answer, whoever reads: arrived, kept (16) before it was accepted, and
    recalls the sender asks (13). Unfiltered by reader, for moving the queue whole (reorganization); lists and
    counters use :func:`awaiting_receipt_queryset` and :func:`pending_recalls_queryset`."""
    return Delivery.objects.filter(_AWAITING_RECEIPT | Q(status=DeliveryStatus.RECALL_REQUESTED),
                                   recipient_unit=unit, withdrawn_at__isnull=True)


def awaiting_receipt_queryset(unit: Unit, user: User) -> QuerySet[Delivery]:
    """The unit's receipt queue as far as ``user`` may see it (clearance and zone in the query, so the home
    counter equals the list and pages come back full)."""
    return Delivery.objects.filter(_AWAITING_RECEIPT, cleared_q(user, "document__"), recipient_unit=unit,
                                   withdrawn_at__isnull=True)


def pending_recalls_queryset(unit: Unit, user: User) -> QuerySet[Delivery]:
    """Copies the sender asks back (13) that wait for this unit's answer, as far as ``user`` may see them."""
    return Delivery.objects.filter(cleared_q(user, "document__"), recipient_unit=unit,
                                   status=DeliveryStatus.RECALL_REQUESTED, withdrawn_at__isnull=True)


def pending_recalls(unit: Unit, user: User, *, cursor: str | None = None, limit: int = 50) -> Page:
    """The unit's recalls awaiting an answer, newest first."""
    qs = pending_recalls_queryset(unit, user).select_related("document", "document__document_type", "sender_unit")
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def awaiting_receipt(unit: Unit, user: User, *, cursor: str | None = None, limit: int = 50) -> Page:
    """The unit's queue of arrived deliveries ``user`` may see: most urgent first, then newest first."""
    qs = awaiting_receipt_queryset(unit, user).select_related("document", "document__document_type", "sender_unit")
    return keyset_page(qs, ["-urgency", "-id"], cursor=cursor, limit=limit)


def _sent(unit: Unit, user: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(cleared_q(user, "document__"), sender_unit=unit)


def outbox(unit: Unit, user: User, *, status: str | None = None, cursor: str | None = None, limit: int = 50) -> Page:
    """Deliveries the unit sent that ``user`` may see, newest first, optionally of one status."""
    qs = _sent(unit, user).select_related("document", "recipient_unit")
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def approved_documents(unit: Unit, user: User, *, cursor: str | None = None, limit: int = 50) -> Page:
    """Approved outgoing documents waiting for the clerk to issue them, as far as ``user`` may see them."""
    qs = (Document.objects.filter(cleared_q(user), issuing_unit=unit, status=DocumentStatus.APPROVED)
          .select_related("document_type"))
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def outbox_status_counts(unit: Unit, user: User, *, cap: int = 1000) -> dict[str, int]:
    """How many of the unit's latest ``cap`` deliveries ``user`` may see are in each status: a bounded count for
    the tabs, over the same rows as the list."""
    latest = _sent(unit, user).order_by("-id").values("id")[:cap]
    rows = Delivery.objects.filter(id__in=latest).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def registers_of(unit: Unit, *, year: int | None = None) -> QuerySet[Register]:
    qs = Register.objects.filter(unit=unit)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "kind", "secret")


def get_register(register_id: int) -> Register:
    return get_object_or_404(Register.objects.select_related("unit"), pk=register_id)


def incoming_entries(register: Register, user: User, *, cursor: str | None = None, limit: int = 50) -> Page:
    """A register's rows that ``user`` is cleared for here: a secret book holds Mật to Tuyệt mật documents, and a
    person cleared for Mật does not read the Tối mật rows (issue 14, item 3)."""
    qs = (IncomingEntry.objects.filter(register=register).filter(cleared_q(user, "document__"))
          .select_related("document", "document__document_type"))
    return keyset_page(qs, ["arrival_number"], cursor=cursor, limit=limit)


def outgoing_entries(register: Register, user: User, *, cursor: str | None = None, limit: int = 50) -> Page:
    qs = (OutgoingEntry.objects.filter(register=register).filter(cleared_q(user, "document__"))
          .select_related("document"))
    return keyset_page(qs, ["id"], cursor=cursor, limit=limit)


def series_of(unit: Unit) -> QuerySet[NumberSeries]:
    return NumberSeries.objects.filter(unit=unit).select_related("document_type").order_by("system", "secret", "id")


def _gaps(numbers: Iterable[int | None], last: int) -> list[int]:
    present = set(numbers)
    return [n for n in range(1, last + 1) if n not in present]


def check_series(series: NumberSeries) -> list[dict[str, object]]:
    """Per period: numbers taken, gaps (taken but not held by an issued document) and duplicates."""
    report = []
    for counter in SeriesCounter.objects.filter(series=series).order_by("period"):
        issued = list(Document.objects.filter(series=series, period=counter.period, status=DocumentStatus.ISSUED)
                      .values_list("number", flat=True))
        dupes = sorted({n for n in issued if n is not None and issued.count(n) > 1})
        report.append({"period": counter.period, "last_number": counter.last_number,
                       "gaps": _gaps(issued, counter.last_number), "duplicates": dupes})
    return report


def check_incoming_register(register: Register) -> dict[str, object]:
    """Arrival numbers missing or used twice, and documents registered twice without confirmation."""
    numbers = list(register.incoming_entries.values_list("arrival_number", flat=True))
    dupes = sorted({n for n in numbers if numbers.count(n) > 1})
    twice = (register.incoming_entries.filter(duplicate_of__isnull=False)
             .values_list("arrival_number", "duplicate_of__arrival_number"))
    return {"last_number": register.last_entry_number, "gaps": _gaps(numbers, register.last_entry_number),
            "duplicates": dupes, "confirmed_duplicates": [list(t) for t in twice]}


def check_outgoing_register(register: Register) -> dict[str, object]:
    """Symbols entered twice among live rows, and the gaps of every series drawn on this year."""
    symbols = list(register.outgoing_entries.filter(cancelled=False).values_list("symbol", flat=True))
    dupes = sorted({s for s in symbols if symbols.count(s) > 1})
    series_ids = (Document.objects.filter(outgoing_entries__register=register).values_list("series_id", flat=True)
                  .distinct())
    series = [s for s in NumberSeries.objects.filter(pk__in=series_ids)]
    return {"duplicate_symbols": dupes,
            "series": [{"series_id": s.pk, "name": s.name, "periods": check_series(s)} for s in series]}


def sender_trail(document: Document) -> QuerySet[Delivery]:
    """Every recipient of ``document`` and its latest status with time."""
    return document.deliveries.select_related("recipient_unit").order_by("id")


def incoming_search(unit: Unit, user: User, *, q: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """The unit's incoming entries ``user`` may see, by symbol or subject."""
    qs = (IncomingEntry.objects.filter(cleared_q(user, "document__"), unit=unit, recalled_at__isnull=True)
          .select_related("document"))
    if q:
        qs = qs.filter(Q(document__symbol__icontains=q) | Q(document__subject__icontains=q))
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


