import io
from types import SimpleNamespace

import pytest

from conftest import make_user
from dieuhanh.documents import services as doc_services
from dieuhanh.documents.tests.conftest import doc_type, exchange, media  # noqa: F401  (fixtures)

PASSPHRASE = "Ky-so@2026"


def sample_pdf(text="Dự thảo quyết định về việc điều động cán bộ", pages=1):
    """A real PDF with a Vietnamese text layer, the way drafts arrive."""
    from reportlab.pdfgen import canvas

    from dieuhanh.kernel.pdf import register_fonts

    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in range(pages):
        c.setFont("DejaVu", 12)
        c.drawString(72, 760, "THÀNH ỦY HÀ NỘI")
        for i, line in enumerate(text.splitlines() or [text]):
            c.drawString(72, 700 - 16 * i, line)
        c.drawString(72, 100, f"Trang {page + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture
def drafting(exchange, settings):  # noqa: F811
    """``exchange`` plus a drafting chain in A: specialist -> deputy (reviews) -> leader (signs) -> clerk
    (issues), with a demo PKI: the leader's and the deputy's personal certificates and A's organization seal."""
    from dieuhanh.signatures import demo

    settings.DIEUHANH_TSA_URL = "local"
    org = exchange.org
    spec = make_user("spec.a", org.a, "specialist", full_name="Trần Thu Hà")
    deputy = make_user("deputy.a", org.a, "deputy", full_name="Lê Minh Đức")
    org.leader_a.full_name = "Nguyễn Văn Đông"
    org.leader_a.save()
    demo.issue_personal(org.leader_a, PASSPHRASE)
    demo.issue_personal(deputy, PASSPHRASE)
    demo.issue_organization(org.a)

    def upload(user=None, content=None):
        return doc_services.store_file(actor=user or spec, fileobj=io.BytesIO(content or sample_pdf()),
                                       content_type="application/pdf")

    def new_draft(user=None, **fields):
        from dieuhanh.drafting import services

        user = user or spec
        return services.create_draft(
            actor=user, unit=fields.pop("unit", org.a), document_type_id=doc_type("Quyết định").pk,
            subject=fields.pop("subject", "Quyết định về việc điều động cán bộ"),
            blob=fields.pop("blob", None) or upload(user), name="du-thao.pdf",
            recipients=fields.pop("recipients", [{"unit_id": org.b.pk}]), **fields)

    return SimpleNamespace(org=org, exchange=exchange, spec=spec, deputy=deputy, leader=org.leader_a,
                           clerk=org.clerk_a, upload=upload, new_draft=new_draft)
