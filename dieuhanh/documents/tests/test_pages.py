"""The exchange through the pages: new document, issue, accept, return, duplicates, recall, registers, export."""

import datetime
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PASSWORD
from dieuhanh.documents.models import Delivery, Document, IncomingEntry
from dieuhanh.documents.testing import make_pdf

from .conftest import doc_type


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_new_issue_accept_return_through_pages(exchange, client):
    org = exchange.org
    login(client, org.clerk_a)
    assert client.get(f"/documents/new/?unit={org.a.pk}").status_code == 200
    resp = client.post(f"/documents/new/?unit={org.a.pk}", {
        "document_type": doc_type("Quyết định").pk, "subject": "Về việc điều động cán bộ", "urgency": "1",
        "confidentiality": "0", "page_count": "2", "recipients": [str(org.b.pk), str(org.a1.pk)],
        "paper": "Lưu VT", "files": [SimpleUploadedFile("qd.pdf", make_pdf("page test"), "application/pdf")]})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    doc = Document.objects.get(subject="Về việc điều động cán bộ")
    assert doc.files.count() == 1 and doc.recipients.count() == 3
    assert str(doc.pk) in client.get(f"/documents/approved/?unit={org.a.pk}").content.decode()
    assert client.post(f"/documents/{doc.pk}/", {"action": "issue"}).status_code == 302
    doc.refresh_from_db()
    assert doc.symbol == "01/QĐ-TU"

    login(client, org.clerk_b)
    inbox = client.get(f"/documents/?unit={org.b.pk}").content.decode()
    delivery = Delivery.objects.get(document=doc, recipient_unit=org.b)
    assert f"delivery-{delivery.pk}" in inbox and "Khẩn" in inbox
    assert client.post(f"/documents/deliveries/{delivery.pk}/accept/").status_code == 302
    assert IncomingEntry.objects.get(delivery=delivery).arrival_number == 1

    login(client, org.clerk_a)
    detail = client.get(f"/documents/{doc.pk}/").content.decode()
    assert 'data-code="03"' in detail and 'data-code="01"' in detail
    file_id = doc.files.get().pk
    assert client.get(f"/documents/{doc.pk}/files/{file_id}/").getvalue() == make_pdf("page test")


def test_return_needs_a_reason_and_bulk_accept(exchange, client):
    from dieuhanh.documents import services

    org = exchange.org
    docs = [services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject=f"VB {i}"))
            for i in range(3)]
    login(client, org.clerk_b)
    first = docs[0].deliveries.get(recipient_unit=org.b)
    resp = client.post(f"/documents/deliveries/{first.pk}/return/", {"reason": ""})
    assert resp.status_code == 400
    assert client.post(f"/documents/deliveries/{first.pk}/return/", {"reason": "Sai"}).status_code == 302
    rest = [d.deliveries.get(recipient_unit=org.b).pk for d in docs[1:]]
    resp = client.post("/documents/accept/", {"delivery": [str(pk) for pk in rest], "unit": org.b.pk})
    assert resp.status_code == 302
    assert sorted(IncomingEntry.objects.values_list("arrival_number", flat=True)) == [1, 2]


def test_paper_duplicate_then_confirm(exchange, client):
    org = exchange.org
    login(client, org.clerk_b)
    form = {"document_type": doc_type("Công văn").pk, "issuer_name": "Bộ Nội vụ", "symbol": "123/BNV-VP",
            "issued_on": str(datetime.date.today()), "subject": "Về việc sắp xếp", "urgency": "0",
            "confidentiality": "0", "page_count": "1"}
    assert client.post(f"/documents/paper/?unit={org.b.pk}", form).status_code == 302
    again = client.post(f"/documents/paper/?unit={org.b.pk}", form)
    # the duplicate's arrival number and symbol, whatever the page's language
    assert again.status_code == 400 and f"1/{datetime.date.today().year} (123/BNV-VP)" in again.content.decode()
    assert client.post(f"/documents/paper/?unit={org.b.pk}", {**form, "confirm_duplicate": "on"}).status_code == 302
    bad = client.post(f"/documents/paper/?unit={org.b.pk}", {**form, "issued_on": "not a date"})
    assert bad.status_code == 400 and IncomingEntry.objects.count() == 2


def test_registers_export_and_check(exchange, client):
    from dieuhanh.documents import services

    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    services.cancel_issue(actor=org.clerk_a, document=doc, reason="Nhầm")
    login(client, org.clerk_a)
    page = client.get(f"/documents/registers/?unit={org.a.pk}").content.decode()
    register = doc.outgoing_entries.get().register
    assert f"/documents/registers/{register.pk}/" in page
    assert "01/QĐ-TU" in client.get(f"/documents/registers/{register.pk}/").content.decode()
    check = client.get(f"/documents/registers/{register.pk}/check/").content.decode()
    assert "1" in check
    xlsx = client.get(f"/documents/registers/{register.pk}/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[4][0] == "01/QĐ-TU"


def test_outsiders_see_nothing(exchange, client):
    from dieuhanh.documents import services

    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    delivery = doc.deliveries.get(recipient_unit=org.b)
    stranger = __import__("conftest").make_user("stranger", org.b1, "clerk")
    login(client, stranger)
    assert client.get(f"/documents/{doc.pk}/").status_code == 404
    assert client.post(f"/documents/deliveries/{delivery.pk}/accept/").status_code == 404
    assert client.get(f"/documents/?unit={org.b.pk}").status_code == 200  # falls back to their own unit
    assert f"delivery-{delivery.pk}" not in client.get(f"/documents/?unit={org.b.pk}").content.decode()
    login(client, org.spec_a1)  # a specialist has no queue
    assert client.get("/documents/").status_code == 403
    login(client, org.leader_b)  # can see the document, but only clerks accept
    assert client.post(f"/documents/deliveries/{delivery.pk}/accept/").status_code == 403
    assert not IncomingEntry.objects.exists()
    register = doc.outgoing_entries.get().register
    assert client.get(f"/documents/registers/{register.pk}/").status_code == 404
