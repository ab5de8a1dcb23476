"""Writes for records: one function per action (check permission, validate, write, audit, in one transaction).

File list (danh mục hồ sơ): drafted by the unit's staff, approved by a leader, copied to the next year.
Files (hồ sơ): opened from a list entry or ad hoc, documents attached, closed when the work ends, deposited to
the agency archive, where an archivist accepts them after re-hashing every stored file. Deposited files are
read-only to the unit; the archive lends them (usage register), and destroys them past retention by a council
decision, never while a legal hold stands.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dieuhanh.accounts.models import Membership, Role
from dieuhanh.accounts.policy import require
from dieuhanh.audit.services import record
from dieuhanh.documents import storage
from dieuhanh.documents.freeze import require_not_frozen
from dieuhanh.documents.models import Blob, Document, DocumentFile
from dieuhanh.documents.policy import can_view_document
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.text import nfc
from dieuhanh.notifications.services import notify_user
from dieuhanh.units.models import Unit

from . import policy, selectors
from .freezing import require_files_not_frozen
from .models import (
    Deposit,
    DepositStatus,
    DestructionRecord,
    DispositionDecision,
    DuplicateMark,
    FileItem,
    FileList,
    FileListEntry,
    FileListSection,
    FileStatus,
    ListStatus,
    Loan,
    RecordFile,
    RetentionPeriod,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from django.db.models import QuerySet

    from dieuhanh.accounts.models import User

MAX_BULK = 200
MIN_COUNCIL = 3
SYMBOL_RE = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-]{0,29}$")


# --- helpers ---------------------------------------------------------------------------------------------------

def _text(data: dict[str, Any], errors: dict[str, Any], field: str, limit: int, *, required: bool = False) -> str:
    value = nfc(str(data.get(field) or "")).strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    return value


def _year(year: int, field: str = "year") -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 1945 <= year <= 2200:
        raise ValidationError({field: _("A year between 1945 and 2200.")})
    return year


def _symbol(value: Any, errors: dict[str, Any], field: str = "symbol") -> str:
    value = nfc(str(value or "")).strip()
    if not value:
        errors[field] = _("This field is required.")
    elif not SYMBOL_RE.match(value):
        errors[field] = _("A file symbol such as 01.TCCB: letters, digits, dots and hyphens, at most 30.")
    return value


def _retention(retention_id: Any, field: str = "retention_id") -> RetentionPeriod:
    if retention_id in (None, ""):
        raise ValidationError({field: _("This field is required.")})
    try:
        return RetentionPeriod.objects.get(pk=int(retention_id), active=True)
    except (RetentionPeriod.DoesNotExist, TypeError, ValueError) as exc:
        raise ValidationError({field: _("Unknown retention period %(id)s.") % {"id": retention_id}}) from exc


def _member(unit: Unit, user_id: Any, field: str = "responsible_id") -> User | None:
    if user_id in (None, ""):
        return None
    user = get_user_model().objects.filter(
        pk=parse_id(user_id) or 0, is_active=True,
        pk__in=Membership.objects.active().filter(unit=unit).values("user_id")).first()
    if user is None:
        raise ValidationError({field: _("Person %(id)s does not work in %(unit)s.") % {
            "id": user_id, "unit": unit.name}})
    return user


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _locked_list(file_list: FileList) -> FileList:
    return FileList.objects.select_for_update().select_related("unit").get(pk=file_list.pk)


def _locked_file(file: RecordFile) -> RecordFile:
    """The file, locked for a write on it; refused while it is frozen (every write on one file comes here)."""
    file = RecordFile.objects.select_for_update().select_related("unit", "retention").get(pk=file.pk)
    require_files_not_frozen(file)
    return file


def _require_view(actor: User, unit: Unit) -> None:
    if not policy.can_view_records(actor, unit):
        raise PermissionDenied(_("You cannot see the records of this unit."))


def _editable_list(file_list: FileList) -> None:
    if file_list.status != ListStatus.DRAFTED:
        raise ValidationError({"status": _("The list is approved and can no longer be changed; "
                                           "copy it to a new year instead.")})


# --- retention table -------------------------------------------------------------------------------------------

@transaction.atomic
def save_retention(*, actor: User, code: str, label: str, years: Any = None, basis: str = "",
                   active: bool = True) -> RetentionPeriod:
    """Add or change a row of the retention table (system administrators)."""
    require(policy.can_manage_retention(actor), _("Only system administrators change the retention table."))
    errors: dict[str, Any] = {}
    data = {"code": code, "label": label, "basis": basis}
    code = _text(data, errors, "code", 20, required=True)
    label = _text(data, errors, "label", 100, required=True)
    basis = _text(data, errors, "basis", 255)
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 200):
        errors["years"] = _("Empty for permanent, or 1 to 200 years.")
    _raise(errors)
    row, created = RetentionPeriod.objects.update_or_create(
        code=code, defaults={"label": label, "years": years, "basis": basis, "active": bool(active)})
    record(actor=actor, action="records.retention_save", obj=row,
           data={"code": code, "label": label, "years": years, "created": created})
    return row


# --- file list -------------------------------------------------------------------------------------------------

@transaction.atomic
def create_file_list(*, actor: User, unit: Unit, year: int) -> FileList:
    require(policy.can_keep(actor, unit), _("Only the unit's clerks and specialists draft its file list."))
    year = _year(year)
    if FileList.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": _("%(unit)s already has a file list for %(year)s.") % {
            "unit": unit.name, "year": year}})
    file_list = FileList.objects.create(unit=unit, year=year, created_by=actor)
    record(actor=actor, action="records.list_create", obj=file_list, unit=unit, data={"year": year})
    return file_list


@transaction.atomic
def add_section(*, actor: User, file_list: FileList, title: str, order: int | None = None) -> FileListSection:
    file_list = _locked_list(file_list)
    require(policy.can_keep(actor, file_list.unit), _("Only the unit's clerks and specialists edit its file list."))
    _editable_list(file_list)
    errors: dict[str, Any] = {}
    title = _text({"title": title}, errors, "title", 255, required=True)
    _raise(errors)
    if order is None:
        order = (file_list.sections.aggregate(m=Max("order"))["m"] or 0) + 1
    section = FileListSection.objects.create(file_list=file_list, title=title, order=order)
    record(actor=actor, action="records.section_add", obj=file_list, unit=file_list.unit, data={"title": title})
    return section


def _clean_entry(file_list: FileList, data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    if "symbol" in data or not partial:
        cleaned["symbol"] = _symbol(data.get("symbol"), errors)
    if "title" in data or not partial:
        cleaned["title"] = _text(data, errors, "title", 500, required=True)
    if "notes" in data:
        cleaned["notes"] = _text(data, errors, "notes", 500)
    if "responsible_name" in data:
        cleaned["responsible_name"] = _text(data, errors, "responsible_name", 150)
    _raise(errors)
    if "retention_id" in data or not partial:
        cleaned["retention"] = _retention(data.get("retention_id"))
    if "section_id" in data:
        section_id = data.get("section_id")
        section = None
        if section_id not in (None, ""):
            section = FileListSection.objects.filter(
                pk=parse_id(section_id) or 0, file_list=file_list).first()
            if section is None:
                raise ValidationError({"section_id": _("Unknown section %(id)s of this list.") % {"id": section_id}})
        cleaned["section"] = section
    if "responsible_id" in data:
        user = _member(file_list.unit, data.get("responsible_id"))
        cleaned["responsible"] = user
        if user is not None and not cleaned.get("responsible_name"):
            cleaned["responsible_name"] = user.full_name or user.username
    return cleaned


@transaction.atomic
def add_entry(*, actor: User, file_list: FileList, **data: Any) -> FileListEntry:
    """A planned file: symbol, title, retention_id; optional section_id, responsible_id/responsible_name, notes."""
    file_list = _locked_list(file_list)
    require(policy.can_keep(actor, file_list.unit), _("Only the unit's clerks and specialists edit its file list."))
    _editable_list(file_list)
    cleaned = _clean_entry(file_list, data)
    if file_list.entries.filter(symbol=cleaned["symbol"]).exists():
        raise ValidationError({"symbol": _("The list already has a file %(symbol)s.") % {"symbol": cleaned["symbol"]}})
    order = (file_list.entries.aggregate(m=Max("order"))["m"] or 0) + 1
    entry = FileListEntry.objects.create(file_list=file_list, order=order, **cleaned)
    record(actor=actor, action="records.entry_add", obj=entry, unit=file_list.unit,
           data={"symbol": entry.symbol, "title": entry.title, "retention": entry.retention.label})
    return entry


@transaction.atomic
def update_entry(*, actor: User, entry: FileListEntry, **data: Any) -> FileListEntry:
    file_list = _locked_list(entry.file_list)
    require(policy.can_keep(actor, file_list.unit), _("Only the unit's clerks and specialists edit its file list."))
    _editable_list(file_list)
    cleaned = _clean_entry(file_list, data, partial=True)
    if "symbol" in cleaned and file_list.entries.filter(symbol=cleaned["symbol"]).exclude(pk=entry.pk).exists():
        raise ValidationError({"symbol": _("The list already has a file %(symbol)s.") % {"symbol": cleaned["symbol"]}})
    for key, value in cleaned.items():
        setattr(entry, key, value)
    entry.save()
    record(actor=actor, action="records.entry_update", obj=entry, unit=file_list.unit, data={"fields": sorted(cleaned)})
    return entry


@transaction.atomic
def delete_entry(*, actor: User, entry: FileListEntry) -> None:
    file_list = _locked_list(entry.file_list)
    require(policy.can_keep(actor, file_list.unit), _("Only the unit's clerks and specialists edit its file list."))
    _editable_list(file_list)
    if entry.files.exists():
        raise ValidationError({"entry": _("A file was opened from this entry.")})
    record(actor=actor, action="records.entry_delete", obj=entry, unit=file_list.unit, data={"symbol": entry.symbol})
    entry.delete()


@transaction.atomic
def approve_list(*, actor: User, file_list: FileList) -> FileList:
    file_list = _locked_list(file_list)
    require(policy.can_approve_list(actor, file_list.unit), _("Only a leader of the unit approves its file list."))
    _editable_list(file_list)
    if not file_list.entries.exists():
        raise ValidationError({"entries": _("The list has no files yet.")})
    file_list.status, file_list.approved_by, file_list.approved_at = ListStatus.APPROVED, actor, timezone.now()
    file_list.save(update_fields=["status", "approved_by", "approved_at"])
    record(actor=actor, action="records.list_approve", obj=file_list, unit=file_list.unit,
           data={"year": file_list.year, "entries": file_list.entries.count()})
    return file_list


@transaction.atomic
def copy_list(*, actor: User, file_list: FileList, year: int | None = None) -> FileList:
    """Next year's list, drafted, with this list's sections and entries."""
    source = file_list
    year = _year(year if year is not None else source.year + 1)
    require(policy.can_keep(actor, source.unit), _("Only the unit's clerks and specialists draft its file list."))
    if FileList.objects.filter(unit=source.unit, year=year).exists():
        raise ValidationError({"year": _("%(unit)s already has a file list for %(year)s.") % {
            "unit": source.unit.name, "year": year}})
    new = FileList.objects.create(unit=source.unit, year=year, created_by=actor, copied_from=source)
    sections: dict[int | None, FileListSection] = {}
    for s in source.sections.all():
        sections[s.pk] = FileListSection.objects.create(file_list=new, title=s.title, order=s.order)
    FileListEntry.objects.bulk_create([
        FileListEntry(file_list=new, section=sections.get(e.section_id), symbol=e.symbol, title=e.title,
                      retention_id=e.retention_id, responsible_id=e.responsible_id,
                      responsible_name=e.responsible_name, notes=e.notes, order=e.order)
        for e in source.entries.all()])
    record(actor=actor, action="records.list_copy", obj=new, unit=new.unit,
           data={"from_year": source.year, "year": year})
    return new


# --- files -----------------------------------------------------------------------------------------------------

def file_code(unit: Unit, year: int, symbol: str) -> str:
    return f"{unit.code}.{year}.{symbol}"


@transaction.atomic
def open_file(*, actor: User, unit: Unit, year: int | None = None, entry: FileListEntry | None = None,
              symbol: str = "", title: str = "", retention_id: int | None = None, responsible_id: int | None = None,
              description: str = "", notes: str = "", creator: str = "", access_regime: str = "",
              language: str = "") -> RecordFile:
    """Open a file from an entry of the unit's approved list (its symbol, title and retention by default) or ad
    hoc (symbol, title, retention_id required)."""
    require(policy.can_keep(actor, unit), _("Only the unit's clerks and specialists open files."))
    errors: dict[str, Any] = {}
    data = {"title": title, "description": description, "notes": notes, "creator": creator,
            "access_regime": access_regime, "language": language}
    if entry is not None:
        if entry.file_list.unit_id != unit.pk:
            raise ValidationError({"entry_id": _("The entry belongs to another unit's list.")})
        if entry.file_list.status != ListStatus.APPROVED:
            raise ValidationError({"entry_id": _("The file list is not approved yet.")})
        year = entry.file_list.year
        symbol = entry.symbol
        title = _text(data, errors, "title", 500) or entry.title
        retention = _retention(retention_id) if retention_id not in (None, "") else entry.retention
        responsible = _member(unit, responsible_id) if responsible_id not in (None, "") else entry.responsible
    else:
        year = _year(year if year is not None else timezone.localdate().year)
        symbol = _symbol(symbol, errors)
        title = _text(data, errors, "title", 500, required=True)
        _raise(errors)
        retention = _retention(retention_id)
        responsible = _member(unit, responsible_id)
    description = _text(data, errors, "description", 5000)
    notes = _text(data, errors, "notes", 500)
    extra = {field: value for field, limit in (("creator", 150), ("access_regime", 100), ("language", 20))
             if (value := _text(data, errors, field, limit))}
    _raise(errors)
    responsible = responsible or actor
    # The creator (người lập hồ sơ) is an electronic file field: by default the person responsible for the file.
    extra.setdefault("creator", responsible.full_name or responsible.username)
    code = file_code(unit, year, symbol)
    if RecordFile.objects.filter(code=code).exists():
        raise ValidationError({"symbol": _("File %(code)s is already open.") % {"code": code}})
    file = RecordFile.objects.create(
        unit=unit, year=year, entry=entry, symbol=symbol, code=code, title=title, retention=retention,
        responsible=responsible, description=description, notes=notes, opened_by=actor, **extra)
    record(actor=actor, action="records.file_open", obj=file, unit=unit,
           data={"code": code, "title": title, "retention": retention.label, "entry": entry.pk if entry else None})
    return file


def _require_keeper_of_open(actor: User, file: RecordFile, verb: str) -> None:
    require(policy.can_keep(actor, file.unit), _("Only the unit's clerks and specialists work on its files."))
    if file.status != FileStatus.OPEN:
        message = (_("File %(code)s is %(status)s; it cannot be closed.") if verb == "closed"
                   else _("File %(code)s is %(status)s; it cannot be changed."))
        raise ValidationError({"status": message % {"code": file.code, "status": file.get_status_display().lower()}})


@transaction.atomic
def update_file(*, actor: User, file: RecordFile, **data: Any) -> RecordFile:
    file = _locked_file(file)
    _require_keeper_of_open(actor, file, "changed")
    errors: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    for field, limit in (("title", 500), ("description", 5000), ("notes", 500), ("creator", 150),
                         ("access_regime", 100), ("language", 20)):
        if field in data:
            changed[field] = _text(data, errors, field, limit, required=field in ("title", "language"))
    _raise(errors)
    if "retention_id" in data:
        changed["retention"] = _retention(data["retention_id"])
    if "responsible_id" in data:
        changed["responsible"] = _member(file.unit, data["responsible_id"])
    for key, value in changed.items():
        setattr(file, key, value)
    file.save()
    record(actor=actor, action="records.file_update", obj=file, unit=file.unit, data={"fields": sorted(changed)})
    return file


def _ids(values: Any, field: str = "document_ids") -> list[int]:
    if not isinstance(values, list | tuple) or not values:
        raise ValidationError({field: _("Choose at least one document.")})
    if len(values) > MAX_BULK:
        raise ValidationError({field: _("At most %(n)s documents at a time.") % {"n": MAX_BULK}})
    ids = []
    for v in values:
        parsed = parse_id(v)
        if parsed is None:
            raise ValidationError({field: _("Not a document id: %(value)s.") % {"value": v}})
        ids.append(parsed)
    if len(set(ids)) != len(ids):
        raise ValidationError({field: _("A document is listed twice.")})
    return ids


def _doc_date(document: Document) -> datetime.date:
    return document.issued_on or timezone.localtime(document.created_at).date()


@transaction.atomic
def attach_documents(*, actor: User, file: RecordFile, document_ids: Sequence[int]) -> int:
    """Attach documents the actor may open; a document already in the file is refused (no duplicates)."""
    file = _locked_file(file)
    _require_keeper_of_open(actor, file, "changed")
    ids = _ids(document_ids)
    documents = {d.pk: d for d in Document.objects.filter(pk__in=ids).select_related("issuing_unit")}
    for doc_id in ids:
        document = documents.get(doc_id)
        if document is None or not can_view_document(actor, document):
            raise ValidationError({"document_ids": _("Document %(id)s does not exist or you cannot open it.") % {
                "id": doc_id}})
    require_not_frozen(*ids)
    already = set(FileItem.objects.filter(file=file, document_id__in=ids).values_list("document_id", flat=True))
    if already:
        raise ValidationError({"document_ids": _("Document %(id)s is already in file %(code)s.") % {
            "id": min(already), "code": file.code}})
    mark = DuplicateMark.objects.filter(unit=file.unit, document_id__in=ids).order_by("document_id").first()
    if mark is not None:
        raise ValidationError({"document_ids": _("Document %(id)s is marked as a duplicate of document %(kept)s; "
                                                 "file that one instead.") % {
            "id": mark.document_id, "kept": mark.kept_id}})
    FileItem.objects.bulk_create([FileItem(file=file, document=documents[i], doc_date=_doc_date(documents[i]),
                                           added_by=actor) for i in ids])
    record(actor=actor, action="records.attach", obj=file, unit=file.unit, data={"documents": ids})
    return len(ids)


@transaction.atomic
def detach_document(*, actor: User, file: RecordFile, document_id: int) -> None:
    file = _locked_file(file)
    _require_keeper_of_open(actor, file, "changed")
    if isinstance(document_id, int):
        require_not_frozen(document_id)
    deleted, _count = FileItem.objects.filter(file=file, document_id=document_id).delete()
    if not deleted:
        raise ValidationError({"document_id": _("Document %(id)s is not in file %(code)s.") % {
            "id": document_id, "code": file.code}})
    record(actor=actor, action="records.detach", obj=file, unit=file.unit, data={"document": document_id})


@transaction.atomic
def mark_duplicates(*, actor: User, unit: Unit, year: int, kept_id: Any, duplicate_ids: Sequence[int]) -> int:
    """Merge documents of the unit registered twice: keep ``kept_id`` and mark ``duplicate_ids`` as its duplicates,
    so they leave the workbench and the progress count. Nothing is deleted; the mark is the unit's. All must be
    documents of the unit's ``year`` the actor may open, linked to the kept one (same folded number and symbol,
    issuer and date, or same main file), not marked already, and the duplicates in none of the unit's files."""
    require(policy.can_keep(actor, unit), _("Only the unit's clerks and specialists keep its records."))
    year = _year(year)
    kept_id = parse_id(kept_id)
    if kept_id is None:
        raise ValidationError({"kept_id": _("Choose the document to keep.")})
    ids = _ids(duplicate_ids, "duplicate_ids")
    if kept_id in ids:
        raise ValidationError({"duplicate_ids": _("The document kept cannot be its own duplicate.")})
    everyone = [kept_id, *ids]
    # lock the documents so two people merging the same group one after the other see each other's marks
    documents = {d.pk: d for d in Document.objects.select_for_update(of=("self",)).filter(pk__in=everyone)
                 .select_related("issuing_unit").order_by("pk")}  # rows of one table in pk order (decision 0038)
    for doc_id in everyone:
        document = documents.get(doc_id)
        if document is None or not can_view_document(actor, document):
            raise ValidationError({"duplicate_ids": _("Document %(id)s does not exist or you cannot open it.") % {
                "id": doc_id}})
    ours = set(selectors.unit_documents(unit, year).filter(pk__in=everyone).values_list("pk", flat=True))
    if stray := [i for i in everyone if i not in ours]:
        raise ValidationError({"duplicate_ids": _("Document %(id)s is not a document of %(unit)s for %(year)s.") % {
            "id": stray[0], "unit": unit.name, "year": year}})
    marked = DuplicateMark.objects.filter(unit=unit, document_id__in=everyone).order_by("document_id").first()
    if marked is not None:
        raise ValidationError({"duplicate_ids": _("Document %(id)s is already marked as a duplicate of document "
                                                  "%(kept)s.") % {
            "id": marked.document_id, "kept": marked.kept_id}})
    groups = selectors.link_duplicates(Document.objects.filter(pk__in=everyone))
    if not any(set(everyone) <= set(group) for group, _ in groups):
        raise ValidationError({"duplicate_ids": _("These documents do not look like one document registered twice: "
                                                  "they share neither number, symbol, issuer and date nor the file.")})
    filed = (FileItem.objects.filter(document_id__in=ids, file__unit=unit).exclude(file__status=FileStatus.DESTROYED)
             .select_related("file").order_by("document_id").first())
    if filed is not None:
        raise ValidationError({"duplicate_ids": _("Document %(id)s is in file %(code)s; keep that one, or take it out "
                                                  "of the file first.") % {
            "id": filed.document_id, "code": filed.file.code}})
    require_not_frozen(*ids)
    DuplicateMark.objects.bulk_create([DuplicateMark(unit=unit, document_id=i, kept_id=kept_id, marked_by=actor)
                                       for i in ids])
    record(actor=actor, action="records.mark_duplicates", obj=documents[kept_id], unit=unit,
           data={"kept": kept_id, "duplicates": ids, "year": year})
    return len(ids)


@transaction.atomic
def unmark_duplicate(*, actor: User, mark: DuplicateMark, reason: str) -> Document:
    """Undo a duplicate mark: the document counts for the unit again and returns to its workbench (decision 0027).
    The same people as for marking (the unit's keepers, who may open the document); a reason is required and kept
    in the audit event with what the mark said (the mark row goes, so the document can be marked again later).
    The undo restores the state the mark was made from, so it is refused while the copy is frozen or sits in one
    of the unit's files (only data made outside the rules puts it there: ``attach_documents`` refuses a marked
    copy and ``close_file`` a file holding one); the error names the file and says what to do."""
    require(policy.can_keep(actor, mark.unit), _("Only the unit's clerks and specialists keep its records."))
    errors: dict[str, Any] = {}
    reason = _text({"reason": reason}, errors, "reason", 500, required=True)
    _raise(errors)
    # lock the document as marking does, so an undo and a new mark of the same copy follow one another; the
    # document before its mark (parents before children, decision 0038)
    document = (Document.objects.select_for_update(of=("self",)).select_related("issuing_unit")
                .filter(pk=mark.document_id).first())
    locked = DuplicateMark.objects.select_for_update().filter(pk=mark.pk).first()
    if locked is None:
        raise ValidationError({"mark": _("This duplicate mark was already undone.")})
    mark = locked
    if document is None or not can_view_document(actor, document):
        raise ValidationError({"mark": _("Document %(id)s does not exist or you cannot open it.") % {
            "id": mark.document_id}})
    require_not_frozen(document)
    filed = (FileItem.objects.filter(document=document, file__unit=mark.unit)
             .exclude(file__status=FileStatus.DESTROYED).select_related("file").order_by("file__code").first())
    if filed is not None:
        file = filed.file
        if file.status == FileStatus.OPEN:
            message = _("Document %(id)s, marked as a duplicate, is in file %(code)s; take it out of the file "
                        "first, then undo the mark.")
        else:
            message = _("Document %(id)s, marked as a duplicate, is in file %(code)s, which is %(status)s; the "
                        "mark cannot be undone while that file holds it.")
        raise ValidationError({"mark": message % {"id": document.pk, "code": file.code,
                                                  "status": file.get_status_display().lower()}})
    record(actor=actor, action="records.unmark_duplicate", obj=document, unit=mark.unit,
           data={"document": mark.document_id, "kept": mark.kept_id, "marked_by": mark.marked_by_id,
                 "marked_at": mark.marked_at.isoformat(), "reason": reason})
    mark.delete()
    return document


def expiry(end_date: datetime.date, retention: RetentionPeriod) -> datetime.date | None:
    """Retention runs from 1 January of the year after the work ended; permanent files never expire."""
    if retention.years is None or end_date is None:
        return None
    return datetime.date(end_date.year + retention.years + 1, 1, 1)


@transaction.atomic
def close_file(*, actor: User, file: RecordFile, title: str, retention_id: int) -> RecordFile:
    """Close a file when the work ends. The caller confirms the title and the retention period; the file must
    hold at least one document and no document twice."""
    file = _locked_file(file)
    _require_keeper_of_open(actor, file, "closed")
    errors: dict[str, Any] = {}
    title = _text({"title": title}, errors, "title", 500, required=True)
    _raise(errors)
    retention = _retention(retention_id)
    items = FileItem.objects.filter(file=file)
    stats = items.aggregate(start=Min("doc_date"), end=Max("doc_date"), pages=Sum("document__page_count"))
    count = items.count()
    if count == 0:
        raise ValidationError({"documents": _("File %(code)s holds no document yet.") % {"code": file.code}})
    if items.values("document_id").distinct().count() != count:
        raise ValidationError({"documents": _("File %(code)s holds a document twice.") % {"code": file.code}})
    # the same check for a document registered twice: a copy marked as a duplicate has no place in a file
    mark = (DuplicateMark.objects.filter(unit=file.unit, document_id__in=items.values("document_id"))
            .order_by("document_id").first())
    if mark is not None:
        raise ValidationError({"documents": _("File %(code)s holds document %(id)s, marked as a duplicate of document "
                                              "%(kept)s; take it out first.") % {
            "code": file.code, "id": mark.document_id, "kept": mark.kept_id}})
    file.title, file.retention = title, retention
    file.start_date, file.end_date = stats["start"], stats["end"]
    file.document_count, file.page_count = count, stats["pages"] or 0
    file.expires_on = expiry(file.end_date, retention)
    file.status, file.closed_by, file.closed_at = FileStatus.CLOSED, actor, timezone.now()
    file.save()
    record(actor=actor, action="records.file_close", obj=file, unit=file.unit,
           data={"code": file.code, "title": title, "retention": retention.label, "documents": count,
                 "start": file.start_date, "end": file.end_date})
    return file


@transaction.atomic
def reopen_file(*, actor: User, file: RecordFile, reason: str) -> RecordFile:
    """A closed file not yet deposited goes back to open (the work resumed)."""
    file = _locked_file(file)
    require(policy.can_keep(actor, file.unit), _("Only the unit's clerks and specialists work on its files."))
    errors: dict[str, Any] = {}
    reason = _text({"reason": reason}, errors, "reason", 500, required=True)
    _raise(errors)
    if file.status != FileStatus.CLOSED or file.deposit_id is not None:
        raise ValidationError({"status": _("File %(code)s is %(status)s; only a closed file not submitted for deposit "
                                           "can be reopened.") % {
            "code": file.code, "status": file.get_status_display().lower()}})
    file.status, file.closed_at, file.closed_by = FileStatus.OPEN, None, None
    file.save()
    record(actor=actor, action="records.file_reopen", obj=file, unit=file.unit, data={"reason": reason})
    return file


@transaction.atomic
def set_legal_hold(*, actor: User, file: RecordFile, hold: bool, reason: str = "") -> RecordFile:
    file = _locked_file(file)
    require(policy.is_archivist_for(actor, file.unit), _("Only the archive places or lifts legal holds."))
    errors: dict[str, Any] = {}
    reason = _text({"reason": reason}, errors, "reason", 500, required=bool(hold))
    _raise(errors)
    file.legal_hold, file.hold_reason = bool(hold), reason if hold else ""
    file.save(update_fields=["legal_hold", "hold_reason"])
    record(actor=actor, action="records.hold" if hold else "records.hold_lift", obj=file, unit=file.unit,
           data={"code": file.code, "reason": reason})
    return file


# --- deposits --------------------------------------------------------------------------------------------------

@transaction.atomic
def create_deposit(*, actor: User, unit: Unit, file_ids: Sequence[int], collection_name: Any, giver_name: Any,
                   giver_position: Any, basis: str = "", condition: str = "",
                   receiver_name: str = "", receiver_position: str = "") -> Deposit:
    """Submit closed files of ``unit`` to the agency archive."""
    require(policy.can_keep(actor, unit), _("Only the unit's clerks and specialists deposit its files."))
    errors: dict[str, Any] = {}
    data = {"collection_name": collection_name, "giver_name": giver_name, "giver_position": giver_position,
            "basis": basis, "condition": condition, "receiver_name": receiver_name,
            "receiver_position": receiver_position}
    cleaned = {
        "collection_name": _text(data, errors, "collection_name", 255, required=True),
        "giver_name": _text(data, errors, "giver_name", 150, required=True),
        "giver_position": _text(data, errors, "giver_position", 150, required=True),
        "basis": _text(data, errors, "basis", 500),
        "condition": _text(data, errors, "condition", 500),
        "receiver_name": _text(data, errors, "receiver_name", 150),
        "receiver_position": _text(data, errors, "receiver_position", 150),
    }
    _raise(errors)
    ids = _ids(file_ids, "file_ids")
    # locked in primary-key order (decision 0038), listed in code order
    files = sorted(RecordFile.objects.select_for_update().filter(pk__in=ids, unit=unit).order_by("pk"),
                   key=lambda f: f.code)
    found = {f.pk for f in files}
    for file_id in ids:
        if file_id not in found:
            raise ValidationError({"file_ids": _("File %(id)s is not a file of %(unit)s.") % {
                "id": file_id, "unit": unit.name}})
    require_files_not_frozen(*files)
    for f in files:
        if f.status != FileStatus.CLOSED:
            raise ValidationError({"file_ids": _("File %(code)s is %(status)s; only closed files are deposited.") % {
                "code": f.code, "status": f.get_status_display().lower()}})
        if f.deposit_id is not None:
            raise ValidationError({"file_ids": _("File %(code)s is already in deposit %(deposit)s.") % {
                "code": f.code, "deposit": f.deposit_id}})
    deposit = Deposit.objects.create(
        unit=unit, submitted_by=actor, file_codes=[f.code for f in files], file_count=len(files),
        document_count=sum(f.document_count for f in files),
        start_date=min((f.start_date for f in files if f.start_date), default=None),
        end_date=max((f.end_date for f in files if f.end_date), default=None), **cleaned)
    RecordFile.objects.filter(pk__in=found).update(deposit=deposit)
    record(actor=actor, action="records.deposit_submit", obj=deposit, unit=unit,
           data={"files": deposit.file_codes, "documents": deposit.document_count})
    return deposit


def _locked_deposit(deposit: Deposit) -> Deposit:
    return Deposit.objects.select_for_update().select_related("unit").get(pk=deposit.pk)


def verify_deposit(deposit: Deposit) -> int:
    """Re-hash every stored file of every document in the deposit; a mismatch names the file and the document."""
    rows = list(DocumentFile.objects.filter(document__record_items__file__deposit=deposit).order_by("id")
                .values_list("blob_id", "name", "document__symbol", "document_id",
                             "document__record_items__file__code").distinct())
    blobs = Blob.objects.in_bulk({row[0] for row in rows})
    checked = set()
    for blob_id, name, symbol, document_id, code in rows:
        if blob_id in checked:
            continue
        try:
            storage.verify(blobs[blob_id])
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            raise ValidationError({"files": _("%(code)s: document %(document)s, file «%(name)s»: %(reason)s") % {
                "code": code, "document": symbol or "#" + str(document_id), "name": name, "reason": reason}}) from exc
        checked.add(blob_id)
    return len(checked)


@transaction.atomic
def accept_deposit(*, actor: User, deposit: Deposit, receiver_name: str = "", receiver_position: str = "",
                   condition: str = "") -> Deposit:
    """The archive accepts after checking: every stored file must still match its SHA-256."""
    deposit = _locked_deposit(deposit)
    require(policy.is_archivist_for(actor, deposit.unit), _("Only the archive accepts deposits."))
    require_files_not_frozen(*deposit.files.all())
    if deposit.status != DepositStatus.SUBMITTED:
        raise ValidationError({"status": _("The deposit is %(status)s.") % {
            "status": deposit.get_status_display().lower()}})
    errors: dict[str, Any] = {}
    data = {"receiver_name": receiver_name, "receiver_position": receiver_position, "condition": condition}
    receiver_name = _text(data, errors, "receiver_name", 150) or deposit.receiver_name or actor.full_name
    receiver_position = _text(data, errors, "receiver_position", 150) or deposit.receiver_position
    condition = _text(data, errors, "condition", 500)
    _raise(errors)
    if not receiver_position:
        raise ValidationError({"receiver_position": _("This field is required.")})
    checked = verify_deposit(deposit)
    deposit.status, deposit.decided_by, deposit.decided_at = DepositStatus.ACCEPTED, actor, timezone.now()
    deposit.receiver_name, deposit.receiver_position = receiver_name, receiver_position
    if condition:
        deposit.condition = condition
    deposit.save()
    deposit.files.update(status=FileStatus.DEPOSITED)
    record(actor=actor, action="records.deposit_accept", obj=deposit, unit=deposit.unit,
           data={"files": deposit.file_codes, "blobs_verified": checked})
    return deposit


@transaction.atomic
def refuse_deposit(*, actor: User, deposit: Deposit, reason: str) -> Deposit:
    deposit = _locked_deposit(deposit)
    require(policy.is_archivist_for(actor, deposit.unit), _("Only the archive refuses deposits."))
    require_files_not_frozen(*deposit.files.all())
    if deposit.status != DepositStatus.SUBMITTED:
        raise ValidationError({"status": _("The deposit is %(status)s.") % {
            "status": deposit.get_status_display().lower()}})
    errors: dict[str, Any] = {}
    reason = _text({"reason": reason}, errors, "reason", 500, required=True)
    _raise(errors)
    deposit.status, deposit.decided_by, deposit.decided_at, deposit.reason = (
        DepositStatus.REFUSED, actor, timezone.now(), reason)
    deposit.save()
    deposit.files.update(deposit=None)
    record(actor=actor, action="records.deposit_refuse", obj=deposit, unit=deposit.unit, data={"reason": reason})
    return deposit


# --- usage register --------------------------------------------------------------------------------------------

@transaction.atomic
def lend_file(*, actor: User, file: RecordFile, purpose: str, borrower_id: int | None = None, borrower_name: str = "",
              due_on: datetime.date | None = None) -> Loan:
    file = _locked_file(file)
    require(policy.is_archivist_for(actor, file.unit), _("Only the archive records loans."))
    if file.status != FileStatus.DEPOSITED:
        raise ValidationError({"status": _("File %(code)s is not in the archive.") % {"code": file.code}})
    errors: dict[str, Any] = {}
    data = {"purpose": purpose, "borrower_name": borrower_name}
    purpose = _text(data, errors, "purpose", 500, required=True)
    borrower_name = _text(data, errors, "borrower_name", 150)
    borrower = None
    if borrower_id not in (None, ""):
        borrower = get_user_model().objects.filter(pk=parse_id(borrower_id) or 0,
                                                   is_active=True).first()
        if borrower is None:
            errors["borrower_id"] = _("Unknown person %(id)s.") % {"id": borrower_id}
        else:
            borrower_name = borrower_name or borrower.full_name or borrower.username
    if not borrower_name and "borrower_id" not in errors:
        errors["borrower_name"] = _("Name the borrower.")
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = _("The due date is in the past.")
    _raise(errors)
    if file.loans.filter(returned_at__isnull=True).exists():
        raise ValidationError({"file": _("File %(code)s is on loan and not returned yet.") % {"code": file.code}})
    loan = Loan.objects.create(file=file, borrower=borrower, borrower_name=borrower_name, purpose=purpose,
                               lent_by=actor, due_on=due_on)
    record(actor=actor, action="records.loan", obj=loan, unit=file.unit,
           data={"code": file.code, "borrower": borrower_name, "purpose": purpose})
    return loan


@transaction.atomic
def return_loan(*, actor: User, loan: Loan) -> Loan:
    loan = Loan.objects.select_for_update().select_related("file", "file__unit").get(pk=loan.pk)
    require(policy.is_archivist_for(actor, loan.file.unit), _("Only the archive records returns."))
    if loan.returned_at is not None:
        raise ValidationError({"status": _("This loan was already returned.")})
    loan.returned_at, loan.returned_to = timezone.now(), actor
    loan.save(update_fields=["returned_at", "returned_to"])
    record(actor=actor, action="records.loan_return", obj=loan, unit=loan.file.unit, data={"code": loan.file.code})
    return loan


# --- appraisal and destruction ---------------------------------------------------------------------------------

def _members(members: Any) -> list[dict[str, Any]]:
    if not isinstance(members, list | tuple) or len(members) < MIN_COUNCIL:
        raise ValidationError({"members": _("The council has at least %(n)s members.") % {"n": MIN_COUNCIL}})
    out = []
    for i, m in enumerate(members):
        if not isinstance(m, dict):
            raise ValidationError({f"members.{i}": _("A member is a name and a position.")})
        errors: dict[str, Any] = {}
        name = _text(m, errors, "name", 150, required=True)
        position = _text(m, errors, "position", 150)
        if errors:
            raise ValidationError({f"members.{i}.{k}": v for k, v in errors.items()})
        out.append({"name": name, "position": position})
    return out


def _check_destroyable(file: RecordFile, today: datetime.date) -> None:
    if file.legal_hold:
        raise ValidationError({"file_ids": _("File %(code)s is under legal hold: %(reason)s") % {
            "code": file.code, "reason": file.hold_reason}})
    if file.status not in (FileStatus.CLOSED, FileStatus.DEPOSITED):
        raise ValidationError({"file_ids": _("File %(code)s is %(status)s.") % {
            "code": file.code, "status": file.get_status_display().lower()}})
    if file.expires_on is None or file.expires_on > today:
        raise ValidationError({"file_ids": _("File %(code)s is still within its retention period.") % {
            "code": file.code}})


@transaction.atomic
def record_decision(*, actor: User, unit: Unit, number: str, decided_on: Any, members: Any,
                    file_ids: Sequence[int]) -> DispositionDecision:
    """The council's decision to destroy files of ``unit`` past retention, as recorded by the archive."""
    require(policy.is_archivist_for(actor, unit), _("Only the archive records disposition decisions."))
    errors: dict[str, Any] = {}
    number = _text({"number": number}, errors, "number", 50, required=True)
    if not isinstance(decided_on, datetime.date):
        errors["decided_on"] = _("This field is required.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision date is in the future.")
    _raise(errors)
    members = _members(members)
    ids = _ids(file_ids, "file_ids")
    files = list(RecordFile.objects.filter(pk__in=ids, unit=unit))
    if len(files) != len(ids):
        missing = sorted(set(ids) - {f.pk for f in files})[0]
        raise ValidationError({"file_ids": _("File %(id)s is not a file of %(unit)s.") % {
            "id": missing, "unit": unit.name}})
    require_files_not_frozen(*files)
    today = timezone.localdate()
    for f in files:
        _check_destroyable(f, today)
    decision = DispositionDecision.objects.create(unit=unit, number=number, decided_on=decided_on, members=members,
                                                  recorded_by=actor)
    decision.files.set(files)
    record(actor=actor, action="records.decision", obj=decision, unit=unit,
           data={"number": number, "decided_on": decided_on, "members": members, "files": [f.code for f in files]})
    return decision


@transaction.atomic
def destroy_files(*, actor: User, decision: DispositionDecision) -> list[RecordFile]:
    """Carry out a decision: every file is checked again (legal hold, retention, loans) before anything goes."""
    decision = DispositionDecision.objects.select_for_update().select_related("unit").get(pk=decision.pk)
    require(policy.is_archivist_for(actor, decision.unit), _("Only the archive destroys files."))
    if decision.executed_at is not None:
        raise ValidationError({"status": _("This decision was already carried out.")})
    # locked in primary-key order (decision 0038), handled in code order
    files = sorted(decision.files.select_for_update().select_related("retention").order_by("pk"), key=lambda f: f.code)
    require_files_not_frozen(*files)
    today = timezone.localdate()
    for f in files:
        _check_destroyable(f, today)
        if f.loans.filter(returned_at__isnull=True).exists():
            raise ValidationError({"file_ids": _("File %(code)s is on loan.") % {"code": f.code}})
    for f in files:
        items = list(FileItem.objects.filter(file=f).select_related("document", "document__document_type"))
        metadata = {
            "code": f.code, "title": f.title, "retention": f.retention.label, "year": f.year,
            "access_regime": f.access_regime, "creator": f.creator, "language": f.language,
            "description": f.description, "notes": f.notes,
            "start_date": f.start_date.isoformat() if f.start_date else None,
            "end_date": f.end_date.isoformat() if f.end_date else None,
            "document_count": f.document_count, "page_count": f.page_count,
            "documents": [{"id": i.document_id, "symbol": i.document.symbol, "date": i.doc_date.isoformat(),
                           "type": i.document.document_type.name, "subject": i.document.subject[:300]}
                          for i in items],
        }
        DestructionRecord.objects.create(file=f, decision=decision, metadata=metadata, destroyed_by=actor)
        FileItem.objects.filter(file=f).delete()
        f.status = FileStatus.DESTROYED
        f.save(update_fields=["status"])
    decision.executed_at = timezone.now()
    decision.save(update_fields=["executed_at"])
    record(actor=actor, action="records.destroy", obj=decision, unit=decision.unit,
           data={"number": decision.number, "files": [f.code for f in files]})
    return files


# --- reminders of overdue loans (daily job) --------------------------------------------------------------------

REMINDER_CODES = 10  # file codes named in an archivist's daily summary; the link lists them all


def overdue_to_remind(today: datetime.date) -> QuerySet[Loan]:
    """Loans not returned, due before ``today`` and not reminded today yet."""
    return (Loan.objects.filter(returned_at__isnull=True, due_on__lt=today)
            .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)))


def _archivists(unit: Unit) -> list[User]:
    """The people who answer for the unit's loans: the archivists of the unit, else those of the nearest unit above
    it that has any (the agency archive). One query."""
    rows = (Membership.objects.active().filter(role=Role.ARCHIVIST, unit__path__in=unit.ancestor_paths(),
                                               user__is_active=True)
            .select_related("user").order_by("-unit__depth", "user_id"))
    nearest: int | None = None
    people: dict[int, User] = {}
    for m in rows:
        if nearest is None:
            nearest = m.unit_id
        if m.unit_id == nearest:
            people.setdefault(m.user_id, m.user)
    return list(people.values())


def send_loan_reminders(today: datetime.date | None = None) -> int:
    """Remind the borrower of each loan not returned past its due date, and tell the unit's archivists which
    loans are overdue (one summary each per unit); each loan at most once a day, however often this runs. One
    transaction per unit: the loans are locked and re-read, so two runs at once remind nobody twice; each
    reminder is audited (``records.loan_reminder``). Returns the number of loans reminded."""
    today = today or timezone.localdate()
    unit_ids = sorted(set(overdue_to_remind(today).values_list("file__unit_id", flat=True)))
    reminded = 0
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk"):
        with transaction.atomic():
            # FOR UPDATE re-checks the condition after waiting: a loan another run reminded meanwhile drops out
            loans = list(overdue_to_remind(today).filter(file__unit=unit).select_for_update(of=("self",))
                         .select_related("file", "borrower").order_by("due_on", "id"))
            if not loans:
                continue
            Loan.objects.filter(pk__in=[loan.pk for loan in loans]).update(reminded_on=today)
            for loan in loans:
                assert loan.due_on is not None  # overdue_to_remind selects loans with a due date
                days = (today - loan.due_on).days
                if loan.borrower is not None and loan.borrower.is_active:
                    link = f"/records/files/{loan.file_id}/" if policy.can_view_records(loan.borrower, unit) else ""
                    # stored as msgid + params, rendered in the reader's language when shown (decision 0026)
                    notify_user(loan.borrower, gettext_noop(
                        "Overdue loan: please return file %(code)s to the archive; it was due on %(date)s."),
                        {"code": loan.file.code, "date": f"{loan.due_on:%d/%m/%Y}"}, link=link)
                record(actor=None, action="records.loan_reminder", obj=loan, unit=unit,
                       data={"code": loan.file.code, "borrower": loan.borrower_name, "due_on": loan.due_on,
                             "days_overdue": days, "on": today})
            codes = ", ".join(loan.file.code for loan in loans[:REMINDER_CODES])
            if len(loans) > REMINDER_CODES:
                codes += ", …"
            for person in _archivists(unit):
                notify_user(person, gettext_noop("Loans of %(unit)s overdue and not returned: %(count)s (%(codes)s)."),
                            {"unit": unit.name, "count": len(loans), "codes": codes},
                            link=f"/records/loans/?unit={unit.pk}&show=overdue")
            reminded += len(loans)
    return reminded


# --- Handover import (decision 0040) ----------------------------------------------------------------------------

@transaction.atomic
def import_files(*, unit: Unit, files: list[dict], items: list[dict], opened_by: Any) -> list[int]:
    """Create record files brought into ``unit`` by a handover package, with their index of documents, as written
    there. Each of ``files`` holds ``code``, ``retention`` (a retention code known here) and ``fields`` (model
    fields, with ``opened_at``); each of ``items`` holds ``file`` (the position of its file in ``files``),
    ``document_id``, ``doc_date`` and ``notes``. A code already taken here is prefixed with the unit's code.
    Returns the new files' ids in the order given. Set-based: a few statements per 2,000 rows."""
    batch = 2000
    retention = dict(RetentionPeriod.objects.values_list("code", "pk"))
    taken = set(RecordFile.objects.filter(code__in=[f["code"] for f in files]).values_list("code", flat=True))
    objs = []
    for f in files:
        if f["retention"] not in retention:
            raise ValidationError({"bag": _("Retention period %(retention)s of file %(code)s is unknown here: add it "
                                            "to the retention table first.") % {
                "retention": repr(f["retention"]), "code": f["code"]}})
        code = f["code"] if f["code"] not in taken else f"{unit.code}/{f['code']}"[:80]
        objs.append(RecordFile(unit=unit, code=code, retention_id=retention[f["retention"]], opened_by=opened_by,
                               **f["fields"]))
    RecordFile.objects.bulk_create(objs, batch_size=batch)
    for obj, f in zip(objs, files, strict=True):
        obj.opened_at = f["fields"]["opened_at"]  # auto_now_add set it to now; keep the source's
    RecordFile.objects.bulk_update(objs, ["opened_at"], batch_size=500)
    FileItem.objects.bulk_create(
        [FileItem(file_id=objs[i["file"]].pk, document_id=i["document_id"], doc_date=i["doc_date"], notes=i["notes"],
                  added_by=opened_by) for i in items], batch_size=batch)
    return [obj.pk for obj in objs]
