"""Reads for digitization: batches of a unit with their progress, items awaiting confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count

from dieuhanh.documents.models import IncomingEntry
from dieuhanh.kernel.pagination import keyset_page
from dieuhanh.units.models import Unit

from .models import DONE, PENDING, ImportBatch, ItemStatus, ScanItem

if TYPE_CHECKING:
    from typing import Any

    from dieuhanh.kernel.pagination import Page


def progress(batch: ImportBatch) -> dict[str, Any]:
    """Counts per status, and how far OCR has got: {"total", "done", "percent", "pending", <status>: n}."""
    counts = dict(ScanItem.objects.filter(batch=batch).values_list("status").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    done = sum(n for status, n in counts.items() if status in DONE)
    out = {status: counts.get(status, 0) for status in ItemStatus.values}
    out.update({"total": total, "done": done, "pending": sum(counts.get(s, 0) for s in PENDING),
                "percent": round(100 * done / total) if total else 100})
    return out


def batch_page(unit: Unit, cursor: str | None = None, limit: int = 20) -> Page:
    return keyset_page(ImportBatch.objects.filter(unit=unit).select_related("created_by"), ["-id"], cursor, limit)


def batch_items(batch: ImportBatch) -> list[ScanItem]:
    return list(ScanItem.objects.filter(batch=batch).select_related("entry", "duplicate_of").order_by("id"))


def awaiting_confirmation(unit: Unit, cursor: str | None = None, limit: int = 50) -> Page:
    return keyset_page(ScanItem.objects.filter(unit=unit, status=ItemStatus.READY), ["id"], cursor, limit)


ISSUER_DIRECTORY_LIMIT = 20000


def issuer_directory(unit: Unit) -> list[str]:
    """Issuer names to match an OCR'd heading against: the unit directory (every unit's name) and the organs this
    unit has received documents from. Only names, which every clerk may read in the directory anyway; capped so a
    huge directory cannot stall the worker."""
    names = set(Unit.objects.values_list("name", flat=True).order_by("id")[:ISSUER_DIRECTORY_LIMIT])
    names.update(IncomingEntry.objects.filter(unit=unit).values_list("document__issuer_name", flat=True)
                 .order_by("-id")[:ISSUER_DIRECTORY_LIMIT])
    return sorted(n for n in names if n)
