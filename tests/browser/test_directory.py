"""Browser: the demo clerk signs in and browses the unit directory, on a phone (360 px) and on a desktop."""

import os
import shutil
from pathlib import Path

import pytest

from .conftest import SHOTS

ROOT = Path(__file__).resolve().parents[2]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_clerk_signs_in_and_browses_the_directory(live_server, browser, size):
    from dieuhanh.core.demo import DEMO_PASSWORD, seed_demo

    seed_demo()
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], is_mobile=size == "phone")
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/accounts/login/")
    assert page.get_attribute("html", "lang") == "vi"
    page.fill("input[name=username]", "vanthu.hanoi")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    units = page.inner_text("#my-units")
    assert "Thành ủy Hà Nội" in units and "Văn thư" in units
    page.screenshot(path=str(SHOTS / f"home-{size}.png"), full_page=True)

    page.goto(f"{base}/units/")
    tree = page.locator("#unit-tree")
    tree.locator("summary").first.click()  # expands lazily through htmx
    page.wait_for_selector("#unit-tree details[open] ul li a:has-text('Thành ủy Hà Nội')")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"] + 1
    page.screenshot(path=str(SHOTS / f"directory-{size}.png"), full_page=True)

    page.fill("input[name=q]", "ha noi")  # no diacritics
    page.wait_for_selector("#unit-results")
    assert "Thành ủy Hà Nội" in page.inner_text("#unit-results")
    page.fill("input[name=q]", "dang uy ba dinh")
    page.wait_for_selector("#unit-results >> text=Đảng ủy phường Ba Đình")
    page.screenshot(path=str(SHOTS / f"directory-search-{size}.png"), full_page=True)
    page.click("#unit-results a:has-text('Đảng ủy phường Ba Đình')")
    page.wait_for_selector("dl.facts")
    assert "000.01.00.H01" in page.inner_text("dl.facts")

    page.goto(f"{base}/api/v1/docs")  # Swagger UI from the app's own files, under the same policy
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert violations == []

    page.goto(f"{base}/units/")
    page.click("form.lang button")  # switch to English
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    context.close()
    if os.environ.get("DIEUHANH_README_SHOTS"):
        (ROOT / "docs" / "img").mkdir(parents=True, exist_ok=True)
        shutil.copy(SHOTS / f"directory-{size}.png", ROOT / "docs" / "img" / f"directory-{size}.png")
