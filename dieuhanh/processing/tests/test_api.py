"""Processing over the API: a leader directs, a department forwards, a specialist completes, the sender sees 06.

``api_client.as_user`` switches the one client to another person's token.
"""

import datetime

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Delivery
from dieuhanh.processing.models import Flow


def test_full_flow_over_the_api(received, api_client):
    r = received
    api = api_client.as_user(r.org.leader_b)
    waiting = api.get(f"/api/v1/units/{r.org.b.pk}/awaiting-assignment").json()
    assert [e["id"] for e in waiting["items"]] == [r.entry.pk]
    resp = api.post(f"/api/v1/entries/{r.entry.pk}/assign", {
        "direction": "Ban Tổ chức chủ trì", "deadline": str(r.soon),
        "handlers": [{"unit_id": r.bd.pk, "role": "lead"}, {"user_id": r.spec_b.pk, "role": "info"}]})
    assert resp.status_code == 201, resp.content
    lead_id = resp.json()[0]["id"]
    assert api.get(f"/api/v1/units/{r.org.b.pk}/awaiting-assignment").json()["items"] == []

    head = api_client.as_user(r.head)
    assert [f["id"] for f in head.get("/api/v1/processing/flows").json()["items"]] == [lead_id]
    resp = head.post(f"/api/v1/processing/flows/{lead_id}/forward",
                     {"handlers": [{"user_id": r.spec1.pk, "role": "lead"}]})
    assert resp.status_code == 201, resp.content
    spec_flow = resp.json()[0]["id"]

    spec = api_client.as_user(r.spec1)
    assert spec.get("/api/v1/processing/counters").json()["processing"] == 1
    assert spec.post(f"/api/v1/processing/flows/{spec_flow}/read").status_code == 204
    resp = spec.post(f"/api/v1/processing/flows/{spec_flow}/complete", {"result": "Đã trả lời"})
    assert resp.status_code == 200 and resp.json()["status"] == "completed"
    assert Delivery.objects.get(pk=r.delivery.pk).status == "06"

    sender = api_client.as_user(r.org.clerk_a)
    detail = sender.get(f"/api/v1/documents/{r.doc.pk}")
    statuses = {d["recipient_unit_id"]: d["status"] for d in detail.json()["deliveries"]}
    assert statuses[r.org.b.pk] == "06"

    slip = api_client.as_user(r.org.leader_b).get(f"/api/v1/entries/{r.entry.pk}/slip.pdf")
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"


def test_other_people_cannot_see_or_act(received, api_client):
    r = received
    (flow,) = __import__("dieuhanh.processing.services", fromlist=["x"]).assign(
        actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    before = AuditEvent.objects.count()
    other = api_client.as_user(r.spec2)
    assert other.get(f"/api/v1/processing/flows/{flow.pk}").status_code == 404
    assert other.post(f"/api/v1/processing/flows/{flow.pk}/complete", {"result": "x"}).status_code == 404
    stranger = api_client.as_user(r.org.clerk_a)
    assert stranger.post(f"/api/v1/entries/{r.entry.pk}/assign",
                         {"handlers": [{"user_id": r.spec1.pk, "role": "lead"}]}).status_code in (403, 404)
    assert stranger.get(f"/api/v1/entries/{r.entry.pk}/slip.pdf").status_code == 404
    # counted before the tokens were issued; only token.issue events may have been added
    assert set(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True)) <= {"token.issue"}
    assert Flow.objects.get(pk=flow.pk).status == "pending"


def test_bad_input_names_the_field(received, api_client):
    r = received
    api = api_client.as_user(r.org.leader_b)
    yesterday = str(datetime.date.today() - datetime.timedelta(days=1))
    cases = [
        ({"handlers": []}, 422, "handlers"),
        ({"handlers": [{"unit_id": r.bd.pk, "role": "boss"}]}, 422, "handlers.0.role"),
        ({"handlers": [{"unit_id": r.bd.pk, "role": "lead"}], "deadline": yesterday}, 400, "deadline"),
        ({"handlers": [{"unit_id": r.org.a.pk, "role": "lead"}]}, 400, "handlers.0"),
        ({"handlers": [{"unit_id": r.bd.pk, "role": "lead"}], "deadline": "31/12/2026"}, 422, "deadline"),
    ]
    for body, status, field in cases:
        resp = api.post(f"/api/v1/entries/{r.entry.pk}/assign", body)
        assert resp.status_code == status, (body, resp.content)
        assert field in [e["field"] for e in resp.json()["errors"]], (body, resp.json())
    assert not Flow.objects.exists()
    assert api.get("/api/v1/processing/flows?kind=nonsense").status_code == 400


def test_tracker_api(received, api_client):
    from django.utils import timezone

    from dieuhanh.processing import services

    r = received
    services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    today = timezone.localdate()
    api = api_client.as_user(r.org.leader_b)
    rows = api.get(f"/api/v1/processing/tracker?unit_id={r.org.b.pk}&start={today}&end={today}").json()
    assert rows == [{"handler": r.spec_b.full_name, "handler_user_id": r.spec_b.pk, "handler_unit_id": None,
                     "completed_on_time": 0, "completed_late": 0, "open_on_time": 1, "open_overdue": 0}]
    items = api.get(f"/api/v1/processing/tracker/items?unit_id={r.org.b.pk}&start={today}&end={today}"
                    f"&cell=open_on_time&handler_user_id={r.spec_b.pk}").json()
    assert len(items) == 1 and items[0]["handler_user_id"] == r.spec_b.pk
    bad = api.get(f"/api/v1/processing/tracker/items?unit_id={r.org.b.pk}&start={today}&end={today}&cell=x")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "cell"
    outsider = api_client.as_user(r.spec_b)
    assert outsider.get(f"/api/v1/processing/tracker?unit_id={r.org.b.pk}&start={today}&end={today}").status_code == 404


def test_counters_and_notifications_api(received, api_client):
    from dieuhanh.processing import services

    r = received
    services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    api = api_client.as_user(r.spec_b)
    rows = {row["url"]: row["count"] for row in api.get("/api/v1/me/counters").json()}
    assert rows["/processing/?kind=processing"] == 1
    flows = api.get("/api/v1/processing/flows?kind=processing").json()["items"]
    assert len(flows) == rows["/processing/?kind=processing"]
    assert api.get("/api/v1/notifications/unread").json() == {"unread": 1, "capped": False}
    assert api.get("/api/v1/notifications").json()[0]["message"] == f"{r.entry.document.symbol}: Chủ trì"
    assert api.post("/api/v1/notifications/seen").status_code == 204
    assert api.get("/api/v1/notifications/unread").json()["unread"] == 0
