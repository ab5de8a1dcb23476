"""Export and statuses both ways (issue 17): an issue queues one package per outside organ in its transaction; the
copies that came from outside report their statuses to the sender; statuses received move our outgoing copies."""

import io

import pytest
from django.core.exceptions import ValidationError

from dieuhanh.documents import services as doc_services
from dieuhanh.documents.models import DeliveryStatus, Document, DocumentStatus, DocumentType
from dieuhanh.documents.testing import make_pdf
from dieuhanh.exchange import outbound, services
from dieuhanh.exchange.edxml import ResponseFor, build_package, build_status, parse_package, parse_status
from dieuhanh.exchange.models import Organ, PackageState, SentPackage

from . import factories

H27 = "000.00.01.H27"  # the outside organ (UBND tỉnh Bắc Ninh) in the factories


@pytest.fixture
def queue(monkeypatch):
    sent = []

    def enqueue(*, destination, package_id, payload):
        sent.append((destination, package_id, payload))

    monkeypatch.setattr(outbound, "enqueue", enqueue)
    return sent


def _outgoing(ex, **fields):
    org = ex.org
    blob = doc_services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(make_pdf("Công văn liên thông")),
                                   content_type="application/pdf")
    doc_type = DocumentType.objects.get(system="state", name="Công văn")
    return doc_services.create_outgoing(
        actor=org.clerk_a, unit=org.a, document_type_id=doc_type.pk, subject="V/v phối hợp liên thông",
        files=[{"sha256": blob.sha256, "name": "cv.pdf"}], signer_name="Nguyễn Văn An",
        signer_position="Chánh Văn phòng",
        recipients=[{"unit_id": org.b.pk}, {"external_code": H27, "name": "UBND tỉnh Bắc Ninh"}], **fields)


def test_issue_queues_one_package_per_outside_organ(ex, queue):
    doc = doc_services.issue_document(actor=ex.org.clerk_a, document=_outgoing(ex))
    [(destination, package_id, payload)] = queue
    assert destination == H27
    package = parse_package(payload)
    assert package.document_id == outbound.edxml_document_id(doc) == f"{ex.org.a.code},{doc.issued_on:%Y/%m/%d}," \
                                                                      f"{doc.symbol}"
    assert package.subject == "V/v phối hợp liên thông" and package.type_name == "Công văn"
    assert [o.organ_id for o in package.to] == [H27] and package.sender.organ_id == ex.org.a.code
    assert package.business.doc_type == 0
    [attachment] = package.attachments
    assert attachment.name == "cv.pdf" and attachment.data == make_pdf("Công văn liên thông")
    sent = SentPackage.objects.get()
    assert sent.package_id == package_id and sent.delivery.external_code == H27


def test_a_secret_document_leaves_only_towards_a_closed_network(ex, queue):
    org = ex.org
    doc_services.create_series(actor=org.admin, unit=org.a, name="Mật", system="state", rule="yearly", secret=True)
    org.clerk_a.clearance = 1
    org.clerk_a.save()
    doc = _outgoing(ex)
    Document.objects.filter(pk=doc.pk).update(confidentiality=1)  # documents refuses it at entry; defence in depth
    with pytest.raises(ValidationError) as refused:
        doc_services.issue_document(actor=org.clerk_a, document=doc)
    assert "recipients" in refused.value.message_dict and not queue
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.APPROVED and not doc.deliveries.exists()
    Organ.objects.create(code=H27, name="UBND tỉnh Bắc Ninh", closed_network=True)
    doc_services.issue_document(actor=org.clerk_a, document=doc)
    assert [d for d, _p, _b in queue] == [H27]


def _status(doc, code, description=""):
    return build_status(factories.status(
        code, sender=factories.organ(H27, "UBND tỉnh Bắc Ninh"), description=description,
        response_for=ResponseFor(organ_id=doc.issuing_unit.code, code=doc.symbol, promulgation_date=doc.issued_on,
                                 document_id=outbound.edxml_document_id(doc))))


def test_statuses_received_move_our_outgoing_copy(ex, queue):
    doc = doc_services.issue_document(actor=ex.org.clerk_a, document=_outgoing(ex))
    delivery = doc.deliveries.get(external_code=H27)
    for code in ("01", "03", "04", "05", "06"):
        pkg = services.receive_package(data=_status(doc, code), source="gateway")
        assert pkg.state == PackageState.IMPORTED, pkg.reason
        delivery.refresh_from_db()
        assert delivery.status == code
    assert list(delivery.events.values_list("status", flat=True)) == ["01", "01", "03", "04", "05", "06"]


def test_our_recall_goes_out_as_13_and_a_15_brings_the_revoke(ex, queue):
    doc = doc_services.issue_document(actor=ex.org.clerk_a, document=_outgoing(ex))
    queue.clear()
    doc_services.request_recall(actor=ex.org.clerk_a, document=doc, reason="Sai sót")
    [(destination, _pid, payload)] = queue
    assert destination == H27 and parse_status(payload).status_code == "13"
    queue.clear()
    services.receive_package(data=_status(doc, "15", "Đồng ý"), source="gateway")
    delivery = doc.deliveries.get(external_code=H27)
    assert delivery.status == DeliveryStatus.RECALL_AGREED and delivery.withdrawn_at is not None
    [(destination, _pid, payload)] = queue
    revoke = parse_package(payload)
    assert destination == H27 and revoke.business.doc_type == 1
    assert revoke.business.document_id == outbound.edxml_document_id(doc)


def _incoming(ex):
    data = build_package(factories.package(to=(factories.organ(ex.org.b.code, ex.org.b.name),)))
    pkg = services.receive_package(data=data, source="gateway")
    return pkg, pkg.deliveries.get()


def test_a_copy_from_outside_reports_its_statuses_to_the_sender(ex, queue):
    pkg, delivery = _incoming(ex)
    doc_services.accept_delivery(actor=ex.org.clerk_b, delivery=delivery)
    codes = []
    for destination, _pid, payload in queue:
        status = parse_status(payload)
        assert destination == H27 and status.response_for.document_id == pkg.package_id
        assert status.sender.organ_id == ex.org.b.code
        codes.append(status.status_code)
    assert codes == ["01", "03"]
    assert SentPackage.objects.filter(status_code="03", delivery=delivery).exists()


def test_a_returned_copy_reports_02_with_the_reason(ex, queue):
    _pkg, delivery = _incoming(ex)
    queue.clear()
    doc_services.return_delivery(actor=ex.org.clerk_b, delivery=delivery, reason="Không đúng thẩm quyền")
    [(destination, _pid, payload)] = queue
    status = parse_status(payload)
    assert (destination, status.status_code, status.description) == (H27, "02", "Không đúng thẩm quyền")


def test_the_senders_13_asks_our_copy_back_and_our_answer_goes_out(ex, queue):
    pkg, delivery = _incoming(ex)
    doc_services.accept_delivery(actor=ex.org.clerk_b, delivery=delivery)
    ask = build_status(factories.status("13", sender=factories.organ(), description="Xin thu hồi",
                                        response_for=ResponseFor(organ_id=H27, document_id=pkg.package_id)))
    got = services.receive_package(data=ask, source="gateway")
    assert got.state == PackageState.IMPORTED, got.reason
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RECALL_REQUESTED
    queue.clear()
    doc_services.answer_recall(actor=ex.org.clerk_b, delivery=delivery, agree=True)
    [(destination, _pid, payload)] = queue
    assert destination == H27 and parse_status(payload).status_code == "15"


def test_a_package_for_nobody_here_gets_02_back(ex, queue):
    pkg = services.receive_package(data=build_package(factories.package()), source="gateway")
    assert pkg.state == PackageState.REFUSED
    [(destination, _pid, payload)] = queue
    status = parse_status(payload)
    assert destination == H27 and status.status_code == "02" and status.description == pkg.reason


def test_gateway_unknown_organ_is_refused_by_the_queue_not_half_issued(ex, monkeypatch):
    """A failing enqueue rolls the issue back: no number taken, no delivery, no sent package."""
    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(outbound, "enqueue", broken)
    doc = _outgoing(ex)
    with pytest.raises(RuntimeError):
        doc_services.issue_document(actor=ex.org.clerk_a, document=doc)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.APPROVED and doc.number is None
    assert not doc.deliveries.exists() and not SentPackage.objects.exists()


def test_our_update_tells_every_holder_and_adds_and_removes_organs(ex, queue):
    org = ex.org
    doc = _outgoing(ex)
    doc_services.issue_document(actor=org.clerk_a, document=doc)
    queue.clear()
    sent = services.send_update(actor=org.clerk_a, document=doc, reason="Bổ sung nơi nhận",
                                add=[{"external_code": "000.00.05.H27", "name": "Sở Y tế"}], remove=[H27])
    by_destination = {d: parse_package(p) for d, _pid, p in queue}
    assert by_destination[H27].business.doc_type == 2
    assert {(r.organ_id, r.receiver_type) for r in by_destination[H27].business.receivers} == {
        (H27, 0), ("000.00.05.H27", 1)}
    assert by_destination["000.00.05.H27"].business.doc_type == 0
    assert len(sent) == 2
    assert doc.deliveries.get(external_code=H27).withdrawn_at is not None
    with pytest.raises(ValidationError) as err:
        services.send_update(actor=org.clerk_a, document=doc, reason="x", remove=["000.00.99.H27"])
    assert "remove" in err.value.message_dict


def test_our_replacement_marks_the_old_document_and_reaches_its_organs(ex, queue):
    from django.core.exceptions import PermissionDenied

    org = ex.org
    old = doc_services.issue_document(actor=org.clerk_a, document=_outgoing(ex))
    new = doc_services.issue_document(actor=org.clerk_a, document=_outgoing(ex))
    queue.clear()
    with pytest.raises(PermissionDenied):
        services.replace_document(actor=org.clerk_b, old=old, new=new, reason="Thay thế")
    services.replace_document(actor=org.clerk_a, old=old, new=new, reason="Thay thế")
    old.refresh_from_db()
    assert old.replaced_by_id == new.pk
    [(destination, _pid, payload)] = queue
    package = parse_package(payload)
    assert destination == H27 and package.business.doc_type == 3
    assert package.document_id == outbound.edxml_document_id(new)
    assert package.business.replacements[0].document_id == outbound.edxml_document_id(old)
