"""Test helpers: a tiny valid PDF carrying a given text, for tests and fixtures that upload files (uploads are
parsed, decision 0036, so ``b"%PDF-1.4 x"`` is no longer accepted)."""

import functools

from dieuhanh.kernel.pdf import one_page_pdf


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
    return one_page_pdf(stream)
