"""Writes for digitization: import scans, record OCR results, confirm into the incoming register, discard, retry.

Each function checks permission, validates, writes and appends its audit event in one transaction. OCR runs in
the background (``jobs.process_item``), queued with ``transaction.on_commit`` so a rolled-back import queues
nothing. A file that cannot be taken in becomes a rejected item with its reason: the rest of the batch goes on
and every file of the batch is accounted for.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import require
from dieuhanh.audit.services import record
from dieuhanh.documents import services as doc_services
from dieuhanh.documents import storage
from dieuhanh.documents.models import DocumentSystem, DocumentType, IncomingEntry
from dieuhanh.documents.validation import UNSUPPORTED_TYPE, safe_name
from dieuhanh.kernel.text import fold, nfc
from dieuhanh.units.models import UnitStatus

from . import policy
from .extract import extract_result
from .models import BatchSource, ImportBatch, ItemStatus, ScanItem
from .selectors import issuer_directory

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from typing import Any

    from dieuhanh.accounts.models import User
    from dieuhanh.units.models import Unit

SCAN_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/tiff"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
MAX_FILES_PER_UPLOAD = 200


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _add_file(*, actor: User, batch: ImportBatch, name: str, fileobj: Any) -> ScanItem:
    """Take one file into the batch: a queued item, or a rejected one that says why."""
    name = safe_name(name, "scan")
    sha256, size = storage.hash_file(fileobj)
    item = ScanItem(batch=batch, unit=batch.unit, name=name[:255], size=size, sha256=sha256)
    if size == 0:
        item.status, item.message = ItemStatus.REJECTED, _("The file is empty.")
        item.save()
        return item
    try:
        with transaction.atomic():
            blob = doc_services.store_file(actor=actor, fileobj=fileobj)
    except ValidationError as exc:
        message = _messages(exc)
        unsupported = any(e.code == UNSUPPORTED_TYPE for e in getattr(exc, "error_dict", {}).get("file", []))
        if PurePath(name).suffix.lower() in IMAGE_SUFFIXES and unsupported:
            message = _("The file is named like an image but its content is not an image or a PDF.")
        item.status, item.message = ItemStatus.REJECTED, message
        item.save()
        return item
    if blob.content_type not in SCAN_TYPES:
        item.status = ItemStatus.REJECTED
        item.message = _("Only scans can be digitized: PDF or an image (TIFF, JPEG, PNG).")
    item.original = blob
    item.flags = list(blob.flags)  # risky PDF content (javascript, embedded files, …) stays visible
    item.save()
    return item


def _queue(item_ids: Sequence[int]) -> None:
    from .jobs import process_item  # cycle: jobs imports services

    for item_id in item_ids:
        process_item(item_id)


def import_files(*, actor: User, unit: Unit, files: Any, source: Any = BatchSource.UPLOAD, label: str = "",
                 enqueue: bool = True, limit: int | None = None) -> ImportBatch:
    """Create a batch of ``unit`` from ``files`` (pairs of name and binary file object). Each accepted file
    is queued for OCR after commit (unless ``enqueue`` is false: the caller processes them itself)."""
    require(policy.can_import(actor, unit), _("Only a clerk of this unit can import scans."))
    if unit.status != UnitStatus.ACTIVE:
        raise ValidationError({"unit": _("This unit no longer operates.")})
    if source not in BatchSource.values:
        raise ValidationError({"source": _("Unknown source.")})
    label = (nfc(label) or "")[:255]
    with transaction.atomic():
        batch = ImportBatch.objects.create(unit=unit, source=source, label=label, created_by=actor)
        items = []
        for count, (name, fileobj) in enumerate(files, start=1):
            if limit is not None and count > limit:
                raise ValidationError({"files": _("At most %(n)s files at once.") % {"n": limit}})
            items.append(_add_file(actor=actor, batch=batch, name=name, fileobj=fileobj))
        if not items:
            raise ValidationError({"files": _("Choose at least one file.")})
        queued = [i.pk for i in items if i.status == ItemStatus.QUEUED]
        record(actor=actor, action="scan_batch.create", obj=batch, unit=unit,
               data={"source": source, "files": len(items), "queued": len(queued),
                     "rejected": [{"name": i.name, "reason": i.message} for i in items
                                  if i.status == ItemStatus.REJECTED][:100]})
        if enqueue and queued:
            transaction.on_commit(lambda: _queue(queued))
    return batch


# --- OCR results (written by the background job) -------------------------------------------------------------


def _document_type_id(extracted: Any) -> int | None:
    """The document type the extracted name or abbreviation points to, in the symbol's system."""
    if not extracted.type_name:
        return None
    systems = [extracted.system] if extracted.system else []
    systems += [s for s in (DocumentSystem.STATE, DocumentSystem.PARTY) if s not in systems]
    types = {(t.system, fold(t.name)): t.pk for t in DocumentType.objects.filter(active=True)}
    for system in systems:
        found = types.get((system, fold(extracted.type_name)))
        if found:
            return found
    return None


def _same_issuer(a: Any, b: Any) -> bool:
    a, b = fold(a), fold(b)
    return not a or not b or a == b or a in b or b in a


def find_duplicate(item: ScanItem, extracted: Any) -> tuple[IncomingEntry | None, ScanItem | None, str]:
    """An entry of the unit or an earlier scan of it holding the same document: the same file, or the same
    number/symbol, issuer and date. Returns (entry, item, reason)."""
    hashes = [h for h in (item.sha256, item.ocr_pdf.sha256 if item.ocr_pdf is not None else "") if h]
    entries = IncomingEntry.objects.filter(unit=item.unit, recalled_at__isnull=True).select_related("document")
    entry = entries.filter(document__files__blob__sha256__in=hashes).order_by("id").first()
    if entry:
        return entry, None, "file"
    other = (ScanItem.objects.filter(unit=item.unit, sha256=item.sha256)
             .exclude(pk=item.pk).exclude(status__in=[ItemStatus.REJECTED, ItemStatus.DISCARDED])
             .order_by("id").first())
    if other:
        return None, other, "file"
    symbol = extracted.get("symbol") or ""
    issued_on = extracted.get("issued_on")
    if symbol and issued_on:
        for candidate in entries.filter(document__symbol__iexact=symbol, document__issued_on=issued_on).order_by("id"):
            if _same_issuer(candidate.document.issuer_name, extracted.get("issuer_name") or ""):
                return candidate, None, "metadata"
        for scan in (ScanItem.objects.filter(unit=item.unit, extracted__symbol=symbol, extracted__issued_on=issued_on)
                     .exclude(pk=item.pk).exclude(status__in=[ItemStatus.REJECTED, ItemStatus.DISCARDED])
                     .order_by("id")):
            if _same_issuer(scan.extracted.get("issuer_name") or "", extracted.get("issuer_name") or ""):
                return None, scan, "metadata"
    return None, None, ""


def pdf_name(name: str) -> str:
    stem = PurePath(name).stem or "scan"
    return f"{stem}.ocr.pdf"


def record_ocr(*, item_id: int, result: Any) -> ScanItem:
    """Store the OCR'd PDF/A beside the original, the page figures and the extracted metadata; flag duplicates."""
    with transaction.atomic():
        item = ScanItem.objects.select_for_update(of=("self",)).select_related("batch", "unit").get(pk=item_id)
        if item.status != ItemStatus.PROCESSING:
            return item
        actor = item.batch.created_by
        blob = doc_services.store_file(actor=actor, fileobj=io.BytesIO(result.pdf))
        # by layout (hOCR) when there is one; the directory restores and judges the issuer's spelling
        extracted = extract_result(result, directory=issuer_directory(item.unit))
        data = extracted.as_dict()
        data["prepared"] = list(getattr(result, "steps", []))
        data["document_type_id"] = _document_type_id(extracted)
        item.ocr_pdf, item.pages, item.page_count = blob, result.pages, result.page_count
        item.text = result.first_page_text[:20000]
        item.extracted = data
        flags = [f for f in item.flags if f not in ("low-resolution", "blank", "unreadable", "duplicate")]
        for page in result.pages:
            flags += [f for f in page["flags"] if f not in flags]
        entry, other, reason = find_duplicate(item, data)
        if reason:
            flags.append("duplicate")
        item.duplicate_of, item.duplicate_item, item.duplicate_reason = entry, other, reason
        item.flags = flags
        item.status, item.message, item.processed_at = ItemStatus.READY, "", timezone.now()
        item.save()
        record(actor=None, action="scan_item.process", obj=item, unit=item.unit,
               data={"ocr_sha256": blob.sha256, "pages": item.page_count, "flags": flags,
                     "found": data.get("found", []), "doubtful": data.get("doubtful", []), "duplicate": reason,
                     "duplicate_of": entry.pk if entry else None})
    return item


def record_failure(*, item_id: int, message: str) -> ScanItem:
    with transaction.atomic():
        item = ScanItem.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item_id)
        if item.status != ItemStatus.PROCESSING:
            return item
        item.status, item.message, item.processed_at = ItemStatus.FAILED, message[:2000], timezone.now()
        item.save(update_fields=["status", "message", "processed_at"])
        record(actor=None, action="scan_item.fail", obj=item, unit=item.unit, data={"message": item.message})
    return item


# --- The clerk's decisions -------------------------------------------------------------------------------------


def _locked_item(actor: User, item: ScanItem) -> ScanItem:
    item = ScanItem.objects.select_for_update(of=("self",)).select_related("unit", "original", "ocr_pdf").get(
        pk=item.pk)
    require(policy.can_import(actor, item.unit), _("Only a clerk of this unit can decide on this scan."))
    return item


@transaction.atomic
def confirm(*, actor: User, item: ScanItem, document_type_id: int, issuer_name: str, symbol: str, issued_on: date,
            subject: str, arrived_on: date | None = None,
            urgency: int = 0, confidentiality: int = 0, page_count: int | None = None, confirm_duplicate: bool = False,
            handler: str = "", notes: str = "",
            signer_name: str = "", signer_position: str = "", authority: str = "") -> IncomingEntry:
    """Register the scan as a paper incoming document: the OCR'd PDF/A is the main file, the original scan the
    second; the values are the clerk's (prefilled from the extraction)."""
    item = _locked_item(actor, item)
    if item.status != ItemStatus.READY:
        raise ValidationError({"status": _("This scan is %(status)s, not awaiting confirmation.") % {
            "status": item.get_status_display()}})
    assert item.ocr_pdf is not None and item.original is not None  # a scan ready to confirm has both
    files: list[dict[str, Any]] = [
        {"sha256": item.ocr_pdf.sha256, "name": pdf_name(item.name), "is_main": True},
        {"sha256": item.original.sha256, "name": item.name}]
    entry = doc_services.register_paper(
        actor=actor, unit=item.unit, document_type_id=document_type_id, issuer_name=issuer_name, symbol=symbol,
        issued_on=issued_on, subject=subject, arrived_on=arrived_on, files=files,
        confirm_duplicate=confirm_duplicate, handler=handler, notes=notes, urgency=urgency,
        confidentiality=confidentiality, page_count=page_count or item.page_count or 1,
        signer_name=signer_name, signer_position=signer_position, authority=authority)
    extracted = item.extracted or {}
    given = {"symbol": entry.document.symbol, "issuer_name": entry.document.issuer_name,
             "issued_on": entry.document.issued_on.isoformat() if entry.document.issued_on else None,
             "subject": entry.document.subject, "document_type_id": entry.document.document_type_id,
             "signer_name": entry.document.signer_name}
    corrected = sorted(k for k, v in given.items() if (extracted.get(k) or None) != (v or None))
    item.entry, item.status = entry, ItemStatus.REGISTERED
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save(update_fields=["entry", "status", "decided_by", "decided_at"])
    record(actor=actor, action="scan_item.confirm", obj=item, unit=item.unit,
           data={"entry": entry.pk, "arrival_number": entry.arrival_number, "document": entry.document_id,
                 "corrected": corrected})
    return entry


@transaction.atomic
def discard(*, actor: User, item: ScanItem, reason: str = "") -> ScanItem:
    """Set a scan aside without registering it (a duplicate, a blank sheet, a failed file); its files stay."""
    item = _locked_item(actor, item)
    if item.status not in (ItemStatus.READY, ItemStatus.FAILED, ItemStatus.REJECTED):
        raise ValidationError({"status": _("This scan is %(status)s and cannot be discarded.") % {
            "status": item.get_status_display()}})
    reason = (nfc(reason) or "")[:2000]
    item.status, item.decided_by, item.decided_at = ItemStatus.DISCARDED, actor, timezone.now()
    if reason:
        item.message = reason
    item.save(update_fields=["status", "decided_by", "decided_at", "message"])
    record(actor=actor, action="scan_item.discard", obj=item, unit=item.unit, data={"reason": reason})
    return item


@transaction.atomic
def retry(*, actor: User, item: ScanItem) -> ScanItem:
    """Queue a failed scan again (after the server's OCR tools were fixed, for example), or one whose worker
    stopped in the middle of it."""
    item = _locked_item(actor, item)
    if not (item.status == ItemStatus.FAILED or item.is_stuck) or item.original_id is None:
        raise ValidationError({"status": _("Only a scan that could not be digitized (or whose worker stopped) can "
                                           "be tried again.")})
    item.status, item.message = ItemStatus.QUEUED, ""
    item.save(update_fields=["status", "message"])
    record(actor=actor, action="scan_item.retry", obj=item, unit=item.unit)
    item_id = item.pk
    transaction.on_commit(lambda: _queue([item_id]))
    return item


def folder_files(root: Any) -> list[tuple[str, Any]]:
    """(relative name, path) of the scans under ``root``, in a stable order; hidden files are skipped."""
    from pathlib import Path

    root = Path(root)
    if not root.is_dir():
        raise ValidationError({"dir": _("%(path)s is not a folder.") % {"path": root}})
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in IMAGE_SUFFIXES | {".pdf"}:
            out.append((str(rel), path))
    return out


def display_name(rel: Any) -> str:
    """A folder path kept readable in one file name: "2026/03/a.pdf" -> "2026-03-a.pdf"."""
    return re.sub(r"[\\/]+", "-", str(rel))

