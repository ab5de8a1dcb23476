import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dieuhanh.audit.models import AuditEvent
from dieuhanh.digitization import services
from dieuhanh.digitization.models import ItemStatus, ScanItem
from dieuhanh.documents.models import DocumentType
from dieuhanh.documents.testing import make_pdf

from .conftest import STATE_TEXT, png


def _import(run_jobs, exchange, files, user=None, unit=None):
    org = exchange.org
    return run_jobs(services.import_files, actor=user or org.clerk_a, unit=unit or org.a,
                    files=[(name, io.BytesIO(data)) for name, data in files])


def test_import_ocr_extract_confirm(exchange, fake_ocr, run_jobs):
    org = exchange.org
    batch = _import(run_jobs, exchange, [("a.png", png(1)), ("b.png", png(2))])
    items = list(batch.items.all())
    assert [i.status for i in items] == [ItemStatus.READY, ItemStatus.READY]
    item = items[0]
    assert item.original.content_type == "image/png" and item.ocr_pdf.content_type == "application/pdf"
    assert item.extracted["symbol"] == "12/QĐ-UBND"
    assert item.extracted["issued_on"] == "2026-02-05"
    assert item.extracted["document_type_id"] == DocumentType.objects.get(system="state", name="Quyết định").pk
    # the second scan reads as the same document: flagged as a duplicate of the first
    assert "duplicate" in items[1].flags and items[1].duplicate_item == item
    entry = services.confirm(actor=org.clerk_a, item=item, document_type_id=item.extracted["document_type_id"],
                             issuer_name=item.extracted["issuer_name"], symbol=item.extracted["symbol"],
                             issued_on=datetime.date(2026, 2, 5), subject="Ban hành quy chế làm việc")
    files = list(entry.document.files.order_by("order"))
    assert [(f.blob_id, f.is_main) for f in files] == [(item.ocr_pdf_id, True), (item.original_id, False)]
    assert entry.origin == "paper" and entry.unit == org.a
    item.refresh_from_db()
    assert item.status == ItemStatus.REGISTERED and item.entry == entry
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"scan_batch.create", "scan_item.process", "scan_item.confirm", "document.register_paper"} <= actions
    confirmed = AuditEvent.objects.get(action="scan_item.confirm")
    assert confirmed.data["corrected"] == ["subject"]


def test_duplicate_of_registered_document(exchange, fake_ocr, run_jobs):
    org = exchange.org
    first = _import(run_jobs, exchange, [("a.png", png(1))]).items.get()
    services.confirm(actor=org.clerk_a, item=first, document_type_id=first.extracted["document_type_id"],
                     issuer_name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="12/QĐ-UBND",
                     issued_on=datetime.date(2026, 2, 5), subject="Quy chế")
    first.refresh_from_db()
    # the same file again: same hash
    again = _import(run_jobs, exchange, [("a-again.png", png(1))]).items.get()
    assert again.duplicate_reason == "file" and again.duplicate_of == first.entry
    # another scan of the same document: number/symbol + issuer + date
    other = _import(run_jobs, exchange, [("c.png", png(3))]).items.get()
    assert other.duplicate_reason == "metadata" and other.duplicate_of == first.entry
    # confirming a duplicate needs the explicit confirmation register_paper asks for
    with pytest.raises(ValidationError) as exc:
        services.confirm(actor=org.clerk_a, item=other, document_type_id=other.extracted["document_type_id"],
                         issuer_name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="12/QĐ-UBND",
                         issued_on=datetime.date(2026, 2, 5), subject="Quy chế")
    assert "confirm_duplicate" in exc.value.message_dict


@translation.override("en")  # the reasons are read in English
def test_bad_input_rejected_rest_goes_on(exchange, fake_ocr, run_jobs):
    from PIL import Image

    flood = io.BytesIO()
    Image.new("1", (13000, 13000)).save(flood, "PNG")
    batch = _import(run_jobs, exchange, [
        ("empty.pdf", b""), ("fake.jpg", b"MZ\x90\x00 this is an executable"), ("flood.png", flood.getvalue()),
        ("letter.docx", _docx()), ("good.png", png(5)),
    ])
    by_name = {i.name: i for i in batch.items.all()}
    assert by_name["empty.pdf"].status == ItemStatus.REJECTED and "empty" in by_name["empty.pdf"].message
    assert by_name["fake.jpg"].status == ItemStatus.REJECTED
    assert "named like an image" in by_name["fake.jpg"].message
    assert by_name["flood.png"].status == ItemStatus.REJECTED and "pixels" in by_name["flood.png"].message
    assert by_name["letter.docx"].status == ItemStatus.REJECTED
    assert by_name["good.png"].status == ItemStatus.READY
    assert fake_ocr.calls == 1
    create = AuditEvent.objects.get(action="scan_batch.create")
    assert len(create.data["rejected"]) == 4


def _docx():
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def test_ocr_failures_are_recorded_and_can_be_retried(exchange, run_jobs, monkeypatch):
    from dieuhanh.digitization import ocr

    def broken(data, content_type, **kw):
        raise ocr.ScanError("The PDF is encrypted: ask the sender for an unprotected copy.")

    monkeypatch.setattr(ocr, "run", broken)
    item = _import(run_jobs, exchange, [("locked.pdf", make_pdf("locked"))]).items.get()
    assert item.status == ItemStatus.FAILED and "encrypted" in item.message
    assert item.original is not None  # nothing lost: the file is kept
    monkeypatch.setattr(ocr, "run", lambda data, ct, **kw: ocr.OcrResult(
        pdf=make_pdf("ok"), pages=[ocr.judge(page=1, ppi=150, ink=0.0001, words=0, confidence=None)], texts=[""]))
    run_jobs(services.retry, actor=exchange.org.clerk_a, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.READY and item.flags == ["low-resolution", "blank"]
    services.discard(actor=exchange.org.clerk_a, item=item, reason="Trang trắng")
    item.refresh_from_db()
    assert item.status == ItemStatus.DISCARDED


def test_quality_flags():
    from dieuhanh.digitization.ocr import judge

    assert judge(page=1, ppi=150, ink=0.05, words=200, confidence=90)["flags"] == ["low-resolution"]
    assert judge(page=1, ppi=300, ink=0.0005, words=0, confidence=None)["flags"] == ["blank"]
    assert judge(page=1, ppi=300, ink=0.05, words=2, confidence=30)["flags"] == ["unreadable"]
    assert judge(page=1, ppi=300, ink=0.05, words=300, confidence=40)["flags"] == ["unreadable"]
    assert judge(page=1, ppi=None, ink=0.05, words=300, confidence=91)["flags"] == []


def test_permissions(exchange, fake_ocr, run_jobs):
    org = exchange.org
    with pytest.raises(PermissionDenied):
        services.import_files(actor=org.clerk_b, unit=org.a, files=[("a.png", io.BytesIO(png(1)))])
    with pytest.raises(PermissionDenied):
        services.import_files(actor=org.leader_a, unit=org.a, files=[("a.png", io.BytesIO(png(1)))])
    item = _import(run_jobs, exchange, [("a.png", png(1))]).items.get()
    with pytest.raises(PermissionDenied):
        services.confirm(actor=org.clerk_b, item=item, document_type_id=1, issuer_name="x", symbol="1/QĐ-X",
                         issued_on=datetime.date(2026, 2, 5), subject="x")
    with pytest.raises(PermissionDenied):
        services.discard(actor=org.leader_a, item=item)
    assert ScanItem.objects.get(pk=item.pk).status == ItemStatus.READY


def test_real_ocr_on_a_small_page(exchange, run_jobs):
    """One real OCRmyPDF + Tesseract run (vie) on a small generated page."""
    from dieuhanh.digitization import samples

    item = _import(run_jobs, exchange, [("small.png", samples.small_page())]).items.get()
    assert item.status == ItemStatus.READY, item.message
    assert item.extracted["symbol"] == "12/QĐ-UBND"
    assert item.extracted["issued_on"] == "2026-02-05"
    assert item.pages[0]["words"] > 5 and item.pages[0]["confidence"] > 60
    assert "low-resolution" in item.flags  # the page is 150 ppi
    from dieuhanh.documents.storage import open_blob

    with open_blob(item.ocr_pdf) as fh:
        head = fh.read()
    assert head.startswith(b"%PDF") and b"pdfaid" in head
    with open_blob(item.original) as fh:
        assert fh.read() == samples.small_page()  # the original stays unchanged beside the OCR'd copy


def test_state_text_constant_is_parsed():
    from dieuhanh.digitization.extract import extract

    assert extract(STATE_TEXT).symbol == "12/QĐ-UBND"


def test_stuck_item_can_be_retried(exchange, fake_ocr, run_jobs):
    import datetime as dt

    from django.utils import timezone

    batch = services.import_files(actor=exchange.org.clerk_a, unit=exchange.org.a,
                                  files=[("a.png", io.BytesIO(png(1)))])  # queued, not run
    item = batch.items.get()
    ScanItem.objects.filter(pk=item.pk).update(status=ItemStatus.PROCESSING, started_at=timezone.now())
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        services.retry(actor=exchange.org.clerk_a, item=item)  # a worker is on it
    ScanItem.objects.filter(pk=item.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    item.refresh_from_db()
    assert item.is_stuck
    run_jobs(services.retry, actor=exchange.org.clerk_a, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.READY
