"""Writes of the search app: the index row of a document, the re-index command's batches, saved searches."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.audit import services as audit
from dieuhanh.documents import storage
from dieuhanh.documents.filetext import DOCX, ODT, PDF, extract_text
from dieuhanh.documents.models import Delivery, Document, DocumentFile, IncomingEntry
from dieuhanh.kernel.text import nfc
from dieuhanh.processing.models import Flow, FlowNote

from . import text as search_text
from .models import BlobText, SavedSearch, SearchEntry

if TYPE_CHECKING:
    from typing import Any

    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Blob

MAX_SAVED = 50


def blob_text(blob: Blob) -> str:
    """The text of a stored file, extracted once (files never change). Scans without a text layer have none
    until their OCR'd copy is attached."""
    try:
        return BlobText.objects.get(blob=blob).text
    except BlobText.DoesNotExist:
        pass
    text = ""
    if blob.content_type in (PDF, DOCX, ODT):
        try:
            with storage.open_blob(blob) as fh:
                text = extract_text(fh.read(), blob.content_type)
        except OSError:
            text = ""  # a missing file is the fixity check's business; the metadata stays searchable
    BlobText.objects.get_or_create(blob=blob, defaults={"text": text})
    return text


def _opinions(document_id: int) -> list[str]:
    directions = Flow.objects.filter(entry__document_id=document_id).exclude(direction="").values_list(
        "direction", flat=True)
    notes = FlowNote.objects.filter(flow__entry__document_id=document_id).values_list("text", flat=True)
    return list(directions) + list(notes)


def document_text(document: Document) -> str:
    """Everything a person may remember of a document, as written: metadata, file texts, opinions."""
    parts = [
        document.symbol and f"Số: {document.symbol}",
        document.document_type.name,
        document.subject,
        document.issuer_name,
        document.signer_name,
        document.signer_position,
        document.place,
    ]
    files = DocumentFile.objects.filter(document_id=document.pk).select_related("blob").order_by("-is_main", "order")
    parts.extend(blob_text(f.blob) for f in files)
    parts.extend(_opinions(document.pk))
    return nfc("\n".join(p for p in parts if p))


def readers(document: Document) -> Any:
    """Index tokens of who may open ``document``: a superset of :func:`can_view_document`'s answer (withdrawn
    copies drop out at the next write; the exact check at search time covers the meantime)."""
    units = {document.issuing_unit_id} - {None}
    units.update(Delivery.objects.filter(document=document, withdrawn_at__isnull=True, recipient_unit__isnull=False)
                 .values_list("recipient_unit_id", flat=True))
    units.update(IncomingEntry.objects.filter(document=document, recalled_at__isnull=True)
                 .values_list("unit_id", flat=True))
    units.update(extra_reader_units(document))  # higher apps' readers (reorg: a handover's receiving unit)
    people = set()
    for unit_id, user_id in Flow.objects.filter(entry__document=document, entry__recalled_at__isnull=True) \
            .values_list("handler_unit_id", "handler_user_id"):
        if unit_id:
            units.add(unit_id)
        else:
            people.add(user_id)
    return search_text.reader_tokens(units=units - {None}, people=people - {None}, level=document.confidentiality)


def index_document(document_id: int) -> SearchEntry | None:
    """Write the index row of one document. Called inside the transaction that changed the document (see
    signals.py), so the index never drifts from the database."""
    document = Document.objects.select_related("document_type").filter(pk=document_id).first()
    if document is None:
        SearchEntry.objects.filter(document_id=document_id).delete()
        return None
    text = document_text(document)
    created = document.created_at.date() if document.created_at else datetime.date.today()
    sort_date = document.issued_on or created
    tokens = readers(document)
    tokens += search_text.dated_tokens(tokens, sort_date)
    entry, _ = SearchEntry.objects.update_or_create(document_id=document.pk, defaults={
        "text": text[:search_text.MAX_INDEXED_CHARS],
        **search_text.index_fields(text, tokens),
        "symbol_key": search_text.symbol_key(document.symbol),
        "issuer_key": " ".join(search_text.words(document.issuer_name))[:255],
        "sort_date": sort_date,
    })
    return entry


def reindex(*, batch: int = 500, progress: Any = None, start_after: int = 0) -> int:
    """Index every document again, one committed batch at a time (no all-or-nothing rebuild): an interrupted run
    is resumed with ``start_after``. ``progress(done, last_id)`` is called after each batch."""
    done, last = 0, start_after
    while True:
        ids = list(Document.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        with transaction.atomic():
            for doc_id in ids:
                index_document(doc_id)
        done += len(ids)
        last = ids[-1]
        if progress:
            progress(done, last)


# --- Saved searches ------------------------------------------------------------------------------------------

def save_search(*, actor: User, name: str, params: dict[str, Any]) -> SavedSearch:
    """Keep a search under a name for its owner; the same name replaces the earlier one."""
    name = nfc(name or "")
    if not name:
        raise ValidationError({"name": _("Give the search a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("At most 100 characters.")})
    if not isinstance(params, dict) or len(str(params)) > 2000:
        raise ValidationError({"params": _("The search is too long to keep.")})
    with transaction.atomic():
        existing = SavedSearch.objects.filter(user=actor, name=name).first()
        if existing is None and SavedSearch.objects.filter(user=actor).count() >= MAX_SAVED:
            raise ValidationError({"name": _("At most %(n)s saved searches: delete one first.") % {"n": MAX_SAVED}})
        saved, _created = SavedSearch.objects.update_or_create(user=actor, name=name, defaults={"params": params})
        audit.record(actor=actor, action="search.saved", obj=saved, data={"name": name})
    return saved


def delete_saved_search(*, actor: User, saved: Any) -> None:
    if saved.user_id != actor.pk:
        raise ValidationError({"id": _("Not your saved search.")})
    with transaction.atomic():
        audit.record(actor=actor, action="search.saved_deleted", obj=saved, data={"name": saved.name})
        saved.delete()


# --- Writes of higher apps (decision 0040) ----------------------------------------------------------------------

def index_documents(*, document_ids: list[int]) -> int:
    """Write the index rows of ``document_ids``, in id order (rows of one table by primary key), in the caller's
    transaction: for writes that bypass the save signals (a handover import's bulk insert, a reorganization's
    set-based moves that change who reads a document). The caller runs it last, after its domain rows."""
    ids = sorted(set(document_ids))
    for document_id in ids:
        index_document(document_id)
    return len(ids)


_reader_units: list[Callable[[Document], Iterable[int]]] = []


def register_reader_units(source: Callable[[Document], Iterable[int]]) -> None:
    """Register ``source(document) -> unit ids``: units a higher app lets read a document (reorg: the unit a
    handover package was imported into). Their members' searches reach the document's index row. The app also
    registers the same rule with ``documents.hooks.register_reader_grant``, which the exact check asks."""
    if source not in _reader_units:
        _reader_units.append(source)


def extra_reader_units(document: Document) -> set[int]:
    """The units registered sources add to the readers of ``document``."""
    return {u for source in _reader_units for u in source(document)}
