"""The exchange over the REST API: issue to B and C, B accepts, C returns, A sees 03 and 02 with times."""

import datetime
import io

import openpyxl
import pytest

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Delivery, Document, IncomingEntry, NumberSeries
from dieuhanh.documents.testing import make_pdf

from .conftest import doc_type


def counts():
    return (Document.objects.count(), Delivery.objects.count(), IncomingEntry.objects.count(),
            AuditEvent.objects.exclude(action="token.issue").count())


def upload(api, content=b"api test"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not content.rstrip().endswith(b"%%EOF"):  # not already a whole PDF
        content = make_pdf(content)  # uploads are parsed: every test file is a real PDF carrying its text

    resp = api.post_multipart("/api/v1/files", {"file": SimpleUploadedFile("vb.pdf", content, "application/pdf")})
    assert resp.status_code == 201, resp.content
    return resp.json()["sha256"]


@pytest.fixture
def api(api_client, client):
    def post_multipart(url, data):
        return client.post(url, data, **api_client.headers)

    api_client.post_multipart = post_multipart
    return api_client


def create(api, exchange, recipients, **extra):
    org = exchange.org
    api.as_user(org.clerk_a)
    sha = upload(api, f"{recipients}{extra}".encode())
    body = {"unit_id": org.a.pk, "document_type_id": doc_type("Quyết định").pk, "subject": "Về việc điều động cán bộ",
            "files": [{"sha256": sha, "name": "qd.pdf", "is_main": True}], "recipients": recipients,
            "signer_name": "Nguyễn Văn An", "signer_position": "Bí thư", "authority": "TM.", **extra}
    resp = api.post("/api/v1/documents", body)
    assert resp.status_code == 201, resp.content
    return resp.json()


def test_full_exchange_over_the_api(exchange, api):
    org = exchange.org
    doc = create(api, exchange, [{"unit_id": org.b.pk}, {"unit_id": org.b1.pk}])
    issued = api.as_user(org.clerk_a).post(f"/api/v1/documents/{doc['id']}/issue", {}).json()
    assert issued["symbol"] == "01/QĐ-TU" and issued["status"] == "issued"
    api.as_user(org.clerk_b)
    inbox = api.get(f"/api/v1/units/{org.b.pk}/inbox").json()["items"]
    assert [d["document_id"] for d in inbox] == [doc["id"]]
    entry = api.post(f"/api/v1/deliveries/{inbox[0]['id']}/accept", {}).json()
    assert entry["arrival_number"] == 1 and entry["symbol"] == "01/QĐ-TU"
    clerk_b1 = __import__("conftest").make_user("clerk.b1", org.b1, "clerk")
    to_b1 = api.as_user(clerk_b1).get(f"/api/v1/units/{org.b1.pk}/inbox").json()["items"][0]
    assert api.post(f"/api/v1/deliveries/{to_b1['id']}/return", {"reason": "Sai nơi nhận"}).status_code == 200
    trail = api.as_user(org.clerk_a).get(f"/api/v1/documents/{doc['id']}").json()
    statuses = {d["recipient_unit_id"]: (d["status"], d["status_at"]) for d in trail["deliveries"]}
    assert statuses[org.b.pk][0] == "03" and statuses[org.b1.pk][0] == "02"
    assert all(at for _, at in statuses.values())
    file_id = trail["files"][0]["id"]
    download = api.get(f"/api/v1/documents/{doc['id']}/files/{file_id}")
    assert download.status_code == 200 and (body := download.getvalue()).startswith(b"%PDF-1.4\n") and b"% [{" in body


def test_idempotent_issue_and_accept(exchange, api):
    org = exchange.org
    doc = create(api, exchange, [{"unit_id": org.b.pk}])
    api.as_user(org.clerk_a)
    first = api.post(f"/api/v1/documents/{doc['id']}/issue", {}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(f"/api/v1/documents/{doc['id']}/issue", {}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200 and first.json()["number"] == again.json()["number"] == 1
    assert Delivery.objects.count() == 1
    other = api.post(f"/api/v1/documents/{doc['id']}/issue", {"reuse_number": 1}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 400 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    delivery = Delivery.objects.get()
    api.as_user(org.clerk_b)
    a = api.post(f"/api/v1/deliveries/{delivery.pk}/accept", {}, HTTP_IDEMPOTENCY_KEY="acc")
    b = api.post(f"/api/v1/deliveries/{delivery.pk}/accept", {}, HTTP_IDEMPOTENCY_KEY="acc")
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert IncomingEntry.objects.count() == 1
    create_body = {"unit_id": org.a.pk, "document_type_id": doc_type("Công văn").pk, "subject": "Một lần thôi"}
    api.as_user(org.clerk_a)
    r1 = api.post("/api/v1/documents", create_body, HTTP_IDEMPOTENCY_KEY="create-1")
    r2 = api.post("/api/v1/documents", create_body, HTTP_IDEMPOTENCY_KEY="create-1")
    assert r1.json()["id"] == r2.json()["id"]


def test_paper_duplicate_is_409_then_confirmed(exchange, api):
    org = exchange.org
    api.as_user(org.clerk_b)
    body = {"document_type_id": doc_type("Công văn").pk, "issuer_name": "Bộ Nội vụ", "symbol": "123/BNV-VP",
            "issued_on": str(datetime.date.today()), "subject": "Về việc sắp xếp"}
    assert api.post(f"/api/v1/units/{org.b.pk}/paper", body).status_code == 201
    dup = api.post(f"/api/v1/units/{org.b.pk}/paper", body)
    assert dup.status_code == 409 and dup.json()["errors"][0]["field"] == "confirm_duplicate"
    assert dup.json()["existing_entry_id"]
    ok = api.post(f"/api/v1/units/{org.b.pk}/paper", {**body, "confirm_duplicate": True})
    assert ok.status_code == 201 and ok.json()["arrival_number"] == 2 and ok.json()["duplicate_of_id"]


def test_recall_cancel_registers_and_export(exchange, api):
    org = exchange.org
    doc = create(api, exchange, [{"unit_id": org.b.pk}])
    api.as_user(org.clerk_a).post(f"/api/v1/documents/{doc['id']}/issue", {})
    delivery = Delivery.objects.get(document_id=doc["id"])
    api.as_user(org.clerk_b).post(f"/api/v1/deliveries/{delivery.pk}/accept", {})
    assert api.as_user(org.leader_a).post(f"/api/v1/documents/{doc['id']}/recall",
                                          {"reason": "Sai nội dung"}).status_code == 200
    answer = api.as_user(org.clerk_b).post(f"/api/v1/deliveries/{delivery.pk}/recall-answer", {"agree": True})
    assert answer.json()["status"] == "15"
    second = create(api, exchange, [{"unit_id": org.b.pk}], subject="Văn bản thứ hai")
    api.as_user(org.clerk_a).post(f"/api/v1/documents/{second['id']}/issue", {})
    cancel = api.post(f"/api/v1/documents/{second['id']}/cancel", {"reason": "Nhầm"})
    assert cancel.json()["status"] == "cancelled"
    registers = api.get(f"/api/v1/units/{org.a.pk}/registers?year={exchange.year}").json()
    outgoing = next(r for r in registers if r["kind"] == "outgoing" and not r["secret"])
    check = api.get(f"/api/v1/registers/{outgoing['id']}/check").json()
    assert check["series"][0]["periods"][0]["gaps"] == [2]
    xlsx = api.get(f"/api/v1/registers/{outgoing['id']}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][0] == "Số, ký hiệu văn bản" and rows[4][0] == "01/QĐ-TU" and rows[5][9].startswith("Cancelled")
    incoming = next(r for r in api.as_user(org.clerk_b).get(f"/api/v1/units/{org.b.pk}/registers").json()
                    if r["kind"] == "incoming" and not r["secret"])
    entries = api.get(f"/api/v1/registers/{incoming['id']}/entries").json()["items"]
    assert [e["arrival_number"] for e in entries] == [1]


def test_permissions(exchange, api):
    org = exchange.org
    doc = create(api, exchange, [{"unit_id": org.b.pk}], confidentiality=0)
    secret = create(api, exchange, [{"unit_id": org.b.pk}], confidentiality=1, subject="Mật")
    before = counts()
    stranger = __import__("conftest").make_user("stranger", org.b1, "clerk")
    api.as_user(stranger)
    assert api.get(f"/api/v1/documents/{doc['id']}").status_code == 404
    assert api.post(f"/api/v1/documents/{doc['id']}/issue", {}).status_code == 404
    api.as_user(org.clerk_a).post(f"/api/v1/documents/{doc['id']}/issue", {})
    delivery = Delivery.objects.get(document_id=doc["id"])
    assert api.as_user(stranger).post(f"/api/v1/deliveries/{delivery.pk}/accept", {}).status_code == 404
    assert api.as_user(org.leader_b).post(f"/api/v1/deliveries/{delivery.pk}/accept", {}).status_code == 403
    assert api.as_user(org.leader_a).get(f"/api/v1/documents/{secret['id']}").status_code == 404  # no clearance
    assert api.as_user(org.clerk_b).get(f"/api/v1/units/{org.a.pk}/inbox").status_code == 403
    assert counts()[2] == before[2]


@pytest.mark.parametrize(("mutate", "status", "field"), [
    (lambda b, o: b.update(recipients=[{"unit_id": 999999}]), 400, "recipients.0"),
    (lambda b, o: b.update(document_type_id=999999), 400, "document_type_id"),
    (lambda b, o: b.update(subject=""), 422, "subject"),
    (lambda b, o: b.update(urgency=9), 422, "urgency"),
    (lambda b, o: b.update(files=[{"sha256": "0" * 64}]), 400, "files"),
    (lambda b, o: b.update(files=[{"sha256": "xyz"}]), 422, "files.0.sha256"),
    (lambda b, o: b.pop("unit_id"), 422, "unit_id"),
])
def test_bad_documents_name_the_field(exchange, api, mutate, status, field):
    org = exchange.org
    body = {"unit_id": org.a.pk, "document_type_id": doc_type("Quyết định").pk, "subject": "x",
            "recipients": [{"unit_id": org.b.pk}]}
    mutate(body, org)
    before = counts()
    resp = api.as_user(org.clerk_a).post("/api/v1/documents", body)
    assert resp.status_code == status, resp.content
    assert field in [e["field"] for e in resp.json()["errors"]], resp.json()
    assert counts() == before


def test_bad_issue_and_accept(exchange, api):
    org = exchange.org
    doc = create(api, exchange, [{"unit_id": org.b.pk}])
    party_series = NumberSeries.objects.create(unit=org.a, name="Đảng", system="party", rule="term")
    api.as_user(org.clerk_a)
    before = counts()
    resp = api.post(f"/api/v1/documents/{doc['id']}/issue", {"series_id": party_series.pk})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "series_id"
    resp = api.post(f"/api/v1/documents/{doc['id']}/issue", {"issued_on": "2099-01-01"})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "issued_on"
    assert counts() == before
    api.post(f"/api/v1/documents/{doc['id']}/issue", {})
    delivery = Delivery.objects.get(document_id=doc["id"])
    yesterday = str(datetime.date.today() - datetime.timedelta(days=1))
    resp = api.as_user(org.clerk_b).post(f"/api/v1/deliveries/{delivery.pk}/accept", {"arrived_on": yesterday})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "arrived_on"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = api.post_multipart("/api/v1/files", {"file": SimpleUploadedFile("a.pdf", b"abc"), "sha256": "0" * 64})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "sha256"
    assert api.post("/api/v1/deliveries/accept", {"delivery_ids": list(range(1, 60))}).status_code == 422
