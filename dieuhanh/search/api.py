"""/api/v1/search: one search over documents, and saved searches."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ValidationError as PydanticError

from dieuhanh.documents.models import Confidentiality, DocumentStatus, Urgency

from . import selectors, services
from .models import SavedSearch

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field("", max_length=500, description='Free text, with or without diacritics; "quoted phrases"; '
                   'numbers and symbols like 12/QĐ-UBND or 127-QĐ/TW')
    document_type_id: int | None = None
    issuer: str = Field("", max_length=255)
    symbol: str = Field("", max_length=100, description="Number and symbol, or its beginning")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    urgency: Urgency | None = None
    confidentiality: Confidentiality | None = None
    status: DocumentStatus | None = None
    unit_id: int | None = Field(None, description="Issued by or registered in this unit")
    handler_id: int | None = Field(None, description="Handled by this person")
    sort: str = Field("relevance", pattern="^(relevance|date)$")

    def filters(self):
        return selectors.Filters(
            document_type_id=self.document_type_id, issuer=self.issuer, symbol=self.symbol,
            date_from=self.date_from, date_to=self.date_to,
            urgency=int(self.urgency) if self.urgency is not None else None,
            confidentiality=int(self.confidentiality) if self.confidentiality is not None else None,
            status=self.status.value if self.status else "", unit_id=self.unit_id, handler_id=self.handler_id)


class HitOut(Schema):
    id: int
    symbol: str
    subject: str
    document_type: str
    issuer_name: str
    issued_on: datetime.date | None
    status: str
    urgency: int
    confidentiality: int
    score: float
    snippet: str = Field(description="HTML: the text around the hit, matched words in <mark>, the rest escaped")


class SearchOut(Schema):
    items: list[HitOut]
    next_cursor: str | None
    count: int = Field(description="Matches counted up to 1000")
    more_than_count: bool = Field(description="True when there are more matches than `count`")
    corrected_query: str = Field("", description="Set when the words as typed found nothing and a correction did")


def _hit(hit):
    d = hit.document
    return {"id": d.pk, "symbol": d.symbol, "subject": d.subject, "document_type": d.document_type.name,
            "issuer_name": d.issuer_name, "issued_on": d.issued_on, "status": d.status, "urgency": d.urgency,
            "confidentiality": d.confidentiality, "score": hit.score, "snippet": str(hit.snippet)}


@router.get("/search", response=SearchOut, summary="Search the documents you may open")
def search(request, params: Query[SearchParams], cursor: str | None = None, limit: int = Query(20, ge=1, le=200)):
    """Results, counts and snippets only ever include documents the caller may open."""
    result = selectors.search(request.user, q=params.q, filters=params.filters(), sort=params.sort, cursor=cursor,
                              limit=limit)
    return {"items": [_hit(h) for h in result.hits], "next_cursor": result.next_cursor, "count": result.count,
            "more_than_count": result.more, "corrected_query": result.corrected}


class SavedIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, examples=["Quyết định điều động 2026"])
    params: dict = Field(default_factory=dict, examples=[{"q": "dieu dong", "document_type_id": 3}])


class SavedOut(Schema):
    id: int
    name: str
    params: dict
    created_at: datetime.datetime


@router.get("/search/saved", response=list[SavedOut], summary="My saved searches")
def saved_list(request):
    return list(selectors.saved_searches(request.user))


@router.post("/search/saved", response={201: SavedOut}, summary="Save a search under a name")
def saved_create(request, body: SavedIn):
    unknown = sorted(set(body.params) - set(SearchParams.model_fields))
    if unknown:
        raise ValidationError({"params": _("Unknown search field: %(field)s.") % {"field": unknown[0]}})
    try:
        SearchParams(**body.params)  # the same checks as a search: a saved search always runs
    except PydanticError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise ValidationError({f"params.{where}": exc.errors()[0]["msg"]}) from exc
    return 201, services.save_search(actor=request.user, name=body.name, params=body.params)


@router.delete("/search/saved/{saved_id}", response={204: None}, summary="Delete a saved search")
def saved_delete(request, saved_id: int):
    saved = get_object_or_404(SavedSearch, pk=saved_id, user=request.user)  # others' searches do not exist here
    services.delete_saved_search(actor=request.user, saved=saved)
    return 204, None
