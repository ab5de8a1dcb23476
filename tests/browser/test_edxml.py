"""Browser (issue 17): a clerk imports an edXML package file, sees the delivery it made pre-filled (issuer,
number/symbol, subject) and accepts it from the awaiting-receipt queue, at phone and desktop widths."""

import pytest

from .conftest import SHOTS, login, watched_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_clerk_uploads_a_package_and_accepts_the_delivery(live_server, browser, settings, tmp_path, size):
    from dieuhanh.documents.models import Delivery
    from dieuhanh.exchange.edxml import build_package
    from dieuhanh.exchange.tests import factories
    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    hcm = Unit.objects.get(code="000.00.00.H79")
    path = tmp_path / "cong-van-125.edxml"
    path.write_bytes(build_package(factories.package(to=(factories.organ(hcm.code, hcm.name),))))
    base = live_server.url

    context, page, violations = watched_page(browser, size)
    login(page, base, "vanthu.hcm", DEMO_PASSWORD)
    page.goto(f"{base}/exchange/received/")
    page.set_input_files("#package", str(path))
    page.click("#upload-package button[type=submit]")
    page.wait_for_selector("#package-facts")
    assert page.locator("#package-state").get_attribute("data-state") == "imported"
    facts = page.locator("#package-facts").inner_text()
    assert "UBND tỉnh Bắc Ninh" in facts and "125/UBND-VP" in facts
    width = 360 if size == "phone" else 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.screenshot(path=str(SHOTS / f"edxml-imported-{size}.png"), full_page=True)

    delivery = Delivery.objects.get(recipient_unit=hcm, sender_code="000.00.01.H27")
    page.click(f"#delivery-{delivery.pk} a.button")
    row = page.locator(f"#delivery-{delivery.pk}")
    text = row.inner_text()
    assert "125/UBND-VP" in text and "UBND tỉnh Bắc Ninh" in text and "triển khai liên thông" in text
    page.screenshot(path=str(SHOTS / f"edxml-inbox-{size}.png"), full_page=True)
    row.locator("button.primary").click()
    page.wait_for_selector(".flash")
    delivery.refresh_from_db()
    assert delivery.status == "03"
    page.screenshot(path=str(SHOTS / f"edxml-accepted-{size}.png"), full_page=True)
    assert not violations
    context.close()
