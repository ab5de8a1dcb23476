"""A .docx draft becomes a PDF/A with LibreOffice in the background, and its text feeds the diff."""

import io

import pytest

from dieuhanh.documents import services as doc_services
from dieuhanh.documents import storage
from dieuhanh.drafting import files, services
from dieuhanh.drafting.models import Conversion, Taken

from .conftest import PASSPHRASE


def docx_bytes(*paragraphs):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_text_is_extracted_and_diffed():
    old = files.extract_text(docx_bytes("Căn cứ Điều lệ Đảng;", "Điều 1. Điều động đồng chí A."), files.DOCX)
    new = files.extract_text(docx_bytes("Căn cứ Điều lệ Đảng;", "Điều 1. Điều động đồng chí B."), files.DOCX)
    assert old.splitlines() == ["Căn cứ Điều lệ Đảng;", "Điều 1. Điều động đồng chí A."]
    assert files.text_diff(old, new) == [(" ", "Căn cứ Điều lệ Đảng;"), ("-", "Điều 1. Điều động đồng chí A."),
                                        ("+", "Điều 1. Điều động đồng chí B.")]
    assert files.extract_text(b"PK\x03\x04 broken", files.DOCX) == ""


def test_docx_draft_is_converted_then_signed(drafting, django_capture_on_commit_callbacks):
    d = drafting
    blob = doc_services.store_file(actor=d.spec, fileobj=io.BytesIO(docx_bytes(
        "THÀNH ỦY HÀ NỘI", "QUYẾT ĐỊNH về việc điều động cán bộ", "Điều 1. Điều động đồng chí Nguyễn Văn Đông.")))
    assert blob.content_type == files.DOCX
    with django_capture_on_commit_callbacks(execute=True):
        draft = d.new_draft(blob=blob)
        version = draft.versions.get()
        assert version.conversion == Conversion.PENDING and version.pdf_blob is None
    version.refresh_from_db()
    assert version.conversion == Conversion.DONE, version.conversion_error
    with storage.open_blob(version.pdf_blob) as fh:
        pdf = fh.read()
    assert pdf.startswith(b"%PDF") and b"pdfaid" in pdf  # PDF/A identification in the XMP metadata
    assert "Nguyễn Văn Đông" in files.extract_text(pdf, files.PDF)
    step = services.submit(actor=d.spec, draft=draft, next_user_id=d.leader.pk, next_action="sign")
    services.act(actor=d.leader, step=step, taken=Taken.SIGN, passphrase=PASSPHRASE)
    draft.refresh_from_db()
    assert draft.status == "signed"


def test_submit_waits_for_the_pdf(drafting):
    """Without the conversion having run, the draft cannot go to signing (there is nothing to sign yet)."""
    from django.core.exceptions import ValidationError

    d = drafting
    blob = doc_services.store_file(actor=d.spec, fileobj=io.BytesIO(docx_bytes("Dự thảo")))
    draft = d.new_draft(blob=blob)  # on_commit never fires inside the test transaction: conversion pending
    with pytest.raises(ValidationError) as exc:
        services.submit(actor=d.spec, draft=draft, next_user_id=d.leader.pk, next_action="sign")
    assert "file" in exc.value.message_dict
