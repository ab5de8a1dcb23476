"""/api/v1/reorg: reorganization decisions (merge, split, dissolve), their dry run, their execution and the traces
left on every moved item. System administrators only (decision 0022)."""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from dieuhanh.accounts.policy import require

from . import policy, selectors, services
from .models import Decision, DecisionKind, ItemRule, MemberPolicy

router = Router(tags=["reorg"])


class ReorgItemIn(Schema):
    old_unit_id: int
    successor_id: int | None = Field(None, description="Empty when a merger creates its successor (new_successor)")
    rule: ItemRule = ItemRule.ALL
    department_id: int | None = Field(None, description="Split by department: a sub-unit of the old unit")
    document_ids: list[int] = Field([], max_length=10000, description="Split by a list of documents")


class ReorgNewUnitIn(Schema):
    code: str = Field(..., min_length=1, max_length=13)
    name: str = Field(..., min_length=1, max_length=255)
    short_name: str = Field(..., min_length=1, max_length=32)
    kind: str = Field(..., max_length=16)
    parent_id: int | None = None


class ReorgDecisionIn(Schema):
    kind: DecisionKind
    effective_on: datetime.date
    items: list[ReorgItemIn] = Field(..., min_length=1, max_length=200)
    document_id: int | None = Field(None, description="The decision document, when it is registered in the system")
    document_ref: str = Field("", max_length=100, description="The decision's number and symbol as written")
    members: MemberPolicy = MemberPolicy.MOVE
    note: str = Field("", max_length=5000)
    new_successor: ReorgNewUnitIn | None = None
    sub_units_to_id: int | None = Field(None, description="Where the old units' sub-units go (default: under "
                                                          "each one's successor)")


class ReorgItemOut(Schema):
    old_unit_id: int
    old_unit: str
    successor_id: int
    successor: str
    rule: str
    department_id: int | None
    document_ids: list[int]


class ReorgDecisionOut(Schema):
    id: int
    kind: str
    effective_on: datetime.date
    document_id: int | None
    document_ref: str
    sub_units_to_id: int | None
    members: str
    note: str
    status: str
    created_at: datetime.datetime
    executed_at: datetime.datetime | None
    items: list[ReorgItemOut]


class ReorgDecisionPage(Schema):
    items: list[ReorgDecisionOut]
    next_cursor: str | None


class ReorgProblemOut(Schema):
    code: str
    message: str
    count: int
    blocking: bool
    unit_id: int | None


class ReorgSuccessorOut(Schema):
    successor_id: int
    successor: str
    incoming: int = 0
    flows: int = 0
    tasks: int = 0
    drafts: int = 0
    deliveries: int = 0


class ReorgSubUnitOut(Schema):
    unit_id: int
    unit: str
    to_id: int
    to: str


class ReorgUnitPreviewOut(Schema):
    old_unit_id: int
    old_unit: str
    counts: dict[str, int]
    successors: list[ReorgSuccessorOut]
    sub_units: list[ReorgSubUnitOut] = Field([], description="Sub-units the execution moves, and where")


class ReorgStepOut(Schema):
    old_unit_id: int
    step: str


class ReorgPreviewOut(Schema):
    decision_id: int
    status: str
    units: list[ReorgUnitPreviewOut]
    problems: list[ReorgProblemOut]
    steps_done: list[ReorgStepOut]


class ReorgTraceOut(Schema):
    id: int
    decision_id: int
    object_type: str
    object_id: int
    field: str
    old_unit_id: int
    old_unit: str
    new_unit_id: int
    new_unit: str
    at: datetime.datetime


class ReorgTracePage(Schema):
    items: list[ReorgTraceOut]
    next_cursor: str | None


def _admin(request):
    require(policy.can_reorganize(request.user),
            _("Only a system administrator may see or change reorganizations."))


def _decision(request, decision_id):
    _admin(request)
    try:
        return selectors.get_decision(decision_id)
    except Decision.DoesNotExist as exc:
        raise Http404 from exc


def decision_out(d):
    return {"id": d.pk, "kind": d.kind, "effective_on": d.effective_on, "document_id": d.document_id,
            "document_ref": d.document_ref, "sub_units_to_id": d.sub_units_to_id,
            "members": d.members, "note": d.note, "status": d.status, "created_at": d.created_at,
            "executed_at": d.executed_at,
            "items": [{"old_unit_id": i.old_unit_id, "old_unit": i.old_unit.name, "successor_id": i.successor_id,
                       "successor": i.successor.name, "rule": i.rule, "department_id": i.department_id,
                       "document_ids": i.document_ids}
                      for i in d.items.select_related("old_unit", "successor").order_by("order", "id")]}


def trace_out(t):
    return {"id": t.pk, "decision_id": t.decision_id, "object_type": t.object_type, "object_id": t.object_id,
            "field": t.field, "old_unit_id": t.old_unit_id, "old_unit": t.old_unit.name, "new_unit_id": t.new_unit_id,
            "new_unit": t.new_unit.name, "at": t.at}


@router.get("/reorg/decisions", response=ReorgDecisionPage, summary="Reorganization decisions, newest first")
def decision_list(request, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    _admin(request)
    page = selectors.decision_page(cursor, limit)
    return {"items": [decision_out(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post("/reorg/decisions", response={201: ReorgDecisionOut},
             summary="Record a merger, split or dissolution")
def decision_create(request, payload: ReorgDecisionIn):
    data = payload.dict()
    items = [{k: v for k, v in i.items() if v is not None} for i in data.pop("items")]
    for i in items:
        i["rule"] = str(i["rule"])
        if i["rule"] != ItemRule.DOCUMENTS:
            i.pop("document_ids", None)
    decision = services.record_decision(actor=request.user, items=items, kind=str(data.pop("kind")),
                                        members=str(data.pop("members")), **data)
    return 201, decision_out(decision)


@router.get("/reorg/decisions/{decision_id}", response=ReorgDecisionOut, summary="A reorganization decision")
def decision_detail(request, decision_id: int):
    return decision_out(_decision(request, decision_id))


@router.get("/reorg/decisions/{decision_id}/preview", response=ReorgPreviewOut,
            summary="Dry run: what the execution will move, per old unit and successor, and the problems")
def decision_preview(request, decision_id: int):
    import django.utils.timezone as tz

    return selectors.preview(_decision(request, decision_id), today=tz.localdate())


@router.post("/reorg/decisions/{decision_id}/execute", response=ReorgDecisionOut,
             summary="Execute the decision (on or after its effective date); resumes after an interruption")
def decision_execute(request, decision_id: int):
    decision = services.execute(actor=request.user, decision=_decision(request, decision_id))
    return decision_out(selectors.get_decision(decision.pk))


@router.get("/reorg/decisions/{decision_id}/traces", response=ReorgTracePage,
            summary="Every item the decision moved")
def decision_traces(request, decision_id: int, object_type: str | None = Query(None, max_length=64),
                    cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    page = selectors.trace_page(_decision(request, decision_id), cursor, limit, object_type)
    return {"items": [trace_out(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get("/reorg/traces", response=list[ReorgTraceOut], summary="The reassignments of one item")
def item_traces(request, object_type: str = Query(..., max_length=64, examples=["tasks.task"]),
                object_id: int = Query(..., ge=1, le=2**62)):
    _admin(request)
    return [trace_out(t) for t in selectors.traces_for(object_type, object_id)]
