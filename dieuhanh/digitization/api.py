"""/api/v1/scans: import scans (many files at once), follow a batch's OCR progress, confirm or discard items."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from dieuhanh.units.selectors import get_unit

from . import policy, selectors, services
from .models import BatchSource, ImportBatch, ScanItem

router = Router(tags=["scans"])


class ScanItemOut(Schema):
    id: int
    batch_id: int
    name: str
    size: int
    sha256: str
    status: str
    message: str
    page_count: int
    pages: list
    flags: list
    extracted: dict
    original_sha256: str | None = None
    ocr_sha256: str | None = None
    duplicate_of_entry_id: int | None = None
    duplicate_of_item_id: int | None = None
    duplicate_reason: str
    entry_id: int | None = None

    @staticmethod
    def resolve_original_sha256(obj):
        return obj.original.sha256 if obj.original_id else None

    @staticmethod
    def resolve_ocr_sha256(obj):
        return obj.ocr_pdf.sha256 if obj.ocr_pdf_id else None

    @staticmethod
    def resolve_duplicate_of_entry_id(obj):
        return obj.duplicate_of_id

    @staticmethod
    def resolve_duplicate_of_item_id(obj):
        return obj.duplicate_item_id


class BatchSummary(Schema):
    id: int
    unit_id: int
    source: str
    label: str
    created_at: datetime.datetime
    progress: dict

    @staticmethod
    def resolve_progress(obj):
        return selectors.progress(obj)


class BatchOut(BatchSummary):
    items: list[ScanItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.select_related("original", "ocr_pdf").order_by("id"))


class BatchList(Schema):
    items: list[BatchSummary]
    next_cursor: str | None


class ConfirmIn(Schema):
    document_type_id: int
    issuer_name: str = Field(..., min_length=1, max_length=255)
    symbol: str = Field("", max_length=100)
    issued_on: datetime.date
    subject: str = Field(..., min_length=1, max_length=2000)
    arrived_on: datetime.date | None = None
    urgency: int = 0
    confidentiality: int = 0
    page_count: int | None = Field(None, ge=1, le=99999)
    confirm_duplicate: bool = False
    handler: str = Field("", max_length=255)
    notes: str = Field("", max_length=5000)
    signer_name: str = Field("", max_length=150)
    signer_position: str = Field("", max_length=150)
    authority: str = Field("", max_length=5)


class ConfirmOut(Schema):
    entry_id: int
    arrival_number: int
    register_id: int
    document_id: int


class DiscardIn(Schema):
    reason: str = Field("", max_length=2000)


def _batch(request, batch_id):
    batch = get_object_or_404(ImportBatch.objects.select_related("unit"), pk=batch_id)
    if not policy.can_view_batch(request.user, batch):
        raise Http404
    return batch


def _item(request, item_id):
    item = get_object_or_404(ScanItem.objects.select_related("unit", "original", "ocr_pdf"), pk=item_id)
    if not policy.can_view_item(request.user, item):
        raise Http404
    return item


@router.post("/scans/batches", response={201: BatchOut}, summary="Import scans (PDF, TIFF, JPEG, PNG), many at once")
def create_batch(request, unit_id: int = Form(...), label: str = Form("", max_length=255),
                 files: list[UploadedFile] = File(...)):
    unit = get_unit(unit_id)
    batch = services.import_files(actor=request.user, unit=unit, files=[(f.name, f) for f in files],
                                  source=BatchSource.API, label=label, limit=services.MAX_FILES_PER_UPLOAD)
    return 201, batch


@router.get("/scans/batches", response=BatchList, summary="A unit's import batches, newest first")
def list_batches(request, unit_id: int, cursor: str | None = None, limit: int = Query(20, ge=1, le=200)):
    unit = get_unit(unit_id)
    if not policy.can_import(request.user, unit):
        raise Http404
    page = selectors.batch_page(unit, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/scans/batches/{batch_id}", response=BatchOut, summary="A batch with its progress and items")
def get_batch(request, batch_id: int):
    return _batch(request, batch_id)


@router.get("/scans/items/{item_id}", response=ScanItemOut, summary="A scanned file: quality, extracted metadata")
def get_item(request, item_id: int):
    return _item(request, item_id)


@router.post("/scans/items/{item_id}/confirm", response={201: ConfirmOut},
             summary="Register the scan as a paper incoming document")
def confirm_item(request, item_id: int, payload: ConfirmIn):
    item = _item(request, item_id)
    entry = services.confirm(actor=request.user, item=item, **payload.dict())
    return 201, {"entry_id": entry.pk, "arrival_number": entry.arrival_number, "register_id": entry.register_id,
                 "document_id": entry.document_id}


@router.post("/scans/items/{item_id}/discard", response=ScanItemOut, summary="Set a scan aside without registering it")
def discard_item(request, item_id: int, payload: DiscardIn):
    return services.discard(actor=request.user, item=_item(request, item_id), reason=payload.reason)


@router.post("/scans/items/{item_id}/retry", response=ScanItemOut, summary="Queue a failed scan for OCR again")
def retry_item(request, item_id: int):
    return services.retry(actor=request.user, item=_item(request, item_id))
