"""Issue 14 item 8: downloads keep Vietnamese file names (RFC 6266/5987) and are streamed, never read whole."""

import io
import unicodedata
from urllib.parse import unquote

import pytest
from django.http import FileResponse

from dieuhanh.documents import storage
from dieuhanh.documents.models import DocumentFile
from dieuhanh.documents.testing import make_pdf

NAME = unicodedata.normalize("NFC", "01-QĐ-TU.pdf")
# a real PDF (uploads are parsed) bigger than one read chunk, so streaming and chunk-wise decryption are exercised
BIG = make_pdf("Quyết định về công tác văn thư " * (storage.CHUNK // 20))


def star_name(header):
    """The name that filename*=UTF-8''... carries, decoded."""
    part = next(p.strip() for p in header.split(";") if p.strip().lower().startswith("filename*="))
    charset, _lang, value = part.split("=", 1)[1].split("'", 2)
    assert charset.lower() == "utf-8"
    return unquote(value, encoding="utf-8")


def check_header(header, name=NAME, kind="attachment"):
    assert header.split(";")[0] == kind
    assert "=?utf-8?" not in header.lower()
    assert star_name(header) == name
    fallback = next(p.strip() for p in header.split(";") if p.strip().startswith("filename="))
    assert fallback.isascii() and fallback.endswith('.pdf"')


def test_header_carries_the_exact_nfc_name_and_an_ascii_fallback():
    response = storage.download_response(io.BytesIO(b"%PDF-1.4"), filename=unicodedata.normalize("NFD", NAME),
                                         content_type="application/pdf")
    header = response["Content-Disposition"]
    check_header(header)
    assert 'filename="01-QD-TU.pdf"' in header
    assert isinstance(response, FileResponse)
    assert response.getvalue() == b"%PDF-1.4"


def test_inline_pdf_keeps_inline():
    response = storage.download_response(io.BytesIO(b"%PDF-1.4"), filename="phiếu.pdf", inline=True)
    check_header(response["Content-Disposition"], name="phiếu.pdf", kind="inline")


@pytest.fixture
def vn_file(exchange):
    org = exchange.org
    doc = exchange.outgoing(content=BIG)
    DocumentFile.objects.filter(document=doc).update(name=NAME)
    return org, doc, DocumentFile.objects.get(document=doc)


@pytest.mark.parametrize("path", ["/documents/{d}/files/{f}/", "/api/v1/documents/{d}/files/{f}"])
@pytest.mark.parametrize("encrypted", [False, True])
def test_document_download_paths_stream_with_the_name(vn_file, client, settings, path, encrypted):
    org, doc, doc_file = vn_file
    if encrypted:
        import base64
        import os
        settings.DIEUHANH_FILE_KEY = base64.b64encode(os.urandom(32)).decode()
        content = make_pdf("Quyết định mật " * (storage.CHUNK // 10))
        blob = storage_blob(org, content)
        DocumentFile.objects.filter(pk=doc_file.pk).update(blob=blob)
    else:
        content = BIG
    client.force_login(org.clerk_a)
    response = client.get(path.format(d=doc.pk, f=doc_file.pk))
    assert response.status_code == 200
    assert response.streaming
    check_header(response["Content-Disposition"])
    assert response.getvalue() == content


def storage_blob(org, content):
    from dieuhanh.documents import services
    return services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(content))


def test_encrypted_blob_is_decrypted_in_chunks(exchange, settings):
    import base64
    import os
    settings.DIEUHANH_FILE_KEY = base64.b64encode(os.urandom(32)).decode()
    content = make_pdf("Quyết định số 1 " * (3 * storage.CHUNK // 10))
    blob = storage_blob(exchange.org, content)
    with storage.open_blob(blob) as fh:
        assert not isinstance(fh, io.BytesIO)  # a temporary file, not one bytes object
        assert fh.read() == content
