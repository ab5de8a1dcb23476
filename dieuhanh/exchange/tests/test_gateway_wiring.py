"""exchange against the real gateway (contract in notes/gateway_contract.md): packages land in its outbox in the
action's transaction; arrivals handed to the "edxml" receiver are imported once; a failed send is retried."""

import io

from dieuhanh.documents import services as doc_services
from dieuhanh.documents.models import DocumentType
from dieuhanh.documents.testing import make_pdf
from dieuhanh.exchange import services
from dieuhanh.exchange.edxml import build_package, parse_package, parse_status
from dieuhanh.exchange.models import PackageState, ReceivedPackage, SentPackage
from dieuhanh.gateway import hooks as gateway_hooks
from dieuhanh.gateway.models import Arrival, OutboxItem, OutboxState

from . import factories

H27 = "000.00.01.H27"


def test_an_issue_puts_the_package_in_the_gateways_outbox(ex):
    org = ex.org
    blob = doc_services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(make_pdf("x")),
                                   content_type="application/pdf")
    doc = doc_services.create_outgoing(
        actor=org.clerk_a, unit=org.a, document_type_id=DocumentType.objects.get(system="state", name="Công văn").pk,
        subject="Liên thông", files=[{"sha256": blob.sha256, "name": "cv.pdf"}], signer_name="A",
        signer_position="B", recipients=[{"external_code": H27, "name": "UBND tỉnh Bắc Ninh"}])
    doc_services.issue_document(actor=org.clerk_a, document=doc)
    item = OutboxItem.objects.get()
    assert (item.destination, item.kind, item.state) == (H27, "edxml", OutboxState.QUEUED)
    assert parse_package(bytes(item.payload)).subject == "Liên thông"
    assert SentPackage.objects.get().package_id == item.package_id


def test_the_gateway_hands_arrivals_to_exchange_once(ex):
    data = build_package(factories.package(to=(factories.organ(ex.org.b.code, ex.org.b.name),)))
    arrival = Arrival(package_id="pkg-1", source="installation-2", transport="http", kind="edxml")
    assert gateway_hooks.deliver(payload=data, arrival=arrival) is True
    pkg = ReceivedPackage.objects.get()
    assert pkg.state == PackageState.IMPORTED and pkg.source == "gateway"
    assert pkg.source_ref == "installation-2/pkg-1"
    assert gateway_hooks.deliver(payload=data, arrival=arrival) is False  # the inbox de-duplicates
    assert ReceivedPackage.objects.count() == 1
    # the 01 status went back to the sender through the outbox
    [item] = OutboxItem.objects.all()
    assert item.destination == H27 and parse_status(bytes(item.payload)).status_code == "01"


def test_a_failed_send_is_retried_through_the_gateway(ex):
    sent = SentPackage.objects.create(organ_code=H27, edxml_document_id="x", package_id="x#02#1", kind="status",
                                      status_code="02")
    item = OutboxItem.objects.create(destination=H27, package_id="x#02#1", payload=b"x", state=OutboxState.FAILED,
                                     attempts=5, last_error="refused", next_attempt_at="2026-01-01T00:00:00Z")
    services.retry_send(actor=ex.org.admin, sent=sent)
    item.refresh_from_db()
    assert item.state == OutboxState.QUEUED and item.attempts == 0
