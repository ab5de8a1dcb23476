"""Browser: the demo clerk signs in and browses the unit directory, on a phone (360 px) and on a desktop.

Screenshots go to test-output/browser/<name>-<viewport>.png. With DIEUHANH_README_SHOTS=1 the test also
refreshes docs/img/directory-<viewport>.png, the README's pictures of the directory with a branch expanded.
"""

import os
from pathlib import Path

import pytest

from .conftest import SHOTS, VIEWPORTS, watched_page

ROOT = Path(__file__).resolve().parents[2]
README_IMG = ROOT / "docs" / "img"


def _no_sideways_scroll(page, size):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[size]["width"] + 1, f"{page.url} scrolls sideways at {size}: {width}px"


def _shot(page, name, size):
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def _expand(page, node):
    """Open a tree node by its disclosure triangle (not its link) and wait for htmx to load its children."""
    node.locator(":scope > summary").click(position={"x": 5, "y": 10})
    assert node.evaluate("d => d.open")
    node.locator(":scope > ul.tree > li:not(.muted)").first.wait_for()


def _tree_node(page, name):
    return page.locator(f"#unit-tree details:has(> summary > a:text-is('{name}'))")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_clerk_signs_in_and_browses_the_directory(live_server, browser, size):
    from playwright.sync_api import expect

    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo

    seed_demo()
    base = live_server.url
    # An English-speaking browser: the interface still starts in Vietnamese.
    context, page, violations = watched_page(browser, size, locale="en-US")

    # Sign in through the form; Vietnamese is the default language.
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/accounts/login/")
    assert page.get_attribute("html", "lang") == "vi"
    assert page.inner_text("form.lang button").strip() == "English"
    _no_sideways_scroll(page, size)
    _shot(page, "login", size)
    page.fill("input[name=username]", "vanthu.hanoi")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")

    # Home lists the clerk's unit and role.
    units = page.inner_text("#my-units")
    assert "Thành ủy Hà Nội" in units and "Văn thư" in units
    assert page.get_attribute("html", "lang") == "vi"
    _no_sideways_scroll(page, size)
    _shot(page, "home", size)

    # The directory: a tree whose branches load lazily through htmx.
    page.goto(f"{base}/units/")
    root = _tree_node(page, "Ban Chấp hành Trung ương Đảng")
    expect(root).to_have_count(1)
    assert root.locator(":scope > ul.tree > li.muted").count() == 1  # children not loaded before opening
    _expand(page, root)
    expect(root.locator(":scope > ul.tree")).to_contain_text("Thành ủy Hà Nội")
    hanoi = _tree_node(page, "Thành ủy Hà Nội")
    _expand(page, hanoi)
    expect(hanoi.locator(":scope > ul.tree")).to_contain_text("Đảng ủy phường Ba Đình")
    _no_sideways_scroll(page, size)
    _shot(page, "directory", size)
    if os.environ.get("DIEUHANH_README_SHOTS") == "1":
        README_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_IMG / f"directory-{size}.png"))  # the viewport only: stays small

    # Search folds diacritics: "ha noi" finds Hà Nội, "dang uy" finds Đảng ủy.
    page.fill("input[name=q]", "ha noi")
    results = page.locator("#unit-results")
    expect(results).to_contain_text("Thành ủy Hà Nội")
    expect(results).not_to_contain_text("Thành ủy Thành phố Hồ Chí Minh")
    page.fill("input[name=q]", "dang uy")
    expect(results).to_contain_text("Đảng ủy phường Ba Đình")
    expect(results).to_contain_text("Đảng ủy phường Sài Gòn")
    _no_sideways_scroll(page, size)
    _shot(page, "directory-search", size)

    # A unit's page.
    results.locator("a", has_text="Đảng ủy phường Ba Đình").first.click()
    page.wait_for_selector("dl.facts")
    assert page.inner_text("h1").strip() == "Đảng ủy phường Ba Đình"
    assert "000.01.00.H01" in page.inner_text("dl.facts")
    assert "TU" in page.inner_text("nav.crumbs")
    _no_sideways_scroll(page, size)
    _shot(page, "unit-detail", size)

    page.goto(f"{base}/api/v1/docs")  # Swagger UI from the app's own files, under the same policy
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert violations == []

    # The "English" button switches the interface to English and stays on the page.
    page.goto(f"{base}/units/")
    page.click("form.lang button")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert page.url.startswith(f"{base}/units/")
    assert page.inner_text("form.lang button").strip() == "Tiếng Việt"
    _expand(page, _tree_node(page, "Ban Chấp hành Trung ương Đảng"))
    _no_sideways_scroll(page, size)
    _shot(page, "directory-en", size)
    context.close()
