from dieuhanh.audit.models import AuditEvent


def _body(w, **kw):
    return {"kind": "merge", "effective_on": w.today.isoformat(), "document_id": w.own.pk,
            "items": [{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}], **kw}


def test_api_round(reorg_world, api_client):
    w = reorg_world
    api = api_client.as_user(w.org.admin)
    resp = api.post("/api/v1/reorg/decisions", _body(w))
    assert resp.status_code == 201, resp.content
    decision = resp.json()
    assert decision["items"][0]["successor"] == w.org.b1.name
    preview = api.get(f"/api/v1/reorg/decisions/{decision['id']}/preview").json()
    assert preview["units"][0]["counts"]["incoming_open"] == 1
    resp = api.post(f"/api/v1/reorg/decisions/{decision['id']}/execute", {})
    assert resp.status_code == 200 and resp.json()["status"] == "executed"
    traces = api.get(f"/api/v1/reorg/decisions/{decision['id']}/traces?object_type=tasks.task").json()["items"]
    assert {t["object_id"] for t in traces} == {w.task.pk} and {t["field"] for t in traces} == {"executing_unit"}
    one = api.get(f"/api/v1/reorg/traces?object_type=documents.incomingentry&object_id={w.entry.pk}").json()
    assert one[0]["new_unit_id"] == w.org.b1.pk
    assert api.get("/api/v1/reorg/decisions").json()["items"][0]["id"] == decision["id"]


def test_api_errors_name_the_field(reorg_world, api_client):
    w = reorg_world
    api = api_client.as_user(w.org.admin)
    resp = api.post("/api/v1/reorg/decisions", _body(w, items=[{"old_unit_id": 999999, "successor_id": w.org.b1.pk}]))
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["field"] == "items.0.old_unit_id"
    resp = api.post("/api/v1/reorg/decisions", _body(w, effective_on="2001-01-01"))
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "effective_on"


def test_api_is_for_system_admins_only(reorg_world, api_client):
    w = reorg_world
    api = api_client.as_user(w.org.leader_a)
    before = AuditEvent.objects.count()
    assert api.post("/api/v1/reorg/decisions", _body(w)).status_code == 403
    assert api.get("/api/v1/reorg/decisions").status_code == 403
    assert api.get("/api/v1/reorg/decisions/1/preview").status_code == 403
    assert AuditEvent.objects.count() == before
