"""Reads for records: lists, files and their documents, the workbench (keyset pages), progress, deposits,
loans, the appraisal list. Every count is a bounded number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dieuhanh.documents.models import Document, DocumentFile, DocumentStatus, IncomingEntry
from dieuhanh.documents.policy import reader_unit_ids, visible_documents_q
from dieuhanh.kernel.pagination import keyset_page
from dieuhanh.kernel.text import fold
from dieuhanh.processing.models import Flow
from dieuhanh.search.text import symbol_key, words
from dieuhanh.units.models import Unit

from . import policy
from .models import (
    Deposit,
    DestructionRecord,
    DispositionDecision,
    DuplicateMark,
    FileItem,
    FileList,
    FileStatus,
    Loan,
    RecordFile,
    RetentionPeriod,
)

if TYPE_CHECKING:
    from typing import Any

    from django.db.models import QuerySet

    from dieuhanh.accounts.models import User
    from dieuhanh.kernel.pagination import Page
    from dieuhanh.records.models import FileListEntry, FileListSection


def retention_periods(active_only: bool = True) -> QuerySet[RetentionPeriod]:
    qs = RetentionPeriod.objects.all()
    return qs.filter(active=True) if active_only else qs


def get_list(list_id: int) -> FileList:
    return get_object_or_404(FileList.objects.select_related("unit", "approved_by", "created_by"), pk=list_id)


def lists_of(unit: Unit) -> list[FileList]:
    return list(FileList.objects.filter(unit=unit).order_by("-year"))


def list_for(unit: Unit, year: int) -> FileList | None:
    return FileList.objects.filter(unit=unit, year=year).select_related("approved_by").first()


def sections_with_entries(file_list: FileList) -> list[tuple[FileListSection | None, list[FileListEntry]]]:
    """[(section or None, [entries])] in order: entries without a section come first."""
    sections = list(file_list.sections.all())
    entries = list(file_list.entries.select_related("retention", "responsible").order_by("order", "id"))
    groups: list[tuple[FileListSection | None, list[FileListEntry]]] = [
        (None, [e for e in entries if e.section_id is None])]
    groups += [(s, [e for e in entries if e.section_id == s.pk]) for s in sections]
    return [(s, es) for s, es in groups if s is not None or es]


def get_file(file_id: int) -> RecordFile:
    return get_object_or_404(RecordFile.objects.select_related("unit", "retention", "responsible", "entry",
                                                               "deposit"), pk=file_id)


def files_of(unit: Unit, year: int | None = None, status: str | None = None) -> QuerySet[RecordFile]:
    qs = RecordFile.objects.filter(unit=unit).select_related("retention")
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs


def file_page(unit: Unit, year: int | None = None, status: str | None = None, cursor: str | None = None,
              limit: int = 50) -> Page:
    return keyset_page(files_of(unit, year, status), ["code", "id"], cursor=cursor, limit=limit)


def reader_units(user: User) -> list[Unit]:
    """The units whose record files the person reads on the records index: every unit of
    ``documents.policy.reader_unit_ids`` (their own units and those whose collection passed to one of them,
    decision 0025) that ``policy.can_view_records`` allows, as on the file pages. A query per unit at most (the
    successor chain of an old unit), none per file."""
    ids = reader_unit_ids(user)
    if not ids:
        return []
    return [u for u in Unit.objects.filter(pk__in=ids).order_by("depth", "sort_key", "id")
            if policy.can_view_records(user, u)]


def reader_file_page(units: Any, year: int | None = None, cursor: str | None = None, limit: int = 50) -> Page:
    """The record files of ``units`` (see ``reader_units``) by code, as keyset pages; each row carries its unit
    (joined, no query per row)."""
    qs = RecordFile.objects.filter(unit__in=[u.pk for u in units]).select_related("retention", "unit")
    if year is not None:
        qs = qs.filter(year=year)
    return keyset_page(qs, ["code", "id"], cursor=cursor, limit=limit)


def items_of(file: RecordFile) -> list[FileItem]:
    return list(FileItem.objects.filter(file=file).select_related("document", "document__document_type")
                .order_by("doc_date", "document_id"))


def _year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def unit_documents(unit: Unit, year: int) -> QuerySet[Document]:
    """The documents of ``unit`` for ``year``: issued by it that year, or registered as arrived in it that year."""
    start, end = _year_range(year)
    arrived = IncomingEntry.objects.filter(unit=unit, arrived_on__gte=start, arrived_on__lt=end,
                                           recalled_at__isnull=True).values("document_id")
    return Document.objects.filter(
        Q(issuing_unit=unit, status=DocumentStatus.ISSUED, issued_on__gte=start, issued_on__lt=end)
        | Q(pk__in=arrived))


def _filed_in(unit: Unit) -> Exists:
    return Exists(FileItem.objects.filter(document=OuterRef("pk"), file__unit=unit)
                  .exclude(file__status=FileStatus.DESTROYED))


def _marked_duplicate(unit: Unit) -> Exists:
    return Exists(DuplicateMark.objects.filter(unit=unit, document=OuterRef("pk")))


def counted_documents(unit: Unit, year: int) -> QuerySet[Document]:
    """The unit's documents of ``year`` that count for filing: all but those it marked as duplicates."""
    return unit_documents(unit, year).filter(~_marked_duplicate(unit))


def workbench_page(user: User, unit: Unit, year: int, cursor: str | None = None, limit: int = 50) -> Page:
    """Documents of the unit's year that are in none of its files and not marked as duplicates, newest first, only
    those the person may open."""
    qs = (counted_documents(unit, year).filter(visible_documents_q(user)).filter(~_filed_in(unit))
          .select_related("document_type"))
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def progress(unit: Unit, year: int) -> dict[str, Any]:
    """{"total", "filed", "percent"} for the unit's documents of ``year`` (duplicates left out): two counting
    queries."""
    docs = counted_documents(unit, year)
    total = docs.count()
    filed = docs.filter(_filed_in(unit)).count() if total else 0
    return {"unit_id": unit.pk, "year": year, "total": total, "filed": filed,
            "percent": round(100 * filed / total) if total else 0}


# --- workbench: suggested files ------------------------------------------------------------------------------

# Folded words too common in subjects and file titles to tell one file from another.
COMMON_WORDS = frozenset("""
    ve viec cua va cac cho cung nhung mot nhieu duoc bi voi den tu theo tren duoi trong ngoai tai nay do la co
    khong de ra vao sau truoc khi lai nam thang ngay so ho van ban tap thuc hien cong tac tinh hinh ket qua
    quy dinh gui nhan
""".split())
MIN_SHARED_WORDS = 2  # one shared syllable says little in Vietnamese: "cán" alone is not "cán bộ"
WEIGHT_HANDLER, WEIGHT_TYPE, WEIGHT_WORD = 3, 2, 1
SUGGESTIONS_PER_DOCUMENT = 3
MAX_SUGGESTED_FILES = 500


def significant_words(text: str) -> set[str]:
    """Folded words of ``text`` that may tell files apart: no common word, digit run or single letter."""
    return {w for w in words(text) if len(w) > 1 and not w.isdigit() and w not in COMMON_WORDS}


@dataclass(frozen=True)
class Suggestion:
    file: RecordFile
    score: int
    reasons: tuple  # among "handler", "type", "subject"
    shared_words: tuple = ()


def suggestions_for(unit: Unit, year: int, documents: Any, per_document: Any = SUGGESTIONS_PER_DOCUMENT) -> dict[Any,
                    list[Any]]:
    """{document id: [Suggestion, best first]} for ``documents`` (a workbench page): the unit's open files of
    ``year`` that already hold a document handled by the same person (processing flows), or of the same type,
    or whose title shares at least two significant folded words with the subject. Four queries at most,
    whatever the number of documents; the scoring runs in Python over the page and the open files."""
    documents = list(documents)
    result: dict[int, list[Any]] = {d.pk: [] for d in documents}
    if not documents:
        return result
    files = list(RecordFile.objects.filter(unit=unit, year=year, status=FileStatus.OPEN)
                 .only("id", "code", "title", "unit_id", "year", "status").order_by("code")[:MAX_SUGGESTED_FILES])
    if not files:
        return result
    file_ids = [f.pk for f in files]
    types = defaultdict(set)  # file id -> ids of the document types it holds
    for file_id, type_id in (FileItem.objects.filter(file_id__in=file_ids)
                             .values_list("file_id", "document__document_type_id").distinct()):
        types[file_id].add(type_id)
    handlers = defaultdict(set)  # document id -> people handling it
    for doc_id, user_id in (Flow.objects.filter(entry__document_id__in=list(result), handler_user__isnull=False)
                            .values_list("entry__document_id", "handler_user_id").distinct()):
        handlers[doc_id].add(user_id)
    file_handlers = defaultdict(set)  # file id -> those people, when they handled a document of the file
    wanted = set().union(*handlers.values())
    if wanted:
        for file_id, user_id in (Flow.objects.filter(handler_user_id__in=wanted,
                                                     entry__document__record_items__file_id__in=file_ids)
                                 .values_list("entry__document__record_items__file_id", "handler_user_id")
                                 .distinct()):
            file_handlers[file_id].add(user_id)
    title_words = {f.pk: significant_words(f.title) for f in files}
    for d in documents:
        subject = significant_words(d.subject)
        ranked = []
        for f in files:
            score = 0
            reasons: list[str] = []
            if handlers[d.pk] & file_handlers[f.pk]:
                score, reasons = score + WEIGHT_HANDLER, [*reasons, "handler"]
            if d.document_type_id in types[f.pk]:
                score, reasons = score + WEIGHT_TYPE, [*reasons, "type"]
            shared = subject & title_words[f.pk]
            if len(shared) >= MIN_SHARED_WORDS:
                score, reasons = score + WEIGHT_WORD * len(shared), [*reasons, "subject"]
            if score:
                ranked.append(Suggestion(f, score, tuple(reasons), tuple(sorted(shared))))
        ranked.sort(key=lambda s: (-s.score, s.file.code))
        result[d.pk] = ranked[:per_document]
    return result


# --- workbench: documents registered twice --------------------------------------------------------------------

def duplicate_key(symbol: str, issuer_name: str, issued_on: datetime.date) -> tuple[Any, str, datetime.date] | None:
    """Folded number and symbol + issuer + date, or None when the document lacks one of them."""
    key = symbol_key(symbol)
    if not key or issued_on is None or not fold(issuer_name):
        return None
    return key, fold(issuer_name), issued_on


class _Links:
    """Union-find over document ids: two documents with the same key or the same main file are linked."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.reasons: defaultdict[int, set[str]] = defaultdict(set)

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def link(self, ids: Any, reason: str) -> None:
        ids = sorted(ids)
        for other in ids[1:]:
            a, b = self.find(ids[0]), self.find(other)
            if a != b:
                self.parent[max(a, b)] = min(a, b)
                self.reasons[min(a, b)] |= self.reasons.pop(max(a, b), set())
            self.reasons[self.find(ids[0])].add(reason)

    def groups(self) -> list[tuple[list[Any], tuple[Any, ...]]]:
        """[(sorted ids, reasons)] of every group of two or more."""
        members = defaultdict(list)
        for x in self.parent:
            members[self.find(x)].append(x)
        return [(sorted(ids), tuple(sorted(self.reasons[root]))) for root, ids in members.items() if len(ids) > 1]


def link_duplicates(documents: Any) -> list[tuple[list[Any], tuple[Any, ...]]]:
    """Link ``documents`` (a queryset) that look like one document registered twice: same folded number and symbol,
    issuer and date ("number"), or the same main file by SHA-256 ("file"). Three queries."""
    links = _Links()
    by_key = defaultdict(list)
    for pk, symbol, issuer, issued_on in (documents.exclude(symbol="").exclude(issued_on__isnull=True)
                                          .values_list("pk", "symbol", "issuer_name", "issued_on")):
        if (key := duplicate_key(symbol, issuer, issued_on)) is not None:
            by_key[key].append(pk)
    for ids in by_key.values():
        if len(ids) > 1:
            links.link(ids, "number")
    mains = DocumentFile.objects.filter(is_main=True, document__in=documents.values("pk"))
    shared = mains.values("blob_id").annotate(n=Count("document_id", distinct=True)).filter(n__gt=1).values("blob_id")
    by_blob = defaultdict(set)
    for blob_id, doc_id in mains.filter(blob_id__in=shared).values_list("blob_id", "document_id"):
        by_blob[blob_id].add(doc_id)
    for blob_docs in by_blob.values():
        links.link(blob_docs, "file")
    return links.groups()


@dataclass
class DuplicateGroup:
    documents: list  # Document rows, oldest first, each with ``filed`` (in one of the unit's files)
    reasons: tuple  # among "file", "number"
    suggested: object = field(default=None)  # the one to keep by default: a filed one, else the oldest


def duplicate_groups(user: User, unit: Unit, year: int, limit: int = 50) -> list[DuplicateGroup]:
    """Groups of the unit's documents of ``year`` (not yet marked as duplicates) that look like one document
    registered twice, newest groups first; only documents the person may open, groups of two or more. Four
    queries, whatever the number of documents."""
    found = link_duplicates(counted_documents(unit, year))
    if not found:
        return []
    found.sort(key=lambda g: -g[0][-1])
    found = found[:limit]
    wanted = [pk for ids, _ in found for pk in ids]
    docs = {d.pk: d for d in Document.objects.filter(pk__in=wanted).filter(visible_documents_q(user))
            .annotate(filed=_filed_in(unit)).select_related("document_type")}
    groups = []
    for ids, reasons in found:
        members = [docs[pk] for pk in ids if pk in docs]
        if len(members) > 1:
            kept = next((d for d in members if d.filed), members[0])
            groups.append(DuplicateGroup(members, reasons, kept))
    return groups


def duplicate_marks_page(user: User, unit: Unit, year: int, cursor: str | None = None, limit: int = 50) -> Page:
    """The unit's duplicate marks on its documents of ``year``, newest first, only on documents the person may open
    (keyset pages): what the workbench offers to undo. Each row joins both documents and the person who marked."""
    docs = unit_documents(unit, year).filter(visible_documents_q(user)).values("pk")
    qs = (DuplicateMark.objects.filter(unit=unit, document__in=docs)
          .select_related("document", "document__document_type", "kept", "marked_by"))
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def mark_of(unit: Unit, document_id: int) -> DuplicateMark | None:
    """The unit's duplicate mark on a document, or None."""
    return DuplicateMark.objects.select_related("unit").filter(unit=unit, document_id=document_id).first()


def file_counts(unit: Unit, year: int) -> dict[str, Any]:
    """{status: count} of the unit's files of ``year`` (one grouped query)."""
    rows = RecordFile.objects.filter(unit=unit, year=year).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def get_deposit(deposit_id: int) -> Deposit:
    return get_object_or_404(Deposit.objects.select_related("unit", "submitted_by", "decided_by"), pk=deposit_id)


def deposit_page(unit: Unit, cursor: str | None = None, limit: int = 50) -> Page:
    return keyset_page(Deposit.objects.filter(unit=unit), ["-id"], cursor=cursor, limit=limit)


def deposit_files(deposit: Deposit) -> list[RecordFile]:
    """The files of a deposit; after a refusal, the files it named (then released)."""
    files = list(deposit.files.select_related("retention").order_by("code"))
    if not files and deposit.file_codes:
        files = list(RecordFile.objects.filter(code__in=deposit.file_codes).select_related("retention")
                     .order_by("code"))
    return files


def loans_of(file: RecordFile) -> list[Loan]:
    return list(Loan.objects.filter(file=file).select_related("lent_by", "returned_to").order_by("-id"))


def loans_q(unit: Unit, open_only: bool = False, overdue_on: datetime.date | None = None) -> QuerySet[Loan]:
    """The unit's loans; ``open_only``: not returned; ``overdue_on`` (a date): not returned and due before it."""
    qs = Loan.objects.filter(file__unit=unit)
    if open_only or overdue_on is not None:
        qs = qs.filter(returned_at__isnull=True)
    if overdue_on is not None:
        qs = qs.filter(due_on__lt=overdue_on)
    return qs


def loan_page(unit: Unit, cursor: str | None = None, limit: int = 50, open_only: bool = False,
              overdue_on: datetime.date | None = None) -> Page:
    qs = loans_q(unit, open_only, overdue_on).select_related("file", "lent_by", "returned_to")
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def lendable_files(unit: Unit, limit: int = 200) -> list[RecordFile]:
    """Deposited files of the unit not on loan now, by code: the choices offered when lending."""
    on_loan = Loan.objects.filter(file=OuterRef("pk"), returned_at__isnull=True)
    return list(RecordFile.objects.filter(unit=unit, status=FileStatus.DEPOSITED).filter(~Exists(on_loan))
                .order_by("code").only("id", "code", "title")[:limit])


def appraisal_page(unit: Unit, cursor: str | None = None, limit: int = 50, today: datetime.date | None = None) -> Page:
    """Files of the unit past retention, not destroyed: listed for appraisal."""
    today = today or timezone.localdate()
    qs = (RecordFile.objects.filter(unit=unit, status__in=[FileStatus.CLOSED, FileStatus.DEPOSITED],
                                    expires_on__lte=today).select_related("retention"))
    return keyset_page(qs, ["expires_on", "id"], cursor=cursor, limit=limit)


def get_decision(decision_id: int) -> DispositionDecision:
    return get_object_or_404(DispositionDecision.objects.select_related("unit", "recorded_by"), pk=decision_id)


def decision_files(decision: DispositionDecision) -> list[RecordFile]:
    return list(decision.files.select_related("retention").order_by("code"))


def decisions_of(unit: Unit) -> list[DispositionDecision]:
    return list(DispositionDecision.objects.filter(unit=unit).order_by("-id")[:100])


def destruction_page(unit: Unit, cursor: str | None = None, limit: int = 50) -> Page:
    qs = DestructionRecord.objects.filter(file__unit=unit).select_related("decision", "destroyed_by", "file")
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)
