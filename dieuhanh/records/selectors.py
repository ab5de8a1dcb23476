"""Reads for records: lists, files and their documents, the workbench (keyset pages), progress, deposits,
loans, the appraisal list. Every count is a bounded number of queries, whatever the number of rows."""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dieuhanh.core.pagination import keyset_page
from dieuhanh.documents.models import Document, DocumentStatus, IncomingEntry
from dieuhanh.documents.policy import visible_documents_q

from .models import (
    Deposit,
    DestructionRecord,
    DispositionDecision,
    FileItem,
    FileList,
    FileStatus,
    Loan,
    RecordFile,
    RetentionPeriod,
)


def retention_periods(active_only=True):
    qs = RetentionPeriod.objects.all()
    return qs.filter(active=True) if active_only else qs


def get_list(list_id):
    return get_object_or_404(FileList.objects.select_related("unit", "approved_by", "created_by"), pk=list_id)


def lists_of(unit):
    return list(FileList.objects.filter(unit=unit).order_by("-year"))


def list_for(unit, year):
    return FileList.objects.filter(unit=unit, year=year).select_related("approved_by").first()


def sections_with_entries(file_list):
    """[(section or None, [entries])] in order: entries without a section come first."""
    sections = list(file_list.sections.all())
    entries = list(file_list.entries.select_related("retention", "responsible").order_by("order", "id"))
    groups = [(None, [e for e in entries if e.section_id is None])]
    groups += [(s, [e for e in entries if e.section_id == s.pk]) for s in sections]
    return [(s, es) for s, es in groups if s is not None or es]


def get_file(file_id):
    return get_object_or_404(RecordFile.objects.select_related("unit", "retention", "responsible", "entry",
                                                               "deposit"), pk=file_id)


def files_of(unit, year=None, status=None):
    qs = RecordFile.objects.filter(unit=unit).select_related("retention")
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs


def file_page(unit, year=None, status=None, cursor=None, limit=50):
    return keyset_page(files_of(unit, year, status), ["code", "id"], cursor=cursor, limit=limit)


def items_of(file):
    return list(FileItem.objects.filter(file=file).select_related("document", "document__document_type")
                .order_by("doc_date", "document_id"))


def _year_range(year):
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def unit_documents(unit, year):
    """The documents of ``unit`` for ``year``: issued by it that year, or registered as arrived in it that year."""
    start, end = _year_range(year)
    arrived = IncomingEntry.objects.filter(unit=unit, arrived_on__gte=start, arrived_on__lt=end,
                                           recalled_at__isnull=True).values("document_id")
    return Document.objects.filter(
        Q(issuing_unit=unit, status=DocumentStatus.ISSUED, issued_on__gte=start, issued_on__lt=end)
        | Q(pk__in=arrived))


def _filed_in(unit):
    return Exists(FileItem.objects.filter(document=OuterRef("pk"), file__unit=unit)
                  .exclude(file__status=FileStatus.DESTROYED))


def workbench_page(user, unit, year, cursor=None, limit=50):
    """Documents of the unit's year that are in none of its files, newest first, only those the person may open."""
    qs = (unit_documents(unit, year).filter(visible_documents_q(user)).filter(~_filed_in(unit))
          .select_related("document_type"))
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def progress(unit, year):
    """{"total", "filed", "percent"} for the unit's documents of ``year``: two counting queries."""
    docs = unit_documents(unit, year)
    total = docs.count()
    filed = docs.filter(_filed_in(unit)).count() if total else 0
    return {"unit_id": unit.pk, "year": year, "total": total, "filed": filed,
            "percent": round(100 * filed / total) if total else 0}


def file_counts(unit, year):
    """{status: count} of the unit's files of ``year`` (one grouped query)."""
    from django.db.models import Count

    rows = RecordFile.objects.filter(unit=unit, year=year).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def get_deposit(deposit_id):
    return get_object_or_404(Deposit.objects.select_related("unit", "submitted_by", "decided_by"), pk=deposit_id)


def deposit_page(unit, cursor=None, limit=50):
    return keyset_page(Deposit.objects.filter(unit=unit), ["-id"], cursor=cursor, limit=limit)


def deposit_files(deposit):
    """The files of a deposit; after a refusal, the files it named (then released)."""
    files = list(deposit.files.select_related("retention").order_by("code"))
    if not files and deposit.file_codes:
        files = list(RecordFile.objects.filter(code__in=deposit.file_codes).select_related("retention")
                     .order_by("code"))
    return files


def loans_of(file):
    return list(Loan.objects.filter(file=file).select_related("lent_by", "returned_to").order_by("-id"))


def loans_q(unit, open_only=False, overdue_on=None):
    """The unit's loans; ``open_only``: not returned; ``overdue_on`` (a date): not returned and due before it."""
    qs = Loan.objects.filter(file__unit=unit)
    if open_only or overdue_on is not None:
        qs = qs.filter(returned_at__isnull=True)
    if overdue_on is not None:
        qs = qs.filter(due_on__lt=overdue_on)
    return qs


def loan_page(unit, cursor=None, limit=50, open_only=False, overdue_on=None):
    qs = loans_q(unit, open_only, overdue_on).select_related("file", "lent_by", "returned_to")
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)


def lendable_files(unit, limit=200):
    """Deposited files of the unit not on loan now, by code: the choices offered when lending."""
    on_loan = Loan.objects.filter(file=OuterRef("pk"), returned_at__isnull=True)
    return list(RecordFile.objects.filter(unit=unit, status=FileStatus.DEPOSITED).filter(~Exists(on_loan))
                .order_by("code").only("id", "code", "title")[:limit])


def appraisal_page(unit, cursor=None, limit=50, today=None):
    """Files of the unit past retention, not destroyed: listed for appraisal."""
    today = today or timezone.localdate()
    qs = (RecordFile.objects.filter(unit=unit, status__in=[FileStatus.CLOSED, FileStatus.DEPOSITED],
                                    expires_on__lte=today).select_related("retention"))
    return keyset_page(qs, ["expires_on", "id"], cursor=cursor, limit=limit)


def get_decision(decision_id):
    return get_object_or_404(DispositionDecision.objects.select_related("unit", "recorded_by"), pk=decision_id)


def decision_files(decision):
    return list(decision.files.select_related("retention").order_by("code"))


def decisions_of(unit):
    return list(DispositionDecision.objects.filter(unit=unit).order_by("-id")[:100])


def destruction_page(unit, cursor=None, limit=50):
    qs = DestructionRecord.objects.filter(file__unit=unit).select_related("decision", "destroyed_by", "file")
    return keyset_page(qs, ["-id"], cursor=cursor, limit=limit)
