"""/api/v1/intake: what the official mailboxes and watched folders took in (list, one) and retry of an unreadable
item, for the clerks of the unit it was for."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Query, Router, Schema

from . import policy, selectors, services
from .models import IntakeItem, ItemState

router = Router(tags=["intake"])


class IntakeItemOut(Schema):
    id: int
    source_id: int
    source_name: str
    unit_id: int | None
    unit_code: str
    ref: str
    sha256: str
    size: int
    subject: str
    sender: str
    state: str
    reason: str
    package_ids: list[int]
    duplicate_of_id: int | None
    moved_to: str
    attempts: int
    created_at: datetime.datetime


class ItemList(Schema):
    items: list[IntakeItemOut]
    next_cursor: str | None


def _out(item, package_ids):
    return {"id": item.pk, "source_id": item.source_id, "source_name": item.source.name, "unit_id": item.unit_id,
            "unit_code": item.unit_code, "ref": item.ref, "sha256": item.sha256, "size": item.size,
            "subject": item.subject, "sender": item.sender, "state": item.state, "reason": item.reason,
            "package_ids": package_ids, "duplicate_of_id": item.duplicate_of_id, "moved_to": item.moved_to,
            "attempts": item.attempts, "created_at": item.created_at}


def _packages(items):
    through = IntakeItem.packages.through.objects.filter(intakeitem_id__in=[i.pk for i in items])
    found: dict[int, list[int]] = {}
    for row in through.values("intakeitem_id", "receivedpackage_id"):  # one query for the page
        found.setdefault(row["intakeitem_id"], []).append(row["receivedpackage_id"])
    return found


@router.get("/intake/items", response=ItemList, summary="Messages and files taken in, newest first")
def list_items(request, state: str = Query("", max_length=10), cursor: str | None = None,
               limit: int = Query(50, ge=1, le=200)):
    if not policy.can_view_items(request.user):
        raise PermissionDenied
    if state not in ItemState.values:
        state = ""
    page = selectors.items_page(request.user, state=state, cursor=cursor, limit=limit)
    found = _packages(page.items)
    return {"items": [_out(i, found.get(i.pk, [])) for i in page.items], "next_cursor": page.next_cursor}


@router.get("/intake/items/{item_id}", response=IntakeItemOut, summary="One message or file: what became of it")
def get_item(request, item_id: int):
    item = selectors.item_for(request.user, item_id)
    if item is None:
        raise Http404
    return _out(item, _packages([item]).get(item.pk, []))


@router.post("/intake/items/{item_id}/retry", response=IntakeItemOut, summary="Take an unreadable item in again")
def retry_item(request, item_id: int):
    item = selectors.item_for(request.user, item_id)
    if item is None:
        raise Http404
    item = services.retry_item(actor=request.user, item=item)
    item = selectors.item_for(request.user, item_id) or item
    return _out(item, _packages([item]).get(item.pk, []))
