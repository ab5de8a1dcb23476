"""Browser (issue 14, item 9): a recall of a copy not yet accepted reaches the recipient's clerk through the home
counter and the notification's link; the clerk keeps it with a reason and the copy is back in the queue."""

import io

import pytest

from dieuhanh.documents.testing import make_pdf

from .conftest import SHOTS, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_answers_a_recall_from_its_own_list(live_server, browser, settings, tmp_path):
    from dieuhanh.accounts.models import User
    from dieuhanh.documents import services
    from dieuhanh.documents.models import Delivery, DocumentType
    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    hanoi, hcm = Unit.objects.get(code="000.00.00.H01"), Unit.objects.get(code="000.00.00.H79")
    clerk = User.objects.get(username="vanthu.hanoi")
    blob = services.store_file(actor=clerk, fileobj=io.BytesIO(make_pdf("thong bao")),
                               content_type="application/pdf")
    doc = services.create_outgoing(
        actor=clerk, unit=hanoi, document_type_id=DocumentType.objects.get(system="party", name="Thông báo").pk,
        subject="Thông báo lịch họp tháng", files=[{"sha256": blob.sha256, "name": "thong-bao.pdf"}],
        recipients=[{"unit_id": hcm.pk}], signer_name="Nguyễn Văn An", signer_position="Phó Bí thư")
    services.issue_document(actor=clerk, document=doc)
    delivery = Delivery.objects.get(document=doc, recipient_unit=hcm)
    services.request_recall(actor=clerk, document=doc, reason="Ban hành nhầm nơi nhận")
    base = live_server.url

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    login(page, base, "vanthu.hcm", DEMO_PASSWORD)
    page.click(f"a.counter[href='/documents/recalls/?unit={hcm.pk}']")
    row = page.locator(f"#recall-{delivery.pk}")
    assert delivery.document.symbol in row.inner_text() and "Ban hành nhầm nơi nhận" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.screenshot(path=str(SHOTS / "recalls-phone.png"), full_page=True)
    row.locator("summary").click()
    row.locator("input[name=reason]").fill("Đơn vị đang triển khai")
    row.locator("details button").click()
    page.wait_for_selector(".flash")
    assert page.locator(f"#recall-{delivery.pk}").count() == 0
    delivery.refresh_from_db()
    assert delivery.status == "16"
    page.goto(f"{base}/documents/?unit={hcm.pk}")
    assert page.locator(f"#delivery-{delivery.pk}").count() == 1  # kept, so it can still be accepted
    phone.close()
