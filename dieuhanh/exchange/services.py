"""Writes of the exchange with other systems (issue 17, decision 0047).

Public entry points for the gateway and the intake channels (no user: the arrival itself is the actor):

- :func:`receive_package` -- an edXML package (document or status message) from any source;
- :func:`receive_files` -- a plain e-mail or scanned file (no edXML) for one unit.

Each arrival is one transaction: a :class:`ReceivedPackage` row says what became of it (imported, refused with the
element and reason, or a duplicate of an earlier arrival); an import writes the document, its files and a delivery
awaiting receipt per addressed unit, all or nothing.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import User
from dieuhanh.accounts.policy import require
from dieuhanh.audit.services import record
from dieuhanh.documents import hooks as doc_hooks
from dieuhanh.documents import policy as doc_policy
from dieuhanh.documents import storage
from dieuhanh.documents.freeze import require_not_frozen
from dieuhanh.documents.models import (
    Blob,
    Channel,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Document,
    DocumentFile,
    DocumentStatus,
    DocumentType,
    IncomingEntry,
)
from dieuhanh.documents.services import clean_recipients, set_delivery_status
from dieuhanh.documents.validation import inspect, safe_name
from dieuhanh.gateway import services as gateway_services
from dieuhanh.kernel.text import fold, nfc
from dieuhanh.units.models import Unit, UnitStatus

from . import edxml
from . import policy as exchange_policy
from .models import PackageKind, PackageSource, PackageState, ReceivedPackage, SentPackage

if TYPE_CHECKING:
    from collections.abc import Iterable

SYSTEM_USERNAME = "exchange"  # the actor of what arrives from outside (no person did it)
MAX_FILES = 50


class Refusal(Exception):
    """Raised inside an import to refuse the whole arrival; everything written so far is rolled back."""

    def __init__(self, field_: str, reason: str) -> None:
        super().__init__(f"{field_}: {reason}")
        self.field = field_
        self.reason = reason


def system_actor() -> User:
    """The account that arrivals from outside are recorded under (created inactive, unusable password)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, full_name="Liên thông văn bản", is_active=False)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # created by a concurrent arrival
            user = User.objects.get(username=SYSTEM_USERNAME)
    return user


# ------------------------------------------------------------------------------------------------------- files


def store_bytes(*, actor: User, data: bytes, name: str, declared_type: str = "") -> Blob:
    """Store bytes by content like ``documents.services.store_file``, but accept what outside senders really send
    (old .doc files, XML packages): a type the upload check refuses is stored with the ``unverified-type`` flag
    and the declared or guessed type; risky PDFs are flagged as for uploads."""
    sha = hashlib.sha256(data).hexdigest()
    blob = Blob.objects.filter(sha256=sha).first()
    if blob is not None:
        return blob
    fileobj = io.BytesIO(data)
    try:
        detected, flags = inspect(fileobj)
    except ValidationError:
        detected = declared_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        flags = ["unverified-type"]
    storage_name = storage.put(fileobj, sha)
    blob, created = Blob.objects.get_or_create(sha256=sha, defaults={
        "size": len(data), "content_type": detected[:100], "storage_name": storage_name, "created_by": actor,
        "flags": flags})
    if created:
        record(actor=actor, action="file.store", obj=blob,
               data={"sha256": sha, "size": len(data), "type": detected, "flags": flags, "via": "exchange"})
    return blob


def _attach(document: Document, files: list[tuple[Blob, str]]) -> None:
    DocumentFile.objects.bulk_create([
        DocumentFile(document=document, blob=blob, name=safe_name(name, blob.sha256[:12])[:255], is_main=order == 0,
                     order=order) for order, (blob, name) in enumerate(files)])


# ------------------------------------------------------------------------------------------------- receiving


def _source(source: str) -> str:
    if source not in PackageSource.values:
        raise ValidationError({"source": _("Unknown source %(source)s.") % {"source": repr(source)[:40]}})
    return source


def _document_type(type_name: str, type_code: str = "") -> DocumentType:
    """Our type for the package's TypeName (by folded name, then abbreviation); a letter (công văn) otherwise."""
    types = list(DocumentType.objects.filter(active=True).order_by("system", "id"))
    wanted = fold(type_name)
    for doc_type in types:
        if fold(doc_type.name) == wanted:
            return doc_type
    for doc_type in types:
        if doc_type.abbreviation and fold(doc_type.abbreviation) in {wanted, fold(type_code)}:
            return doc_type
    letter = next((t for t in types if t.is_letter), None)
    if letter is None:
        raise Refusal("MessageHeader/DocumentType/TypeName",
                      _("no document type of this installation matches %(name)s") % {"name": type_name[:80]})
    return letter


def _key_for_package(package: edxml.Package, sha: str) -> str:
    business = package.business.doc_type if package.business else 0
    key = f"doc|{package.sender.organ_id}|{business}|{package.document_id}"
    return f"{key}|{sha}" if business == 2 else key  # every distinct update applies; a repeated one does not


def _key_for_status(status: edxml.Status) -> str:
    return (f"status|{status.sender.organ_id}|{status.status_code}|{status.response_for.document_id}|"
            f"{status.timestamp.isoformat()}")


def imported_earlier(*, sha: str, key: str) -> ReceivedPackage | None:
    same = Q(sha256=sha)
    if key:
        same |= Q(dedupe_key=key)
    return ReceivedPackage.objects.filter(same, state=PackageState.IMPORTED).order_by("id").first()


def _keep_payload(actor: User, data: bytes, name: str) -> Blob | None:
    """The raw arrival as a blob (kept for audit, shown to the clerk); too big to keep: nothing."""
    if not data or len(data) > edxml.DEFAULT_MAX_BYTES:
        return None
    try:
        with transaction.atomic():
            return store_bytes(actor=actor, data=data, name=name, declared_type="application/xml")
    except ValidationError:  # kept or not, the arrival is still recorded with what became of it
        return None


def _finish(pkg: ReceivedPackage, actor: User, action: str) -> ReceivedPackage:
    record(actor=actor, action=action, obj=pkg,
           data={"source": pkg.source, "source_ref": pkg.source_ref[:200], "state": pkg.state, "kind": pkg.kind,
                 "package_id": pkg.package_id, "sender": pkg.sender_code, "sha256": pkg.sha256,
                 "field": pkg.reason_field, "reason": pkg.reason[:500], "document": pkg.document_id,
                 "duplicate_of": pkg.duplicate_of_id})
    return pkg


def _duplicate(base: dict[str, Any], of: ReceivedPackage, actor: User) -> ReceivedPackage:
    pkg = ReceivedPackage.objects.create(**base, state=PackageState.DUPLICATE, duplicate_of=of,
                                         document_id=of.document_id, reason_field="package",
                                         reason=_("already received (arrival %(id)s)") % {"id": of.pk})
    return _finish(pkg, actor, "exchange.duplicate")


def _refused(base: dict[str, Any], field_: str, reason: str, actor: User) -> ReceivedPackage:
    pkg = ReceivedPackage.objects.create(**base, state=PackageState.REFUSED, reason_field=field_[:200],
                                         reason=reason)
    return _finish(pkg, actor, "exchange.refuse")


def _parse(data: bytes) -> edxml.Package | edxml.Status:
    try:
        return edxml.parse_package(data)
    except edxml.EdxmlError as exc:
        if exc.field != "MessageHeader/StatusCode":
            raise
    return edxml.parse_status(data)


def receive_package(*, data: bytes, source: str, source_ref: str = "") -> ReceivedPackage:
    """Take in one edXML package (a document, a revoke/update/replace, or a status message).

    Returns the :class:`ReceivedPackage` saying what became of it; never raises for a bad package (the reason is
    kept on the row). Two arrivals of the same package (same bytes, or the same sender and DocumentId), even at the
    same instant, import once: the other is recorded as a duplicate."""
    _source(source)
    if not isinstance(data, bytes | bytearray):
        raise ValidationError({"data": _("The package must be bytes.")})
    data = bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    actor = system_actor()
    with transaction.atomic():
        base: dict[str, Any] = {"source": source, "source_ref": nfc(source_ref or "")[:500], "sha256": sha,
                                "size": len(data)}
        earlier = imported_earlier(sha=sha, key="")
        if earlier is not None:
            return _duplicate({**base, "kind": earlier.kind, "package_id": earlier.package_id,
                               "sender_code": earlier.sender_code, "sender_name": earlier.sender_name}, earlier,
                              actor)
        base["payload"] = _keep_payload(actor, data, "package.edxml")
        try:
            parsed = _parse(data)
        except edxml.EdxmlError as exc:
            return _refused(base, exc.field, exc.reason, actor)
        if isinstance(parsed, edxml.Status):
            base.update(kind=PackageKind.STATUS, package_id=parsed.response_for.document_id[:255],
                        sender_code=parsed.sender.organ_id[:13], sender_name=(parsed.sender.name or "")[:255],
                        status_code=parsed.status_code)
            key = _key_for_status(parsed)
        else:
            base.update(kind=PackageKind.DOCUMENT, package_id=parsed.document_id[:255],
                        sender_code=parsed.sender.organ_id[:13], sender_name=(parsed.sender.name or "")[:255],
                        business_type=parsed.business.doc_type if parsed.business else 0,
                        subject=parsed.subject)
            key = _key_for_package(parsed, sha)
        earlier = imported_earlier(sha=sha, key=key)
        if earlier is not None:
            return _duplicate(base, earlier, actor)
        try:
            with transaction.atomic():
                # the row first: its unique keys make a concurrent arrival of the same package wait here, then fail
                pkg = ReceivedPackage.objects.create(**base, dedupe_key=key[:400], state=PackageState.IMPORTED)
                if isinstance(parsed, edxml.Status):
                    _apply_status(pkg, parsed, actor)
                else:
                    _apply_package(pkg, parsed, actor)
                return _finish(pkg, actor, "exchange.import")
        except IntegrityError:
            earlier = imported_earlier(sha=sha, key=key)
            if earlier is None:
                raise
            return _duplicate(base, earlier, actor)
        except Refusal as exc:
            refused = _refused(base, exc.field, exc.reason, actor)
            if isinstance(parsed, edxml.Package) and exc.field == "MessageHeader/To":
                _after_refusal(refused, parsed)
            return refused
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"package": exc.messages}
            name, messages = next(iter(errors.items()))
            return _refused(base, name, " ".join(messages), actor)


def _after_refusal(pkg: ReceivedPackage, package: edxml.Package) -> None:
    """A package addressed to no organ of ours: the sender hears 02 (QCVN 102 expects a refusal status)."""
    for callback in _refusal_listeners:
        callback(pkg, package)


_refusal_listeners: list[Any] = []


def _our_units(package: edxml.Package) -> list[Unit]:
    codes = [organ.organ_id for organ in package.to]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes, status=UnitStatus.ACTIVE)}
    return [units[c] for c in dict.fromkeys(codes) if c in units]


def _sender_name(organ: edxml.Organ) -> str:
    return nfc(organ.name or organ.organization_in_charge or organ.organ_id)[:255]


def _document_fields(package: edxml.Package) -> dict[str, Any]:
    signer = package.signer
    position = nfc(signer.position or signer.competence or "")
    return {
        "issuer_name": _sender_name(package.sender),
        "symbol": nfc(package.code)[:100],
        "place": nfc(package.place)[:100],
        "issued_on": package.promulgation_date,
        "subject": nfc(package.subject)[:2000],
        "signer_name": nfc(signer.full_name)[:150],
        "signer_position": position[:150],
        "urgency": package.other.priority or 0,
        "page_count": max(package.other.page_amount or 1, 1),
        "due_date": package.due_date,
    }


def _store_attachments(actor: User, attachments: Iterable[edxml.Attachment]) -> list[tuple[Blob, str]]:
    files = list(attachments)
    if len(files) > MAX_FILES:
        raise Refusal("AttachmentEncoded", _("more than %(n)s files") % {"n": MAX_FILES})
    return [(store_bytes(actor=actor, data=a.data, name=a.name, declared_type=a.content_type), a.name)
            for a in files if a.data]


def _apply_package(pkg: ReceivedPackage, package: edxml.Package, actor: User) -> None:
    business = package.business.doc_type if package.business else 0
    if business != 0:
        handler = _business_handlers.get(business)
        if handler is None:
            raise Refusal("TraceHeaderList/Bussiness/BussinessDocType",
                          _("%(type)s is not a business type we handle") % {"type": business})
        handler(pkg, package, actor)
        return
    _import_new(pkg, package, actor)


def _import_new(pkg: ReceivedPackage, package: edxml.Package, actor: User) -> Document:
    units = _our_units(package)
    if not units:
        raise Refusal("MessageHeader/To", _("no organ of this installation is addressed (%(codes)s)") % {
            "codes": ", ".join(o.organ_id for o in package.to)[:200]})
    doc_type = _document_type(package.type_name, package.type_code)
    document = Document.objects.create(document_type=doc_type, status=DocumentStatus.RECEIVED, created_by=actor,
                                       **_document_fields(package))
    _attach(document, _store_attachments(actor, package.attachments))
    deliveries = _deliver(document, units, sender_code=package.sender.organ_id,
                          sender_name=_sender_name(package.sender), actor=actor,
                          note=f"edXML {pkg.get_source_display()}")
    pkg.document = document
    pkg.save(update_fields=["document"])
    pkg.deliveries.add(*deliveries)
    _announce(deliveries, "")
    if document.files.exists():
        doc_hooks.files_arrived_after_commit(document)  # signatures checked as for internal deliveries
    return document


def _deliver(document: Document, units: list[Unit], *, sender_code: str, sender_name: str, actor: User,
             note: str, channel: str = Channel.GATEWAY) -> list[Delivery]:
    now = timezone.now()
    deliveries = [Delivery.objects.create(
        document=document, sender_unit=None, sender_code=sender_code[:13], sender_name=sender_name[:255],
        recipient_unit=unit, recipient_name=unit.name[:255], channel=channel,
        status=DeliveryStatus.ARRIVED, status_at=now, urgency=document.urgency) for unit in units]
    DeliveryEvent.objects.bulk_create([DeliveryEvent(delivery=d, status=DeliveryStatus.ARRIVED, kind="status",
                                                     actor=actor, note=note[:200]) for d in deliveries])
    return deliveries


def _announce(deliveries: Iterable[Delivery], note: str) -> None:
    """Tell the apps listening to deliveries (exchange's own outbound: a 01 to the sender) once they are linked."""
    for delivery in deliveries:
        doc_hooks.delivery_status_changed(delivery, DeliveryStatus.ARRIVED, note)


def _originals(package: edxml.Package, document_ids: Iterable[str]) -> list[ReceivedPackage]:
    """The imported new-document arrivals from the same sender that a revoke/update/replace names."""
    ids = [d for d in dict.fromkeys(document_ids) if d]
    return list(ReceivedPackage.objects.select_for_update().filter(
        state=PackageState.IMPORTED, kind=PackageKind.DOCUMENT, business_type=0, package_id__in=ids,
        sender_code=package.sender.organ_id, document__isnull=False).order_by("id"))


def _named_id(package: edxml.Package) -> str:
    return (package.business.document_id if package.business and package.business.document_id
            else package.document_id)


def _revoke(pkg: ReceivedPackage, package: edxml.Package, actor: User) -> None:
    """BussinessDocType 1: the copies leave the recipients' queues (withdrawn, entries marked recalled, kept)."""
    reason = nfc(package.business.reason if package.business else "")[:500] or _("revoked by the sender")
    originals = _originals(package, [_named_id(package), package.document_id])
    now = timezone.now()
    for original in originals:
        ids = [d.pk for d in original.deliveries.filter(withdrawn_at__isnull=True)]
        _withdraw(ids, now, reason, actor)
        pkg.deliveries.add(*ids)
        pkg.document_id = original.document_id
    if not originals:
        pkg.reason_field, pkg.reason = "TraceHeaderList/Bussiness/DocumentId", _("the revoked document never "
                                                                                "arrived here; nothing to revoke")
    pkg.save(update_fields=["document", "reason_field", "reason"])


def _withdraw(delivery_ids: list[int], at: datetime, reason: str, actor: User) -> None:
    if not delivery_ids:
        return
    Delivery.objects.filter(pk__in=delivery_ids).update(withdrawn_at=at, reason=reason, status_at=at)
    IncomingEntry.objects.filter(delivery_id__in=delivery_ids, recalled_at__isnull=True).update(recalled_at=at)
    DeliveryEvent.objects.bulk_create([DeliveryEvent(delivery_id=d, kind="withdrawn", actor=actor, note=reason)
                                       for d in sorted(delivery_ids)])


def _update(pkg: ReceivedPackage, package: edxml.Package, actor: User) -> None:
    """BussinessDocType 2: the document's fields change as sent; ReceiverList adds (1) or removes (0) recipients.
    An update of a document that never arrived here is imported as the document itself."""
    originals = _originals(package, [_named_id(package), package.document_id])
    if not originals:
        _import_new(pkg, package, actor)
        return
    business = package.business or edxml.Business()
    now = timezone.now()
    for original in originals:
        assert original.document_id is not None  # _originals() keeps arrivals that made a document
        document = Document.objects.select_for_update().get(pk=original.document_id)
        changed = {}
        for name, value in _document_fields(package).items():
            if value not in (None, "") and getattr(document, name) != value:
                changed[name] = str(value)
                setattr(document, name, value)
        document.save()
        if package.attachments:
            document.files.all().delete()
            _attach(document, _store_attachments(actor, package.attachments))
        held = {d.recipient_unit.code: d for d in original.deliveries.select_related("recipient_unit")
                if d.recipient_unit is not None}
        removed = [held[r.organ_id].pk for r in business.receivers
                   if r.receiver_type == 0 and r.organ_id in held and held[r.organ_id].withdrawn_at is None]
        _withdraw(removed, now, nfc(business.reason or "")[:500] or _("removed by the sender's update"), actor)
        added_codes = [r.organ_id for r in business.receivers if r.receiver_type == 1 and r.organ_id not in held]
        added = list(Unit.objects.filter(code__in=added_codes, status=UnitStatus.ACTIVE))
        new = _deliver(document, added, sender_code=package.sender.organ_id,
                       sender_name=_sender_name(package.sender), actor=actor, note="edXML update")
        original.deliveries.add(*new)
        pkg.deliveries.add(*new)
        _announce(new, "")
        for delivery in original.deliveries.filter(withdrawn_at__isnull=True).exclude(pk__in=[d.pk for d in new]):
            DeliveryEvent.objects.create(delivery=delivery, status=delivery.status, kind="updated", actor=actor,
                                         note=", ".join(sorted(changed))[:500])
        pkg.deliveries.add(*original.deliveries.all())
        pkg.document_id = document.pk
        pkg.save(update_fields=["document"])
        record(actor=actor, action="exchange.update_document", obj=document,
               data={"changed": changed, "added": [u.code for u in added], "removed": removed})


def _replace(pkg: ReceivedPackage, package: edxml.Package, actor: User) -> None:
    """BussinessDocType 3: the new document is imported; the ones it replaces are marked replaced by it."""
    document = _import_new(pkg, package, actor)
    business = package.business or edxml.Business()
    ids = [r.document_id for r in business.replacements] or [business.document_id]
    ids = [i for i in ids if i and i != package.document_id]
    for original in _originals(package, ids):
        assert original.document_id is not None  # _originals() keeps arrivals that made a document
        Document.objects.filter(pk=original.document_id, replaced_by__isnull=True).update(replaced_by=document)
        for delivery in original.deliveries.filter(withdrawn_at__isnull=True):
            DeliveryEvent.objects.create(delivery=delivery, status=delivery.status, kind="replaced", actor=actor,
                                         note=document.symbol)


# revoke (1), update (2), replace (3)
_business_handlers: dict[int, Any] = {1: _revoke, 2: _update, 3: _replace}


def _apply_status(pkg: ReceivedPackage, status: edxml.Status, actor: User) -> None:
    """A status about a document we sent: the delivery to that organ moves as an internal one would. A 13 from the
    sender of a document we received asks our copies back: they wait for the clerk's answer (15/16)."""
    if status.status_code == DeliveryStatus.RECALL_REQUESTED and status.response_for.organ_id == \
            status.sender.organ_id:
        _recall_requested(pkg, status, actor)
        return
    sent = (SentPackage.objects.filter(edxml_document_id=status.response_for.document_id,
                                       organ_code=status.sender.organ_id, delivery__isnull=False,
                                       kind=PackageKind.DOCUMENT, business_type=0)
            .order_by("id").first())
    if sent is None or sent.delivery_id is None:
        raise Refusal("MessageHeader/ResponseFor/DocumentId",
                      _("no document we sent to %(organ)s has this id") % {"organ": status.sender.organ_id})
    delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=sent.delivery_id)
    note = nfc(status.description or "")[:500]
    if status.status_code in (DeliveryStatus.REFUSED, DeliveryStatus.RECALL_REFUSED):
        delivery.reason = note
    if status.status_code == DeliveryStatus.RECALL_AGREED:
        delivery.withdrawn_at = timezone.now()
        delivery.save(update_fields=["withdrawn_at"])
    if status.status_code != DeliveryStatus.RECALL_REQUESTED:  # our own 13 echoed back changes nothing
        delivery.status = status.status_code
        delivery.status_at = timezone.now()
        delivery.save(update_fields=["status", "status_at", "reason"])
        DeliveryEvent.objects.create(delivery=delivery, status=status.status_code, kind="status", actor=actor,
                                     note=note or f"edXML {status.status_code}")
    for callback in _status_listeners:  # outbound: a 15 is followed by the revoke package
        callback(delivery, status.status_code, note)
    pkg.document_id = delivery.document_id
    pkg.save(update_fields=["document"])
    pkg.deliveries.add(delivery)


def _recall_requested(pkg: ReceivedPackage, status: edxml.Status, actor: User) -> None:
    originals = list(ReceivedPackage.objects.filter(
        state=PackageState.IMPORTED, kind=PackageKind.DOCUMENT, business_type=0,
        package_id=status.response_for.document_id, sender_code=status.sender.organ_id, document__isnull=False))
    copies = [d for original in originals for d in original.deliveries.select_for_update().filter(
        withdrawn_at__isnull=True).exclude(status__in=[DeliveryStatus.REFUSED, DeliveryStatus.RECALL_REQUESTED])]
    if not copies:
        raise Refusal("MessageHeader/ResponseFor/DocumentId",
                      _("no copy of this document from %(organ)s is held here") % {"organ": status.sender.organ_id})
    note = nfc(status.description or "")[:500] or _("recall requested by the sender")
    for delivery in copies:
        delivery.reason = note
        set_delivery_status(delivery, DeliveryStatus.RECALL_REQUESTED, actor, note)
    pkg.document_id = copies[0].document_id
    pkg.save(update_fields=["document"])
    pkg.deliveries.add(*copies)


_status_listeners: list[Any] = []


def add_listeners(*, refused: Any = None, status: Any = None, sender: Any = None) -> None:
    """outbound registers what follows a refusal (a 02 to the sender) and a status received (a 15 is followed by
    the revoke package); kept as plain lists so services need not import outbound."""
    if refused is not None and refused not in _refusal_listeners:
        _refusal_listeners.append(refused)
    if status is not None and status not in _status_listeners:
        _status_listeners.append(status)
    if sender is not None and sender not in _senders:
        _senders[:] = [sender]


# ---------------------------------------------------------------------------------------- files without edXML


def receive_files(*, unit_code: str, subject: str, sender: str, files: list[tuple[str, bytes]], source: str,
                  source_ref: str, received_at: datetime | None = None) -> ReceivedPackage:
    """A plain e-mail or scanned file (no edXML) becomes a delivery awaiting receipt in the unit ``unit_code``,
    with its files and what is known (subject, sender); the clerk completes the rest on acceptance.

    De-duplicated by ``source_ref`` (the message id or file path) within the source and by the files' hashes."""
    _source(source)
    actor = system_actor()
    items = [(safe_name(nfc(name or ""), "file"), bytes(data)) for name, data in (files or [])
             if isinstance(data, bytes | bytearray) and data]
    digest = hashlib.sha256()
    for _name, data in sorted(items, key=lambda item: hashlib.sha256(item[1]).hexdigest()):
        digest.update(hashlib.sha256(data).digest())
    digest.update(fold(subject or "").encode())
    sha = digest.hexdigest()
    source_ref = nfc(source_ref or "")[:500]
    key = f"files|{source}|{source_ref}" if source_ref else ""
    subject = nfc(subject or "").strip()[:2000]
    sender_name = nfc(sender or "").strip()[:255]
    base: dict[str, Any] = {"source": source, "source_ref": source_ref, "sha256": sha, "kind": PackageKind.FILES,
                            "package_id": source_ref[:255], "sender_name": sender_name, "subject": subject,
                            "size": sum(len(d) for _n, d in items)}
    with transaction.atomic():
        earlier = imported_earlier(sha=sha, key=key)
        if earlier is not None:
            return _duplicate(base, earlier, actor)
        unit = Unit.objects.filter(code=unit_code, status=UnitStatus.ACTIVE).first()
        if unit is None:
            return _refused(base, "unit_code", _("no active unit of this installation has the code %(code)s") % {
                "code": str(unit_code)[:20]}, actor)
        if not items:
            return _refused(base, "files", _("the message carries no file"), actor)
        if len(items) > MAX_FILES:
            return _refused(base, "files", _("more than %(n)s files") % {"n": MAX_FILES}, actor)
        try:
            with transaction.atomic():
                pkg = ReceivedPackage.objects.create(**base, dedupe_key=key, state=PackageState.IMPORTED)
                blobs = [(store_bytes(actor=actor, data=data, name=name), name) for name, data in items]
                document = Document.objects.create(
                    document_type=_document_type(""), status=DocumentStatus.RECEIVED, created_by=actor,
                    issuer_name=sender_name or _("(unknown sender)"), subject=subject or items[0][0])
                _attach(document, blobs)
                when = timezone.localtime(received_at) if received_at else timezone.localtime()
                deliveries = _deliver(document, [unit], sender_code="", sender_name=sender_name, actor=actor,
                                      note=f"{pkg.get_source_display()} {when:%Y-%m-%d %H:%M}",
                                      channel=Channel.PAPER if source == PackageSource.FOLDER else Channel.GATEWAY)
                pkg.document = document
                pkg.save(update_fields=["document"])
                pkg.deliveries.add(*deliveries)
                doc_hooks.files_arrived_after_commit(document)
                return _finish(pkg, actor, "exchange.import_files")
        except IntegrityError:
            earlier = imported_earlier(sha=sha, key=key)
            if earlier is None:
                raise
            return _duplicate(base, earlier, actor)
        except (Refusal, ValidationError) as exc:
            if isinstance(exc, Refusal):
                return _refused(base, exc.field, exc.reason, actor)
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"files": exc.messages}
            name, messages = next(iter(errors.items()))
            return _refused(base, name, " ".join(messages), actor)


# ------------------------------------------------------------------------------- our own update and replacement


def _issued_by_us(actor: User, document: Document) -> Document:
    document = Document.objects.select_for_update(of=("self",)).select_related("issuing_unit").get(pk=document.pk)
    require(doc_policy.can_request_recall(actor, document), _("Only the issuing unit can do this."))
    require_not_frozen(document)
    if document.status != DocumentStatus.ISSUED:
        raise ValidationError({"status": _("Only an issued document can be changed or replaced.")})
    return document


@transaction.atomic
def send_update(*, actor: User, document: Document, reason: str, add: Iterable[dict[str, str]] = (),
                remove: Iterable[str] = ()) -> list[SentPackage]:
    """Tell the outside organs holding ``document`` that it changed (BussinessDocType 2): ``add`` names new outside
    recipients ``{"external_code", "name"}`` (they get the document), ``remove`` the codes that no longer receive
    it (their copy is withdrawn here too)."""
    document = _issued_by_us(actor, document)
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the update.")})
    remove = [nfc(c).strip() for c in remove if c]
    held = {d.external_code: d for d in document.deliveries.filter(channel=Channel.GATEWAY,
                                                                   withdrawn_at__isnull=True)
            .exclude(external_code="")}
    unknown = [c for c in remove if c not in held]
    if unknown:
        raise ValidationError({"remove": _("%(code)s does not hold this document.") % {"code": unknown[0]}})
    issuer = document.issuing_unit
    assert issuer is not None  # _issued_by_us() refused a document without an issuing unit
    added = clean_recipients(issuer, [{**a, "channel": Channel.GATEWAY} for a in add],
                             secret=document.is_secret) if add else []
    for item in added:
        if item["external_code"] in held:
            raise ValidationError({"add": _("%(code)s already holds this document.") % {"code": item["external_code"]}})
    now = timezone.now()
    new = [Delivery.objects.create(document=document, sender_unit=document.issuing_unit,
                                   external_code=item["external_code"], recipient_name=item["name"],
                                   channel=Channel.GATEWAY, status=DeliveryStatus.ARRIVED, status_at=now,
                                   urgency=document.urgency) for item in added]
    DeliveryEvent.objects.bulk_create([DeliveryEvent(delivery=d, status=d.status, kind="status", actor=actor,
                                                     note="queued (update)") for d in new])
    receivers = tuple([edxml.Receiver(c, 0) for c in remove] + [edxml.Receiver(d.external_code, 1) for d in new])
    # every organ that held it hears of the change (the removed ones too: they learn they are removed)
    sent = outbound_send_business(actor=actor, document=document, business_type=2, reason=reason,
                                  deliveries=list(held.values()), receivers=receivers)
    _withdraw([held[c].pk for c in remove], now, reason, actor)
    for delivery in new:  # the new organs receive the document itself
        sent += outbound_send_business(actor=actor, document=document, business_type=0, reason=reason,
                                       deliveries=[delivery])
    record(actor=actor, action="exchange.send_update", obj=document, unit=document.issuing_unit,
           data={"reason": reason, "added": [d.external_code for d in new], "removed": remove,
                 "packages": len(sent)})
    return sent


@transaction.atomic
def replace_document(*, actor: User, old: Document, new: Document, reason: str) -> list[SentPackage]:
    """``new`` (issued by the same unit) replaces ``old``: ``old`` is marked replaced wherever it is shown and every
    outside organ that held it receives ``new`` as a replacement (BussinessDocType 3)."""
    old = _issued_by_us(actor, old)
    new = _issued_by_us(actor, new)
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the replacement.")})
    if old.pk == new.pk or old.issuing_unit_id != new.issuing_unit_id:
        raise ValidationError({"new": _("The replacement must be another document of the same issuing unit.")})
    if old.replaced_by_id is not None:
        raise ValidationError({"old": _("This document is already replaced.")})
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    sent = outbound_send_business(actor=actor, document=new, business_type=3, reason=reason, replaces=old)
    for delivery in old.deliveries.filter(withdrawn_at__isnull=True):
        DeliveryEvent.objects.create(delivery=delivery, status=delivery.status, kind="replaced", actor=actor,
                                     note=new.symbol)
    record(actor=actor, action="exchange.replace", obj=old, unit=old.issuing_unit,
           data={"new": new.pk, "symbol": new.symbol, "reason": reason, "packages": len(sent)})
    return sent


def outbound_send_business(**kwargs: Any) -> list[SentPackage]:
    """outbound.send_business, registered at start-up (outbound imports this module: no import cycle)."""
    return _senders[0](**kwargs)


_senders: list[Any] = []


# ----------------------------------------------------------------------------------------------- clerks' actions


@transaction.atomic
def upload_package(*, actor: User, data: bytes, name: str = "") -> ReceivedPackage:
    """A clerk imports a package file by hand (one sent by e-mail, on a USB stick...): as any arrival, plus who."""
    require(exchange_policy.can_receive_packages(actor), _("Only a clerk can import packages."))
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > edxml.DEFAULT_MAX_BYTES:
        raise ValidationError({"file": _("Packages are limited to %(mb)s MB.") % {
            "mb": edxml.DEFAULT_MAX_BYTES // (1024 * 1024)}})
    pkg = receive_package(data=data, source=PackageSource.UPLOAD,
                          source_ref=f"{actor.username}/{safe_name(name, 'package.edxml')}")
    record(actor=actor, action="exchange.upload", obj=pkg, data={"name": name[:200], "state": pkg.state})
    return pkg


@transaction.atomic
def retry_send(*, actor: User, sent: SentPackage) -> Any:
    """Put a failed send back in the gateway's queue (the clerk's retry button)."""
    require(exchange_policy.can_retry(actor, sent), _("You cannot retry this send."))
    item = next(iter(selectors_outbox([sent]).values()), None)
    if item is None or item.state != "failed":
        raise ValidationError({"state": _("Only a failed send can be retried.")})
    retried = gateway_retry(item_id=item.pk)
    record(actor=actor, action="exchange.retry", obj=sent, data={"package_id": sent.package_id,
                                                                 "to": sent.organ_code})
    return retried


def selectors_outbox(rows: list[SentPackage]) -> dict[tuple[str, str], Any]:
    # function-level import: selectors imports nothing of services, but keeps the gateway lookup in one place
    from .selectors import outbox_states

    return outbox_states(rows)


def gateway_retry(*, item_id: int) -> Any:
    """gateway.services.retry (the gateway contract)."""
    return gateway_services.retry(item_id=item_id)
