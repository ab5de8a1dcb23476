import datetime
import io

import pytest

from dieuhanh.documents import services as doc_services
from dieuhanh.documents.tests.conftest import doc_type, exchange, media  # noqa: F401 - shared fixtures
from dieuhanh.drafting.tests.conftest import sample_pdf


@pytest.fixture
def paper(exchange):  # noqa: F811
    """Register a paper arrival in unit A (default) with a PDF whose text is ``body``."""
    org = exchange.org

    def register(subject, *, symbol="", issuer="Ủy ban nhân dân tỉnh Bắc Ninh", body=(), unit=None, clerk=None,
                 issued_on=datetime.date(2026, 3, 2), type_name="Công văn", **fields):
        clerk = clerk or org.clerk_a
        files = []
        if body:
            blob = doc_services.store_file(actor=clerk, fileobj=io.BytesIO(sample_pdf("\n".join(body))),
                                           content_type="application/pdf")
            files = [{"sha256": blob.sha256, "name": "scan.pdf"}]
        return doc_services.register_paper(actor=clerk, unit=unit or org.a, document_type_id=doc_type(type_name).pk,
                                           issuer_name=issuer, symbol=symbol, issued_on=issued_on, subject=subject,
                                           files=files, confirm_duplicate=True, **fields).document
    return register
