"""Issue 14, items 12 and 13: a leader's direction sends 04 and fills the register's handler and date passed on;
the handler's first opinion, forward or read sends 05."""

import datetime
import importlib
import io

import openpyxl
from django.apps import apps
from django.utils import timezone, translation

from dieuhanh.documents.models import DeliveryEvent, DeliveryStatus, IncomingEntry
from dieuhanh.processing import services


def _assign(r):
    return services.assign(actor=r.org.leader_b, entry=r.entry, deadline=r.soon,
                           handlers=[{"unit_id": r.bd.pk, "role": "lead"}, {"user_id": r.spec_b.pk, "role": "co"}])


def _status(r):
    r.delivery.refresh_from_db()
    return r.delivery.status


def test_direction_sends_04_and_labels_follow_domain(received):
    r = received
    _assign(r)
    assert _status(r) == "04"
    assert list(r.delivery.events.values_list("status", flat=True)) == ["01", "03", "04"]
    with translation.override("en"):
        assert DeliveryStatus("04").label == "04 Assigned for processing"
        assert DeliveryStatus("05").label == "05 Being processed"


def test_first_opinion_of_the_handler_sends_05_once(received):
    r = received
    lead, _co = _assign(r)
    services.add_opinion(actor=r.head, flow=lead, text="Ý kiến đầu tiên")
    assert _status(r) == "05"
    services.add_opinion(actor=r.head, flow=lead, text="Ý kiến thứ hai")
    assert list(r.delivery.events.values_list("status", flat=True)) == ["01", "03", "04", "05"]


def test_forward_sends_05(received):
    r = received
    lead, _co = _assign(r)
    services.forward(actor=r.head, flow=lead, handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    assert _status(r) == "05"


def test_read_by_the_handler_sends_05_but_a_leader_read_does_not(received):
    r = received
    lead, co = _assign(r)
    services.mark_read(actor=r.org.leader_b, flow=lead.parent)
    assert _status(r) == "04"
    services.mark_read(actor=r.spec_b, flow=co)
    assert _status(r) == "05"


def test_register_shows_who_leads_and_when_it_was_passed_on(received, client):
    r = received
    _assign(r)
    entry = IncomingEntry.objects.get(pk=r.entry.pk)
    assert entry.handler == r.bd.name
    assert entry.passed_on == timezone.localdate()
    client.force_login(r.org.clerk_b)
    page = client.get(f"/documents/registers/{entry.register_id}/").content.decode()
    assert r.bd.name in page and timezone.localdate().strftime("%d/%m/%Y") in page.split(r.bd.name)[1][:200]
    resp = client.get(f"/documents/registers/{entry.register_id}/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(resp.streaming_content) if resp.streaming else resp.content)).active
    row = next(row for row in ws.iter_rows(values_only=True) if row[1] == entry.arrival_number)
    assert row[6] == r.bd.name and row[7] == timezone.localdate().strftime("%d/%m/%Y")


def test_a_clerk_typed_handler_is_kept_beside_the_lead(received):
    r = received
    IncomingEntry.objects.filter(pk=r.entry.pk).update(handler="Đ/c Chánh Văn phòng")
    _assign(r)
    assert IncomingEntry.objects.get(pk=r.entry.pk).handler == f"Đ/c Chánh Văn phòng; {r.bd.name}"


def test_migration_corrects_stored_statuses_and_fills_the_register(received):
    r = received
    lead, _co = _assign(r)
    other = r.exchange.outgoing(recipients=[{"unit_id": r.org.b.pk}], subject="Khác")
    from dieuhanh.documents import services as doc_services
    other = doc_services.issue_document(actor=r.org.clerk_a, document=other)
    d2 = other.deliveries.get()
    e2 = doc_services.accept_delivery(actor=r.org.clerk_b, delivery=d2)
    (lead2, _co2) = services.assign(actor=r.org.leader_b, entry=e2, handlers=[
        {"user_id": r.spec_b.pk, "role": "lead"}, {"unit_id": r.bd.pk, "role": "co"}])
    services.add_opinion(actor=r.spec_b, flow=lead2, text="Đã xem")
    # what the old code stored: 05 at direction time, nothing in the register's columns
    for delivery in (r.delivery, d2):
        delivery.events.filter(status__in=["04", "05"]).delete()
        DeliveryEvent.objects.create(delivery=delivery, status="05", kind="status", note="assigned")
    r.delivery.__class__.objects.filter(pk__in=[r.delivery.pk, d2.pk]).update(status="05")
    IncomingEntry.objects.filter(pk__in=[r.entry.pk, e2.pk]).update(handler="", passed_on=None)

    migration = importlib.import_module("dieuhanh.documents.migrations.0006_status_04_05_and_register_handler")
    migration.forwards(apps, None)

    r.delivery.refresh_from_db()
    d2.refresh_from_db()
    assert r.delivery.status == "04"  # nobody has worked on it yet
    assert list(r.delivery.events.values_list("status", flat=True)) == ["01", "03", "04"]
    assert d2.status == "05"  # the handler gave an opinion
    assert list(d2.events.values_list("status", flat=True)) == ["01", "03", "04", "05"]
    entry, entry2 = IncomingEntry.objects.get(pk=r.entry.pk), IncomingEntry.objects.get(pk=e2.pk)
    assert entry.handler == r.bd.name and entry.passed_on == lead.created_at.astimezone(
        timezone.get_current_timezone()).date()
    assert entry2.handler == r.spec_b.full_name and isinstance(entry2.passed_on, datetime.date)
