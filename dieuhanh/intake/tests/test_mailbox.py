"""The official mailbox against a real IMAP server (dovecot started by the fixture): Vietnamese subjects and file
names, duplicates, a crash between the commit and the flag, edXML attachments, unreadable messages."""

import pytest

from dieuhanh.documents.models import Delivery, DeliveryStatus
from dieuhanh.exchange.edxml import build_package
from dieuhanh.exchange.models import ReceivedPackage
from dieuhanh.exchange.tests import factories
from dieuhanh.intake import services
from dieuhanh.intake.models import IntakeItem, ItemState, Source, SourceKind

from . import mails

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def source(ex):
    return Source.objects.create(name="Hộp thư công vụ", kind=SourceKind.MAILBOX, unit=ex.org.ad,
                                 settings_key="test")


def _deliveries(unit):
    return Delivery.objects.filter(recipient_unit=unit, status=DeliveryStatus.ARRIVED)


def test_vietnamese_message_becomes_a_delivery_awaiting_receipt(source, mailbox, ex):
    mailbox.append(mails.message())
    mailbox.append(mails.rfc2231_message())
    items = services.poll_mailbox(source)
    assert [i.state for i in items] == [ItemState.DONE, ItemState.DONE]
    first, second = IntakeItem.objects.order_by("id")
    assert first.subject == "Về việc tổ chức hội nghị tổng kết năm 2026"
    assert first.ref == "<cv12@sotc.bacninh.gov.vn>" and first.uid == 1 and first.uidvalidity
    assert second.subject == "Giấy mời họp thẩm định" and second.sender == "Sở Nội vụ <vt@snv.gov.vn>"
    deliveries = list(_deliveries(ex.org.ad).select_related("document").order_by("id"))
    assert len(deliveries) == 2
    names = [f.name for f in deliveries[1].document.files.all()]
    assert names == ["Giấy mời họp.pdf"]
    assert deliveries[0].document.subject == "Về việc tổ chức hội nghị tổng kết năm 2026"
    assert all(b"DieuhanhDone" in f and b"\\Seen" in f for f in mailbox.flags())
    # the next poll finds nothing new
    assert services.poll_mailbox(source) == []
    source.refresh_from_db()
    assert source.last_uid == 2 and source.uidvalidity == first.uidvalidity


def test_same_message_id_twice_is_a_duplicate(source, mailbox, ex):
    mailbox.append(mails.message())
    mailbox.append(mails.message(filename="Công văn số 12 (gửi lại).pdf"))  # resent: same Message-ID
    items = services.poll_mailbox(source)
    assert [i.state for i in items] == [ItemState.DONE, ItemState.DUPLICATE]
    assert items[1].duplicate_of_id == items[0].pk
    assert _deliveries(ex.org.ad).count() == 1


def test_crash_between_commit_and_flag_takes_the_message_in_once(source, mailbox, ex, monkeypatch):
    mailbox.append(mails.message())

    def crash(conn, uid):
        raise OSError("worker killed before flagging")

    monkeypatch.setattr(services, "mark_processed", crash)
    with pytest.raises(OSError):
        services.poll_mailbox(source)
    assert IntakeItem.objects.count() == 1 and _deliveries(ex.org.ad).count() == 1
    assert not any(b"DieuhanhDone" in f for f in mailbox.flags())  # the server never heard of it
    monkeypatch.undo()
    again = services.poll_mailbox(source)  # the restarted worker
    assert [i.state for i in again] == [ItemState.DONE]
    assert IntakeItem.objects.count() == 1 and _deliveries(ex.org.ad).count() == 1
    assert ReceivedPackage.objects.count() == 1
    assert all(b"DieuhanhDone" in f for f in mailbox.flags())


def test_flags_lost_and_folder_recreated_still_once(source, mailbox, ex):
    """Someone clears the flags (or the folder's UIDVALIDITY changes): Message-ID and hash still recognise it."""
    mailbox.append(mails.message())
    services.poll_mailbox(source)
    mailbox.unflag_all()
    # as if the folder was recreated: what we took in belongs to an older UIDVALIDITY
    Source.objects.filter(pk=source.pk).update(uidvalidity=1)
    IntakeItem.objects.update(uidvalidity=1)
    source.refresh_from_db()
    items = services.poll_mailbox(source)
    assert [i.state for i in items] == [ItemState.DUPLICATE]
    assert _deliveries(ex.org.ad).count() == 1


def test_edxml_attachment_is_imported_as_a_package(source, mailbox, ex):
    ex.unit("000.00.02.H27", "Sở Tài chính tỉnh Bắc Ninh")
    data = build_package(factories.package())
    mailbox.append(mails.message(message_id="<edxml-1@bacninh.gov.vn>", attachments=[
        ("125-UBND-VP.edxml", data, "application", "xml")]))
    [item] = services.poll_mailbox(source)
    assert item.state == ItemState.DONE, item.reason
    [pkg] = item.packages.all()
    assert pkg.kind == "document" and pkg.state == "imported" and pkg.source == "mail"
    assert pkg.document.subject == "V/v triển khai liên thông văn bản điện tử năm 2026"


def test_unreadable_messages_are_kept_with_their_reason(source, mailbox, ex, org):
    mailbox.append(mails.BROKEN)
    mailbox.append(b"From: a@b.vn\r\nSubject: trong\r\nMessage-ID: <empty@b.vn>\r\n\r\n")
    items = services.poll_mailbox(source)
    assert [i.state for i in items] == [ItemState.UNREADABLE, ItemState.UNREADABLE]
    assert "StartBoundaryNotFoundDefect" in items[0].reason
    assert items[0].raw_id is not None
    assert _deliveries(ex.org.ad).count() == 0
    assert all(b"DieuhanhDone" in f for f in mailbox.flags())  # not fetched again and again


def test_unknown_unit_is_unreadable_then_retried(ex, mailbox, org, django_capture_on_commit_callbacks):
    from dieuhanh.units.models import Unit

    source = Source.objects.create(name="Hộp thư", kind=SourceKind.MAILBOX, unit=org.ad, settings_key="test")
    mailbox.append(mails.message())
    Unit.objects.filter(pk=org.ad.pk).update(status="dissolved")  # the unit it feeds no longer takes mail
    [item] = services.poll_mailbox(source)
    assert item.state == ItemState.UNREADABLE and item.reason.startswith("unit_code")
    assert _deliveries(org.ad).count() == 0
    Unit.objects.filter(pk=org.ad.pk).update(status="active")
    with django_capture_on_commit_callbacks(execute=True):  # the retry job runs on commit (inline in tests)
        item = services.retry_item(actor=org.admin, item=item)
    item.refresh_from_db()
    assert item.state == ItemState.DONE and item.attempts == 2
    assert _deliveries(org.ad).count() == 1


def test_bad_credentials_are_recorded_on_the_source(source, mailbox, settings):
    settings.DIEUHANH_INTAKE_MAILBOXES = {"test": {**settings.DIEUHANH_INTAKE_MAILBOXES["test"], "password": "sai"}}
    services.poll_all()
    source.refresh_from_db()
    assert source.last_error and source.last_polled_at
    assert IntakeItem.objects.count() == 0
