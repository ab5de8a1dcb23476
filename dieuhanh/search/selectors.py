"""Search reads: one function for the page and the API, permissions applied inside the query itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import is_system_admin
from dieuhanh.documents.models import Confidentiality, Document, DocumentStatus, Urgency
from dieuhanh.documents.policy import reader_unit_ids, visible_documents_q
from dieuhanh.kernel import zones
from dieuhanh.kernel.pagination import COUNT_CAP, MAX_PAGE_SIZE, decode_cursor, encode_cursor
from dieuhanh.processing.models import Flow

from . import text as search_text
from .backends import RANK_WINDOW, get_backend
from .models import SavedSearch, SearchEntry

if TYPE_CHECKING:
    from typing import Any

    from django.db.models import QuerySet

    from dieuhanh.accounts.models import User
    from dieuhanh.search.text import ParsedQuery

SORTS = ("relevance", "date")


@dataclass
class Filters:
    """Field filters; every one combines (AND) with the free text and the others."""

    document_type_id: int | None = None
    issuer: str = ""
    symbol: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    urgency: int | None = None
    confidentiality: int | None = None
    status: str = ""
    unit_id: int | None = None
    handler_id: int | None = None


@dataclass
class Hit:
    document: Document
    score: float
    snippet: str


@dataclass
class Result:
    hits: list
    next_cursor: str | None
    count: int  # capped: when ``more`` it means "more than COUNT_CAP"
    more: bool
    corrected: str = ""  # the query actually run after fixing typos, when the typed one found nothing
    parsed: object = None


def _check(filters: Any) -> None:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError({"date_to": _("The end date is before the start date.")})
    if filters.urgency is not None and filters.urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Unknown urgency.")})
    if filters.confidentiality is not None and filters.confidentiality not in Confidentiality.values:
        raise ValidationError({"confidentiality": _("Unknown confidentiality level.")})
    if filters.status and filters.status not in DocumentStatus.values:
        raise ValidationError({"status": _("Unknown status.")})


def _filtered(user: User, filters: Any) -> QuerySet[Document, Any]:
    _check(filters)
    q = visible_documents_q(user)
    if filters.document_type_id:
        q &= Q(document_type_id=filters.document_type_id)
    if filters.issuer:
        # the folded issuer name is kept on the index row, so "ha noi" finds "Hà Nội"
        q &= Q(search_entry__issuer_key__contains=" ".join(search_text.words(filters.issuer)))
    if filters.symbol:
        key = search_text.symbol_key(filters.symbol)
        q &= Q(search_entry__symbol_key__startswith=key)
    if filters.date_from:
        q &= Q(issued_on__gte=filters.date_from)
    if filters.date_to:
        q &= Q(issued_on__lte=filters.date_to)
    if filters.urgency is not None:
        q &= Q(urgency=filters.urgency)
    if filters.confidentiality is not None:
        q &= Q(confidentiality=filters.confidentiality)
    if filters.status:
        q &= Q(status=filters.status)
    if filters.unit_id:
        q &= Q(issuing_unit_id=filters.unit_id) | Q(incoming_entries__unit_id=filters.unit_id)
    if filters.handler_id:
        q &= Q(pk__in=Flow.objects.filter(handler_user_id=filters.handler_id).values("entry__document_id"))
    return Document.objects.filter(q).values("pk")


def _visible_sql(user: User, filters: Any) -> tuple[None, None] | tuple[Any, list[Any]]:
    """The exact permission check and the filters, as a subquery correlated with the index row ``e``; None when
    the person can open nothing at all."""
    qs = _filtered(user, filters).extra(where=["documents_document.id = e.document_id"])
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return None, None
    return sql, list(params)


def _reader_scope(user: User, parsed: Any) -> Any:
    """Narrow the full-text match to the reader's tokens: their units (with their predecessors) and themselves
    (unless they see every document), and the confidentiality levels they may open in this network zone."""
    clearance = (user.clearance or 0) if zones.current() == zones.CLOSED else 0
    if clearance < max(Confidentiality.values):
        parsed.levels = [f"{search_text.LEVEL_PREFIX}{n}" for n in range(clearance + 1)]
    if not is_system_admin(user):
        # a successor's people carry the tokens of the units whose collection they hold: the index rows of those
        # documents already name the old unit, so a reorganization re-indexes nothing (decision 0025)
        parsed.readers = [f"{search_text.UNIT_PREFIX}{u}" for u in sorted(reader_unit_ids(user))] + [
            f"{search_text.PERSON_PREFIX}{user.pk}"]
    return parsed


def _decode(cursor: Any, sort: str) -> list[object] | list[float] | None:
    if not cursor:
        return None
    first, doc_id = decode_cursor(cursor, 2)
    try:
        if sort == "date":
            return [datetime.date.fromisoformat(str(first)), int(doc_id)]
        return [float(first), int(doc_id)]
    except (TypeError, ValueError) as exc:
        raise ValidationError({"cursor": _("Invalid cursor.")}) from exc


def search(user: User, *, q: str = "", filters: Any = None, sort: str = "relevance", cursor: str | None = None,
           limit: int = 20) -> Result:
    """Documents ``user`` may open that match ``q`` and ``filters``.

    Relevance puts documents with the accented words as typed first, then full-text rank; "date" is newest
    first. Pages are keyset-addressed; the count stops at ``COUNT_CAP`` ("more than 1000"). When the words as
    typed find nothing, PostgreSQL retries once with the closest index words (typos) and says so.
    """
    filters = filters or Filters()
    if sort not in SORTS:
        raise ValidationError({"sort": _("Sort by relevance or date.")})
    try:
        limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    except (TypeError, ValueError) as exc:
        raise ValidationError({"limit": _("A number from 1 to 200.")}) from exc
    parsed = _reader_scope(user, search_text.parse_query(q))
    if parsed.empty and sort == "relevance":
        sort = "date"  # nothing to rank by
    after = _decode(cursor, sort)
    backend = get_backend()
    visible_sql, visible_params = _visible_sql(user, filters)
    if visible_sql is None:
        return Result(hits=[], next_cursor=None, count=0, more=False, parsed=parsed)
    # The capped count comes first: it tells the back-end whether the query is broad enough to read the newest
    # months first (see backends.py), and an empty answer is the cue to try correcting typos.
    total = backend.count(parsed, visible_sql, visible_params, cap=max(COUNT_CAP, RANK_WINDOW))
    corrected = ""
    if total == 0 and not after and parsed.terms:
        fixed = _corrected(backend, parsed)
        if fixed is not None:
            fixed_total = backend.count(fixed, visible_sql, visible_params, cap=max(COUNT_CAP, RANK_WINDOW))
            if fixed_total:
                corrected = " ".join(fixed.terms + [" ".join(p) for p in fixed.phrases])
                parsed, total = fixed, fixed_total
    rows = backend.page(parsed, visible_sql, visible_params, sort=sort, cursor=after, limit=limit + 1,
                        broad=total > RANK_WINDOW) if total else []
    has_more = len(rows) > limit
    rows = rows[:limit]
    docs = Document.objects.select_related("document_type", "issuing_unit").in_bulk([r[0] for r in rows])
    texts = dict(SearchEntry.objects.filter(document_id__in=[r[0] for r in rows]).values_list("document_id", "text"))
    words = parsed.highlight_words()
    hits = [Hit(document=docs[doc_id], score=score, snippet=search_text.snippet(texts.get(doc_id, ""), words))
            for doc_id, score, _ in rows if doc_id in docs]
    next_cursor = None
    if has_more and rows:
        doc_id, score, day = rows[-1]
        next_cursor = encode_cursor([day.isoformat() if sort == "date" else score, doc_id])
    count, more = len(hits), has_more
    if not after:  # the figure is for the first page; later pages only say whether more follow
        more = total > COUNT_CAP
        count = min(total, COUNT_CAP)
    return Result(hits=hits, next_cursor=next_cursor, count=count, more=more, corrected=corrected, parsed=parsed)


def _corrected(backend: Any, parsed: Any) -> ParsedQuery | None:
    """The query with each word the index does not know replaced by its closest index word, or None."""
    terms, changed = [], False
    known = backend.known_words(parsed.terms)
    for term in parsed.terms:
        similar = [] if term in known else backend.similar_words(term, limit=1)
        if similar:
            terms.append(similar[0])
            changed = True
        else:
            terms.append(term)
    if not changed:
        return None
    return search_text.ParsedQuery(terms=terms, phrases=parsed.phrases, readers=parsed.readers,
                                   levels=parsed.levels)


def saved_searches(user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user).order_by("name", "id")
