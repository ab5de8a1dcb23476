"""Browser (issue 14, item 8): a file with a Vietnamese name downloads under that exact name, not the URL's last
segment (the old RFC 2047 header made chromium save "108")."""

import io
import unicodedata

import pytest

from .conftest import login

NAME = unicodedata.normalize("NFC", "01-QĐ-TU.pdf")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_download_keeps_the_vietnamese_name(live_server, browser, settings, tmp_path):
    from dieuhanh.accounts.models import User
    from dieuhanh.documents import services
    from dieuhanh.documents.models import DocumentType
    from dieuhanh.documents.testing import make_pdf
    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    hanoi, hcm = Unit.objects.get(code="000.00.00.H01"), Unit.objects.get(code="000.00.00.H79")
    clerk = User.objects.get(username="vanthu.hanoi")
    content = make_pdf("Quyết định thành lập tổ công tác")
    blob = services.store_file(actor=clerk, fileobj=io.BytesIO(content), content_type="application/pdf")
    doc = services.create_outgoing(
        actor=clerk, unit=hanoi, document_type_id=DocumentType.objects.get(system="party", name="Quyết định").pk,
        subject="Quyết định thành lập tổ công tác", files=[{"sha256": blob.sha256, "name": NAME}],
        recipients=[{"unit_id": hcm.pk}], signer_name="Nguyễn Văn An", signer_position="Phó Bí thư")
    base = live_server.url

    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    login(page, base, "vanthu.hanoi", DEMO_PASSWORD)
    page.goto(f"{base}/documents/{doc.pk}/")
    with page.expect_download() as info:
        page.click(f"a:text-is('{NAME}')")
    download = info.value
    assert download.suggested_filename == NAME
    saved = tmp_path / "saved.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == content
    context.close()
