"""Browser: the clerk of A issues to B and C; the clerk of B accepts on a phone; A sees 03 (and 01 for C)."""

import pytest

from dieuhanh.documents.testing import make_pdf

from .conftest import SHOTS, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_issue_to_two_units_accept_and_sender_sees_03(live_server, browser, settings, tmp_path):
    from dieuhanh.documents.models import Delivery, Document
    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    hcm, thanhhoa = Unit.objects.get(code="000.00.00.H79"), Unit.objects.get(code="000.00.00.H38")
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(make_pdf("Ke hoach to chuc dai hoi"))
    base = live_server.url

    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desktop.new_page()
    login(page, base, "vanthu.hanoi", DEMO_PASSWORD)
    page.goto(f"{base}/documents/new/")
    page.select_option("select[name=document_type]", label="Kế hoạch (KH)")
    page.fill("textarea[name=subject]", "Kế hoạch tổ chức đại hội chi bộ nhiệm kỳ 2025-2027")
    page.fill("input[name=signer_name]", "Nguyễn Văn An")
    page.select_option("select[name=urgency]", "1")
    page.select_option("select[name=recipients]", [str(hcm.pk), str(thanhhoa.pk)])
    page.set_input_files("input[name=files]", str(pdf))
    page.click("form button.primary")
    page.wait_for_selector("#issue")
    page.click("#issue")
    page.wait_for_selector("#document-status")
    doc = Document.objects.get(subject__startswith="Kế hoạch tổ chức đại hội")
    assert doc.status == "issued" and page.inner_text("h1").endswith(doc.symbol)
    page.screenshot(path=str(SHOTS / "exchange-issued-desktop.png"), full_page=True)

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    clerk_b = phone.new_page()
    login(clerk_b, base, "vanthu.hcm", DEMO_PASSWORD)
    clerk_b.click("a.counter[href^='/documents/']")
    delivery = Delivery.objects.get(document=doc, recipient_unit=hcm)
    row = clerk_b.locator(f"#delivery-{delivery.pk}")
    assert "Khẩn" in row.inner_text()
    clerk_b.screenshot(path=str(SHOTS / "exchange-inbox-phone.png"), full_page=True)
    assert clerk_b.evaluate("document.documentElement.scrollWidth") <= 361
    row.locator("button.primary").click()
    clerk_b.wait_for_selector(".flash")
    assert "1" in clerk_b.inner_text(".flash")
    phone.close()

    page.goto(f"{base}/documents/{doc.pk}/")
    assert page.get_attribute(f"#recipient-{hcm.pk} .status", "data-code") == "03"
    assert page.get_attribute(f"#recipient-{thanhhoa.pk} .status", "data-code") == "01"
    page.screenshot(path=str(SHOTS / "exchange-trail-desktop.png"), full_page=True)
    desktop.close()
