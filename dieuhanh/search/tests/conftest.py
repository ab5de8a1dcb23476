import datetime
import io

import pytest

from dieuhanh.documents import services as doc_services
from dieuhanh.documents.tests.conftest import doc_type, exchange, media  # noqa: F401 - shared fixtures


def text_pdf(*lines):
    """A real PDF whose text layer says ``lines`` (DejaVu, so Vietnamese survives extraction)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from dieuhanh.core.pdf import FONT_DIR

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_DIR / "DejaVuSans.ttf")))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("DejaVuSans", 11)
    for i, line in enumerate(lines):
        c.drawString(72, 770 - 16 * i, line)
    c.save()
    return buf.getvalue()


@pytest.fixture
def paper(exchange):  # noqa: F811
    """Register a paper arrival in unit A (default) with a PDF whose text is ``body``."""
    org = exchange.org

    def register(subject, *, symbol="", issuer="Ủy ban nhân dân tỉnh Bắc Ninh", body=(), unit=None, clerk=None,
                 issued_on=datetime.date(2026, 3, 2), type_name="Công văn", **fields):
        clerk = clerk or org.clerk_a
        files = []
        if body:
            blob = doc_services.store_file(actor=clerk, fileobj=io.BytesIO(text_pdf(*body)),
                                           content_type="application/pdf")
            files = [{"sha256": blob.sha256, "name": "scan.pdf"}]
        return doc_services.register_paper(actor=clerk, unit=unit or org.a, document_type_id=doc_type(type_name).pk,
                                           issuer_name=issuer, symbol=symbol, issued_on=issued_on, subject=subject,
                                           files=files, confirm_duplicate=True, **fields).document
    return register
