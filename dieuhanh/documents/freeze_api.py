"""/api/v1/freezes: freeze sets of documents and record files, lift freezes, list what is frozen."""

import datetime

from django.db.models import Prefetch
from django.http import Http404
from ninja import Field, Query, Router, Schema

from dieuhanh.units.selectors import get_unit

from . import freeze as freezing
from .models import Document

router = Router(tags=["freezes"])

def _ids_field():
    return Field(default_factory=list, max_length=freezing.MAX_OBJECTS)


class FreezeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)
    unit_id: int | None = Field(None, description="Scope: every object must belong to this unit or a unit below "
                                                  "it. Leave out for an installation-wide freeze (system "
                                                  "administrators only).")
    document_ids: list[int] = _ids_field()
    file_ids: list[int] = _ids_field()


class FreezeLiftIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class FrozenDocumentOut(Schema):
    id: int
    symbol: str


class FrozenFileOut(Schema):
    id: int
    code: str


class FreezeOut(Schema):
    id: int
    unit_id: int | None
    reason: str
    created_by: str
    created_at: datetime.datetime
    active: bool
    lifted_by: str | None
    lifted_at: datetime.datetime | None
    lift_reason: str
    documents: list[FrozenDocumentOut] = Field(..., description="Documents frozen now (empty once lifted)")
    files: list[FrozenFileOut] = Field(..., description="Record files frozen now (empty once lifted)")
    document_ids: list[int] = Field(..., description="Every document the freeze held")
    file_ids: list[int] = Field(..., description="Every record file the freeze held")


class FreezeFilter(Schema):
    active: bool | None = Field(True, description="Only freezes in force (default); false: only lifted ones")


def _name(user):
    return (user.full_name or user.username) if user else None


def _out(row):
    return {
        "id": row.pk, "unit_id": row.unit_id, "reason": row.reason, "created_by": _name(row.created_by),
        "created_at": row.created_at, "active": row.active, "lifted_by": _name(row.lifted_by),
        "lifted_at": row.lifted_at, "lift_reason": row.lift_reason,
        "documents": [{"id": d.pk, "symbol": d.symbol} for d in row.documents.all()],
        "files": [{"id": f.pk, "code": f.code} for f in row.files.all()],
        "document_ids": row.document_ids, "file_ids": row.file_ids,
    }


def _visible(request):
    """Freezes the person administers; frozen documents show by symbol only, never by subject."""
    return (freezing.visible_freezes(request.user).select_related("created_by", "lifted_by")
            .prefetch_related(Prefetch("documents", queryset=Document.objects.only("pk", "symbol", "freeze")
                                       .order_by("pk")), "files"))


@router.post("/freezes", response={201: FreezeOut}, summary="Freeze documents and record files")
def create_freeze(request, payload: FreezeIn):
    """Frozen documents and files are read-only: every change is refused (409) until the freeze is lifted."""
    unit = get_unit(payload.unit_id) if payload.unit_id is not None else None
    row = freezing.freeze(actor=request.user, reason=payload.reason, unit=unit, document_ids=payload.document_ids,
                          file_ids=payload.file_ids)
    return 201, _out(_visible(request).get(pk=row.pk))


@router.get("/freezes", response=list[FreezeOut], summary="Freezes I may see (administrators)")
def list_freezes(request, filters: Query[FreezeFilter]):
    rows = _visible(request)
    if filters.active is not None:
        rows = rows.filter(lifted_at__isnull=filters.active)
    return [_out(r) for r in rows.order_by("-id")[:200]]


@router.get("/freezes/{freeze_id}", response=FreezeOut, summary="One freeze")
def get_freeze(request, freeze_id: int):
    row = _visible(request).filter(pk=freeze_id).first()
    if row is None:
        raise Http404
    return _out(row)


@router.post("/freezes/{freeze_id}/lift", response=FreezeOut, summary="Lift a freeze (unfreeze)")
def lift_freeze(request, freeze_id: int, payload: FreezeLiftIn):
    row = _visible(request).filter(pk=freeze_id).first()
    if row is None:
        raise Http404
    freezing.lift(actor=request.user, freeze=row, reason=payload.reason)
    return _out(_visible(request).get(pk=freeze_id))


def install_handlers(api):
    """A write refused because its object is frozen is a 409 naming the field ``frozen``."""

    def frozen_409(request, exc):
        return api.create_response(request, {
            "detail": " ".join(exc.messages), "errors": [{"field": "frozen", "message": " ".join(exc.messages)}],
            "freeze_id": exc.freeze.pk}, status=409)

    api.add_exception_handler(freezing.Frozen, frozen_409)

