"""/api/v1 for documents and their exchange: outgoing documents, deliveries, paper arrivals, registers, series."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from dieuhanh.accounts.policy import can_manage_unit, require
from dieuhanh.units.selectors import get_unit

from . import exports, idempotency, selectors, services
from . import policy as doc_policy
from .models import (
    AuthorityForm,
    Channel,
    Confidentiality,
    DeliveryStatus,
    DocumentFile,
    DocumentSystem,
    DocumentType,
    NumberSeries,
    RegisterKind,
    SeriesRule,
    Urgency,
)
from .storage import download_response

router = Router(tags=["documents"])

SHA = Field(..., min_length=64, max_length=64, pattern="^[0-9a-fA-F]{64}$",
            examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])


# --- Schemas -----------------------------------------------------------------------------------------------------

class DocumentTypeOut(Schema):
    id: int
    system: DocumentSystem
    name: str
    abbreviation: str
    is_letter: bool
    legal_normative: bool


class FileOut(Schema):
    sha256: str
    size: int
    content_type: str


class FileRef(Schema):
    sha256: str = SHA
    name: str = Field("", max_length=255, examples=["quyet-dinh.pdf"])
    is_main: bool = False


class RecipientIn(Schema):
    unit_id: int | None = Field(None, description="A unit of this installation", examples=[12])
    external_code: str = Field("", max_length=13, description="Agency identifier of an outside recipient",
                               examples=["000.00.01.K12"])
    name: str = Field("", max_length=255, examples=["Sở Nội vụ tỉnh Bắc Ninh"])
    channel: Channel | None = Field(None, description="internal (default for units), gateway (default outside), paper")
    copies: int = Field(1, ge=1, le=999)


class DocumentIn(Schema):
    unit_id: int = Field(..., description="The issuing unit")
    document_type_id: int
    subject: str = Field(..., min_length=1, max_length=2000, examples=["Về việc điều động cán bộ"])
    files: list[FileRef] = Field([], max_length=50)
    recipients: list[RecipientIn] = Field([], max_length=500)
    signer_name: str = Field("", max_length=150, examples=["Nguyễn Văn An"])
    signer_position: str = Field("", max_length=150, examples=["Bí thư"])
    authority: AuthorityForm = AuthorityForm.NONE
    urgency: Urgency = Urgency.NORMAL
    confidentiality: Confidentiality = Confidentiality.NORMAL
    page_count: int = Field(1, ge=1, le=99999)
    language: str = Field("vi", max_length=8)
    due_date: datetime.date | None = None
    place: str = Field("", max_length=100, examples=["Hà Nội"])
    drafting_unit_id: int | None = None


class IssueIn(Schema):
    issued_on: datetime.date | None = Field(None, description="Defaults to today; never in the future")
    series_id: int | None = Field(None, description="Defaults to the unit's series for the type and secrecy")
    reuse_number: int | None = Field(None, ge=1, description="Re-issue a number freed by a cancelled issue (cấp bù)")


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000, examples=["Sai nơi nhận"])


class AcceptIn(Schema):
    arrived_on: datetime.date | None = Field(None, description="Defaults to today")
    handler: str = Field("", max_length=255)
    notes: str = Field("", max_length=5000)
    confirm_duplicate: bool = False


class BulkAcceptIn(Schema):
    delivery_ids: list[int] = Field(..., min_length=1, max_length=services.MAX_BULK)
    arrived_on: datetime.date | None = None
    confirm_duplicate: bool = False


class RecallAnswerIn(Schema):
    agree: bool
    reason: str = Field("", max_length=5000)


class PaperIn(Schema):
    document_type_id: int
    issuer_name: str = Field(..., min_length=1, max_length=255, examples=["Bộ Nội vụ"])
    symbol: str = Field("", max_length=100, examples=["123/BNV-VP"])
    issued_on: datetime.date
    subject: str = Field(..., min_length=1, max_length=2000, examples=["Về việc sắp xếp tổ chức bộ máy"])
    arrived_on: datetime.date | None = None
    files: list[FileRef] = Field([], max_length=50)
    signer_name: str = Field("", max_length=150)
    urgency: Urgency = Urgency.NORMAL
    confidentiality: Confidentiality = Confidentiality.NORMAL
    page_count: int = Field(1, ge=1, le=99999)
    handler: str = Field("", max_length=255)
    notes: str = Field("", max_length=5000)
    confirm_duplicate: bool = False


class RegisterIn(Schema):
    kind: RegisterKind
    year: int = Field(..., ge=1901, le=2199)
    secret: bool = False


class SeriesIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, examples=["Văn bản hành chính"])
    system: DocumentSystem
    rule: SeriesRule
    secret: bool = False
    document_type_id: int | None = None


class TermIn(Schema):
    name: str = Field(..., min_length=1, max_length=50, examples=["Nhiệm kỳ 2025-2030"])
    starts_on: datetime.date
    ends_on: datetime.date | None = None


class EventOut(Schema):
    status: str
    kind: str
    at: datetime.datetime
    actor: str | None
    note: str


class DeliveryOut(Schema):
    id: int
    document_id: int
    symbol: str
    subject: str
    issuer_name: str
    urgency: int
    confidentiality: int
    sender_unit_id: int | None
    recipient_unit_id: int | None
    recipient_name: str
    external_code: str
    channel: Channel
    status: DeliveryStatus
    status_label: str
    status_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    reason: str


class DeliveryTrailOut(DeliveryOut):
    events: list[EventOut]


class DocFileOut(Schema):
    id: int
    name: str
    sha256: str
    size: int
    is_main: bool


class RecipientOut(Schema):
    unit_id: int | None
    external_code: str
    name: str
    channel: Channel
    copies: int


class DocumentOut(Schema):
    id: int
    document_type_id: int
    type_name: str
    status: str
    issuing_unit_id: int | None
    issuer_name: str
    series_id: int | None
    number: int | None
    symbol: str
    issued_on: datetime.date | None
    place: str
    subject: str
    signer_name: str
    signer_position: str
    authority: str
    urgency: int
    confidentiality: int
    page_count: int
    language: str
    due_date: datetime.date | None
    files: list[DocFileOut]
    recipients: list[RecipientOut]
    deliveries: list[DeliveryTrailOut]


class EntryOut(Schema):
    id: int
    register_id: int
    unit_id: int
    arrival_number: int
    arrived_on: datetime.date
    document_id: int
    delivery_id: int | None
    symbol: str
    subject: str
    issuer_name: str
    origin: str
    duplicate_of_id: int | None


class RegisterOut(Schema):
    id: int
    unit_id: int
    kind: RegisterKind
    secret: bool
    year: int
    name: str
    last_entry_number: int


class SeriesOut(Schema):
    id: int
    unit_id: int
    name: str
    system: DocumentSystem
    rule: SeriesRule
    secret: bool
    document_type_id: int | None
    active: bool


def _page(items, cursor):
    return {"items": items, "next_cursor": cursor}


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DocumentBrief(Schema):
    id: int
    symbol: str
    subject: str
    status: str
    urgency: int


class DocumentPage(Schema):
    items: list[DocumentBrief]
    next_cursor: str | None


class RegisterPage(Schema):
    items: list[dict]
    next_cursor: str | None


# --- Serializers (plain dicts, so idempotent answers can be stored as JSON) ----------------------------------------

def delivery_out(d, events=False):
    doc = d.document
    out = {"id": d.pk, "document_id": doc.pk, "symbol": doc.symbol, "subject": doc.subject,
           "issuer_name": doc.issuer_name, "urgency": doc.urgency, "confidentiality": doc.confidentiality,
           "sender_unit_id": d.sender_unit_id, "recipient_unit_id": d.recipient_unit_id,
           "recipient_name": d.recipient_name, "external_code": d.external_code, "channel": d.channel,
           "status": d.status, "status_label": str(d.get_status_display()), "status_at": d.status_at,
           "withdrawn_at": d.withdrawn_at, "reason": d.reason}
    if events:
        out["events"] = [{"status": e.status, "kind": e.kind, "at": e.at, "note": e.note,
                          "actor": (e.actor.full_name or e.actor.username) if e.actor_id else None}
                         for e in d.events.all()]
    return out


def document_out(doc):
    return {
        "id": doc.pk, "document_type_id": doc.document_type_id, "type_name": doc.document_type.name,
        "status": doc.status, "issuing_unit_id": doc.issuing_unit_id, "issuer_name": doc.issuer_name,
        "series_id": doc.series_id, "number": doc.number, "symbol": doc.symbol, "issued_on": doc.issued_on,
        "place": doc.place, "subject": doc.subject, "signer_name": doc.signer_name,
        "signer_position": doc.signer_position, "authority": doc.authority, "urgency": doc.urgency,
        "confidentiality": doc.confidentiality, "page_count": doc.page_count, "language": doc.language,
        "due_date": doc.due_date,
        "files": [{"id": f.pk, "name": f.name, "sha256": f.blob.sha256, "size": f.blob.size, "is_main": f.is_main}
                  for f in doc.files.all()],
        "recipients": [{"unit_id": r.unit_id, "external_code": r.external_code, "name": r.name,
                        "channel": r.channel, "copies": r.copies} for r in doc.recipients.all()],
        "deliveries": [delivery_out(d, events=True) for d in doc.deliveries.all()],
    }


def entry_out(e):
    doc = e.document
    return {"id": e.pk, "register_id": e.register_id, "unit_id": e.unit_id, "arrival_number": e.arrival_number,
            "arrived_on": e.arrived_on, "document_id": doc.pk, "delivery_id": e.delivery_id, "symbol": doc.symbol,
            "subject": doc.subject, "issuer_name": doc.issuer_name, "origin": e.origin,
            "duplicate_of_id": e.duplicate_of_id}


def _visible_document(request, document_id, detail=False):
    """The document if the caller may see it (404 otherwise); ``detail`` prefetches files and trails."""
    doc = selectors.document_detail(document_id) if detail else selectors.get_document(document_id)
    if not doc_policy.can_view_document(request.user, doc):
        raise Http404
    return doc


def _visible_delivery(request, delivery_id):
    delivery = selectors.get_delivery(delivery_id)
    if not doc_policy.can_view_delivery(request.user, delivery):
        raise Http404
    return delivery


def _detail(doc_id):
    return document_out(selectors.document_detail(doc_id))


# --- Reference data and files ------------------------------------------------------------------------------------

@router.get("/document-types", response=list[DocumentTypeOut], summary="Document types (State and Party)")
def document_types(request, system: DocumentSystem | None = None):
    qs = DocumentType.objects.filter(active=True)
    return qs.filter(system=system) if system else qs


@router.post("/files", response={201: FileOut}, summary="Upload a file (stored once by SHA-256)")
def upload(request, file: UploadedFile = File(...), sha256: str = Form("")):
    """Send the file as multipart ``file``; with ``sha256`` the server refuses content that does not match."""
    blob = services.store_file(actor=request.user, fileobj=file, content_type=file.content_type or "",
                               declared_sha256=sha256 or None)
    return 201, {"sha256": blob.sha256, "size": blob.size, "content_type": blob.content_type}


# --- Outgoing documents --------------------------------------------------------------------------------------------

@router.post("/documents", response={201: DocumentOut}, summary="Record an approved outgoing document")
def create_document(request, payload: DocumentIn):
    data = payload.dict()
    unit = get_unit(data.pop("unit_id"))
    drafting_id = data.pop("drafting_unit_id")
    drafting = get_unit(drafting_id) if drafting_id is not None else None

    def action():
        doc = services.create_outgoing(actor=request.user, unit=unit, drafting_unit=drafting, **data)
        return 201, _detail(doc.pk)

    return idempotency.run(request, "documents.create", payload.dict(), action)


@router.get("/documents/{document_id}", response=DocumentOut, summary="A document and every delivery's trail")
def get_document(request, document_id: int):
    doc = _visible_document(request, document_id, detail=True)
    services.record_read(actor=request.user, document=doc, via="api")
    return document_out(doc)


@router.get("/documents/{document_id}/files/{file_id}", summary="Download one file of a document")
def download(request, document_id: int, file_id: int):
    doc = _visible_document(request, document_id)
    doc_file = get_object_or_404(DocumentFile.objects.select_related("blob"), pk=file_id, document=doc)
    services.record_read(actor=request.user, document=doc, via="api", doc_file=doc_file)
    return download_response(doc_file.blob, filename=doc_file.name)


class IssuedDelivery(Schema):
    id: int
    recipient_unit_id: int | None
    recipient_name: str
    channel: Channel
    status: DeliveryStatus


class IssueOut(Schema):
    id: int
    status: str
    series_id: int
    number: int
    symbol: str
    issued_on: datetime.date
    deliveries: list[IssuedDelivery]


@router.post("/documents/{document_id}/issue", response=IssueOut, summary="Number, register and deliver")
def issue(request, document_id: int, payload: IssueIn):
    """Returns the number and symbol and one delivery per recipient (status 01); `GET` the document for trails."""
    doc = _visible_document(request, document_id)

    def action():
        issued = services.issue_document(actor=request.user, document=doc, **payload.dict())
        deliveries = list(issued.deliveries.order_by("id").values("id", "recipient_unit_id", "recipient_name",
                                                                    "channel", "status"))
        return 200, {"id": issued.pk, "status": issued.status, "series_id": issued.series_id,
                     "number": issued.number, "symbol": issued.symbol, "issued_on": issued.issued_on,
                     "deliveries": deliveries}

    return idempotency.run(request, f"documents.issue:{document_id}", payload.dict(), action)


@router.post("/documents/{document_id}/cancel", response=DocumentOut, summary="Cancel the issue (withdraws it)")
def cancel(request, document_id: int, payload: ReasonIn):
    doc = _visible_document(request, document_id)
    services.cancel_issue(actor=request.user, document=doc, reason=payload.reason)
    return _detail(doc.pk)


@router.post("/documents/{document_id}/recall", response=DocumentOut, summary="Ask every recipient to give it back")
def recall(request, document_id: int, payload: ReasonIn):
    doc = _visible_document(request, document_id)
    services.request_recall(actor=request.user, document=doc, reason=payload.reason)
    return _detail(doc.pk)


# --- Queues --------------------------------------------------------------------------------------------------------

def _clerk_unit(request, unit_id, check):
    unit = get_unit(unit_id)
    require(check(request.user, unit), _("You cannot see this unit's documents."))
    return unit


@router.get("/units/{unit_id}/inbox", response=DeliveryPage, summary="Awaiting receipt: urgent first")
def inbox(request, unit_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    unit = _clerk_unit(request, unit_id, doc_policy.can_receive)
    page = selectors.awaiting_receipt(unit, request.user, cursor=cursor, limit=limit)
    return _page([delivery_out(d) for d in page.items], page.next_cursor)


@router.get("/units/{unit_id}/recalls", response=DeliveryPage, summary="Recalls awaiting the unit's answer (13)",
            description="Copies the sender asks back; answer each with POST /deliveries/{id}/recall-answer.")
def recalls(request, unit_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    unit = _clerk_unit(request, unit_id, doc_policy.can_receive)
    page = selectors.pending_recalls(unit, request.user, cursor=cursor, limit=limit)
    return _page([delivery_out(d) for d in page.items], page.next_cursor)


@router.get("/units/{unit_id}/outbox", response=DeliveryPage, summary="What the unit sent, by status")
def outbox(request, unit_id: int, status: DeliveryStatus | None = None, cursor: str | None = None,
           limit: int = Query(50, ge=1, le=200)):
    unit = _clerk_unit(request, unit_id, doc_policy.can_view_registers)
    page = selectors.outbox(unit, request.user, status=status, cursor=cursor, limit=limit)
    return _page([delivery_out(d) for d in page.items], page.next_cursor)


@router.get("/units/{unit_id}/approved", response=DocumentPage, summary="Approved documents awaiting issue")
def approved(request, unit_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    unit = _clerk_unit(request, unit_id, doc_policy.can_issue)
    page = selectors.approved_documents(unit, request.user, cursor=cursor, limit=limit)
    return _page([{"id": d.pk, "symbol": d.symbol, "subject": d.subject, "status": d.status, "urgency": d.urgency}
                  for d in page.items], page.next_cursor)


# --- Receiving -----------------------------------------------------------------------------------------------------

@router.post("/deliveries/{delivery_id}/accept", response={201: EntryOut, 409: dict},
             summary="Check and register in the incoming register")
def accept(request, delivery_id: int, payload: AcceptIn):
    delivery = _visible_delivery(request, delivery_id)

    def action():
        entry = services.accept_delivery(actor=request.user, delivery=delivery, **payload.dict())
        return 201, entry_out(entry)

    return idempotency.run(request, f"deliveries.accept:{delivery_id}", payload.dict(), action)


class BulkRefusedOut(Schema):
    delivery_id: int
    field: str
    message: str
    duplicate_of: int | None = Field(None, description="the entry already held, for a duplicate")


class BulkAcceptOut(Schema):
    accepted: list[EntryOut]
    refused: list[BulkRefusedOut]


@router.post("/deliveries/accept", response={200: BulkAcceptOut, 409: dict},
             summary="Accept up to 50 at once",
             description="Each delivery that can be accepted is; the others are listed in ``refused`` by id with "
                         "the field and reason (a duplicate names the entry already held). When none can be, the "
                         "first reason is the error (400, or 409 for a duplicate).")
def accept_bulk(request, payload: BulkAcceptIn):
    deliveries = [_visible_delivery(request, pk) for pk in dict.fromkeys(payload.delivery_ids)]

    def action():
        result = services.accept_many(actor=request.user, deliveries=deliveries, arrived_on=payload.arrived_on,
                                      confirm_duplicate=payload.confirm_duplicate)
        return 200, {"accepted": [entry_out(e) for e in result.entries], "refused": result.refused}

    return idempotency.run(request, "deliveries.accept_many", payload.dict(), action)


@router.post("/deliveries/{delivery_id}/return", response=DeliveryOut, summary="Refuse with a reason (02)")
def give_back(request, delivery_id: int, payload: ReasonIn):
    delivery = services.return_delivery(actor=request.user, delivery=_visible_delivery(request, delivery_id),
                                        reason=payload.reason)
    return delivery_out(delivery)


@router.post("/deliveries/{delivery_id}/recall-answer", response=DeliveryOut, summary="Agree (15) or refuse (16)")
def recall_answer(request, delivery_id: int, payload: RecallAnswerIn):
    delivery = services.answer_recall(actor=request.user, delivery=_visible_delivery(request, delivery_id),
                                      agree=payload.agree, reason=payload.reason)
    return delivery_out(delivery)


@router.post("/units/{unit_id}/paper", response={201: EntryOut, 409: dict},
             summary="Register a paper document received from outside")
def paper(request, unit_id: int, payload: PaperIn):
    unit = get_unit(unit_id)

    def action():
        entry = services.register_paper(actor=request.user, unit=unit, **payload.dict())
        return 201, entry_out(entry)

    return idempotency.run(request, f"units.paper:{unit_id}", payload.dict(), action)


# --- Registers, series, terms --------------------------------------------------------------------------------------

@router.get("/units/{unit_id}/registers", response=list[RegisterOut], summary="The unit's registers (sổ)")
def registers(request, unit_id: int, year: int | None = None):
    unit = _clerk_unit(request, unit_id, doc_policy.can_view_registers)
    return selectors.registers_of(unit, year=year)


@router.post("/units/{unit_id}/registers", response={201: RegisterOut}, summary="Open a register for a year")
def open_register(request, unit_id: int, payload: RegisterIn):
    return 201, services.open_register(actor=request.user, unit=get_unit(unit_id), **payload.dict())


def _register(request, register_id):
    register = selectors.get_register(register_id)
    if not doc_policy.can_view_registers(request.user, register.unit):
        raise Http404
    if register.secret and not doc_policy.can_open_secret_register(request.user):
        raise Http404
    return register


@router.get("/registers/{register_id}/entries", response=RegisterPage, summary="Rows of a register")
def register_entries(request, register_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    register = _register(request, register_id)
    if register.kind == RegisterKind.INCOMING:
        page = selectors.incoming_entries(register, request.user, cursor=cursor, limit=limit)
        return _page([entry_out(e) for e in page.items], page.next_cursor)
    page = selectors.outgoing_entries(register, request.user, cursor=cursor, limit=limit)
    return _page([{"id": e.pk, "document_id": e.document_id, "symbol": e.symbol, "issued_on": e.issued_on,
                   "type_and_subject": e.type_and_subject, "signer": e.signer, "recipients": e.recipients,
                   "file_keeper": e.file_keeper, "copies": e.copies, "sent_on": e.sent_on, "notes": e.notes,
                   "cancelled": e.cancelled} for e in page.items], page.next_cursor)


@router.get("/registers/{register_id}/check", response=dict, summary="Gaps and duplicates of a register")
def register_check(request, register_id: int):
    register = _register(request, register_id)
    if register.kind == RegisterKind.INCOMING:
        return selectors.check_incoming_register(register)
    return selectors.check_outgoing_register(register)


@router.get("/registers/{register_id}/export.xlsx", summary="The register as .xlsx, in the paper book's columns")
def register_export(request, register_id: int):
    return exports.xlsx_response(_register(request, register_id), request.user)


@router.get("/units/{unit_id}/series", response=list[SeriesOut], summary="Numbering series of a unit")
def series_list(request, unit_id: int):
    unit = _clerk_unit(request, unit_id, doc_policy.can_view_registers)
    return selectors.series_of(unit)


@router.post("/units/{unit_id}/series", response={201: SeriesOut}, summary="Create a numbering series")
def series_create(request, unit_id: int, payload: SeriesIn):
    return 201, services.create_series(actor=request.user, unit=get_unit(unit_id), **payload.dict())


@router.get("/series/{series_id}/check", response=list[dict], summary="Numbers taken, gaps and duplicates")
def series_check(request, series_id: int):
    series = get_object_or_404(NumberSeries.objects.select_related("unit"), pk=series_id)
    if not doc_policy.can_view_registers(request.user, series.unit):
        raise Http404
    return selectors.check_series(series)


@router.post("/units/{unit_id}/terms", response={201: dict}, summary="Record a Party-committee term")
def term_create(request, unit_id: int, payload: TermIn):
    unit = get_unit(unit_id)
    if not can_manage_unit(request.user, unit):
        raise PermissionDenied(_("Only the unit's administrator can record terms."))
    term = services.create_term(actor=request.user, unit=unit, **payload.dict())
    return 201, {"id": term.pk, "name": term.name, "starts_on": term.starts_on, "ends_on": term.ends_on}


def install_handlers(api):
    """A duplicate registration is a 409 naming ``confirm_duplicate`` and the entry already held."""

    def duplicate_409(request, exc):
        return api.create_response(request, {
            "detail": _("This unit already holds this document."),
            "errors": [{"field": "confirm_duplicate", "message": " ".join(exc.messages)}],
            "existing_entry_id": exc.existing.pk}, status=409)

    api.add_exception_handler(services.DuplicateDocument, duplicate_409)


