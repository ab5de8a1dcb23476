import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from dieuhanh.digitization.models import ImportBatch, ItemStatus, ScanItem

from .conftest import png


@pytest.fixture
def clerk_client(client, exchange):
    client.force_login(exchange.org.clerk_a)
    return client


def _upload(client, exchange, files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/digitization/?unit={exchange.org.a.pk}", {"files": files, "label": "Lô 1"})


def test_upload_page_batch_progress_and_confirm(clerk_client, exchange, fake_ocr, django_capture_on_commit_callbacks):
    assert clerk_client.get("/digitization/").status_code == 200
    files = [io.BytesIO(png(1)), io.BytesIO(png(2)), io.BytesIO(b"")]
    for name, f in zip(["a.png", "b.png", "empty.pdf"], files, strict=True):
        f.name = name
    response = _upload(clerk_client, exchange, files, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("digitization:batch", args=[batch.pk])
    page = clerk_client.get(response.url)
    assert page.status_code == 200 and b"<progress" in page.content
    assert b"every 2s" not in page.content  # nothing pending: the page stops polling
    fragment = clerk_client.get(reverse("digitization:progress", args=[batch.pk]))
    assert b"3/3" in fragment.content
    item = batch.items.get(name="a.png")
    form = clerk_client.get(reverse("digitization:item", args=[item.pk]))
    assert form.status_code == 200 and "12/QĐ-UBND".encode() in form.content
    assert b'value="2026-02-05"' in form.content
    data = {"document_type": item.extracted["document_type_id"], "issuer_name": item.extracted["issuer_name"],
            "symbol": item.extracted["symbol"], "issued_on": "2026-02-05", "subject": item.extracted["subject"],
            "urgency": 0, "confidentiality": 0, "page_count": 1}
    response = clerk_client.post(reverse("digitization:item", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.REGISTERED
    assert clerk_client.get(reverse("digitization:file", args=[item.pk, "ocr"])).status_code == 200


def test_pending_batch_polls(clerk_client, exchange, fake_ocr):
    from dieuhanh.digitization import services

    batch = services.import_files(actor=exchange.org.clerk_a, unit=exchange.org.a,
                                  files=[("a.png", io.BytesIO(png(1)))])  # no commit callbacks: stays queued
    page = clerk_client.get(reverse("digitization:batch", args=[batch.pk]))
    assert b'hx-trigger="every 2s"' in page.content and b"0/1" in page.content


def test_other_units_clerk_gets_404(client, exchange, fake_ocr, run_jobs):
    from dieuhanh.digitization import services

    org = exchange.org
    batch = run_jobs(services.import_files, actor=org.clerk_a, unit=org.a, files=[("a.png", io.BytesIO(png(1)))])
    item = batch.items.get()
    client.force_login(org.clerk_b)
    for url in (reverse("digitization:batch", args=[batch.pk]), reverse("digitization:progress", args=[batch.pk]),
                reverse("digitization:item", args=[item.pk]), reverse("digitization:file", args=[item.pk, "original"])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("digitization:discard", args=[item.pk])).status_code == 404
    assert client.get(f"/api/v1/scans/batches/{batch.pk}").status_code == 404
    assert client.get(f"/api/v1/scans/items/{item.pk}").status_code == 404
    assert client.get(f"/api/v1/scans/batches?unit_id={org.a.pk}").status_code == 404
    response = client.post(f"/api/v1/scans/items/{item.pk}/confirm", {"document_type_id": 1, "issuer_name": "x",
                           "issued_on": "2026-02-05", "subject": "x"}, content_type="application/json")
    assert response.status_code == 404
    f = io.BytesIO(png(9))
    f.name = "x.png"
    assert client.post("/api/v1/scans/batches", {"unit_id": org.a.pk, "files": [f]}).status_code == 403
    # a leader of the unit is no clerk: the page refuses too
    client.force_login(org.leader_a)
    assert client.get("/digitization/").status_code == 403
    assert ScanItem.objects.get(pk=item.pk).status == ItemStatus.READY


def test_api_import_and_confirm(client, exchange, fake_ocr, django_capture_on_commit_callbacks):
    org = exchange.org
    client.force_login(org.clerk_a)
    f1, f2 = io.BytesIO(png(1)), io.BytesIO(b"not an image at all")
    f1.name, f2.name = "a.png", "b.jpg"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/scans/batches", {"unit_id": org.a.pk, "files": [f1, f2]})
    assert response.status_code == 201, response.content
    assert response.json()["progress"]["total"] == 2  # answered before the OCR jobs ran
    body = client.get(f"/api/v1/scans/batches/{response.json()['id']}").json()
    assert body["progress"]["done"] == 2
    statuses = {i["name"]: i["status"] for i in body["items"]}
    assert statuses == {"a.png": "ready", "b.jpg": "rejected"}
    item = next(i for i in body["items"] if i["name"] == "a.png")
    response = client.post(f"/api/v1/scans/items/{item['id']}/confirm", {
        "document_type_id": item["extracted"]["document_type_id"], "issuer_name": item["extracted"]["issuer_name"],
        "symbol": item["extracted"]["symbol"], "issued_on": item["extracted"]["issued_on"],
        "subject": item["extracted"]["subject"]}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["arrival_number"] == 1
    again = client.post(f"/api/v1/scans/items/{item['id']}/confirm", {
        "document_type_id": 1, "issuer_name": "x", "issued_on": "2026-02-05", "subject": "x"},
        content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "status"


def test_import_scans_command(exchange, fake_ocr, tmp_path):
    org = exchange.org
    (tmp_path / "2026" / "03").mkdir(parents=True)
    (tmp_path / "2026" / "03" / "a.png").write_bytes(png(1))
    (tmp_path / "2026" / "b.tiff").write_bytes(b"II*\x00garbage")
    (tmp_path / "c.pdf").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("skipped")
    (tmp_path / ".hidden.png").write_bytes(png(3))
    out = io.StringIO()
    call_command("import-scans", str(tmp_path), unit=org.a.code, user="clerk.a", stdout=out)
    text = out.getvalue()
    batch = ImportBatch.objects.get()
    names = sorted(batch.items.values_list("name", "status"))
    assert names == [("2026-03-a.png", "ready"), ("2026-b.tiff", "ready"), ("c.pdf", "rejected")]
    assert "[1/3] 2026-03-a.png" in text and "12/QĐ-UBND" in text and "rejected c.pdf" in text
    assert "Done in" in text


def test_import_scans_command_refuses_non_clerk(exchange, fake_ocr, tmp_path):
    from django.core.management.base import CommandError

    (tmp_path / "a.png").write_bytes(png(1))
    with pytest.raises(CommandError):
        call_command("import-scans", str(tmp_path), unit=exchange.org.a.code, user="clerk.b", stdout=io.StringIO())
    assert not ImportBatch.objects.exists()


def test_review_page_marks_the_doubtful_fields(clerk_client, exchange, fake_ocr, django_capture_on_commit_callbacks):
    """Issue 18: Tesseract's confidence stays high on misread pages; the extraction's own checks (an issuer in no
    directory, a date that does not exist, no signer) mark the fields, and the page says which to look at."""
    import re

    fake_ocr.text = ("ỦY BAN NHÂN DÂN\nXÃ KHÔNG CÓ THẬT\nSố: 12/QĐ-UBND\nBắc Ninh, ngày 31 tháng 02 năm 2026\n"
                     "QUYẾT ĐỊNH\nVề việc ban hành quy chế làm việc\nCăn cứ Luật Tổ chức chính quyền địa phương;")
    f = io.BytesIO(png(7))
    f.name = "doubt.png"
    _upload(clerk_client, exchange, [f], django_capture_on_commit_callbacks)
    item = ScanItem.objects.get(name="doubt.png")
    assert {"issued_on", "issuer_name", "signer_name"} <= set(item.extracted["doubtful"])
    assert "symbol" not in item.extracted["doubtful"] and "subject" not in item.extracted["doubtful"]
    clerk_client.cookies["django_language"] = "en"
    page = clerk_client.get(reverse("digitization:item", args=[item.pk])).content.decode()
    marked = set(re.findall(r'<(?:input|select|textarea)[^>]*data-doubtful="1"[^>]*name="(\w+)"', page)
                 + re.findall(r'<(?:input|select|textarea)[^>]*name="(\w+)"[^>]*data-doubtful="1"', page))
    assert marked == {"issued_on", "issuer_name", "signer_name"}
    assert 'id="doubtful"' in page


def test_realistic_scan_prefills_every_field_and_registers_the_signer(clerk_client, exchange, run_jobs):
    """Issue 18 end to end, real OCR: a colour office scan at 200 ppi (Times-metric font, red seal over the
    signer's name, JPEG 50) fills every field of the review form; the issuer, in no directory of the test
    organization, is the one marked; confirming registers the signer."""
    import html
    import random
    import re

    from dieuhanh.digitization import scans, services
    from dieuhanh.documents.models import IncomingEntry

    rng = random.Random(4)
    s = scans.spec(4, rng)
    data, _, _ = scans.capture(scans.render(s, seed=4), "office-200", rng, colour=True, quality=50)
    org = exchange.org
    item = run_jobs(services.import_files, actor=org.clerk_a, unit=org.a,
                    files=[("scan.jpg", io.BytesIO(data))]).items.get()
    assert item.status == ItemStatus.READY, item.message
    clerk_client.cookies["django_language"] = "en"
    page = clerk_client.get(reverse("digitization:item", args=[item.pk])).content.decode()

    def value(name):
        match = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>(?:([^<]*)</textarea>)?', page)
        tag = match.group(0)
        found = re.search(r'value="([^"]*)"', tag)
        return html.unescape(found.group(1) if found else (match.group(1) or "")).strip()

    assert value("symbol") == s["symbol"]
    assert value("issued_on") == s["issued_on"].isoformat()
    assert value("issuer_name") == s["issuer_name"]
    assert value("subject") == s["subject"]
    assert value("signer_name") == s["signer"]
    assert value("signer_position") == " ".join(s["positions"])
    assert 'data-doubtful="1"' in re.search(r'<input[^>]*name="issuer_name"[^>]*>', page).group(0)
    assert item.extracted["doubtful"] == ["issuer_name"]
    data = {"document_type": item.extracted["document_type_id"], "issuer_name": value("issuer_name"),
            "symbol": value("symbol"), "issued_on": value("issued_on"), "subject": value("subject"),
            "signer_name": value("signer_name"), "signer_position": value("signer_position"), "authority": "",
            "urgency": 0, "confidentiality": 0, "page_count": 1}
    assert clerk_client.post(reverse("digitization:item", args=[item.pk]), data).status_code == 302
    document = IncomingEntry.objects.get(unit=org.a).document
    assert (document.signer_name, document.signer_position) == (s["signer"], " ".join(s["positions"]))
