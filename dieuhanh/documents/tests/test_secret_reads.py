"""Reading a secret document (page, API, download) leaves an audit event; reading a normal one does not."""


from dieuhanh.audit.chain import verify
from dieuhanh.audit.models import AuditEvent

from ..models import DocumentFile

CLOSED = {"REMOTE_ADDR": "10.1.2.3"}


def reads():
    return list(AuditEvent.objects.filter(action__in=["document.read", "document.download"]).order_by("id"))


def test_page_api_and_downloads_of_a_secret_document_are_audited(docs, client, api_client):
    org, normal, secret = docs
    secret_file = DocumentFile.objects.get(document=secret)
    client.force_login(org.clerk_b)
    assert client.get(f"/documents/{secret.pk}/", **CLOSED).status_code == 200
    assert client.get(f"/documents/{secret.pk}/files/{secret_file.pk}/", **CLOSED).status_code == 200
    api = api_client.as_user(org.clerk_b)
    assert api.get(f"/api/v1/documents/{secret.pk}", **CLOSED).status_code == 200
    assert api.get(f"/api/v1/documents/{secret.pk}/files/{secret_file.pk}", **CLOSED).status_code == 200

    events = reads()
    assert [(e.action, e.data["via"]) for e in events] == [
        ("document.read", "page"), ("document.download", "download"),
        ("document.read", "api"), ("document.download", "api")]
    for event in events:
        assert event.actor_id == org.clerk_b.pk  # who
        assert (event.object_type, event.object_id) == ("documents.document", str(secret.pk))  # which document
        assert event.at is not None and event.data["confidentiality"] == 1  # when, and how secret
    assert events[1].data["file_id"] == secret_file.pk and events[1].data["sha256"] == secret_file.blob.sha256
    assert verify()[0] == []  # the read events sit in the hash chain like every other event


def test_reads_of_normal_documents_are_not_audited(docs, client, api_client):
    org, normal, secret = docs
    normal_file = DocumentFile.objects.get(document=normal)
    client.force_login(org.clerk_b)
    assert client.get(f"/documents/{normal.pk}/").status_code == 200
    assert client.get(f"/documents/{normal.pk}/files/{normal_file.pk}/").status_code == 200
    api = api_client.as_user(org.clerk_b)
    assert api.get(f"/api/v1/documents/{normal.pk}").status_code == 200
    assert api.get(f"/api/v1/documents/{normal.pk}/files/{normal_file.pk}").status_code == 200
    assert reads() == []


def test_a_refused_read_is_not_recorded_as_a_read(docs, client, api_client):
    org, normal, secret = docs
    client.force_login(org.clerk_b)
    assert client.get(f"/documents/{secret.pk}/", REMOTE_ADDR="203.0.113.7").status_code == 404  # internet zone
    assert api_client.as_user(org.spec_a1).get(f"/api/v1/documents/{secret.pk}", **CLOSED).status_code == 404
    assert reads() == []
