"""Browser: a clerk finds a document typed without diacritics, on a phone and on a desktop; a clerk of a unit that
never received it finds nothing. Screenshots in test-output/browser/search-*.png."""

import pytest

from .conftest import SHOTS, login
from .test_directory import VIEWPORTS, _no_sideways_scroll


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_clerk_finds_a_document_without_typing_diacritics(live_server, browser, size):
    from playwright.sync_api import expect

    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo, seed_demo_documents

    seed_demo()
    seed_demo_documents()
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], is_mobile=size == "phone")
    page = context.new_page()
    login(page, base, "vanthu.hanoi", DEMO_PASSWORD)
    page.goto(f"{base}/search/")
    page.fill("input[name=q]", "dieu dong can bo")
    page.press("input[name=q]", "Enter")
    hits = page.locator("ol.hits > li")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text("Về việc điều động cán bộ tăng cường")
    assert hits.first.locator("mark").first.inner_text() in ("điều", "Điều")
    expect(page.locator("#result-count")).to_contain_text("1")
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"search-{size}.png"), full_page=True)

    # filters fold open; a filter that excludes it leaves nothing, and saying so in Vietnamese
    page.locator("#search-form details summary").click()
    page.select_option("select[name=urgency]", "3")
    page.locator("#search-form button.primary").click()
    expect(page.locator("ol.hits")).to_contain_text("Không có văn bản")

    # keep a search under a name, then run it from the list
    page.fill("input[name=q]", "ke hoach dai hoi")
    page.select_option("select[name=urgency]", "")
    page.locator("#search-form button.primary").click()
    expect(page.locator("ol.hits > li")).to_have_count(1)
    page.locator("#results details summary").click()
    page.fill("#results input[name=name]", "Đại hội chi bộ")
    page.locator("#results details button").click()
    expect(page.locator("#saved")).to_contain_text("Đại hội chi bộ")
    page.goto(f"{base}/search/")
    page.locator("#saved a", has_text="Đại hội chi bộ").click()
    expect(page.locator("ol.hits > li")).to_contain_text("Kế hoạch tổ chức đại hội chi bộ")
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"search-saved-{size}.png"), full_page=True)

    # a ward that received none of these documents finds none of them
    other = browser.new_context(viewport=VIEWPORTS[size]).new_page()
    login(other, base, "vanthu.saigon", DEMO_PASSWORD)
    other.goto(f"{base}/search/?q=dieu+dong+can+bo")
    expect(other.locator("ol.hits")).to_contain_text("Không có văn bản")
    expect(other.locator("#result-count")).to_contain_text("0")
    context.close()
