"""Browser: the system administrator freezes a demo document by its number and symbol, reads what the freeze
covers, and lifts it, on a phone and on a desktop. Screenshots in test-output/browser/freeze*-*.png."""

import pytest

from .conftest import SHOTS, VIEWPORTS, login, watched_page
from .test_directory import _no_sideways_scroll


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_admin_freezes_and_lifts(live_server, browser, size):
    from playwright.sync_api import expect

    from dieuhanh.documents.models import Document
    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo, seed_demo_documents

    seed_demo()
    seed_demo_documents()
    doc = Document.objects.exclude(symbol="").order_by("pk").first()
    base = live_server.url
    context, page, violations = watched_page(browser, size)
    login(page, base, "admin", DEMO_PASSWORD)
    page.locator("#freezes-link").click()
    page.wait_for_url(f"{base}/freezes/")
    expect(page.locator("#new-freeze form")).to_have_count(1)

    # a mistyped symbol: the form comes back naming the field, nothing is frozen
    page.fill("#id_reason", "Thanh tra theo Quyết định số 15-QĐ/UBKTTU")
    page.fill("#id_documents", "99/KHONG-CO")
    page.click("#freeze")
    expect(page.locator(".field.invalid #id_documents")).to_have_count(1)
    expect(page.locator(".field.invalid .error")).to_contain_text("99/KHONG-CO")
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"freeze-error-{size}.png"), full_page=True)

    page.fill("#id_documents", doc.symbol)
    page.click("#freeze")
    expect(page.locator("#state.danger")).to_have_count(1)  # in force (the test does not depend on the language)
    expect(page.locator("#documents")).to_contain_text(doc.symbol)
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"freeze-{size}.png"), full_page=True)

    page.goto(f"{base}/freezes/")
    expect(page.locator("#freezes tbody tr")).to_have_count(1)
    expect(page.locator("#freezes")).to_contain_text("Thanh tra theo")
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"freezes-{size}.png"), full_page=True)

    page.locator("#freezes a").first.click()
    page.fill("#id_reason", "Đã thanh tra xong")
    page.click("#lift-button")
    expect(page.locator("#state.ok")).to_have_count(1)  # lifted
    assert Document.objects.get(pk=doc.pk).freeze_id is None
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"freeze-lifted-{size}.png"), full_page=True)
    assert not violations, violations
    context.close()
