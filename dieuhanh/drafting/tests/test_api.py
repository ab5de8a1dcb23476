"""The drafting chain over the REST API, with the errors people get for bad input and for others' drafts."""

import io

from dieuhanh.documents.testing import make_pdf
from dieuhanh.documents.tests.conftest import doc_type
from dieuhanh.drafting.models import Draft, DraftStatus

from .conftest import PASSPHRASE


def test_chain_over_the_api(drafting, api_client, client, django_capture_on_commit_callbacks):
    d = drafting
    blob = d.upload()
    api = api_client.as_user(d.spec)
    r = api.post("/api/v1/drafts", {"unit_id": d.org.a.pk, "document_type_id": doc_type("Quyết định").pk,
                                    "subject": "Quyết định điều động", "recipients": [{"unit_id": d.org.b.pk}],
                                    "file": {"sha256": blob.sha256, "name": "du-thao.pdf"}})
    assert r.status_code == 201, r.content
    draft_id = r.json()["id"]
    r = api.post(f"/api/v1/drafts/{draft_id}/submit", {"next_user_id": d.deputy.pk, "next_action": "review"})
    assert r.status_code == 200, r.content
    step_id = r.json()["id"]
    assert api.get("/api/v1/drafts?kind=mine").json()["items"][0]["id"] == draft_id

    api.as_user(d.deputy)
    assert [i["id"] for i in api.get("/api/v1/drafts?kind=signature").json()["items"]] == [draft_id]
    assert api.get("/api/v1/drafts/counters").json()["signature"] == 1
    r = api.post(f"/api/v1/draft-steps/{step_id}/act", {"taken": "approve", "next_user_id": d.leader.pk,
                                                        "next_action": "sign"})
    assert r.status_code == 200, r.content
    step_id = r.json()["next_step"]["id"]

    api.as_user(d.leader)
    r = api.post(f"/api/v1/draft-steps/{step_id}/act", {"taken": "sign", "passphrase": "sai"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "passphrase"
    r = api.post(f"/api/v1/draft-steps/{step_id}/act", {"taken": "sign", "passphrase": PASSPHRASE,
                                                        "position": "Bí thư"})
    assert r.status_code == 200 and r.json()["status"] == "signed"
    r = api.post(f"/api/v1/drafts/{draft_id}/check-signatures")
    assert r.json()["outcome"] == "valid" and r.json()["signatures"][0]["signer"] == d.leader.full_name
    pdf = api.get(f"/api/v1/drafts/{draft_id}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.getvalue().startswith(b"%PDF")

    api.as_user(d.clerk)
    assert [i["id"] for i in api.get("/api/v1/drafts?kind=to_issue").json()["items"]] == [draft_id]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/api/v1/drafts/{draft_id}/issue", {"signer_position": "Bí thư", "authority": "TM."})
    assert r.status_code == 200, r.content
    document_id = r.json()["document_id"]

    api.as_user(d.org.clerk_b)  # the recipient sees the check made on receipt
    checks = api.get(f"/api/v1/documents/{document_id}/signatures").json()
    assert checks[0]["outcome"] == "valid" and len(checks[0]["signatures"]) == 2
    file_id = checks[0]["file_id"]
    r = api.post(f"/api/v1/documents/{document_id}/files/{file_id}/check-signatures")
    assert r.json()["outcome"] == "valid"


def test_others_cannot_see_or_act(drafting, api_client):
    d = drafting
    draft = d.new_draft()
    api = api_client.as_user(d.org.leader_b)
    assert api.get(f"/api/v1/drafts/{draft.pk}").status_code == 404
    assert api.get(f"/api/v1/drafts/{draft.pk}/pdf").status_code == 404
    assert api.post(f"/api/v1/drafts/{draft.pk}/submit", {"next_user_id": d.leader.pk}).status_code == 404
    assert api.post(f"/api/v1/drafts/{draft.pk}/cancel", {"reason": "x"}).status_code == 404
    api.as_user(d.org.spec_a1)  # same province, not involved
    assert api.get(f"/api/v1/drafts/{draft.pk}").status_code == 404
    assert api.get("/api/v1/drafts?kind=mine").json()["items"] == []
    draft.refresh_from_db()
    assert draft.status == DraftStatus.NOT_SUBMITTED


def test_bad_input_names_the_field(drafting, api_client):
    d = drafting
    api = api_client.as_user(d.spec)
    body = {"unit_id": d.org.a.pk, "document_type_id": doc_type("Quyết định").pk, "subject": "x",
            "file": {"sha256": "0" * 64, "name": "x.pdf"}}
    r = api.post("/api/v1/drafts", body)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "file"
    blob = d.upload(content=make_pdf(b"x" * 10))
    r = api.post("/api/v1/drafts", {**body, "file": {"sha256": blob.sha256}, "recipients": [{"unit_id": 999999}]})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "recipients.0"
    r = api.post("/api/v1/drafts", {**body, "file": {"sha256": blob.sha256}, "confidentiality": 7})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "confidentiality"
    assert not Draft.objects.exists()
    draft = d.new_draft()
    r = api.get(f"/api/v1/drafts/{draft.pk}/diff?from=1&to=9")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "to"
    r = api.post(f"/api/v1/drafts/{draft.pk}/submit", {"next_action": "sign"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "next_user_id"


def test_personal_certificate_import(drafting, client):
    from dieuhanh.signatures import demo, pki

    d = drafting
    ca = demo.ensure_ca()
    issued = pki.issue(ca, d.spec.full_name)
    client.force_login(d.spec)
    r = client.post("/api/v1/signatures/credentials",
                    {"file": io.BytesIO(issued.p12("mat-khau-ky")), "passphrase": "sai"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "passphrase"
    r = client.post("/api/v1/signatures/credentials",
                    {"file": io.BytesIO(issued.p12("mat-khau-ky")), "passphrase": "mat-khau-ky"})
    assert r.status_code == 201 and r.json()["subject"] == d.spec.full_name
    assert client.get("/api/v1/signatures/credentials/me").json()["fingerprint"] == r.json()["fingerprint"]
