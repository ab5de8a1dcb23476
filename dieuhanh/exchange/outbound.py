"""What leaves the installation as edXML (issue 17, decision 0047): document packages when a document addressed to
outside organs is issued, revoke/update/replace packages, and status messages about copies that came from outside.

Every package is queued in the gateway's outbox inside the transaction of the action that produced it
(``gateway.services.enqueue``), recorded as a :class:`SentPackage` (statuses coming back find their delivery
through it) and audited. Called from documents' hooks (registered in ``ExchangeConfig.ready``)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.audit.services import record
from dieuhanh.documents import storage
from dieuhanh.documents.models import Channel, Delivery, DeliveryStatus, Document
from dieuhanh.gateway import services as gateway_services
from dieuhanh.units.models import Unit

from . import edxml
from .models import Organ, PackageKind, ReceivedPackage, SentPackage

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

log = logging.getLogger(__name__)

# statuses a copy that came from outside reports to its sender (13 is the sender's own word)
REPORTED = {"01", "02", "03", "04", "05", "06", "15", "16"}


def enqueue(*, destination: str, package_id: str, payload: bytes) -> Any:
    """Queue ``payload`` in the gateway's outbox inside the caller's transaction (gateway contract)."""
    return gateway_services.enqueue(destination=destination, package_id=package_id, payload=payload, kind="edxml")


def _local_now() -> datetime:
    return timezone.localtime().replace(tzinfo=None, microsecond=0)  # the standard's times carry no zone


def edxml_document_id(document: Document) -> str:
    """``{OrganId},{yyyy/MM/dd},{number}/{symbol}`` of a document we issued."""
    unit = document.issuing_unit
    code = unit.code if unit is not None else ""
    day = document.issued_on.strftime("%Y/%m/%d") if document.issued_on else ""
    return f"{code},{day},{document.symbol}"


def _organ(unit: Unit) -> edxml.Organ:
    return edxml.Organ(organ_id=unit.code, name=unit.name, organization_in_charge=unit.name)


def _is_ours(code: str) -> bool:
    return Unit.objects.filter(code=code).exists()


def _package(document: Document, organs: list[edxml.Organ], business: edxml.Business) -> edxml.Package:
    unit = document.issuing_unit
    assert unit is not None  # only documents we issued are exported
    number, _sep, notation = document.symbol.partition("/")
    files = [edxml.Attachment(name=f.name, content_type=f.blob.content_type, data=storage.read_plain(f.blob),
                              description=_("Main file") if f.is_main else "", content_id=f"cid:{i + 1}")
             for i, f in enumerate(document.files.select_related("blob"))]
    return edxml.Package(
        sender=_organ(unit), to=tuple(organs), code_number=number or str(document.number or ""),
        code_notation=notation, document_id=edxml_document_id(document), place=document.place,
        promulgation_date=document.issued_on or timezone.localdate(), type_code=document.document_type.abbreviation,
        type_name=document.document_type.name, subject=document.subject,
        signer=edxml.Signer(competence=document.authority, position=document.signer_position,
                            full_name=document.signer_name),
        due_date=document.due_date, to_places=tuple(o.name for o in organs),
        other=edxml.OtherInfo(priority=document.urgency, page_amount=document.page_count),
        trace_headers=(edxml.TraceHeader(unit.code, _local_now()),), business=business, attachments=tuple(files))


def _check_secret(document: Document, code: str) -> None:
    """A secret document leaves only towards an organ reached over a closed network."""
    if document.is_secret and not Organ.objects.filter(code=code, closed_network=True, active=True).exists():
        raise ValidationError({"recipients": _("Secret documents are sent electronically only to organs on a "
                                               "closed network; %(code)s is not.") % {"code": code}})


def _send(*, actor: Any, document: Document | None, delivery: Delivery | None, organ_code: str, package_id: str,
          payload: bytes, kind: str, business_type: int | None = None, status_code: str = "",
          edxml_id: str = "") -> SentPackage:
    enqueue(destination=organ_code, package_id=package_id, payload=payload)
    sent = SentPackage.objects.create(document=document, delivery=delivery, organ_code=organ_code,
                                      edxml_document_id=edxml_id or (edxml_document_id(document) if document
                                                                     else ""),
                                      package_id=package_id, kind=kind, business_type=business_type,
                                      status_code=status_code)
    record(actor=actor, action="exchange.send", obj=sent, unit=document.issuing_unit if document else None,
           data={"to": organ_code, "package_id": package_id, "kind": kind, "business_type": business_type,
                 "status": status_code, "size": len(payload)})
    return sent


def _gateway_deliveries(document: Document) -> list[Delivery]:
    return [d for d in document.deliveries.filter(channel=Channel.GATEWAY, recipient_unit__isnull=True,
                                                  withdrawn_at__isnull=True).exclude(external_code="")
            if not _is_ours(d.external_code)]


def on_issued(document: Document) -> None:
    """documents.hooks.register_issued: one document package per outside organ, queued with the issue."""
    deliveries = _gateway_deliveries(document)
    if not deliveries:
        return
    for delivery in deliveries:
        _check_secret(document, delivery.external_code)
    actor = document.issued_by
    business = edxml.Business(doc_type=0, document_id=edxml_document_id(document))
    for delivery in deliveries:
        organ = edxml.Organ(organ_id=delivery.external_code, name=delivery.recipient_name)
        payload = edxml.build_package(_package(document, [organ], business))
        _send(actor=actor, document=document, delivery=delivery, organ_code=delivery.external_code,
              package_id=f"{edxml_document_id(document)}#new", payload=payload, kind=PackageKind.DOCUMENT,
              business_type=0)


def _origin(delivery: Delivery) -> ReceivedPackage | None:
    """The arrival that made a copy from outside (its DocumentId is what our statuses answer)."""
    return (ReceivedPackage.objects.filter(deliveries=delivery, kind=PackageKind.DOCUMENT, business_type__in=[0, 2, 3],
                                           document_id=delivery.document_id).order_by("id").first())


def on_delivery_status(delivery: Delivery, status: str, note: str) -> None:
    """documents.hooks.register_delivery_status: a copy that came from outside tells its sender (01-06, 15, 16);
    our own copy sent through the gateway asks the organ to give it back (13)."""
    if delivery.sender_unit_id is None and delivery.sender_code and status in REPORTED:
        _status_to_sender(delivery, status, note)
    elif (status == DeliveryStatus.RECALL_REQUESTED and delivery.channel == Channel.GATEWAY
          and delivery.recipient_unit_id is None and delivery.external_code and not _is_ours(delivery.external_code)):
        _recall_request(delivery, note)


def _status_to_sender(delivery: Delivery, status: str, note: str) -> None:
    origin = _origin(delivery)
    unit = delivery.recipient_unit
    if origin is None or unit is None:
        return  # a plain e-mail or scan: no edXML sender to tell
    document = delivery.document
    message = edxml.Status(
        sender=_organ(unit),
        response_for=edxml.ResponseFor(organ_id=delivery.sender_code, code=document.symbol,
                                       promulgation_date=document.issued_on, document_id=origin.package_id),
        status_code=status, timestamp=_local_now(), description=note[:500],
        staff=edxml.Staff(department=unit.name))
    event_count = delivery.events.count()
    _send(actor=None, document=document, delivery=delivery, organ_code=delivery.sender_code,
          package_id=f"{origin.package_id}#{unit.code}#{status}#{event_count}", payload=edxml.build_status(message),
          kind=PackageKind.STATUS, status_code=status, edxml_id=origin.package_id)


def _recall_request(delivery: Delivery, note: str) -> None:
    document = delivery.document
    unit = document.issuing_unit
    if unit is None:
        return
    doc_id = edxml_document_id(document)
    message = edxml.Status(
        sender=_organ(unit),
        response_for=edxml.ResponseFor(organ_id=unit.code, code=document.symbol,
                                       promulgation_date=document.issued_on, document_id=doc_id),
        status_code="13", timestamp=_local_now(), description=note[:500])
    _send(actor=None, document=document, delivery=delivery, organ_code=delivery.external_code,
          package_id=f"{doc_id}#13#{delivery.events.count()}", payload=edxml.build_status(message),
          kind=PackageKind.STATUS, status_code="13")


def send_business(*, actor: User | None, document: Document, business_type: int, reason: str,
                  deliveries: list[Delivery] | None = None, receivers: tuple[edxml.Receiver, ...] = (),
                  replaces: Document | None = None) -> list[SentPackage]:
    """A revoke (1), update (2) or replacement (3) of a document we issued, to each outside organ holding it.
    For a replacement ``document`` is the new document and ``replaces`` the old one (its organs receive it)."""
    source = replaces if business_type == 3 and replaces is not None else document
    targets = deliveries if deliveries is not None else _gateway_deliveries(source)
    original_id = edxml_document_id(source)
    replacements: tuple[edxml.Replacement, ...] = ()
    if business_type == 3:
        replacements = (edxml.Replacement(original_id, tuple(d.external_code for d in targets)),)
    business = edxml.Business(doc_type=business_type, reason=reason, document_id=original_id,
                              receivers=receivers, replacements=replacements,
                              document_info="1" if business_type == 2 else "",
                              document_receiver="1" if receivers else "")
    sent = []
    for delivery in targets:
        _check_secret(document, delivery.external_code)
        organ = edxml.Organ(organ_id=delivery.external_code, name=delivery.recipient_name)
        count = SentPackage.objects.filter(organ_code=delivery.external_code,
                                           edxml_document_id=edxml_document_id(document)).count()
        payload = edxml.build_package(_package(document, [organ], business))
        sent.append(_send(actor=actor, document=document, delivery=delivery, organ_code=delivery.external_code,
                          package_id=f"{edxml_document_id(document)}#b{business_type}#{count}", payload=payload,
                          kind=PackageKind.DOCUMENT, business_type=business_type))
    return sent


def on_refused(pkg: ReceivedPackage, package: edxml.Package) -> None:
    """A package addressed to no organ of ours: its sender hears 02 with the reason (QCVN 102 expects one)."""
    addressed = package.to[0] if package.to else edxml.Organ(organ_id="")
    message = edxml.Status(
        sender=addressed,
        response_for=edxml.ResponseFor(organ_id=package.sender.organ_id, code=package.code,
                                       promulgation_date=package.promulgation_date, document_id=package.document_id),
        status_code="02", timestamp=_local_now(), description=pkg.reason[:500])
    _send(actor=None, document=None, delivery=None, organ_code=package.sender.organ_id,
          package_id=f"{package.document_id}#02#{pkg.pk}", payload=edxml.build_status(message),
          kind=PackageKind.STATUS, status_code="02", edxml_id=package.document_id)


def on_status_received(delivery: Delivery, code: str, note: str) -> None:
    """An organ agreed (15) to give back a document we recalled: the revoke package follows."""
    if code == DeliveryStatus.RECALL_AGREED and delivery.sender_unit_id is not None:
        send_business(actor=None, document=delivery.document, business_type=1, reason=note or _("recalled"),
                      deliveries=[delivery])
