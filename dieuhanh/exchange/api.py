"""/api/v1/exchange: packages received (list, one, upload), packages sent with their outbox state (retry a failed
one), and the directory of outside organs (list, add, change, import .xlsx)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from dieuhanh.kernel.pagination import keyset_page

from . import organs, policy, selectors, services
from .models import Organ, ReceivedPackage, SentPackage

router = Router(tags=["exchange"])


class ReceivedOut(Schema):
    id: int
    source: str
    source_ref: str
    kind: str
    package_id: str
    sender_code: str
    sender_name: str
    business_type: int | None
    status_code: str
    subject: str
    sha256: str
    size: int
    state: str
    reason_field: str
    reason: str
    document_id: int | None
    delivery_ids: list[int]
    duplicate_of_id: int | None
    received_at: datetime.datetime

    @staticmethod
    def resolve_delivery_ids(obj):
        return sorted(d.pk for d in obj.deliveries.all())


class ReceivedList(Schema):
    items: list[ReceivedOut]
    next_cursor: str | None


class SentOut(Schema):
    id: int
    document_id: int | None
    delivery_id: int | None
    organ_code: str
    edxml_document_id: str
    package_id: str
    kind: str
    business_type: int | None
    status_code: str
    created_at: datetime.datetime
    outbox_state: str
    attempts: int
    last_error: str


class SentList(Schema):
    items: list[SentOut]
    next_cursor: str | None


class OrganIn(Schema):
    code: str = Field(..., max_length=13)
    parent_code: str = Field("", max_length=13)
    name: str = Field(..., max_length=255)
    address: str = Field("", max_length=255)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    channel: str = Field("gateway", max_length=10)
    closed_network: bool = False
    active: bool = True


class OrganOut(Schema):
    id: int
    code: str
    parent_code: str
    name: str
    address: str
    email: str
    phone: str
    channel: str
    closed_network: bool
    active: bool


class OrganList(Schema):
    items: list[OrganOut]
    next_cursor: str | None


class OrganRefusedRow(Schema):
    row: int
    field: str
    message: str


class OrganImportOut(Schema):
    created: int
    updated: int
    refused: list[OrganRefusedRow]


def _sent_out(row: selectors.SentRow) -> dict:
    s = row.sent
    return {"id": s.pk, "document_id": s.document_id, "delivery_id": s.delivery_id, "organ_code": s.organ_code,
            "edxml_document_id": s.edxml_document_id, "package_id": s.package_id, "kind": s.kind,
            "business_type": s.business_type, "status_code": s.status_code, "created_at": s.created_at,
            "outbox_state": row.state, "attempts": row.attempts, "last_error": row.last_error}


@router.get("/exchange/received", response=ReceivedList, summary="Packages and files received, newest first")
def list_received(request, state: str = Query("", max_length=10), cursor: str | None = None,
                  limit: int = Query(50, ge=1, le=200)):
    if not policy.can_receive_packages(request.user):
        raise PermissionDenied
    page = selectors.received_page(request.user, state=state, cursor=cursor, limit=limit)
    prefetch_related_objects(page.items, "deliveries")  # one query for the page's deliveries
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/exchange/received/{package_id}", response=ReceivedOut, summary="One arrival: what became of it")
def get_received(request, package_id: int):
    pkg = get_object_or_404(ReceivedPackage, pk=package_id)
    if not policy.can_view_received(request.user, pkg):
        raise Http404
    return pkg


@router.post("/exchange/received", response={201: ReceivedOut}, summary="Import an edXML package file")
def upload_received(request, file: UploadedFile = File(...)):
    data = file.read(services.edxml.DEFAULT_MAX_BYTES + 1)
    return 201, services.upload_package(actor=request.user, data=data, name=file.name or "")


@router.get("/exchange/sent", response=SentList, summary="Packages sent, with the gateway's state")
def list_sent(request, failed: bool = False, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    if not policy.can_receive_packages(request.user):
        raise PermissionDenied
    page, rows = selectors.sent_page(request.user, failed=failed, cursor=cursor, limit=limit)
    return {"items": [_sent_out(r) for r in rows], "next_cursor": page.next_cursor}


@router.post("/exchange/sent/{sent_id}/retry", response=SentOut, summary="Queue a failed send again")
def retry_sent(request, sent_id: int):
    sent = get_object_or_404(SentPackage, pk=sent_id)
    if not policy.can_retry(request.user, sent):
        raise Http404
    item = services.retry_send(actor=request.user, sent=sent)
    return _sent_out(selectors.SentRow(sent=sent, state=item.state, attempts=item.attempts,
                                       last_error=item.last_error or "", item_id=item.pk))


@router.get("/exchange/organs", response=OrganList, summary="The directory of outside organs")
def list_organs(request, q: str = Query("", max_length=100), cursor: str | None = None,
                limit: int = Query(50, ge=1, le=200)):
    if not policy.can_view_organs(request.user):
        raise PermissionDenied
    page = keyset_page(organs.organs(query=q), ["code", "id"], cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/exchange/organs", response={201: OrganOut}, summary="Add an outside organ")
def create_organ(request, payload: OrganIn):
    return 201, organs.save_organ(actor=request.user, data=payload.dict())


# before /exchange/organs/{organ_id}: the router matches in order and would take "import" for an id
@router.post("/exchange/organs/import", response=OrganImportOut, summary="Import organs from an .xlsx sheet")
def import_organs(request, file: UploadedFile = File(...)):
    report = organs.import_organs(actor=request.user, data=file.read(organs.MAX_XLSX_BYTES + 1))
    return {"created": report.created, "updated": report.updated, "refused": report.refused}


@router.patch("/exchange/organs/{organ_id}", response=OrganOut, summary="Change an outside organ")
def update_organ(request, organ_id: int, payload: OrganIn):
    organ = get_object_or_404(Organ, pk=organ_id)
    return organs.save_organ(actor=request.user, organ=organ, data=payload.dict())
