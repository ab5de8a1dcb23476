"""Processing pages: the leader directs, the department forwards, the specialist completes, all through forms."""

import datetime

from conftest import PASSWORD
from dieuhanh.documents.models import Delivery
from dieuhanh.processing.models import Flow, FlowRead


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_direct_forward_complete_through_pages(received, client):
    r = received
    login(client, r.org.leader_b)
    page = client.get("/processing/awaiting/")
    assert page.status_code == 200 and r.doc.subject in page.content.decode()
    url = f"/processing/entries/{r.entry.pk}/"
    assert "Ban Tổ chức" in client.get(url).content.decode()  # offered as a handler
    resp = client.post(url, {"lead": [f"u:{r.bd.pk}"], "info": [f"p:{r.spec_b.pk}"], "direction": "Chủ trì tham mưu",
                             "deadline": str(r.soon)})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    lead = Flow.objects.get(handler_unit=r.bd)

    login(client, r.head)
    mine = client.get("/processing/").content.decode()
    assert f"/processing/flows/{lead.pk}/" in mine
    flow_page = client.get(f"/processing/flows/{lead.pk}/")
    assert flow_page.status_code == 200 and FlowRead.objects.filter(flow=lead, user=r.head).exists()
    resp = client.post(f"/processing/flows/{lead.pk}/", {"action": "forward", "lead": [f"p:{r.spec1.pk}"]})
    assert resp.status_code == 302
    child = Flow.objects.get(handler_user=r.spec1)

    login(client, r.spec1)
    resp = client.post(f"/processing/flows/{child.pk}/", {"action": "complete", "result": ""})
    assert resp.status_code == 400 and "result" in resp.content.decode().lower()
    resp = client.post(f"/processing/flows/{child.pk}/", {"action": "complete", "result": "Đã tham mưu"})
    assert resp.status_code == 302
    assert Delivery.objects.get(pk=r.delivery.pk).status == "06"
    slip = client.get(f"/processing/entries/{r.entry.pk}/slip.pdf")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")


def test_outsiders_get_404_and_non_leaders_403(received, client):
    r = received
    from dieuhanh.processing import services

    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    login(client, r.org.clerk_a)
    assert client.get(f"/processing/flows/{flow.pk}/").status_code == 404
    assert client.get(f"/processing/entries/{r.entry.pk}/").status_code == 404
    assert client.post(f"/processing/flows/{flow.pk}/", {"action": "complete", "result": "x"}).status_code == 404
    login(client, r.spec_b)
    assert client.post(f"/processing/entries/{r.entry.pk}/", {"lead": [f"p:{r.spec_b.pk}"]}).status_code == 403
    login(client, r.spec2)  # same department as the handler, but not the handler
    resp = client.post(f"/processing/flows/{flow.pk}/", {"action": "complete", "result": "x"})
    assert resp.status_code in (403, 404)
    assert Flow.objects.get(pk=flow.pk).status == "pending"


def test_bad_deadline_shows_on_the_form(received, client):
    r = received
    login(client, r.org.leader_b)
    client.cookies["django_language"] = "en"  # the message is read in English here
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    resp = client.post(f"/processing/entries/{r.entry.pk}/", {"lead": [f"u:{r.bd.pk}"], "deadline": str(yesterday)})
    assert resp.status_code == 400 and "past" in resp.content.decode()
    assert not Flow.objects.exists()
    resp = client.post(f"/processing/entries/{r.entry.pk}/", {"lead": ["u:999999"]})
    assert resp.status_code == 400
    from dieuhanh.processing import services

    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    resp = client.post(f"/processing/flows/{flow.pk}/", {"action": "decide", "request_id": "abc"})
    assert resp.status_code == 404
    resp = client.post(f"/processing/flows/{flow.pk}/", {"action": "explode"})
    assert resp.status_code == 400
