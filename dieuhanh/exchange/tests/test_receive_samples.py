"""Each of the 19 public sample packages goes through receive_package: imported, or (edoc.edxml) refused with its
reason kept. Read from ../shared/edxml where they lie (no licence: never copied); skipped without the folder."""

import datetime

import pytest

from dieuhanh.documents.models import Channel, Delivery, DeliveryStatus, Document, DocumentStatus
from dieuhanh.exchange import services
from dieuhanh.exchange.edxml import parse_package, parse_status
from dieuhanh.exchange.models import PackageKind, PackageState, ReceivedPackage, SentPackage

from .test_samples import FILES, MALFORMED

pytestmark = pytest.mark.django_db


def _sent_delivery(ex, status):
    """Our outgoing copy that the status speaks of: sent by the unit whose code the status answers."""
    org = ex.org
    ours = ex.unit(status.response_for.organ_id)
    doc = Document.objects.create(document_type_id=1, issuing_unit=ours, issuer_name=ours.name,
                                  status=DocumentStatus.ISSUED, subject="Công văn gửi đi", symbol="7816/VPCP-TTĐT",
                                  issued_on=datetime.date(2015, 9, 30), created_by=org.admin)
    delivery = Delivery.objects.create(document=doc, sender_unit=ours, external_code=status.sender.organ_id,
                                       recipient_name="Ngoài", channel=Channel.GATEWAY,
                                       status=DeliveryStatus.ARRIVED, status_at=datetime.datetime.now(datetime.UTC))
    SentPackage.objects.create(document=doc, delivery=delivery, organ_code=status.sender.organ_id,
                               edxml_document_id=status.response_for.document_id, package_id="p1",
                               kind=PackageKind.DOCUMENT, business_type=0)
    return delivery


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_sample_is_imported_or_refused_with_its_reason(ex, path):
    data = path.read_bytes()
    if path.name in MALFORMED:
        pkg = services.receive_package(data=data, source="folder", source_ref=path.name)
        assert pkg.state == PackageState.REFUSED and pkg.reason_field == "xml" and pkg.reason
        assert pkg.payload is not None  # kept to be shown with its reason
        assert not Document.objects.exists()
        return
    if "status" in path.name:
        status = parse_status(data)
        delivery = _sent_delivery(ex, status)
        pkg = services.receive_package(data=data, source="gateway", source_ref=path.name)
        assert pkg.state == PackageState.IMPORTED, pkg.reason
        delivery.refresh_from_db()
        if status.status_code == "13":  # the sender's own request: our copy's status stays
            assert delivery.status == DeliveryStatus.ARRIVED
        else:
            assert delivery.status == status.status_code
            assert delivery.events.filter(status=status.status_code).exists()
        return
    package = parse_package(data)
    for organ in package.to:
        ex.unit(organ.organ_id)
    pkg = services.receive_package(data=data, source="gateway", source_ref=path.name)
    assert pkg.state == PackageState.IMPORTED, (pkg.reason_field, pkg.reason)
    business = package.business.doc_type if package.business else 0
    if business in (0, 2, 3):
        assert pkg.document is not None and pkg.document.files.count() == len(package.attachments)
        assert pkg.deliveries.count() == len({o.organ_id for o in package.to})
    assert ReceivedPackage.objects.get(pk=pkg.pk).sha256
    # the same file again is a duplicate, never a second import
    again = services.receive_package(data=data, source="folder")
    assert again.state == PackageState.DUPLICATE
