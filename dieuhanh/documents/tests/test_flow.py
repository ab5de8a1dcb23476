"""The exchange flow through the services: issue, deliver, receive, return, cancel, recall, paper."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents import selectors, services
from dieuhanh.documents.models import (
    Delivery,
    DeliveryStatus,
    Document,
    DocumentStatus,
    IncomingEntry,
    OutgoingEntry,
)
from dieuhanh.documents.testing import make_pdf
from dieuhanh.notifications.models import Notification

from .conftest import doc_type


def test_issue_numbers_registers_and_delivers(exchange):
    org = exchange.org
    doc = exchange.outgoing()
    services.issue_document(actor=org.clerk_a, document=doc)
    doc.refresh_from_db()
    assert (doc.status, doc.number, doc.symbol) == (DocumentStatus.ISSUED, 1, "01/QĐ-TU")
    entry = OutgoingEntry.objects.get(document=doc)
    assert entry.symbol == "01/QĐ-TU" and entry.register.year == exchange.year
    assert "Thành ủy Thành phố Hồ Chí Minh" in entry.recipients
    deliveries = {d.recipient_unit_id: d for d in doc.deliveries.all()}
    assert set(deliveries) == {org.b.pk, org.a1.pk}
    assert all(d.status == DeliveryStatus.ARRIVED for d in deliveries.values())
    assert selectors.awaiting_receipt(org.b, org.clerk_b).items == [deliveries[org.b.pk]]
    assert AuditEvent.objects.filter(action="document.issue", object_id=str(doc.pk)).count() == 1


def test_second_document_takes_next_number_and_letters_have_no_type(exchange):
    org = exchange.org
    first = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    letter = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(type_name="Công văn"))
    assert first.number == 1 and letter.number == 2
    assert letter.symbol == "02/TU"


def test_cannot_issue_twice(exchange):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    with pytest.raises(ValidationError) as exc:
        services.issue_document(actor=org.clerk_a, document=doc)
    assert "status" in exc.value.message_dict
    assert Delivery.objects.filter(document=doc).count() == 2


def test_only_clerks_of_the_issuing_unit_issue(exchange):
    org = exchange.org
    doc = exchange.outgoing()
    for user in (org.leader_a, org.clerk_b, org.uadmin_a):
        with pytest.raises(PermissionDenied):
            services.issue_document(actor=user, document=doc)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.APPROVED and doc.number is None


def test_accept_registers_with_arrival_number_and_sender_sees_03(exchange):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    delivery = doc.deliveries.get(recipient_unit=org.b)
    entry = services.accept_delivery(actor=org.clerk_b, delivery=delivery)
    assert entry.arrival_number == 1 and entry.document == doc and entry.origin == "electronic"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ACCEPTED
    assert [e.status for e in delivery.events.all()] == ["01", "03"]
    assert selectors.awaiting_receipt(org.b, org.clerk_b).items == []


def test_arrival_numbers_share_one_sequence_for_paper_and_electronic(exchange):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    e1 = services.accept_delivery(actor=org.clerk_b, delivery=doc.deliveries.get(recipient_unit=org.b))
    e2 = services.register_paper(
        actor=org.clerk_b, unit=org.b, document_type_id=doc_type("Công văn").pk, issuer_name="Bộ Nội vụ",
        symbol="123/BNV-VP", issued_on=datetime.date.today(), subject="Về việc sắp xếp tổ chức bộ máy",
        files=[exchange.upload(org.clerk_b, b"scan-123")],
    )
    assert (e1.arrival_number, e2.arrival_number) == (1, 2)
    assert e2.origin == "paper" and e2.document.status == DocumentStatus.RECEIVED


def test_arrival_before_issue_date_is_refused_and_nothing_written(exchange):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    delivery = doc.deliveries.get(recipient_unit=org.b)
    with pytest.raises(ValidationError) as exc:
        services.accept_delivery(actor=org.clerk_b, delivery=delivery,
                                 arrived_on=doc.issued_on - datetime.timedelta(days=1))
    assert "arrived_on" in exc.value.message_dict
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ARRIVED
    assert not IncomingEntry.objects.exists()


def test_tampered_file_is_refused_on_receipt(exchange, media):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    blob = doc.files.get().blob
    path = media / blob.storage_name
    data = bytearray(path.read_bytes())
    data[0] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ValidationError) as exc:
        services.accept_delivery(actor=org.clerk_b, delivery=doc.deliveries.get(recipient_unit=org.b))
    assert "files" in exc.value.message_dict


def test_return_with_reason(exchange):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    delivery = doc.deliveries.get(recipient_unit=org.b)
    with pytest.raises(ValidationError):
        services.return_delivery(actor=org.clerk_b, delivery=delivery, reason=" ")
    services.return_delivery(actor=org.clerk_b, delivery=delivery, reason="Sai nơi nhận")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REFUSED and delivery.reason == "Sai nơi nhận"
    assert Notification.objects.filter(unit=org.a, params__reason="Sai nơi nhận").exists()


def test_a_notification_reads_in_the_language_of_whoever_opens_it(exchange, client, api_client):
    from django.conf import settings
    from django.utils import translation

    from conftest import PASSWORD

    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    with translation.override("en"):  # the recipient's clerk works in English
        services.return_delivery(actor=org.clerk_b, delivery=doc.deliveries.get(recipient_unit=org.b),
                                 reason="Sai nơi nhận")
    note = Notification.objects.get(unit=org.a)
    assert (note.msgid, note.params) == ("%(unit)s returned %(symbol)s: %(reason)s",
                                         {"unit": org.b.name, "symbol": doc.symbol, "reason": "Sai nơi nhận"})
    client.login(username=org.clerk_a.username, password=PASSWORD)
    api = api_client.as_user(org.clerk_a)
    for language, text in (("vi", f"{org.b.name} đã trả lại văn bản {doc.symbol}: Sai nơi nhận"),
                           ("en", f"{org.b.name} returned {doc.symbol}: Sai nơi nhận")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert text in client.get("/notifications/").content.decode()
        assert api.get("/api/v1/notifications").json()[0]["message"] == text


def test_cancel_withdraws_from_queues_and_frees_the_number_for_explicit_reuse(exchange):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    services.cancel_issue(actor=org.clerk_a, document=doc, reason="Nhầm nơi nhận")
    assert selectors.awaiting_receipt(org.b, org.clerk_b).items == []
    assert Notification.objects.filter(unit=org.b, params__reason="Nhầm nơi nhận").exists()
    nxt = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Khác"))
    assert nxt.number == 2  # never reused implicitly
    report = selectors.check_series(doc.series)
    assert report == [{"period": str(exchange.year), "last_number": 2, "gaps": [1], "duplicates": []}]
    again = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Cấp bù"),
                                    reuse_number=1)
    assert again.number == 1 and again.symbol == "01/QĐ-TU"
    assert selectors.check_series(doc.series)[0]["gaps"] == []
    with pytest.raises(ValidationError):
        services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="x2"), reuse_number=1)


def test_cancel_after_registration_requires_recall(exchange):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    services.accept_delivery(actor=org.clerk_b, delivery=doc.deliveries.get(recipient_unit=org.b))
    with pytest.raises(ValidationError):
        services.cancel_issue(actor=org.clerk_a, document=doc, reason="x")
    assert Document.objects.get(pk=doc.pk).status == DocumentStatus.ISSUED


def test_recall_agreed_and_refused(exchange):
    org = exchange.org
    clerk_a1 = __import__("conftest").make_user("clerk.a1", org.a1, "clerk")
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    entry = services.accept_delivery(actor=org.clerk_b, delivery=doc.deliveries.get(recipient_unit=org.b))
    services.request_recall(actor=org.leader_a, document=doc, reason="Sai nội dung")
    to_b = doc.deliveries.get(recipient_unit=org.b)
    to_a1 = doc.deliveries.get(recipient_unit=org.a1)
    assert to_b.status == to_a1.status == DeliveryStatus.RECALL_REQUESTED
    services.answer_recall(actor=org.clerk_b, delivery=to_b, agree=True)
    entry.refresh_from_db()
    assert entry.recalled_at is not None  # kept for audit, out of the queues
    with pytest.raises(ValidationError):
        services.answer_recall(actor=clerk_a1, delivery=to_a1, agree=False)
    services.answer_recall(actor=clerk_a1, delivery=to_a1, agree=False, reason="Đã triển khai")
    assert Delivery.objects.get(pk=to_a1.pk).status == DeliveryStatus.RECALL_REFUSED
    assert Delivery.objects.get(pk=to_b.pk).status == DeliveryStatus.RECALL_AGREED


def test_duplicate_needs_confirmation(exchange):
    org = exchange.org
    today = datetime.date.today()
    args = dict(unit=org.b, document_type_id=doc_type("Công văn").pk, issuer_name="Bộ Nội vụ",
                symbol="123/BNV-VP", issued_on=today, subject="Về việc A")
    services.register_paper(actor=org.clerk_b, **args, files=[exchange.upload(org.clerk_b, b"scan-1")])
    with pytest.raises(services.DuplicateDocument):
        services.register_paper(actor=org.clerk_b, **args, files=[exchange.upload(org.clerk_b, b"scan-2")])
    assert IncomingEntry.objects.count() == 1
    other = dict(args, symbol="124/BNV-VP")
    with pytest.raises(services.DuplicateDocument):  # same scan as the first one
        services.register_paper(actor=org.clerk_b, **other, files=[exchange.upload(org.clerk_b, b"scan-1")])
    entry = services.register_paper(actor=org.clerk_b, **args, confirm_duplicate=True)
    assert entry.duplicate_of is not None and entry.arrival_number == 2


def test_bulk_accept_accepts_the_others_and_refuses_when_none_can_be(exchange):
    org = exchange.org
    docs = [services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject=f"VB {i}"))
            for i in range(3)]
    deliveries = [d.deliveries.get(recipient_unit=org.b) for d in docs]
    services.return_delivery(actor=org.clerk_b, delivery=deliveries[2], reason="Trả lại")
    result = services.accept_many(actor=org.clerk_b, deliveries=deliveries)
    assert [e.arrival_number for e in result.entries] == [1, 2]
    assert [(r["delivery_id"], r["field"]) for r in result.refused] == [(deliveries[2].pk, "status")]
    with pytest.raises(ValidationError) as exc:  # nothing left to accept: the reason is the error
        services.accept_many(actor=org.clerk_b, deliveries=deliveries)
    assert "status" in exc.value.message_dict
    assert IncomingEntry.objects.count() == 2
    with pytest.raises(ValidationError):
        services.accept_many(actor=org.clerk_b, deliveries=deliveries * 20)


def test_missing_register_is_an_error_not_a_silent_book(exchange):
    org = exchange.org
    doc = exchange.outgoing()
    with pytest.raises(ValidationError) as exc:
        services.issue_document(actor=org.clerk_a, document=doc,
                                issued_on=datetime.date(exchange.year - 1, 12, 31))
    assert "register" in exc.value.message_dict


def test_secret_documents_use_secret_series_and_registers(exchange):
    org = exchange.org
    normal = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    secret = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(confidentiality=1,
                                                                                   subject="Mật"))
    assert normal.number == 1 and secret.number == 1 and normal.series != secret.series
    assert secret.outgoing_entries.get().register.secret
    entry = services.accept_delivery(actor=org.clerk_b, delivery=secret.deliveries.get(recipient_unit=org.b))
    assert entry.register.secret and entry.arrival_number == 1


def test_external_and_paper_recipients(exchange):
    org = exchange.org
    doc = exchange.outgoing(recipients=[
        {"unit_id": org.b.pk},
        {"external_code": "000.00.01.K12", "name": "Sở Nội vụ tỉnh X"},
        {"name": "Lưu VT", "channel": "paper"},
    ])
    services.issue_document(actor=org.clerk_a, document=doc)
    channels = sorted(doc.deliveries.values_list("channel", flat=True))
    assert channels == ["gateway", "internal", "paper"]


@pytest.mark.parametrize("bad", [
    [{"unit_id": 999999}],
    [{"unit_id": "A"}],
    [{"external_code": "X" * 14, "name": "x"}],
    [{"external_code": "", "name": "Sở", "channel": "gateway"}],
])
def test_bad_recipients_are_refused(exchange, bad):
    org = exchange.org
    before = Document.objects.count()
    with pytest.raises(ValidationError):
        exchange.outgoing(recipients=bad)
    assert Document.objects.count() == before
    assert org  # fixture used


def test_signatures_are_checked_on_receipt_after_commit(exchange, django_capture_on_commit_callbacks):
    """Electronic and paper arrivals both get their PDFs' signatures validated once the arrival is committed."""
    from dieuhanh.signatures.models import SignatureCheck

    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    blob = doc.files.get().blob
    SignatureCheck.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.accept_delivery(actor=org.clerk_b, delivery=doc.deliveries.get(recipient_unit=org.b))
        assert not SignatureCheck.objects.exists()  # not inside the arrival's transaction
    assert callbacks and SignatureCheck.objects.filter(blob=blob).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.register_paper(
            actor=org.clerk_b, unit=org.b, document_type_id=doc_type("Công văn").pk, issuer_name="Sở Nội vụ",
            symbol="9/SNV-VP", issued_on=datetime.date(2026, 3, 1), subject="Giấy mời họp",
            files=[exchange.upload(org.clerk_b, make_pdf("paper scan"))])
    paper_blob = entry.document.files.get().blob
    assert SignatureCheck.objects.filter(blob=paper_blob).count() == 1
