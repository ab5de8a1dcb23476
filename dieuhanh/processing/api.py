"""/api/v1/processing: directing registered documents and handling them."""

import datetime

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from dieuhanh.accounts.policy import require
from dieuhanh.documents.models import IncomingEntry
from dieuhanh.documents.storage import download_response
from dieuhanh.units.selectors import get_unit

from . import policy, selectors, services
from .calendar import MAX_WORKING_DAYS, deadline_state, resolve_deadline
from .models import ExtensionRequest, FlowRole, FlowStatus
from .slip import render_slip

router = Router(tags=["processing"])


class HandlerIn(Schema):
    unit_id: int | None = Field(None, description="A unit handles it (its leaders distribute), or ...")
    user_id: int | None = Field(None, description="... a person handles it")
    role: FlowRole = Field(..., examples=["lead"])


class DeadlineIn(Schema):
    """A deadline as a date or as a number of working days from today (not both); a date on a weekend or public
    holiday is refused (400 on ``deadline``, naming the next working day) unless confirmed."""

    deadline: datetime.date | None = None
    working_days: int | None = Field(None, ge=1, le=MAX_WORKING_DAYS, examples=[5],
                                     description="Instead of a date: this many working days from today")
    confirm_non_working_day: bool = Field(False, description="Keep a deadline that falls on a non-working day")

    def resolved_deadline(self):
        return resolve_deadline(deadline=self.deadline, working_days=self.working_days,
                                confirm_non_working_day=self.confirm_non_working_day)


class AssignIn(DeadlineIn):
    handlers: list[HandlerIn] = Field(..., min_length=1, max_length=100)
    direction: str = Field("", max_length=5000,
                           examples=["Giao Ban Tổ chức chủ trì, tham mưu trả lời trước ngày 05/12"])
    on_behalf_of_id: int | None = Field(None, description="The leader a clerk records this direction for")


class ForwardIn(DeadlineIn):
    handlers: list[HandlerIn] = Field(..., min_length=1, max_length=100)
    direction: str = Field("", max_length=5000)


class NoteFileRef(Schema):
    sha256: str = Field(..., min_length=64, max_length=64)
    name: str = Field("", max_length=255)


class TextIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000, examples=["Đề nghị bổ sung số liệu quý III"])
    files: list[NoteFileRef] = []


class CompleteIn(Schema):
    result: str = Field("", max_length=20000, examples=["Đã tham mưu văn bản trả lời số 15-CV/TU"])
    files: list[NoteFileRef] = []
    reply_document_id: int | None = None


class FlowReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000)


class ExtensionIn(Schema):
    new_deadline: datetime.date
    confirm_non_working_day: bool = Field(False, description="Keep a new deadline on a non-working day")
    reason: str = Field(..., min_length=1, max_length=5000)


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=5000)


class FlowOut(Schema):
    id: int
    entry_id: int
    document_id: int
    symbol: str
    subject: str
    parent_id: int | None
    depth: int
    role: FlowRole
    handler_unit_id: int | None
    handler_user_id: int | None
    handler_name: str
    assigned_by: str
    direction: str
    deadline: datetime.date | None
    deadline_state: str
    urgency: int
    status: FlowStatus
    status_at: datetime.datetime
    result: str
    reason: str


class FlowPage(Schema):
    items: list[FlowOut]
    next_cursor: str | None


class FlowEntryOut(Schema):
    id: int
    arrival_number: int
    arrived_on: datetime.date
    document_id: int
    symbol: str
    subject: str
    issuer_name: str
    urgency: int


class EntryPage(Schema):
    items: list[FlowEntryOut]
    next_cursor: str | None


def _flow_out(f):
    doc = f.entry.document
    return {"id": f.pk, "entry_id": f.entry_id, "document_id": doc.pk, "symbol": doc.symbol, "subject": doc.subject,
            "parent_id": f.parent_id, "depth": f.depth, "role": f.role, "handler_unit_id": f.handler_unit_id,
            "handler_user_id": f.handler_user_id, "handler_name": f.handler_name,
            "assigned_by": f.assigned_by.full_name or f.assigned_by.username, "direction": f.direction,
            "deadline": f.deadline, "deadline_state": deadline_state(f.deadline) if f.is_open else "none",
            "urgency": f.urgency, "status": f.status, "status_at": f.status_at, "result": f.result,
            "reason": f.reason}


def _entry(request, entry_id):
    entry = get_object_or_404(IncomingEntry.objects.select_related("document", "unit", "register"), pk=entry_id)
    if not policy.can_view_entry(request.user, entry):
        raise Http404
    return entry


def _flow(request, flow_id):
    flow = selectors.get_flow(flow_id)
    if not policy.can_view_flow(request.user, flow):
        raise Http404
    return flow


@router.get("/units/{unit_id}/awaiting-assignment", response=EntryPage, summary="Registered, not yet directed")
def awaiting_assignment(request, unit_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    unit = get_unit(unit_id)
    require(policy.can_direct(request.user, unit) or policy.can_direct_on_behalf(request.user, unit))
    page = selectors.awaiting_assignment_page(unit, request.user, cursor=cursor, limit=limit)
    return {"items": [{"id": e.pk, "arrival_number": e.arrival_number, "arrived_on": e.arrived_on,
                       "document_id": e.document_id, "symbol": e.document.symbol, "subject": e.document.subject,
                       "issuer_name": e.document.issuer_name, "urgency": e.document.urgency} for e in page.items],
            "next_cursor": page.next_cursor}


@router.post("/entries/{entry_id}/assign", response={201: list[FlowOut]}, summary="Direct a registered document")
def assign(request, entry_id: int, payload: AssignIn):
    entry = _entry(request, entry_id)
    on_behalf = get_object_or_404(get_user_model(), pk=payload.on_behalf_of_id) if payload.on_behalf_of_id else None
    flows = services.assign(actor=request.user, entry=entry, handlers=[h.dict() for h in payload.handlers],
                            direction=payload.direction, deadline=payload.resolved_deadline(), on_behalf_of=on_behalf)
    return 201, [_flow_out(f) for f in flows]


@router.get("/entries/{entry_id}/flows", response=list[FlowOut], summary="Every flow of a registered document")
def entry_flows(request, entry_id: int):
    entry = _entry(request, entry_id)
    return [_flow_out(f) for f in selectors.tree(entry)]


@router.get("/entries/{entry_id}/slip.pdf", summary="Processing slip (phiếu giải quyết văn bản đến) as PDF")
def slip(request, entry_id: int):
    entry = _entry(request, entry_id)
    return download_response(render_slip(entry), filename=f"phieu-giai-quyet-{entry.arrival_number}.pdf",
                             content_type="application/pdf", inline=True)


@router.get("/processing/flows", response=FlowPage, summary="My flows: processing, due_soon, overdue, info, returned")
def my_flows(request, kind: str = "processing", cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    if kind not in selectors.LISTS:
        from django.core.exceptions import ValidationError

        raise ValidationError({"kind": _("Must be one of: %(values)s.") % {"values": ", ".join(selectors.LISTS)}})
    page = selectors.flow_page(request.user, kind, cursor=cursor, limit=limit)
    return {"items": [_flow_out(f) for f in page.items], "next_cursor": page.next_cursor}


@router.get("/processing/counters", response=dict[str, int], summary="Counts of my lists (capped at 1000+1)")
def counters(request):
    return selectors.counters(request.user)


@router.get("/processing/flows/{flow_id}", response=FlowOut, summary="One flow")
def get_flow(request, flow_id: int):
    return _flow_out(_flow(request, flow_id))


@router.post("/processing/flows/{flow_id}/read", response={204: None}, summary="Record that I read it")
def read(request, flow_id: int):
    services.mark_read(actor=request.user, flow=_flow(request, flow_id))
    return 204, None


@router.post("/processing/flows/{flow_id}/forward", response={201: list[FlowOut]}, summary="Forward down the tree")
def forward(request, flow_id: int, payload: ForwardIn):
    flows = services.forward(actor=request.user, flow=_flow(request, flow_id),
                             handlers=[h.dict() for h in payload.handlers], direction=payload.direction,
                             deadline=payload.resolved_deadline())
    return 201, [_flow_out(f) for f in flows]


@router.post("/processing/flows/{flow_id}/opinion", response={201: dict}, summary="Give an opinion")
def opinion(request, flow_id: int, payload: TextIn):
    note = services.add_opinion(actor=request.user, flow=_flow(request, flow_id), text=payload.text,
                                files=[f.dict() for f in payload.files])
    return 201, {"id": note.pk}


@router.post("/processing/flows/{flow_id}/return", response=FlowOut, summary="Return with a reason")
def give_back(request, flow_id: int, payload: FlowReasonIn):
    return _flow_out(services.return_flow(actor=request.user, flow=_flow(request, flow_id), reason=payload.reason))


@router.post("/processing/flows/{flow_id}/complete", response=FlowOut, summary="Complete with a result")
def complete(request, flow_id: int, payload: CompleteIn):
    flow = services.complete(actor=request.user, flow=_flow(request, flow_id), result=payload.result,
                             files=[f.dict() for f in payload.files], reply_document_id=payload.reply_document_id)
    return _flow_out(flow)


@router.post("/processing/flows/{flow_id}/extension", response={201: dict}, summary="Ask for a later deadline")
def extension(request, flow_id: int, payload: ExtensionIn):
    new_deadline = resolve_deadline(deadline=payload.new_deadline, field="new_deadline",
                                    confirm_non_working_day=payload.confirm_non_working_day)
    req = services.request_extension(actor=request.user, flow=_flow(request, flow_id),
                                     new_deadline=new_deadline, reason=payload.reason)
    return 201, {"id": req.pk, "status": req.status}


@router.post("/processing/extensions/{request_id}/decide", response=dict, summary="Approve or refuse an extension")
def decide(request, request_id: int, payload: ExtensionDecisionIn):
    req = get_object_or_404(ExtensionRequest.objects.select_related("flow"), pk=request_id)
    _flow(request, req.flow_id)
    req = services.decide_extension(actor=request.user, request=req, approve=payload.approve, note=payload.note)
    return {"id": req.pk, "status": req.status}


class TrackerRow(Schema):
    handler: str
    handler_user_id: int | None
    handler_unit_id: int | None
    completed_on_time: int
    completed_late: int
    open_on_time: int
    open_overdue: int


@router.get("/processing/tracker", response=list[TrackerRow], summary="Unit tracker: per handler, on time / late")
def tracker(request, unit_id: int, start: datetime.date, end: datetime.date):
    unit = get_unit(unit_id)
    if not policy.can_track(request.user, unit):
        raise Http404
    return selectors.tracker(unit, start, end, request.user)


@router.get("/processing/tracker/items", response=list[FlowOut], summary="The flows behind one tracker cell")
def tracker_items(request, unit_id: int, start: datetime.date, end: datetime.date, cell: str,
                  handler_user_id: int | None = None, handler_unit_id: int | None = None):
    unit = get_unit(unit_id)
    if not policy.can_track(request.user, unit):
        raise Http404
    if cell not in selectors.TRACKER_CELLS:
        from django.core.exceptions import ValidationError

        raise ValidationError({"cell": _("Must be one of: %(values)s.") % {
            "values": ", ".join(selectors.TRACKER_CELLS)}})
    items = selectors.tracker_items(unit, start, end, cell, user=request.user, handler_user_id=handler_user_id,
                                    handler_unit_id=handler_unit_id)[:500]
    return [_flow_out(f) for f in items]
