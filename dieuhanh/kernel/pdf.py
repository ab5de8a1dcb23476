"""PDF building blocks with a vendored Unicode font (DejaVu Sans), so Vietnamese renders on any server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

if TYPE_CHECKING:
    from datetime import date
    from typing import Any

FONT_DIR = Path(__file__).resolve().parent / "fonts"
_registered = False


def register_fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold")
        _registered = True


def styles() -> dict[str, Any]:
    register_fonts()
    base = ParagraphStyle("base", fontName="DejaVu", fontSize=10.5, leading=14)
    return {
        "base": base,
        "center": ParagraphStyle("center", parent=base, alignment=1),
        "title": ParagraphStyle("title", parent=base, fontName="DejaVu-Bold", fontSize=14, leading=18, alignment=1,
                                spaceBefore=10, spaceAfter=8),
        "bold": ParagraphStyle("bold", parent=base, fontName="DejaVu-Bold"),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12),
    }


def long_date(day: date) -> str:
    """The date as written on documents: leading zeros for days < 10 and months 1-2 (Decree 30)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def one_page_pdf(stream: bytes) -> bytes:
    """A valid one-page A4 PDF (with a correct cross-reference table) whose page draws the content ``stream`` in
    Helvetica as /F1: written by hand, because demo data and test uploads need a real PDF in microseconds."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
