"""Browser (issue 18): a realistic scan (Times-metric font, red seal over the signer's name, colour office scan at
200 ppi, JPEG 50) read by the real OCR opens a review page with every field pre-filled and the doubtful one
marked beyond colour (dashed border, a sign before its label, described by the page's note), at phone and desktop
widths."""

import io
import random

import pytest

from .conftest import SHOTS, login, watched_page

FILLED = ["symbol", "issued_on", "issuer_name", "subject", "signer_name", "signer_position"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_review_page_prefills_a_realistic_scan_and_marks_the_doubtful_fields(live_server, browser, settings,
                                                                               tmp_path):
    from dieuhanh.accounts.models import User
    from dieuhanh.digitization import scans, services
    from dieuhanh.digitization.models import ItemStatus
    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    clerk = User.objects.get(username="vanthu.hanoi")
    unit = Unit.objects.get(code="000.00.00.H01")
    rng = random.Random(4)
    s = scans.spec(4, rng)
    data, _, _ = scans.capture(scans.render(s, seed=4), "office-200", rng, colour=True, quality=50)
    # huey is immediate in tests, so the OCR runs when the import commits
    item = services.import_files(actor=clerk, unit=unit, files=[("scan-ubnd.jpg", io.BytesIO(data))]).items.get()
    item.refresh_from_db()
    assert item.status == ItemStatus.READY, item.message
    doubtful = set(item.extracted["doubtful"])
    assert doubtful == {"issuer_name"}  # the demo's directory does not hold the generated issuer
    base = live_server.url

    for size in ("phone", "desktop"):
        context, page, violations = watched_page(browser, size, locale="en-US")
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        login(page, base, "vanthu.hanoi", DEMO_PASSWORD)
        page.goto(f"{base}/digitization/items/{item.pk}/")
        expected = {"symbol": s["symbol"], "issued_on": s["issued_on"].isoformat(),
                    "issuer_name": s["issuer_name"], "subject": s["subject"], "signer_name": s["signer"],
                    "signer_position": " ".join(s["positions"])}
        for name in FILLED:
            assert page.locator(f"[name={name}]").input_value().strip() == expected[name], name
        assert page.locator("select[name=document_type] option:checked").inner_text().strip() != ""
        assert page.locator("select[name=document_type]").input_value() == str(item.extracted["document_type_id"])

        marked = page.locator("[data-doubtful]")
        assert sorted(marked.evaluate_all("els => els.map(e => e.name)")) == ["issuer_name"]
        issuer = page.locator("[name=issuer_name]")
        style = issuer.evaluate("e => { const c = getComputedStyle(e); return [c.borderTopStyle, c.borderTopWidth] }")
        assert style == ["dashed", "2px"]  # the mark is the border's shape, not its colour alone
        label_sign = page.evaluate(
            "getComputedStyle(document.querySelector('label[for=id_issuer_name]'), '::before').content")
        assert "\u26a0" in label_sign
        plain = page.evaluate(
            "getComputedStyle(document.querySelector('label[for=id_symbol]'), '::before').content")
        assert plain in ("none", "normal")  # a field read well carries no sign
        assert page.get_attribute("[name=issuer_name]", "aria-describedby") == "doubtful"
        note = page.locator("#doubtful").inner_text()
        assert "Issuer" in note or "issuer" in note
        issuer.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"digitization-review-{size}.png"), full_page=True)
        wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                             f" > {VIEW_WIDTH[size] + 1}).map(e => e.tagName + '.' + e.className + '#' + e.id)")
        assert wide == []
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEW_WIDTH[size] + 1  # the OCR text wraps
        assert violations == []
        context.close()


VIEW_WIDTH = {"phone": 360, "desktop": 1280}
