"""Browser: a leader directs a received document, a specialist completes it, the sender sees 06 (done)."""

import pytest

from .conftest import SHOTS, login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_direct_complete_and_sender_sees_done(live_server, browser, settings, tmp_path):
    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Delivery
    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo, seed_demo_documents

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    seed_demo_documents()  # Hà Nội issued four documents; HCM accepted the first one
    delivery = Delivery.objects.get(recipient_unit__code="000.00.00.H79", status="03")
    entry = delivery.incoming_entry
    specialist = User.objects.get(username="chuyenvien1.hcm")
    base = live_server.url

    desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = desktop.new_page()
    login(page, base, "lanhdao.hcm", DEMO_PASSWORD)
    page.click("a.counter[href^='/processing/awaiting/']")
    page.click(f"a[href='/processing/entries/{entry.pk}/']")
    page.select_option("select[name=lead]", f"p:{specialist.pk}")
    page.fill("textarea[name=direction]", "Đồng chí Chuyên viên 1 chủ trì, báo cáo trước hạn")
    page.click("form button.primary")
    page.wait_for_selector("#flow-tree")
    assert specialist.full_name in page.inner_text("#flow-tree")
    page.screenshot(path=str(SHOTS / "processing-directed-desktop.png"), full_page=True)
    desktop.close()

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True)
    page = phone.new_page()
    login(page, base, specialist.username, DEMO_PASSWORD)
    # the bell loads its unread count without a reload (htmx) and shows the new assignment
    page.wait_for_selector("#unread-count")
    assert int(page.inner_text("#unread-count").rstrip("+")) >= 1
    page.click("a.counter[href='/processing/?kind=processing']")
    page.click("#flows a[href^='/processing/flows/']")
    page.fill("textarea[name=result]", "Đã tham mưu văn bản trả lời")
    page.click("#actions form button.primary")
    page.wait_for_selector("#flow-status")
    assert page.inner_text("#flow-status").strip() == "Đã hoàn thành"
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.screenshot(path=str(SHOTS / "processing-completed-phone.png"), full_page=True)
    phone.close()

    delivery.refresh_from_db()
    assert delivery.status == "06"
    # the sender's clerk sees 06 on the document's page
    sender = browser.new_context(viewport={"width": 1280, "height": 800})
    page = sender.new_page()
    login(page, base, "vanthu.hanoi", DEMO_PASSWORD)
    page.goto(f"{base}/documents/{delivery.document_id}/")
    assert page.get_attribute(f"#recipient-{delivery.recipient_unit_id} .status", "data-code") == "06"
    page.screenshot(path=str(SHOTS / "processing-sender-sees-06-desktop.png"), full_page=True)
    sender.close()
