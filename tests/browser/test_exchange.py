"""Browser: the clerk of A issues to B and C; the clerk of B accepts on a phone; A sees 03 (and 01 for C)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield b
        b.close()


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_issue_to_two_units_accept_and_sender_sees_03(live_server, browser, settings, tmp_path):
    from dieuhanh.core.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.documents.models import Delivery, Document
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    hcm, thanhhoa = Unit.objects.get(code="000.00.00.H79"), Unit.objects.get(code="000.00.00.H38")
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% Ke hoach to chuc dai hoi\n")
    base = live_server.url

    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desktop.new_page()
    _login(page, base, "vanthu.hanoi", DEMO_PASSWORD)
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
    _login(clerk_b, base, "vanthu.hcm", DEMO_PASSWORD)
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
