"""/api/v1/records: retention table, file lists, files and their documents, workbench and progress, deposits with
the handover minutes, the usage register, appraisal and destruction."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from dieuhanh.units.selectors import get_unit

from . import exports, policy, selectors, services
from .models import DepositStatus, FileListEntry, FileStatus, ListStatus, Loan

router = Router(tags=["records"])


# --- schemas ---------------------------------------------------------------------------------------------------

class RetentionIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    label: str = Field(..., min_length=1, max_length=100)
    years: int | None = Field(None, ge=1, le=200, description="Empty for permanent")
    basis: str = Field("", max_length=255)
    active: bool = True


class RetentionOut(Schema):
    id: int
    code: str
    label: str
    years: int | None
    basis: str
    active: bool


class ListIn(Schema):
    unit_id: int
    year: int = Field(..., ge=1945, le=2200)


class CopyIn(Schema):
    year: int | None = Field(None, ge=1945, le=2200, description="Default: the next year")


class SectionIn(Schema):
    title: str = Field(..., min_length=1, max_length=255, examples=["I. Tổ chức, cán bộ"])


class EntryIn(Schema):
    symbol: str = Field(..., min_length=1, max_length=30, examples=["01.TCCB"])
    title: str = Field(..., min_length=1, max_length=500)
    retention_id: int
    section_id: int | None = None
    responsible_id: int | None = None
    responsible_name: str = Field("", max_length=150)
    notes: str = Field("", max_length=500)


class EntryPatch(Schema):
    symbol: str | None = Field(None, min_length=1, max_length=30)
    title: str | None = Field(None, min_length=1, max_length=500)
    retention_id: int | None = None
    section_id: int | None = None
    responsible_id: int | None = None
    responsible_name: str | None = Field(None, max_length=150)
    notes: str | None = Field(None, max_length=500)


class RecordEntryOut(Schema):
    id: int
    section_id: int | None
    symbol: str
    title: str
    retention_id: int
    retention: str
    responsible_id: int | None
    responsible_name: str
    notes: str


class ListOut(Schema):
    id: int
    unit_id: int
    year: int
    status: ListStatus
    approved_by: str | None
    approved_at: datetime.datetime | None
    sections: list[dict]
    entries: list[RecordEntryOut]


class FileIn(Schema):
    unit_id: int
    entry_id: int | None = Field(None, description="An entry of the unit's approved list; empty for an ad hoc file")
    year: int | None = Field(None, ge=1945, le=2200)
    symbol: str = Field("", max_length=30)
    title: str = Field("", max_length=500)
    retention_id: int | None = None
    responsible_id: int | None = None
    description: str = Field("", max_length=5000)
    notes: str = Field("", max_length=500)
    creator: str = Field("", max_length=150, description="Người lập hồ sơ; default: the person responsible")
    access_regime: str = Field("", max_length=100, description="Chế độ sử dụng; default: Hạn chế")
    language: str = Field("", max_length=20, description="Default: Tiếng Việt")


class FilePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=500)
    retention_id: int | None = None
    responsible_id: int | None = None
    description: str | None = Field(None, max_length=5000)
    notes: str | None = Field(None, max_length=500)
    creator: str | None = Field(None, max_length=150)
    access_regime: str | None = Field(None, max_length=100)
    language: str | None = Field(None, min_length=1, max_length=20)


class RecordFileOut(Schema):
    id: int
    unit_id: int
    year: int
    code: str
    symbol: str
    title: str
    retention_id: int
    retention: str
    status: FileStatus
    entry_id: int | None
    access_regime: str
    creator: str
    language: str
    description: str
    notes: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    document_count: int
    page_count: int
    expires_on: datetime.date | None
    deposit_id: int | None
    legal_hold: bool
    hold_reason: str


class FilePage(Schema):
    items: list[RecordFileOut]
    next_cursor: str | None


class DocumentIds(Schema):
    document_ids: list[int] = Field(..., min_length=1, max_length=services.MAX_BULK)


class CloseIn(Schema):
    title: str = Field(..., min_length=1, max_length=500, description="The title, confirmed")
    retention_id: int = Field(..., description="The retention period, confirmed")


class RecordReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class HoldIn(Schema):
    hold: bool
    reason: str = Field("", max_length=500)


class RecordItemOut(Schema):
    no: int
    document_id: int
    symbol: str
    date: datetime.date
    type_and_subject: str
    author: str
    pages: int
    notes: str


class RecordSuggestionOut(Schema):
    file_id: int
    code: str
    title: str
    score: int
    reasons: list[str] = Field(..., description="Among handler, type, subject")
    shared_words: list[str] = Field(..., description="Folded words the subject shares with the file title")


class RecordDocBase(Schema):
    id: int
    symbol: str
    issued_on: datetime.date | None
    type: str
    subject: str
    issuer: str


class DocOut(RecordDocBase):
    suggestions: list[RecordSuggestionOut] = Field([], description="Open files of the unit's year, best first")


class RecordDuplicateDocOut(RecordDocBase):
    filed: bool


class RecordDuplicateGroupOut(Schema):
    reasons: list[str] = Field(..., description="Among number (number, symbol, issuer, date) and file (SHA-256)")
    suggested_kept_id: int
    documents: list[RecordDuplicateDocOut]


class RecordMergeIn(Schema):
    unit_id: int
    year: int = Field(..., ge=1945, le=2200)
    kept_id: int
    duplicate_ids: list[int] = Field(..., min_length=1, max_length=services.MAX_BULK)


class RecordMarkOut(Schema):
    id: int
    unit_id: int
    document: RecordDocBase
    kept_id: int
    kept_symbol: str
    marked_by: str
    marked_at: datetime.datetime


class RecordMarkPage(Schema):
    items: list[RecordMarkOut]
    next_cursor: str | None


class RecordUnmarkIn(Schema):
    unit_id: int
    document_id: int = Field(..., description="The document marked as a duplicate")
    # checked by the service (required, at most 500 characters), so a bad reason is a 400 naming "reason"
    reason: str = ""


class RecordUnmarkOut(Schema):
    document_id: int
    unit_id: int
    kept_id: int


class DocPage(Schema):
    items: list[DocOut]
    next_cursor: str | None


class ProgressOut(Schema):
    unit_id: int
    year: int
    total: int
    filed: int
    percent: int


class RecordMergeOut(Schema):
    marked: int
    progress: ProgressOut


class DepositIn(Schema):
    unit_id: int
    file_ids: list[int] = Field(..., min_length=1, max_length=services.MAX_BULK)
    collection_name: str = Field(..., min_length=1, max_length=255)
    giver_name: str = Field(..., min_length=1, max_length=150)
    giver_position: str = Field(..., min_length=1, max_length=150)
    basis: str = Field("", max_length=500)
    condition: str = Field("", max_length=500)
    receiver_name: str = Field("", max_length=150)
    receiver_position: str = Field("", max_length=150)


class RecordAcceptIn(Schema):
    receiver_name: str = Field("", max_length=150)
    receiver_position: str = Field("", max_length=150)
    condition: str = Field("", max_length=500)


class DepositOut(Schema):
    id: int
    unit_id: int
    status: DepositStatus
    collection_name: str
    basis: str
    giver_name: str
    giver_position: str
    receiver_name: str
    receiver_position: str
    condition: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    file_count: int
    document_count: int
    file_codes: list[str]
    submitted_at: datetime.datetime
    decided_at: datetime.datetime | None
    reason: str


class DepositPage(Schema):
    items: list[DepositOut]
    next_cursor: str | None


class LoanIn(Schema):
    purpose: str = Field(..., min_length=1, max_length=500)
    borrower_id: int | None = None
    borrower_name: str = Field("", max_length=150)
    due_on: datetime.date | None = None


class LoanOut(Schema):
    id: int
    file_id: int
    file_code: str
    borrower_id: int | None
    borrower_name: str
    purpose: str
    lent_at: datetime.datetime
    due_on: datetime.date | None
    returned_at: datetime.datetime | None
    reminded_on: datetime.date | None = Field(None, description="When the daily job last reminded it overdue")


class LoanPage(Schema):
    items: list[LoanOut]
    next_cursor: str | None


class MemberIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    position: str = Field("", max_length=150)


class RecordDecisionIn(Schema):
    unit_id: int
    number: str = Field(..., min_length=1, max_length=50)
    decided_on: datetime.date
    members: list[MemberIn] = Field(..., min_length=1, max_length=50)
    file_ids: list[int] = Field(..., min_length=1, max_length=services.MAX_BULK)


class DecisionOut(Schema):
    id: int
    unit_id: int
    number: str
    decided_on: datetime.date
    members: list[dict]
    file_ids: list[int]
    executed_at: datetime.datetime | None


class DestructionOut(Schema):
    id: int
    file_id: int
    decision_id: int
    decision_number: str
    metadata: dict
    destroyed_at: datetime.datetime


class DestructionPage(Schema):
    items: list[DestructionOut]
    next_cursor: str | None


# --- lookups with permission checks (404 for what the caller may not see) --------------------------------------

def _unit(request, unit_id):
    unit = get_unit(unit_id)
    return policy.visible_or_404(request.user, unit, unit)


def _list(request, list_id):
    file_list = selectors.get_list(list_id)
    return policy.visible_or_404(request.user, file_list, file_list.unit)


def _file(request, file_id):
    file = selectors.get_file(file_id)
    return policy.visible_or_404(request.user, file, file.unit)


def _deposit(request, deposit_id):
    deposit = selectors.get_deposit(deposit_id)
    return policy.visible_or_404(request.user, deposit, deposit.unit)


def _year(year):
    if year is None:
        return datetime.date.today().year
    return year


def entry_out(e):
    return {"id": e.pk, "section_id": e.section_id, "symbol": e.symbol, "title": e.title,
            "retention_id": e.retention_id, "retention": e.retention.label, "responsible_id": e.responsible_id,
            "responsible_name": e.responsible_name, "notes": e.notes}


def list_out(file_list):
    entries = [e for _, es in selectors.sections_with_entries(file_list) for e in es]
    return {"id": file_list.pk, "unit_id": file_list.unit_id, "year": file_list.year, "status": file_list.status,
            "approved_by": file_list.approved_by.full_name if file_list.approved_by_id else None,
            "approved_at": file_list.approved_at,
            "sections": [{"id": s.pk, "title": s.title, "order": s.order} for s in file_list.sections.all()],
            "entries": [entry_out(e) for e in entries]}


def file_out(f):
    return {**{k: getattr(f, k) for k in RecordFileOut.model_fields if k not in ("retention",)},
            "retention": f.retention.label}


def deposit_out(d):
    return {k: getattr(d, k) for k in DepositOut.model_fields}


def loan_out(loan):
    return {"id": loan.pk, "file_id": loan.file_id, "file_code": loan.file.code, "borrower_id": loan.borrower_id,
            "borrower_name": loan.borrower_name, "purpose": loan.purpose, "lent_at": loan.lent_at,
            "due_on": loan.due_on, "returned_at": loan.returned_at, "reminded_on": loan.reminded_on}


def decision_out(d):
    return {"id": d.pk, "unit_id": d.unit_id, "number": d.number, "decided_on": d.decided_on, "members": d.members,
            "file_ids": sorted(d.files.values_list("id", flat=True)), "executed_at": d.executed_at}


# --- retention table -------------------------------------------------------------------------------------------

@router.get("/records/retention", response=list[RetentionOut], summary="The retention table")
def retention_list(request, include_inactive: bool = False):
    return list(selectors.retention_periods(active_only=not include_inactive))


@router.post("/records/retention", response={200: RetentionOut}, summary="Add or change a retention period")
def retention_save(request, payload: RetentionIn):
    return services.save_retention(actor=request.user, **payload.dict())


# --- file lists ------------------------------------------------------------------------------------------------

@router.get("/records/lists", response=list[ListOut], summary="The file lists of a unit, newest year first")
def lists(request, unit_id: int):
    unit = _unit(request, unit_id)
    return [list_out(fl) for fl in selectors.lists_of(unit)]


@router.post("/records/lists", response={201: ListOut}, summary="Start the file list of a unit for a year")
def list_create(request, payload: ListIn):
    unit = _unit(request, payload.unit_id)
    return 201, list_out(services.create_file_list(actor=request.user, unit=unit, year=payload.year))


@router.get("/records/lists/{list_id}", response=ListOut, summary="A file list with its sections and entries")
def list_detail(request, list_id: int):
    return list_out(_list(request, list_id))


@router.post("/records/lists/{list_id}/sections", response={201: dict}, summary="Add a section heading")
def section_add(request, list_id: int, payload: SectionIn):
    section = services.add_section(actor=request.user, file_list=_list(request, list_id), title=payload.title)
    return 201, {"id": section.pk, "title": section.title, "order": section.order}


@router.post("/records/lists/{list_id}/entries", response={201: RecordEntryOut}, summary="Add a planned file")
def entry_add(request, list_id: int, payload: EntryIn):
    entry = services.add_entry(actor=request.user, file_list=_list(request, list_id), **payload.dict())
    return 201, entry_out(entry)


def _entry(request, entry_id):
    entry = get_object_or_404(FileListEntry.objects.select_related("file_list", "file_list__unit", "retention"),
                              pk=entry_id)
    return policy.visible_or_404(request.user, entry, entry.file_list.unit)


@router.patch("/records/entries/{entry_id}", response=RecordEntryOut, summary="Change a planned file")
def entry_update(request, entry_id: int, payload: EntryPatch):
    entry = _entry(request, entry_id)
    data = payload.dict(exclude_unset=True)
    return entry_out(services.update_entry(actor=request.user, entry=entry, **data))


@router.delete("/records/entries/{entry_id}", response={204: None}, summary="Remove a planned file")
def entry_delete(request, entry_id: int):
    services.delete_entry(actor=request.user, entry=_entry(request, entry_id))
    return 204, None


@router.post("/records/lists/{list_id}/approve", response=ListOut, summary="Approve the list (a leader)")
def list_approve(request, list_id: int):
    return list_out(services.approve_list(actor=request.user, file_list=_list(request, list_id)))


@router.post("/records/lists/{list_id}/copy", response={201: ListOut}, summary="Copy to next year's list")
def list_copy(request, list_id: int, payload: CopyIn):
    new = services.copy_list(actor=request.user, file_list=_list(request, list_id), year=payload.year)
    return 201, list_out(new)


@router.get("/records/lists/{list_id}/xlsx", summary="The file list as .xlsx")
def list_xlsx(request, list_id: int):
    file_list = _list(request, list_id)
    return exports.download(exports.file_list_xlsx(file_list),
                            f"danh-muc-ho-so-{file_list.unit.code}-{file_list.year}.xlsx")


@router.get("/records/lists/{list_id}/pdf", summary="The file list as PDF")
def list_pdf(request, list_id: int):
    file_list = _list(request, list_id)
    return exports.download(exports.file_list_pdf(file_list),
                            f"danh-muc-ho-so-{file_list.unit.code}-{file_list.year}.pdf", "application/pdf")


# --- files -----------------------------------------------------------------------------------------------------

@router.get("/records/files", response=FilePage, summary="Files of a unit (by code, keyset pages)")
def file_list(request, unit_id: int, year: int | None = Query(None, ge=1945, le=2200),
              status: FileStatus | None = None, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    unit = _unit(request, unit_id)
    page = selectors.file_page(unit, year, status, cursor=cursor, limit=limit)
    return {"items": [file_out(f) for f in page.items], "next_cursor": page.next_cursor}


@router.get("/records/files/index.xlsx", summary="Index of files of a unit for a year (.xlsx)")
def files_index(request, unit_id: int, year: int = Query(..., ge=1945, le=2200)):
    unit = _unit(request, unit_id)
    return exports.download(exports.files_index_xlsx(unit, year), f"muc-luc-ho-so-{unit.code}-{year}.xlsx")


@router.post("/records/files", response={201: RecordFileOut}, summary="Open a file (from a list entry or ad hoc)")
def file_open(request, payload: FileIn):
    unit = _unit(request, payload.unit_id)
    entry = None
    if payload.entry_id is not None:
        entry = FileListEntry.objects.select_related("file_list", "retention", "responsible").filter(
            pk=payload.entry_id, file_list__unit=unit).first()
        if entry is None:
            raise ValidationError({"entry_id": _("Unknown entry %(id)s of this unit's lists.") % {
                "id": payload.entry_id}})
    data = payload.dict(exclude={"unit_id", "entry_id"})
    file = services.open_file(actor=request.user, unit=unit, entry=entry, **data)
    return 201, file_out(file)


@router.get("/records/files/{file_id}", response=RecordFileOut, summary="A file")
def file_detail(request, file_id: int):
    return file_out(_file(request, file_id))


@router.patch("/records/files/{file_id}", response=RecordFileOut, summary="Change an open file")
def file_update(request, file_id: int, payload: FilePatch):
    file = services.update_file(actor=request.user, file=_file(request, file_id), **payload.dict(exclude_unset=True))
    return file_out(selectors.get_file(file.pk))


def _items(file):
    return [{"no": n, "document_id": i.document_id, "symbol": i.document.symbol, "date": i.doc_date,
             "type_and_subject": f"{i.document.document_type.name}: {i.document.subject}",
             "author": i.document.issuer_name, "pages": i.document.page_count, "notes": i.notes}
            for n, i in enumerate(selectors.items_of(file), 1)]


@router.get("/records/files/{file_id}/documents", response=list[RecordItemOut], summary="Index of documents in a file")
def file_items(request, file_id: int):
    return _items(_file(request, file_id))


@router.post("/records/files/{file_id}/documents", response=list[RecordItemOut], summary="Attach documents")
def file_attach(request, file_id: int, payload: DocumentIds):
    file = _file(request, file_id)
    services.attach_documents(actor=request.user, file=file, document_ids=payload.document_ids)
    return _items(file)


@router.delete("/records/files/{file_id}/documents/{document_id}", response={204: None},
               summary="Take a document out of an open file")
def file_detach(request, file_id: int, document_id: int):
    services.detach_document(actor=request.user, file=_file(request, file_id), document_id=document_id)
    return 204, None


@router.get("/records/files/{file_id}/documents.xlsx", summary="Index of documents in a file (.xlsx)")
def file_items_xlsx(request, file_id: int):
    file = _file(request, file_id)
    return exports.download(exports.file_index_xlsx(file), f"muc-luc-van-ban-{file.code}.xlsx")


@router.post("/records/files/{file_id}/close", response=RecordFileOut,
             summary="Close a file (title, retention confirmed)")
def file_close(request, file_id: int, payload: CloseIn):
    file = services.close_file(actor=request.user, file=_file(request, file_id), title=payload.title,
                               retention_id=payload.retention_id)
    return file_out(file)


@router.post("/records/files/{file_id}/reopen", response=RecordFileOut, summary="Reopen a closed file not deposited")
def file_reopen(request, file_id: int, payload: RecordReasonIn):
    return file_out(services.reopen_file(actor=request.user, file=_file(request, file_id), reason=payload.reason))


@router.post("/records/files/{file_id}/hold", response=RecordFileOut, summary="Place or lift a legal hold (archive)")
def file_hold(request, file_id: int, payload: HoldIn):
    return file_out(services.set_legal_hold(actor=request.user, file=_file(request, file_id), hold=payload.hold,
                                            reason=payload.reason))


# --- workbench -------------------------------------------------------------------------------------------------

@router.get("/records/workbench", response=DocPage, summary="Documents of a unit's year in no file yet")
def workbench(request, unit_id: int, year: int | None = Query(None, ge=1945, le=2200), cursor: str | None = None,
              limit: int = Query(50, ge=1, le=200)):
    unit = _unit(request, unit_id)
    year = _year(year)
    page = selectors.workbench_page(request.user, unit, year, cursor=cursor, limit=limit)
    suggested = selectors.suggestions_for(unit, year, page.items)
    return {"items": [{"id": d.pk, "symbol": d.symbol, "issued_on": d.issued_on, "type": d.document_type.name,
                       "subject": d.subject, "issuer": d.issuer_name,
                       "suggestions": [{"file_id": s.file.pk, "code": s.file.code, "title": s.file.title,
                                        "score": s.score, "reasons": list(s.reasons),
                                        "shared_words": list(s.shared_words)} for s in suggested.get(d.pk, [])]}
                      for d in page.items],
            "next_cursor": page.next_cursor}


@router.get("/records/duplicates", response=list[RecordDuplicateGroupOut],
            summary="Documents of a unit's year that look registered twice, in groups")
def duplicates(request, unit_id: int, year: int | None = Query(None, ge=1945, le=2200)):
    unit = _unit(request, unit_id)
    return [{"reasons": list(g.reasons), "suggested_kept_id": g.suggested.pk,
             "documents": [{"id": d.pk, "symbol": d.symbol, "issued_on": d.issued_on, "type": d.document_type.name,
                            "subject": d.subject, "issuer": d.issuer_name, "filed": bool(d.filed)}
                           for d in g.documents]}
            for g in selectors.duplicate_groups(request.user, unit, _year(year))]


@router.post("/records/duplicates", response=RecordMergeOut,
             summary="Merge a duplicate group: keep one document, mark the others as its duplicates")
def merge_duplicates(request, payload: RecordMergeIn):
    unit = _unit(request, payload.unit_id)
    n = services.mark_duplicates(actor=request.user, unit=unit, year=payload.year, kept_id=payload.kept_id,
                                 duplicate_ids=payload.duplicate_ids)
    return {"marked": n, "progress": selectors.progress(unit, payload.year)}


def _doc_base(d):
    return {"id": d.pk, "symbol": d.symbol, "issued_on": d.issued_on, "type": d.document_type.name,
            "subject": d.subject, "issuer": d.issuer_name}


@router.get("/records/duplicates/marks", response=RecordMarkPage,
            summary="Documents of a unit's year marked as duplicates (newest first, keyset pages)")
def duplicate_marks(request, unit_id: int, year: int | None = Query(None, ge=1945, le=2200),
                    cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    unit = _unit(request, unit_id)
    page = selectors.duplicate_marks_page(request.user, unit, _year(year), cursor=cursor, limit=limit)
    return {"items": [{"id": m.pk, "unit_id": m.unit_id, "document": _doc_base(m.document), "kept_id": m.kept_id,
                       "kept_symbol": m.kept.symbol, "marked_by": m.marked_by.full_name or m.marked_by.username,
                       "marked_at": m.marked_at} for m in page.items],
            "next_cursor": page.next_cursor}


@router.post("/records/duplicates/undo", response=RecordUnmarkOut,
             summary="Undo a duplicate mark (reason required): the document returns to the workbench")
def duplicate_unmark(request, payload: RecordUnmarkIn):
    # shaped like the merge (POST /records/duplicates): the unit and the document in the body
    unit = _unit(request, payload.unit_id)
    mark = selectors.mark_of(unit, payload.document_id)
    if mark is None:
        raise ValidationError({"document_id": _("Document %(id)s is not marked as a duplicate in %(unit)s.") % {
            "id": payload.document_id, "unit": unit.name}})
    services.unmark_duplicate(actor=request.user, mark=mark, reason=payload.reason)
    return {"document_id": mark.document_id, "unit_id": mark.unit_id, "kept_id": mark.kept_id}


@router.get("/records/progress", response=ProgressOut, summary="Share of a unit's documents of a year filed")
def progress(request, unit_id: int, year: int | None = Query(None, ge=1945, le=2200)):
    return selectors.progress(_unit(request, unit_id), _year(year))


# --- deposits --------------------------------------------------------------------------------------------------

@router.get("/records/deposits", response=DepositPage, summary="Deposits of a unit, newest first")
def deposits(request, unit_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    page = selectors.deposit_page(_unit(request, unit_id), cursor=cursor, limit=limit)
    return {"items": [deposit_out(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post("/records/deposits", response={201: DepositOut}, summary="Submit closed files to the archive")
def deposit_create(request, payload: DepositIn):
    unit = _unit(request, payload.unit_id)
    deposit = services.create_deposit(actor=request.user, unit=unit, **payload.dict(exclude={"unit_id"}))
    return 201, deposit_out(deposit)


@router.get("/records/deposits/{deposit_id}", response=DepositOut, summary="A deposit")
def deposit_detail(request, deposit_id: int):
    return deposit_out(_deposit(request, deposit_id))


@router.post("/records/deposits/{deposit_id}/accept", response=DepositOut,
             summary="Accept after re-hashing every stored file (archive)")
def deposit_accept(request, deposit_id: int, payload: RecordAcceptIn):
    return deposit_out(services.accept_deposit(actor=request.user, deposit=_deposit(request, deposit_id),
                                               **payload.dict()))


@router.post("/records/deposits/{deposit_id}/refuse", response=DepositOut, summary="Refuse a deposit (archive)")
def deposit_refuse(request, deposit_id: int, payload: RecordReasonIn):
    return deposit_out(services.refuse_deposit(actor=request.user, deposit=_deposit(request, deposit_id),
                                               reason=payload.reason))


@router.get("/records/deposits/{deposit_id}/minutes.pdf", summary="Handover minutes with the deposit index (PDF)")
def deposit_minutes(request, deposit_id: int):
    deposit = _deposit(request, deposit_id)
    return exports.download(exports.minutes_pdf(deposit), f"bien-ban-giao-nhan-{deposit.pk}.pdf", "application/pdf")


@router.get("/records/deposits/{deposit_id}/index.xlsx", summary="The deposit index (.xlsx)")
def deposit_index(request, deposit_id: int):
    deposit = _deposit(request, deposit_id)
    return exports.download(exports.deposit_index_xlsx(deposit), f"muc-luc-nop-luu-{deposit.pk}.xlsx")


# --- usage register --------------------------------------------------------------------------------------------

@router.get("/records/loans", response=LoanPage, summary="The usage register of a unit's files")
def loans(request, unit_id: int, open_only: bool = False, cursor: str | None = None,
          limit: int = Query(50, ge=1, le=200)):
    page = selectors.loan_page(_unit(request, unit_id), cursor=cursor, limit=limit, open_only=open_only)
    return {"items": [loan_out(x) for x in page.items], "next_cursor": page.next_cursor}


@router.post("/records/files/{file_id}/loans", response={201: LoanOut}, summary="Lend a deposited file (archive)")
def loan_create(request, file_id: int, payload: LoanIn):
    loan = services.lend_file(actor=request.user, file=_file(request, file_id), **payload.dict())
    return 201, loan_out(loan)


@router.post("/records/loans/{loan_id}/return", response=LoanOut, summary="Record a return (archive)")
def loan_return(request, loan_id: int):
    loan = get_object_or_404(Loan.objects.select_related("file", "file__unit"), pk=loan_id)
    policy.visible_or_404(request.user, loan, loan.file.unit)
    return loan_out(services.return_loan(actor=request.user, loan=loan))


# --- appraisal and destruction ---------------------------------------------------------------------------------

@router.get("/records/appraisal", response=FilePage, summary="Files of a unit past retention")
def appraisal(request, unit_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    page = selectors.appraisal_page(_unit(request, unit_id), cursor=cursor, limit=limit)
    return {"items": [file_out(f) for f in page.items], "next_cursor": page.next_cursor}


@router.post("/records/decisions", response={201: DecisionOut}, summary="Record a council's destruction decision")
def decision_create(request, payload: RecordDecisionIn):
    unit = _unit(request, payload.unit_id)
    decision = services.record_decision(actor=request.user, unit=unit, number=payload.number,
                                        decided_on=payload.decided_on,
                                        members=[m.dict() for m in payload.members], file_ids=payload.file_ids)
    return 201, decision_out(decision)


@router.post("/records/decisions/{decision_id}/destroy", response=DecisionOut,
             summary="Destroy the files of a decision (archive)")
def decision_destroy(request, decision_id: int):
    decision = selectors.get_decision(decision_id)
    policy.visible_or_404(request.user, decision, decision.unit)
    services.destroy_files(actor=request.user, decision=decision)
    return decision_out(selectors.get_decision(decision_id))


@router.get("/records/destructions", response=DestructionPage, summary="Destruction records of a unit")
def destructions(request, unit_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    page = selectors.destruction_page(_unit(request, unit_id), cursor=cursor, limit=limit)
    return {"items": [{"id": r.pk, "file_id": r.file_id, "decision_id": r.decision_id,
                       "decision_number": r.decision.number, "metadata": r.metadata,
                       "destroyed_at": r.destroyed_at} for r in page.items],
            "next_cursor": page.next_cursor}
