"""Issue 14, item 9: recalls waiting for the recipient's answer are a list of their own (page, API, home counter),
the notification links to it, and a copy that was never accepted can be given back (15) or kept (16)."""

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.documents import selectors, services
from dieuhanh.documents.models import IncomingEntry
from dieuhanh.notifications.models import Notification
from dieuhanh.site.home import counters


def _recalled(exchange, **fields):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(recipients=[{"unit_id": org.b.pk}],
                                                                              **fields))
    services.request_recall(actor=org.clerk_a, document=doc, reason="Ban hành nhầm")
    return doc, doc.deliveries.get()


def test_an_unaccepted_recalled_copy_is_listed_counted_and_linked(exchange, client, api_client):
    org = exchange.org
    doc, delivery = _recalled(exchange)
    assert list(selectors.awaiting_receipt_queryset(org.b, org.clerk_b)) == []
    assert [d.pk for d in selectors.pending_recalls(org.b, org.clerk_b).items] == [delivery.pk]
    note = Notification.objects.get(unit=org.b)
    assert note.link == f"/documents/recalls/?unit={org.b.pk}"
    client.force_login(org.clerk_b)
    page = client.get(note.link)
    assert page.status_code == 200 and doc.symbol in page.content.decode()
    assert f"/documents/deliveries/{delivery.pk}/recall-answer/" in page.content.decode()
    row = next(r for r in counters(org.clerk_b) if r[3] == note.link)
    assert row[2] == 1
    api = api_client.as_user(org.clerk_b)
    body = api.get(f"/api/v1/units/{org.b.pk}/recalls").json()
    assert [d["id"] for d in body["items"]] == [delivery.pk] and body["items"][0]["status"] == "13"
    assert api_client.as_user(org.clerk_a).get(f"/api/v1/units/{org.b.pk}/recalls").status_code in (403, 404)


def test_agreeing_gives_it_back_and_empties_the_list(exchange, client):
    org = exchange.org
    doc, delivery = _recalled(exchange)
    client.force_login(org.clerk_b)
    resp = client.post(f"/documents/deliveries/{delivery.pk}/recall-answer/", {"agree": "1", "next": "recalls"})
    assert resp.status_code == 302 and resp["Location"] == f"/documents/recalls/?unit={org.b.pk}"
    delivery.refresh_from_db()
    assert delivery.status == "15" and delivery.withdrawn_at is not None
    assert selectors.pending_recalls(org.b, org.clerk_b).items == []
    assert list(selectors.awaiting_receipt_queryset(org.b, org.clerk_b)) == []


def test_refusing_keeps_an_unaccepted_copy_in_the_queue_to_accept(exchange, api_client):
    org = exchange.org
    doc, delivery = _recalled(exchange)
    api = api_client.as_user(org.clerk_b)
    answer = api.post(f"/api/v1/deliveries/{delivery.pk}/recall-answer", {"agree": False, "reason": "Đang cần"})
    assert answer.status_code == 200 and answer.json()["status"] == "16"
    assert [d.pk for d in selectors.awaiting_receipt_queryset(org.b, org.clerk_b)] == [delivery.pk]
    accepted = api.post(f"/api/v1/deliveries/{delivery.pk}/accept", {})
    assert accepted.status_code == 201, accepted.content
    delivery.refresh_from_db()
    assert delivery.status == "03" and IncomingEntry.objects.filter(delivery=delivery).exists()
    assert list(selectors.awaiting_receipt_queryset(org.b, org.clerk_b)) == []


def test_a_secret_recall_passes_the_document_policy(exchange, settings):
    org = exchange.org
    uncleared = make_user("clerk2.b", org.b, Role.CLERK)
    _recalled(exchange, confidentiality=1, subject="Mật")
    assert selectors.pending_recalls(org.b, uncleared).items == []
    assert next(r for r in counters(uncleared) if "recalls" in (r[3] or ""))[2] == 0
    assert len(selectors.pending_recalls(org.b, org.clerk_b).items) == 1


def test_refusing_without_a_reason_on_the_page_is_a_400_beside_the_field(exchange, client):
    org = exchange.org
    _doc, delivery = _recalled(exchange)
    client.force_login(org.clerk_b)
    client.cookies["django_language"] = "en"
    resp = client.post(f"/documents/deliveries/{delivery.pk}/recall-answer/", {"agree": "0", "next": "recalls"})
    page = resp.content.decode()
    assert resp.status_code == 400
    assert f'id="reason-{delivery.pk}-error"' in page and "Give the reason for refusing the recall." in page
    delivery.refresh_from_db()
    assert delivery.status == "13"
