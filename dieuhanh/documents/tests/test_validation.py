"""Uploads are judged by content: types, zip bombs, pixel floods, risky PDFs, file names."""

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError

from dieuhanh.documents import services
from dieuhanh.documents.models import Blob
from dieuhanh.documents.testing import make_pdf
from dieuhanh.documents.validation import MAX_UNZIPPED_BYTES, inspect, safe_name


def _docx(extra_size=0):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        if extra_size:
            z.writestr("word/bomb.bin", b"\0" * extra_size)
    buf.seek(0)
    return buf


def _png(width, height):
    return io.BytesIO(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)
                      + b"\x08\x02\x00\x00\x00" + b"\0" * 40)


def test_types_are_detected_from_content():
    assert inspect(io.BytesIO(make_pdf("...")))[0] == "application/pdf"
    assert inspect(_docx())[0].endswith("wordprocessingml.document")
    assert inspect(_png(2480, 3508))[0] == "image/png"  # A4 at 300 ppi
    assert inspect(io.BytesIO(b"II*\x00rest"))[0] == "image/tiff"


@pytest.mark.parametrize("content", [b"MZ\x90\x00 an exe", b"<html><script>", b"#!/bin/sh\nrm -rf /"])
def test_other_content_is_refused_whatever_its_name(org, content):
    with pytest.raises(ValidationError) as exc:
        services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(content), content_type="application/pdf")
    assert "file" in exc.value.message_dict
    assert not Blob.objects.exists()


def test_zip_bombs_and_pixel_floods_are_refused():
    with pytest.raises(ValidationError):
        inspect(_docx(extra_size=MAX_UNZIPPED_BYTES // 100))  # compresses ~1000:1
    with pytest.raises(ValidationError):
        inspect(_png(100_000, 100_000))
    with pytest.raises(ValidationError):
        inspect(io.BytesIO(b"PK\x03\x04 not really a zip"))


def test_risky_pdfs_are_stored_but_flagged(org):
    blob = services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(
        make_pdf(b"1 0 obj << /OpenAction 2 0 R >> endobj 2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj")))
    assert set(blob.flags) == {"javascript", "open-action"}
    clean = services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(make_pdf("clean")))
    assert clean.flags == []


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd", "passwd"), ("C:\\Windows\\win.ini", "win.ini"), ("quyết định\x00.pdf", "quyết định.pdf"),
    ("", "file"), ("..", "file"), ("a" * 300 + ".pdf", "a" * 200),
])
def test_file_names_are_sanitized(raw, clean):
    assert safe_name(raw) == clean


def _pdf_zip_polyglot():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hidden")
    return make_pdf("looks like a letter") + archive.getvalue()


@pytest.mark.parametrize(("content", "code"), [
    (b"%PDF-1.4 x", "pdf_damaged"),  # no %%EOF at all: not a PDF
    (b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", "pdf_damaged"),  # '%PDF-' then garbage
    (_pdf_zip_polyglot(), "pdf_polyglot"),  # a ZIP appended: zip tools open it
    (make_pdf("x") + b"\x89PNG\r\n\x1a\n....", "pdf_polyglot"),  # another format behind the end
])
def test_a_file_that_only_starts_like_a_pdf_is_refused(content, code):
    """Issue 14 item 6: a PDF is parsed, not judged by its first bytes, and a PDF that is also something else is
    refused, naming the file field."""
    with pytest.raises(ValidationError) as caught:
        inspect(io.BytesIO(content))
    assert caught.value.error_dict["file"][0].code == code


def test_a_zip_with_a_pdf_trailer_faked_into_its_comment_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hidden")
        z.comment = b"\n%%EOF\n"
    content = make_pdf("x") + archive.getvalue()
    assert zipfile.is_zipfile(io.BytesIO(content))
    with pytest.raises(ValidationError) as caught:
        inspect(io.BytesIO(content))
    assert caught.value.error_dict["file"][0].code == "pdf_polyglot"


def test_a_real_pdf_is_accepted_and_garbage_answers_400_naming_the_field(org, api_client, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.as_user(org.clerk_a)

    def post(content):
        return client.post("/api/v1/files", {"file": SimpleUploadedFile("vb.pdf", content)}, **api_client.headers)

    good = post(make_pdf("Quyết định"))
    assert good.status_code == 201, good.content
    for content in (b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", _pdf_zip_polyglot()):
        bad = post(content)
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "file", bad.content
