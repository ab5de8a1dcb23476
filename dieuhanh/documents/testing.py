"""Test helpers: a tiny valid PDF carrying a given text, for tests and fixtures that upload files (uploads are
parsed, decision 0036, so ``b"%PDF-1.4 x"`` is no longer accepted)."""

import functools


def _escape(data: bytes) -> bytes:
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


@functools.cache
def make_pdf(text: str | bytes = "test") -> bytes:
    """A one-page PDF whose page shows ``text`` (Latin-1 characters are extractable; the exact UTF-8 bytes are also
    kept in the content stream, so tests that look for the text in the stored bytes still find it). Built by hand
    with a correct cross-reference table: no library, fast, and the same bytes for the same text (cached)."""
    raw = text.encode() if isinstance(text, str) else bytes(text)
    shown = raw.decode("utf-8", "replace").encode("latin-1", "replace")
    stream = b"BT /F1 12 Tf 72 720 Td (" + _escape(shown) + b") Tj ET\n% " + raw.replace(b"\n", b" ") + b"\n"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream"]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
