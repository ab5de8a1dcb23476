"""Writes for documents and their exchange. One function per user action: check permission, validate,
write, audit, all in one transaction; notifications are rows written in the same transaction."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dieuhanh.accounts.policy import can_manage_unit, require
from dieuhanh.audit.services import record
from dieuhanh.kernel.text import fold, nfc
from dieuhanh.notifications.services import notify_unit
from dieuhanh.units.models import Unit, UnitStatus

from . import hooks, numbering, storage
from . import policy as doc_policy
from .freeze import require_not_frozen
from .models import (
    ArrivalOrigin,
    AuthorityForm,
    Blob,
    Channel,
    Confidentiality,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Document,
    DocumentFile,
    DocumentRecipient,
    DocumentStatus,
    DocumentType,
    IncomingEntry,
    NumberSeries,
    OutgoingEntry,
    Register,
    RegisterKind,
    SeriesRule,
    Term,
    Urgency,
)
from .validation import inspect, safe_name

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from dieuhanh.accounts.models import User
    from dieuhanh.audit.models import AuditEvent

MAX_BULK = 50
# Statuses from which a recipient has taken the document in (registered it).
REGISTERED_STATUSES = {DeliveryStatus.ACCEPTED, DeliveryStatus.ASSIGNED, DeliveryStatus.PROCESSING,
                       DeliveryStatus.DONE}
RECALLABLE_STATUSES = {DeliveryStatus.ARRIVED, *REGISTERED_STATUSES, DeliveryStatus.RECALL_REFUSED}


_SYMBOL_PREFIX = re.compile(r"^(so|no)\s*[:.]?\s*(?=\d)")
_SYMBOL_NOISE = re.compile(r"[\s.,;:]+")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def symbol_key(symbol: str | None) -> str:
    """A number and symbol as typed, folded for comparison: "Số: 04 - CV/TU", "04-cv/tu" and "4-CV/TU." all give
    "4-cv/tu" (no "Số", case, diacritics with đ -> d, spaces, end punctuation or leading zeros)."""
    key = _SYMBOL_PREFIX.sub("", _SYMBOL_NOISE.sub("", fold(symbol)))
    return _LEADING_ZEROS.sub("", key)


class DuplicateDocument(ValidationError):
    """The unit already holds this document; registering it again needs an explicit confirmation.

    ``likely`` means the symbol and date match but the issuer is only probably the same (an abbreviation, a
    longer name): the message names the issuer on record so the clerk can compare."""

    def __init__(self, existing: Any, likely: bool = False) -> None:
        self.existing, self.likely = existing, likely
        params = {"number": existing.arrival_number, "year": existing.register.year,
                  "symbol": existing.document.symbol, "issuer": existing.document.issuer_name}
        if likely:
            message = _("This unit already registered arrival no. %(number)s/%(year)s (%(symbol)s) from "
                        "%(issuer)s, likely the same document. Confirm to register it again.") % params
        else:
            message = _("This unit already registered this document as arrival no. %(number)s/%(year)s "
                        "(%(symbol)s). Confirm to register it again.") % params
        super().__init__({"confirm_duplicate": message})


_ACRONYM = re.compile(r"^[A-ZĐ]{2,8}$")


def _initials(name: str) -> str:
    """ "Thành ủy Hà Nội" and "TU Hà Nội" both give "tuhn": an acronym stands for the words it abbreviates."""
    return "".join(fold(w) if _ACRONYM.match(w) else fold(w)[:1] for w in (nfc(name) or "").split())


def issuer_match(a: str, b: str) -> str | None:
    """ "same" when the folded names are equal, "likely" when one abbreviates or contains the other, else None."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return None
    if fa == fb:
        return "same"
    if f" {fa} " in f" {fb} " or f" {fb} " in f" {fa} " or _initials(a) == _initials(b):
        return "likely"
    return None


# --- Files -------------------------------------------------------------------------------------------------

MAX_FILE_BYTES = 100 * 1024 * 1024


@transaction.atomic
def store_file(*, actor: User, fileobj: Any, content_type: str = "", declared_sha256: str | None = None) -> Blob:
    """Store an upload by content. The type is detected from the bytes (the declared one is ignored); a declared
    SHA-256 that does not match the bytes is refused; risky PDFs are stored but flagged."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied(_("Sign in to upload files."))
    sha256, size = storage.hash_file(fileobj)
    if declared_sha256 and declared_sha256.strip().lower() != sha256:
        raise ValidationError({"sha256": _("The file's content does not match the declared SHA-256.")})
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > MAX_FILE_BYTES:
        raise ValidationError({"file": _("Files are limited to %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}})
    blob = Blob.objects.filter(sha256=sha256).first()
    if blob is None:
        detected, flags = inspect(fileobj)
        name = storage.put(fileobj, sha256)
        blob, created = Blob.objects.get_or_create(
            sha256=sha256, defaults={"size": size, "content_type": detected, "storage_name": name,
                                     "created_by": actor, "flags": flags})
        if created:
            record(actor=actor, action="file.store", obj=blob,
                   data={"sha256": sha256, "size": size, "type": detected, "flags": flags})
    return blob


def record_read(*, actor: User, document: Document, via: Any, doc_file: Any = None) -> AuditEvent | None:
    """Audit a read of a secret document (confidentiality above normal): who opened which document, and how
    (``page``, ``api`` or ``download``). Called by the views before they answer.

    Reads of normal documents are not recorded: every list, page and download would add an event, multiplying the
    log (and the per-unit chain locks, decision 0013) many times over for documents that need no such trail. The
    baseline asks for a trail of actions; for secret documents, reading is the action that matters."""
    if document.confidentiality <= Confidentiality.NORMAL:
        return None
    data = {"via": via, "confidentiality": document.confidentiality, "symbol": document.symbol}
    if doc_file is not None:
        data.update({"file_id": doc_file.pk, "name": doc_file.name, "sha256": doc_file.blob.sha256})
    with transaction.atomic():
        return record(actor=actor, action="document.download" if doc_file is not None else "document.read",
                      obj=document, unit=document.issuing_unit, data=data)


def resolve_blobs(files: list[dict]) -> list[tuple[Blob, str, bool]]:
    """Resolve ``[{"sha256", "name", "is_main"}]`` to ``(blob, safe name, is_main)``; every hash must be stored
    already. Public: processing.services and tasks.services resolve their attachments with it too."""
    if not files:
        return []
    hashes = [f["sha256"].lower() for f in files]
    found = {b.sha256: b for b in Blob.objects.filter(sha256__in=hashes)}
    missing = [h for h in hashes if h not in found]
    if missing:
        raise ValidationError({"files": _("Unknown file %(sha)s…: upload it first.") % {"sha": missing[0][:12]}})
    if sum(1 for f in files if f.get("is_main")) > 1:
        raise ValidationError({"files": _("Only one file can be the main file.")})
    return [(found[f["sha256"].lower()], safe_name(f.get("name"), f["sha256"][:12]), bool(f.get("is_main")))
            for f in files]


def attach_files(document: Document, blobs: list[tuple[Blob, str, bool]]) -> None:
    """Attach ``(blob, name, is_main)`` in order; with no main file the first one is the main file.
    Public: drafting.services attaches the signed PDF of a draft it turns into a document with it."""
    has_main = any(main for _, _, main in blobs)
    for order, (blob, name, main) in enumerate(blobs):
        DocumentFile.objects.create(document=document, blob=blob, name=name[:255],
                                    is_main=main or (not has_main and order == 0), order=order)


# --- Outgoing documents --------------------------------------------------------------------------------------

_TEXT_LIMITS = {"subject": 2000, "signer_name": 150, "signer_position": 150, "place": 100, "language": 8}


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    errors, cleaned = {}, {}
    for field, limit in _TEXT_LIMITS.items():
        if field in data:
            value = nfc(data[field]) or ""
            if len(value) > limit:
                errors[field] = _("At most %(n)s characters.") % {"n": limit}
            cleaned[field] = value
    if "subject" in cleaned and not cleaned["subject"]:
        errors["subject"] = _("This field is required.")
    for field, choices in (("urgency", Urgency), ("confidentiality", Confidentiality)):
        if field in data:
            if data[field] not in choices.values:
                errors[field] = _("Must be one of: %(values)s.") % {"values": ", ".join(map(str, choices.values))}
            cleaned[field] = data[field]
    if "authority" in data:
        if (data["authority"] or "") not in AuthorityForm.values:
            errors["authority"] = _("Must be one of: %(values)s.") % {
                "values": ", ".join(v for v in AuthorityForm.values if v)}
        cleaned["authority"] = data["authority"] or ""
    _check_signer_line(cleaned, errors)
    if "page_count" in data:
        if not isinstance(data["page_count"], int) or not 0 < data["page_count"] < 100000:
            errors["page_count"] = _("Must be a positive whole number.")
        cleaned["page_count"] = data["page_count"]
    for field in ("due_date", "issued_on"):
        if field in data:
            cleaned[field] = data[field]
    if errors:
        raise ValidationError(errors)
    return cleaned


def signer_line(authority: str, position: str, name: str) -> str:
    """The register's "signer" column: authority form, position and name in one line (e.g. "TM. Bí thư ...")."""
    return " ".join(p for p in (authority, position, name) if p)


def _check_signer_line(cleaned: dict, errors: dict) -> None:
    """The three signer fields end in one register column at issuing: their composed length is checked here,
    where they enter, so a document accepted now cannot fail at issuing (issue 14, item 14)."""
    limit = OutgoingEntry._meta.get_field("signer").max_length
    assert limit is not None  # a CharField has one
    parts = [cleaned.get(f, "") or "" for f in ("authority", "signer_position", "signer_name")]
    if len(signer_line(*parts)) > limit and not ({"signer_name", "signer_position"} & errors.keys()):
        errors["signer_name"] = _("The authority form, position and name of the signer together take at most "
                                  "%(n)s characters.") % {"n": limit}


def active_document_type(type_id: int) -> DocumentType:
    """The active document type ``type_id``, or a ValidationError on ``document_type_id``.
    Public: drafting.services checks a draft's type with it."""
    doc_type = DocumentType.objects.filter(pk=type_id, active=True).first()
    if doc_type is None:
        raise ValidationError({"document_type_id": _("Unknown or inactive document type.")})
    return doc_type


def clean_recipients(sender: Unit, recipients: list[dict], *, secret: bool) -> list[dict]:
    """Validate ``[{"unit_id"} | {"external_code", "name"}, channel?, copies?]`` into ``{unit, external_code,
    name, channel, copies}`` items. Public: drafting.services validates a draft's recipients with it, so a draft
    cannot list a recipient its document would refuse."""
    cleaned, seen = [], set()
    for i, r in enumerate(recipients):
        if not isinstance(r, dict) or not isinstance(r.get("unit_id", 0) or 0, int):
            raise ValidationError({f"recipients.{i}": _("Give a unit_id (a number) or an external code and name.")})
    unit_ids = [r["unit_id"] for r in recipients if r.get("unit_id") is not None]
    units = Unit.objects.in_bulk(unit_ids)
    for i, r in enumerate(recipients):
        field = f"recipients.{i}"
        channel = r.get("channel") or (Channel.INTERNAL if r.get("unit_id") is not None else Channel.GATEWAY)
        if channel not in Channel.values:
            raise ValidationError({field: _("Unknown channel %(channel)s.") % {"channel": repr(channel)}})
        copies = r.get("copies", 1)
        if not isinstance(copies, int) or not 0 < copies < 1000:
            raise ValidationError({field: _("copies must be between 1 and 999.")})
        if r.get("unit_id") is not None:
            unit = units.get(r["unit_id"])
            if unit is None:
                raise ValidationError({field: _("Unknown recipient unit %(id)s.") % {"id": r["unit_id"]}})
            if unit.status != UnitStatus.ACTIVE:
                raise ValidationError({field: _("%(unit)s is %(status)s; send to its successor.") % {
                    "unit": unit.name, "status": unit.get_status_display().lower()}})
            if unit.pk == sender.pk:
                raise ValidationError({field: _("A unit does not send a document to itself.")})
            if channel == Channel.GATEWAY:
                raise ValidationError({field: _("Units of this installation receive internally or on paper.")})
            key: tuple[int | str, str] = (unit.pk, channel)  # a unit by id, an outsider by code or name
            item = {"unit": unit, "external_code": "", "name": unit.name, "channel": channel, "copies": copies}
        else:
            code, name = nfc(r.get("external_code")) or "", nfc(r.get("name")) or ""
            if not name or (channel == Channel.GATEWAY and not code):
                raise ValidationError({field: _("An outside recipient needs a name and, electronically, a code.")})
            if len(code) > 13:
                raise ValidationError({field: _("Agency codes have at most 13 characters.")})
            if channel == Channel.INTERNAL:
                raise ValidationError({field: _("Outside recipients receive through the gateway or on paper.")})
            if secret and channel == Channel.GATEWAY:
                raise ValidationError({field: _("Secret documents do not leave the installation electronically.")})
            key = (code or name, channel)
            item = {"unit": None, "external_code": code, "name": name[:255], "channel": channel, "copies": copies}
        if key in seen:
            raise ValidationError({field: _("This recipient is listed twice.")})
        seen.add(key)
        cleaned.append(item)
    return cleaned


@transaction.atomic
def create_outgoing(*, actor: User, unit: Unit, document_type_id: int, subject: str,
                    files: Iterable[dict[str, Any]] = (), recipients: Iterable[dict[str, Any]] = (),
                    drafting_unit: Unit | None = None, **fields: Any) -> Document:
    """Record an approved outgoing document of ``unit``, ready for the clerk to issue."""
    require(doc_policy.can_create_outgoing(actor, unit), _("You cannot create documents for this unit."))
    if unit.status != UnitStatus.ACTIVE:
        raise ValidationError({"unit": _("%(unit)s is %(status)s and issues nothing.") % {
            "unit": unit.name, "status": unit.get_status_display().lower()}})
    doc_type = active_document_type(document_type_id)
    cleaned = _clean_fields({"subject": subject, **fields})
    cleaned.pop("issued_on", None)
    if cleaned.get("confidentiality", 0) > (actor.clearance or 0):
        raise PermissionDenied(_("Your clearance does not allow this confidentiality level."))
    if drafting_unit is not None and not drafting_unit.is_descendant_of(unit):
        raise ValidationError({"drafting_unit_id": _("The drafting unit must be a department of the issuing unit.")})
    blobs = resolve_blobs(list(files))
    planned = clean_recipients(unit, list(recipients), secret=cleaned.get("confidentiality", 0) > 0)
    document = Document.objects.create(
        document_type=doc_type, issuing_unit=unit, drafting_unit=drafting_unit, issuer_name=unit.name,
        status=DocumentStatus.APPROVED, created_by=actor, place=cleaned.pop("place", "") or "", **cleaned,
    )
    attach_files(document, blobs)
    DocumentRecipient.objects.bulk_create([
        DocumentRecipient(document=document, unit=r["unit"], external_code=r["external_code"], name=r["name"],
                          channel=r["channel"], copies=r["copies"]) for r in planned
    ])
    record(actor=actor, action="document.create", obj=document, unit=unit,
           data={"type": doc_type.name, "recipients": len(planned), "files": len(blobs)})
    return document


def _register(unit: Unit, kind: str, *, secret: Any, year: int, lock: bool = True) -> Register:
    """The open book of ``unit``; locked when the caller will take its next entry number."""
    qs = Register.objects.select_for_update() if lock else Register.objects.all()
    register = qs.filter(unit=unit, kind=kind, secret=secret, year=year).first()
    if register is None or register.closed_at is not None:
        raise ValidationError({"register": _("%(unit)s has no open %(register)s for %(year)s. Open it first.") % {
            "unit": unit.name, "register": _register_label(kind, secret), "year": year}})
    return register


def _register_label(kind: str, secret: Any) -> str:
    if kind == RegisterKind.OUTGOING:
        return _("secret outgoing register") if secret else _("outgoing register")
    return _("secret incoming register") if secret else _("incoming register")


def _event(delivery: Delivery, status: str, actor: User, note: str = "", kind: str = "status") -> None:
    DeliveryEvent.objects.create(delivery=delivery, status=status or "", kind=kind, actor=actor, note=note)


def set_delivery_status(delivery: Delivery, status: str, actor: User, note: str = "") -> None:
    """Move ``delivery`` to ``status`` and append the event the sender reads (inside the caller's transaction)."""
    delivery.status = status
    delivery.status_at = timezone.now()
    delivery.save(update_fields=["status", "status_at", "reason"])
    _event(delivery, status, actor, note)
    hooks.delivery_status_changed(delivery, status, note)  # exchange: a copy from outside tells its sender


_set_status = set_delivery_status


@transaction.atomic
def issue_document(*, actor: User, document: Document, issued_on: datetime.date | None = None,
                   series_id: int | None = None, reuse_number: bool | None = None) -> Document:
    """Number an approved document, write its outgoing-register row and deliver it to every recipient.

    ``reuse_number`` re-issues a number freed by a cancelled issue (cấp bù); it is never done implicitly.
    """
    document = Document.objects.select_for_update(of=("self",)).select_related("document_type", "issuing_unit").get(
        pk=document.pk)
    unit = document.issuing_unit
    require(unit is not None and doc_policy.can_issue(actor, unit), _("Only a clerk of the issuing unit can issue."))
    require(doc_policy.cleared_for(actor, document), _("Your clearance does not allow this document."))
    assert unit is not None  # require() above refused a missing unit
    require_not_frozen(document)
    if document.status != DocumentStatus.APPROVED:
        raise ValidationError({"status": _("This document is %(status)s; only an approved document can be issued.")
                               % {"status": document.get_status_display().lower()}})
    if unit.status != UnitStatus.ACTIVE:
        raise ValidationError({"unit": _("%(unit)s is %(status)s and issues nothing.") % {
            "unit": unit.name, "status": unit.get_status_display().lower()}})
    issued_on = issued_on or timezone.localdate()
    if isinstance(issued_on, str):
        issued_on = datetime.date.fromisoformat(issued_on)
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("A document cannot be issued with a future date.")})
    # documents stored before the limit was checked at entry: refuse with the field, before a number is taken
    signer_errors: dict = {}
    _check_signer_line({"authority": document.authority, "signer_position": document.signer_position,
                        "signer_name": document.signer_name}, signer_errors)
    if signer_errors:
        raise ValidationError(signer_errors)
    hooks.run_issue_checks(document)  # signatures: before the number is taken (decisions 0029, 0042)
    if series_id is not None:
        series = NumberSeries.objects.filter(pk=series_id).first()
        if series is None:
            raise ValidationError({"series_id": _("Unknown numbering series.")})
        numbering.check_series_fits(series, document)
    else:
        series = numbering.series_for(unit, document.document_type, secret=document.is_secret)
    period = numbering.period_for(series, document.document_type, issued_on)
    register = _register(unit, RegisterKind.OUTGOING, secret=document.is_secret, year=issued_on.year, lock=False)
    if reuse_number is not None:
        _check_reusable(series, period, reuse_number)
    # Deliveries first: the series counter is locked from take_number() to commit, so the less that
    # happens after it, the more clerks can issue in the same series per second.
    recipients = list(document.recipients.select_related("unit"))
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create([
        Delivery(document=document, sender_unit=unit, recipient_unit=r.unit, external_code=r.external_code,
                 recipient_name=r.name, channel=r.channel, status=DeliveryStatus.ARRIVED, status_at=now,
                 urgency=document.urgency)
        for r in recipients
    ])
    if deliveries and deliveries[0].pk is None:
        deliveries = list(document.deliveries.all())
    DeliveryEvent.objects.bulk_create([
        DeliveryEvent(delivery=d, status=d.status, kind="status", actor=actor,
                      note="" if d.channel == Channel.INTERNAL else f"queued for {d.get_channel_display()}")
        for d in deliveries
    ])
    number = reuse_number if reuse_number is not None else numbering.take_number(series, period)
    doc_type = document.document_type
    document.series, document.period, document.number = series, period, number
    document.symbol = numbering.format_symbol(
        system=doc_type.system, number=number, abbreviation=doc_type.abbreviation, issuer_short=unit.short_name,
        drafting_short=document.drafting_unit.short_name if document.drafting_unit is not None else "",
        is_letter=doc_type.is_letter,
    )
    document.issued_on = issued_on
    document.status = DocumentStatus.ISSUED
    document.issued_at = now
    document.issued_by = actor
    try:
        document.save()
    except IntegrityError as exc:  # a concurrent cấp bù took the same number first
        raise ValidationError({"reuse_number": _("Number %(number)s is in use.") % {"number": number}}) from exc
    OutgoingEntry.objects.create(
        register=register, document=document, symbol=document.symbol, issued_on=issued_on,
        type_and_subject=f"{doc_type.name}: {document.subject}",
        signer=signer_line(document.authority, document.signer_position, document.signer_name),
        recipients="; ".join(r.name for r in recipients), file_keeper=unit.name,
        copies=sum(r.copies for r in recipients) or 1, sent_on=issued_on,
    )
    record(actor=actor, action="document.issue", obj=document, unit=unit,
           data={"symbol": document.symbol, "series": series.pk, "period": period, "number": number,
                 "reused": reuse_number is not None, "deliveries": len(deliveries)})
    hooks.document_issued(document)  # exchange: packages for the outside organs, queued with the issue
    return document


def _check_reusable(series: NumberSeries, period: Any, number: int) -> int:
    """A number can be issued again only if a cancelled issue freed it and no issued document holds it."""
    if not isinstance(number, int) or number < 1 or number > numbering.last_number(series, period):
        raise ValidationError({"reuse_number": _("Only a number already taken in this series can be reused.")})
    taken = Document.objects.filter(series=series, period=period, number=number)
    if taken.filter(status=DocumentStatus.ISSUED).exists():
        raise ValidationError({"reuse_number": _("Number %(number)s is in use.") % {"number": number}})
    if not taken.filter(status=DocumentStatus.CANCELLED).exists():
        raise ValidationError({"reuse_number": _("Number %(number)s was never freed by a cancelled issue.")
                               % {"number": number}})
    return number


@transaction.atomic
def cancel_issue(*, actor: User, document: Document, reason: str) -> Document:
    """Cancel an issue nobody has registered yet: every delivery is withdrawn and its recipient told."""
    document = Document.objects.select_for_update(of=("self",)).select_related("issuing_unit").get(pk=document.pk)
    require(document.issuing_unit is not None and doc_policy.can_issue(actor, document.issuing_unit),
            _("Only a clerk of the issuing unit can cancel an issue."))
    require_not_frozen(document)
    reason = nfc(reason) or ""
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    if document.status != DocumentStatus.ISSUED:
        raise ValidationError({"status": _("Only an issued document can be cancelled.")})
    deliveries = list(document.deliveries.select_for_update().filter(withdrawn_at__isnull=True))
    registered = [d for d in deliveries if d.status in REGISTERED_STATUSES]
    if registered:
        raise ValidationError({"status": _("%(recipient)s has registered it already; request a recall instead.")
                               % {"recipient": registered[0].recipient_name}})
    now = timezone.now()
    for delivery in deliveries:
        delivery.withdrawn_at = now
        delivery.reason = reason
        delivery.save(update_fields=["withdrawn_at", "reason"])
        _event(delivery, "", actor, reason, kind="withdrawn")
        if delivery.recipient_unit is not None:
            notify_unit(delivery.recipient_unit,
                        gettext_noop("Withdrawn by the issuer: %(symbol)s %(subject)s. Reason: %(reason)s"),
                        {"symbol": document.symbol, "subject": document.subject[:200], "reason": reason})
    document.status = DocumentStatus.CANCELLED
    document.save(update_fields=["status"])
    OutgoingEntry.objects.filter(document=document).update(cancelled=True, notes=f"Cancelled: {reason}"[:1000])
    record(actor=actor, action="document.cancel_issue", obj=document, unit=document.issuing_unit,
           data={"reason": reason, "number": document.number, "withdrawn": len(deliveries)})
    return document


# --- Receiving ------------------------------------------------------------------------------------------------


def _find_duplicate(unit: Unit, document: Document, main_sha256: str | None) -> tuple[IncomingEntry | None, bool]:
    """An entry of ``unit`` holding the same document, and whether it is only likely the same.

    The rule is about the document: the same document row, the same main file, or the same date and folded
    number/symbol from the same (or likely the same) issuer. A shared appendix or form is no evidence."""
    held = (IncomingEntry.objects.filter(unit=unit, recalled_at__isnull=True)
            .select_related("register", "document").order_by("id"))
    same = Q(pk__in=[])
    if document.pk:
        same |= Q(document=document)
    if main_sha256:
        same |= Q(document__files__is_main=True, document__files__blob__sha256=main_sha256)
    found = held.filter(same).first()
    if found is not None or not (document.symbol and document.issued_on):
        return found, False
    # Candidates share the date (an indexed, selective filter); symbols are folded here, where the rule lives.
    key, likely = symbol_key(document.symbol), None
    for entry in held.filter(document__issued_on=document.issued_on).exclude(document__symbol="")[:500]:
        if symbol_key(entry.document.symbol) != key:
            continue
        match = issuer_match(entry.document.issuer_name, document.issuer_name)
        if match == "same":
            return entry, False
        if match == "likely" and likely is None:
            likely = entry
    return likely, likely is not None


def _new_entry(*, actor: User, unit: Unit, document: Document, arrived_on: datetime.date, origin: Any,
               delivery: Delivery | None = None, handler: str = "", notes: str = "",
               confirm_duplicate: bool = False, main_sha256: str | None = None) -> IncomingEntry:
    require_not_frozen(document.pk)
    if document.issued_on and arrived_on < document.issued_on:
        raise ValidationError({"arrived_on": _("The arrival date cannot be before the document's date.")})
    if arrived_on > timezone.localdate():
        raise ValidationError({"arrived_on": _("The arrival date cannot be in the future.")})
    duplicate, likely = _find_duplicate(unit, document, main_sha256)
    if duplicate and not confirm_duplicate:
        raise DuplicateDocument(duplicate, likely=likely)
    register = _register(unit, RegisterKind.INCOMING, secret=document.is_secret, year=arrived_on.year)
    register.last_entry_number += 1
    register.save(update_fields=["last_entry_number"])
    return IncomingEntry.objects.create(
        register=register, unit=unit, arrival_number=register.last_entry_number, arrived_on=arrived_on,
        document=document, delivery=delivery, origin=origin, handler=nfc(handler)[:255] if handler else "",
        notes=nfc(notes) or "", registered_by=actor, duplicate_of=duplicate,
    )


def _locked_delivery(delivery: Delivery) -> Delivery:
    return (Delivery.objects.select_for_update(of=("self",)).select_related("document", "recipient_unit")
            .get(pk=delivery.pk))


@transaction.atomic
def accept_delivery(*, actor: User, delivery: Delivery, arrived_on: datetime.date | None = None, handler: str = "",
                    notes: str = "", confirm_duplicate: bool = False) -> IncomingEntry:
    """Check a delivery's files and register it in the recipient's incoming register (no re-keying)."""
    delivery = _locked_delivery(delivery)
    unit = delivery.recipient_unit
    require(unit is not None and doc_policy.can_receive(actor, unit), _("Only a clerk of the recipient unit can "
                                                                        "receive this document."))
    assert unit is not None  # require() above refused a missing unit
    require(doc_policy.cleared_for(actor, delivery.document), _("Your clearance does not allow this document."))
    require_not_frozen(delivery.document_id)
    if delivery.withdrawn_at is not None:
        raise ValidationError({"status": _("The issuer withdrew this document.")})
    # A copy whose recall was refused before it was accepted (16, no entry yet) is still waiting to be accepted.
    kept = delivery.status == DeliveryStatus.RECALL_REFUSED and not IncomingEntry.objects.filter(
        delivery=delivery).exists()
    if delivery.status != DeliveryStatus.ARRIVED and not kept:
        raise ValidationError({"status": _("This delivery is already %(status)s.")
                               % {"status": delivery.get_status_display()}})
    document = delivery.document
    hashes, main_sha256 = [], None
    for doc_file in document.files.select_related("blob"):
        storage.verify(doc_file.blob)
        hashes.append(doc_file.blob.sha256)
        if doc_file.is_main:
            main_sha256 = doc_file.blob.sha256
    entry = _new_entry(actor=actor, unit=unit, document=document, arrived_on=arrived_on or timezone.localdate(),
                       origin=ArrivalOrigin.ELECTRONIC, delivery=delivery, handler=handler, notes=notes,
                       confirm_duplicate=confirm_duplicate, main_sha256=main_sha256)
    _set_status(delivery, DeliveryStatus.ACCEPTED, actor, f"arrival no. {entry.arrival_number}")
    record(actor=actor, action="delivery.accept", obj=delivery, unit=unit,
           data={"document": document.pk, "arrival_number": entry.arrival_number, "files_checked": len(hashes)})
    _check_signatures_after_commit(document)
    return entry


def _check_signatures_after_commit(document: Document) -> None:
    """Validate the digital signatures of the received files in the background, once the arrival is committed;
    the result shows on the document page (signatures registers the check: documents.hooks, decision 0042)."""
    hooks.files_arrived_after_commit(document)


@dataclasses.dataclass
class BulkAccept:
    """What a bulk accept did: the entries written, and per refused delivery its id, field, message and, for a
    duplicate, the entry already held."""

    entries: list[IncomingEntry] = dataclasses.field(default_factory=list)
    refused: list[dict] = dataclasses.field(default_factory=list)


def accept_many(*, actor: User, deliveries: Any, arrived_on: datetime.date | None = None,
                confirm_duplicate: bool = False) -> BulkAccept:
    """Accept up to 50 deliveries at once: each one that can be is accepted, the others are reported by id.

    Each delivery has its own savepoint, so a refused one leaves nothing behind. A permission error refuses the
    whole request; so does a batch where nothing could be accepted (the first reason is raised)."""
    deliveries = list(deliveries)
    if not deliveries:
        raise ValidationError({"delivery_ids": _("Choose at least one document.")})
    if len(deliveries) > MAX_BULK:
        raise ValidationError({"delivery_ids": _("At most %(n)s documents at once.") % {"n": MAX_BULK}})
    result = BulkAccept()
    first_error: ValidationError | None = None
    with transaction.atomic():
        for delivery in deliveries:
            try:
                with transaction.atomic():
                    result.entries.append(accept_delivery(actor=actor, delivery=delivery, arrived_on=arrived_on,
                                                          confirm_duplicate=confirm_duplicate))
            except ValidationError as exc:
                first_error = first_error or exc
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"delivery_ids": exc.messages}
                name, messages_ = next(iter(errors.items()))
                result.refused.append({
                    "delivery_id": delivery.pk, "field": name, "message": " ".join(messages_),
                    "duplicate_of": exc.existing.pk if isinstance(exc, DuplicateDocument) else None})
    if not result.entries and first_error is not None:  # nothing accepted: every delivery was refused
        raise first_error
    return result


@transaction.atomic
def return_delivery(*, actor: User, delivery: Delivery, reason: str) -> Delivery:
    """Refuse a delivery (02) with a reason the sender sees."""
    delivery = _locked_delivery(delivery)
    unit = delivery.recipient_unit
    require(unit is not None and doc_policy.can_receive(actor, unit), _("Only a clerk of the recipient unit can "
                                                                        "return this document."))
    assert unit is not None  # require() above refused a missing unit
    require_not_frozen(delivery.document_id)
    reason = nfc(reason) or ""
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the document.")})
    if delivery.withdrawn_at is not None:
        raise ValidationError({"status": _("The issuer withdrew this document.")})
    if delivery.status != DeliveryStatus.ARRIVED:
        raise ValidationError({"status": _("This delivery is already %(status)s.")
                               % {"status": delivery.get_status_display()}})
    delivery.reason = reason
    _set_status(delivery, DeliveryStatus.REFUSED, actor, reason)
    if delivery.sender_unit is not None:  # a copy from outside: its sender hears through the exchange (hooks)
        notify_unit(delivery.sender_unit, gettext_noop("%(unit)s returned %(symbol)s: %(reason)s"),
                    {"unit": unit.name, "symbol": delivery.document.symbol, "reason": reason})
    record(actor=actor, action="delivery.return", obj=delivery, unit=unit, data={"reason": reason})
    return delivery


@transaction.atomic
def register_paper(*, actor: User, unit: Unit, document_type_id: int, issuer_name: str, symbol: str,
                   issued_on: datetime.date, subject: str, arrived_on: datetime.date | None = None,
                   files: Iterable[dict[str, Any]] = (), confirm_duplicate: bool = False, handler: str = "",
                   notes: str = "", **fields: Any) -> IncomingEntry:
    """Register a paper document received from outside, with its scan, in the same arrival sequence."""
    require(doc_policy.can_receive(actor, unit), _("Only a clerk of this unit can register incoming documents."))
    doc_type = active_document_type(document_type_id)
    cleaned = _clean_fields({"subject": subject, **fields})
    issuer_name, symbol = nfc(issuer_name) or "", nfc(symbol) or ""
    errors = {}
    if not issuer_name:
        errors["issuer_name"] = _("This field is required.")
    elif len(issuer_name) > 255:  # refused with its name, not cut: a cut issuer would not match its documents
        errors["issuer_name"] = _("At most %(n)s characters.") % {"n": 255}
    if len(symbol) > 100:
        errors["symbol"] = _("At most %(n)s characters.") % {"n": 100}
    if issued_on is None:
        errors["issued_on"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    if cleaned.get("confidentiality", 0) > (actor.clearance or 0):
        raise PermissionDenied(_("Your clearance does not allow this confidentiality level."))
    blobs = resolve_blobs(list(files))
    document = Document(document_type=doc_type, issuer_name=issuer_name, symbol=symbol, issued_on=issued_on,
                        status=DocumentStatus.RECEIVED, created_by=actor, **cleaned)
    entry_args: dict[str, Any] = {"actor": actor, "unit": unit, "arrived_on": arrived_on or timezone.localdate(),
                  "origin": ArrivalOrigin.PAPER, "handler": handler, "notes": notes,
                  "confirm_duplicate": confirm_duplicate,
                  "main_sha256": next((b.sha256 for i, (b, _, main) in enumerate(blobs)
                                       if main or (i == 0 and not any(m for _, _, m in blobs))), None)}
    document.save()  # rolled back with everything else if the entry is refused below
    attach_files(document, blobs)
    entry = _new_entry(document=document, **entry_args)
    record(actor=actor, action="document.register_paper", obj=entry, unit=unit,
           data={"document": document.pk, "arrival_number": entry.arrival_number, "symbol": symbol,
                 "duplicate_of": entry.duplicate_of_id})
    if blobs:
        _check_signatures_after_commit(document)
    return entry


# --- Recall -----------------------------------------------------------------------------------------------------


@transaction.atomic
def request_recall(*, actor: User, document: Document, reason: str) -> list[Delivery]:
    document = Document.objects.select_for_update(of=("self",)).select_related("issuing_unit").get(pk=document.pk)
    require(doc_policy.can_request_recall(actor, document), _("Only the issuing unit can recall this document."))
    require_not_frozen(document)
    reason = nfc(reason) or ""
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the recall.")})
    if document.status != DocumentStatus.ISSUED:
        raise ValidationError({"status": _("Only an issued document can be recalled.")})
    deliveries = [d for d in document.deliveries.select_for_update(of=("self",)).select_related("recipient_unit")
                  .filter(withdrawn_at__isnull=True) if d.status in RECALLABLE_STATUSES]
    if not deliveries:
        raise ValidationError({"status": _("No recipient holds this document any more.")})
    for delivery in deliveries:
        delivery.reason = reason
        _set_status(delivery, DeliveryStatus.RECALL_REQUESTED, actor, reason)
        if delivery.recipient_unit is not None:
            # the link opens the unit's list of recalls awaiting an answer, where the clerk agrees or refuses
            notify_unit(delivery.recipient_unit, gettext_noop("Recall requested for %(symbol)s: %(reason)s"),
                        {"symbol": document.symbol, "reason": reason},
                        link=f"/documents/recalls/?unit={delivery.recipient_unit_id}",
                        confidentiality=document.confidentiality)
    record(actor=actor, action="document.request_recall", obj=document, unit=document.issuing_unit,
           data={"reason": reason, "deliveries": len(deliveries)})
    return deliveries


@transaction.atomic
def answer_recall(*, actor: User, delivery: Delivery, agree: bool, reason: str = "") -> Delivery:
    """The recipient agrees (15: the document leaves its queues, kept for audit) or refuses (16)."""
    delivery = _locked_delivery(delivery)
    unit = delivery.recipient_unit
    require(unit is not None and doc_policy.can_receive(actor, unit), _("Only a clerk of the recipient unit can "
                                                                        "answer a recall."))
    assert unit is not None  # require() above refused a missing unit
    require_not_frozen(delivery.document_id)
    if delivery.status != DeliveryStatus.RECALL_REQUESTED:
        raise ValidationError({"status": _("No recall is pending for this delivery.")})
    reason = nfc(reason) or ""
    if not agree and not reason:
        raise ValidationError({"reason": _("Give the reason for refusing the recall.")})
    if agree:
        now = timezone.now()
        IncomingEntry.objects.filter(delivery=delivery).update(recalled_at=now)
        delivery.withdrawn_at = now
        delivery.save(update_fields=["withdrawn_at"])
        _set_status(delivery, DeliveryStatus.RECALL_AGREED, actor, reason)
    else:
        delivery.reason = reason
        _set_status(delivery, DeliveryStatus.RECALL_REFUSED, actor, reason)
    if not agree:
        msgid = gettext_noop("%(unit)s refused the recall of %(symbol)s: %(reason)s")
    elif reason:
        msgid = gettext_noop("%(unit)s agreed to the recall of %(symbol)s: %(reason)s")
    else:
        msgid = gettext_noop("%(unit)s agreed to the recall of %(symbol)s")
    if delivery.sender_unit is not None:  # a copy from outside: its sender hears through the exchange (hooks)
        notify_unit(delivery.sender_unit, msgid, {"unit": unit.name, "symbol": delivery.document.symbol,
                                                  "reason": reason})
    record(actor=actor, action="delivery.recall_agree" if agree else "delivery.recall_refuse", obj=delivery,
           unit=unit, data={"reason": reason})
    return delivery


# --- Registers, series and terms (unit set-up) ---------------------------------------------------------------

REGISTER_NAMES: dict[tuple[str, bool], str] = {
    (RegisterKind.OUTGOING, False): "Sổ văn bản đi",
    (RegisterKind.OUTGOING, True): "Sổ văn bản đi (mật)",
    (RegisterKind.INCOMING, False): "Sổ văn bản đến",
    (RegisterKind.INCOMING, True): "Sổ văn bản đến (mật)",
}


@transaction.atomic
def open_register(*, actor: User, unit: Unit, kind: str, year: int, secret: bool = False) -> Register:
    """Open one book for a year. Opening it twice is refused, never duplicated."""
    require(doc_policy.can_issue(actor, unit) or can_manage_unit(actor, unit),
            _("Only the unit's clerk or administrator can open registers."))
    if kind not in RegisterKind.values:
        raise ValidationError({"kind": _("Must be outgoing or incoming.")})
    if not isinstance(year, int) or not 1900 < year < 2200:
        raise ValidationError({"year": _("Enter a year.")})
    if Register.objects.filter(unit=unit, kind=kind, secret=secret, year=year).exists():
        raise ValidationError({"year": _("This register for %(year)s is already open.") % {"year": year}})
    register = Register.objects.create(unit=unit, kind=kind, secret=secret, year=year,
                                       name=f"{REGISTER_NAMES[(kind, secret)]} {year}")
    record(actor=actor, action="register.open", obj=register, unit=unit, data={"name": register.name})
    return register


def open_standard_registers(*, actor: User, unit: Unit, year: int) -> list[Register]:
    """The four usual books of a unit for a year; those already open are left as they are."""
    opened = []
    for kind, secret in REGISTER_NAMES:
        if not Register.objects.filter(unit=unit, kind=kind, secret=secret, year=year).exists():
            opened.append(open_register(actor=actor, unit=unit, kind=kind, year=year, secret=secret))
    return opened


@transaction.atomic
def create_series(*, actor: User, unit: Unit, name: str, system: Any, rule: Any, secret: bool = False,
                  document_type_id: int | None = None) -> NumberSeries:
    require(can_manage_unit(actor, unit) or doc_policy.can_issue(actor, unit),
            _("Only the unit's clerk or administrator can set up numbering."))
    doc_type = active_document_type(document_type_id) if document_type_id is not None else None
    if doc_type is not None and doc_type.system != system:
        raise ValidationError({"document_type_id": _("The type belongs to the other system of documents.")})
    expected_rule = SeriesRule.YEARLY if system == "state" else SeriesRule.TERM
    if rule != expected_rule:
        raise ValidationError({"rule": (_("State documents are numbered %(rule)s.") if system == "state" else
                                        _("Party documents are numbered %(rule)s.")) % {
            "rule": expected_rule.label.lower()}})
    if NumberSeries.objects.filter(unit=unit, system=system, secret=secret, document_type=doc_type).exists():
        raise ValidationError({"document_type_id": _("This unit already has such a series.")})
    series = NumberSeries.objects.create(unit=unit, name=nfc(name)[:100], system=system, rule=rule, secret=secret,
                                         document_type=doc_type)
    record(actor=actor, action="series.create", obj=series, unit=unit, data={"name": series.name})
    return series


@transaction.atomic
def create_term(*, actor: User, unit: Unit, name: str, starts_on: datetime.date,
                ends_on: datetime.date | None = None) -> Term:
    require(can_manage_unit(actor, unit), _("Only the unit's administrator can record terms."))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The term cannot end before it starts.")})
    overlap = Term.objects.filter(unit=unit, starts_on__lte=ends_on or datetime.date.max).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if overlap.exists():
        raise ValidationError({"starts_on": _("This term overlaps another term of the unit.")})
    term = Term.objects.create(unit=unit, name=nfc(name)[:50], starts_on=starts_on, ends_on=ends_on)
    record(actor=actor, action="term.create", obj=term, unit=unit, data={"name": term.name})
    return term


def store_uploads(*, actor: User, uploads: Any, limit: int = 20) -> list[dict[str, Any]]:
    """Store the files of a form upload; return the ``[{"sha256", "name"}]`` references services take."""
    return [{"sha256": store_file(actor=actor, fileobj=f, content_type=f.content_type or "").sha256, "name": f.name}
            for f in list(uploads)[:limit]]


# --- Reorganization and handover (decision 0040) ----------------------------------------------------------------
# Set-based writes the reorg app asks for: a few statements whatever the number of rows, inside the caller's
# transaction. The search rows of the documents concerned are the caller's to refresh (search sits above
# documents); the caller also keeps the trace and the audit event of the step.

def close_unit_books(*, unit: Unit, at: datetime.datetime) -> dict[str, int]:
    """Close the open registers and numbering series of a unit that stops working."""
    registers = Register.objects.filter(unit=unit, closed_at__isnull=True).update(closed_at=at)
    series = NumberSeries.objects.filter(unit=unit, active=True).update(active=False)
    return {"registers_closed": registers, "series_closed": series}


def reassign_entries(*, entry_ids: list[int], source: Unit, target: Unit) -> int:
    """Hand the incoming-register rows ``entry_ids`` that ``source`` still holds to ``target`` (their arrival
    numbers stay in ``source``'s register). Returns how many moved."""
    return IncomingEntry.objects.filter(pk__in=entry_ids, unit=source).update(unit=target)


@transaction.atomic
def redirect_deliveries(*, delivery_ids: list[int], source: Unit, target: Unit, actor: User | None,
                        at: datetime.datetime, note: str) -> int:
    """Send the copies ``delivery_ids`` addressed to ``source`` on to ``target``, each with a "redirected" event in
    the trail the sender reads. The trail keeps each copy's state: a recall pending or a kept copy is not
    "arrived". Returns how many were redirected."""
    statuses = dict(Delivery.objects.filter(pk__in=delivery_ids, recipient_unit=source).values_list("pk", "status"))
    moved = Delivery.objects.filter(pk__in=list(statuses), recipient_unit=source).update(
        recipient_unit=target, recipient_name=target.name[:255], status_at=at)
    DeliveryEvent.objects.bulk_create(
        [DeliveryEvent(delivery_id=d, status=s, kind="redirected", actor=actor, note=note)
         for d, s in sorted(statuses.items())], batch_size=2000)
    return moved


@transaction.atomic
def withdraw_deliveries(*, delivery_ids: list[int], at: datetime.datetime, reason: str, actor: User | None,
                        note: str) -> int:
    """Withdraw the copies ``delivery_ids`` (their recipient's successor already holds the document), each with a
    "withdrawn" event in the trail. Returns how many were withdrawn."""
    withdrawn = Delivery.objects.filter(pk__in=delivery_ids).update(withdrawn_at=at, reason=reason)
    DeliveryEvent.objects.bulk_create(
        [DeliveryEvent(delivery_id=d, kind="withdrawn", actor=actor, note=note) for d in sorted(delivery_ids)],
        batch_size=2000)
    return withdrawn


@transaction.atomic
def import_documents(*, documents: list[dict], file_paths: dict[str, str], creator: Any) -> list[int]:
    """Create documents brought from elsewhere (a handover package), as written there: no issuing unit or series
    of this installation, the creation time kept. Each item of ``documents`` holds ``fields`` (model fields, with
    ``created_at``), ``document_type`` (``system``, ``name``, ``abbreviation``) and ``files`` (``sha256``, ``name``,
    ``is_main``, ``order``, ``size``, ``content_type``); ``file_paths`` maps each SHA-256 to the file holding its
    bytes, stored once by content. Returns the new ids in the order given. Set-based: a few statements per 2,000
    documents. No search row is written here: the caller indexes the ids (search sits above documents)."""
    batch = 2000
    hashes = {f["sha256"]: f for d in documents for f in d["files"]}
    existing = set(Blob.objects.filter(sha256__in=list(hashes)).values_list("sha256", flat=True))
    new_blobs = []
    for sha, f in hashes.items():
        if sha not in existing:
            with open(file_paths[sha], "rb") as fh:
                name = storage.put(fh, sha)
            new_blobs.append(Blob(sha256=sha, size=f["size"], content_type=f["content_type"], storage_name=name,
                                  created_by=creator))
    Blob.objects.bulk_create(new_blobs, batch_size=batch, ignore_conflicts=True)
    blob_ids = dict(Blob.objects.filter(sha256__in=list(hashes)).values_list("sha256", "pk"))
    types: dict[tuple[str, str], int] = {}
    for d in documents:
        t = d["document_type"]
        key = (t["system"], t["name"])
        if key not in types:
            types[key] = DocumentType.objects.get_or_create(system=t["system"], name=t["name"],
                                                            defaults={"abbreviation": t["abbreviation"]})[0].pk
    objs = [Document(document_type_id=types[(d["document_type"]["system"], d["document_type"]["name"])],
                     created_by=creator, **d["fields"]) for d in documents]
    Document.objects.bulk_create(objs, batch_size=batch)
    for obj, d in zip(objs, documents, strict=True):
        obj.created_at = d["fields"]["created_at"]  # auto_now_add set it to now; keep the source's
    Document.objects.bulk_update(objs, ["created_at"], batch_size=500)
    DocumentFile.objects.bulk_create(
        [DocumentFile(document_id=obj.pk, blob_id=blob_ids[f["sha256"]], name=f["name"], is_main=f["is_main"],
                      order=f["order"]) for obj, d in zip(objs, documents, strict=True) for f in d["files"]],
        batch_size=batch)
    return [obj.pk for obj in objs]
