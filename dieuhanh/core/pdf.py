"""PDF building blocks with a vendored Unicode font (DejaVu Sans), so Vietnamese renders on any server."""

from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
_registered = False


def register_fonts():
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold")
        _registered = True


def styles():
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


def long_date(day):
    """The date as written on documents: leading zeros for days < 10 and months 1-2 (Decree 30)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
