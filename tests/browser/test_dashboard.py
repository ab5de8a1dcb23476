"""Browser: a leader opens the dashboard from the home page at phone and desktop widths, in Vietnamese and in
English, sorts the units below, drills down one level and follows a number to the list it counts (issue 16)."""

import datetime

import pytest

from .conftest import ARGS, CHROMIUM, SHOTS, login  # noqa: F401 - the conftest's browser settings

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _context(browser, viewport, language, base):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE,
                                  locale="vi-VN" if language == "vi" else "en-GB")
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return context, page, violations


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_dashboard_phone_and_desktop_vi_and_en(live_server, browser, settings, tmp_path):
    from django.utils import timezone

    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.reports import services
    from dieuhanh.reports.testing import seed
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    hanoi = Unit.objects.get(code="000.00.00.H01")
    units = list(Unit.objects.filter(path__startswith=hanoi.path))
    today = timezone.localdate()
    seed(units, hanoi.memberships.first().user, per_unit=14, today=today, span_days=330)
    services.refresh_changed(today=today)
    base = live_server.url

    for language, viewport, size in (("vi", PHONE, "phone"), ("en", DESKTOP, "desktop"), ("en", PHONE, "phone"),
                                     ("vi", DESKTOP, "desktop")):
        context, page, violations = _context(browser, viewport, language, base)
        login(page, base, "lanhdao.hanoi", DEMO_PASSWORD)
        page.click("#dashboard-link a")
        page.wait_for_selector("#health")
        # this year: the seeded months have something in every list
        page.locator("input[name=period][value=year]").check()
        page.click("#period-form button.primary")
        page.wait_for_url("**period=year**")
        assert page.locator("#ranking li").count() >= 1
        assert page.locator("#children .drill").count() == hanoi.children.count()
        assert page.locator("#chart-in-out svg").is_visible() and page.locator("#chart-on-time svg").is_visible()
        # the page never widens past the screen: the wide table scrolls inside its box, the charts scale
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, (language, size, width)
        svg_width = page.evaluate("document.querySelector('#chart-in-out svg').getBoundingClientRect().width")
        assert 200 < svg_width <= viewport["width"]
        page.screenshot(path=str(SHOTS / f"dashboard-{language}-{size}.png"), full_page=True)
        if size == "desktop" and language == "en":
            # sort by the share on time, largest first (the server sorts; no script)
            page.click("#children thead a[href*='sort=in_on_time_percent']")
            page.wait_for_url("**sort=in_on_time_percent**")
            assert page.get_attribute("#children thead th[aria-sort]", "aria-sort") == "descending"
            # drill down one level, then follow a number to its list
            name = page.inner_text("#children tbody tr:first-child .drill")
            page.click("#children tbody tr:first-child .drill")
            page.wait_for_selector("#health")
            assert name in page.inner_text("h1")
            page.screenshot(path=str(SHOTS / f"dashboard-{language}-{size}-drilled.png"), full_page=True)
            number = int(page.inner_text("#health a[data-figure=in_total] .n"))
            page.click("#health a[data-figure=in_total]")
            page.wait_for_selector("#figure-list")
            rows = page.locator("#figure-list tbody tr td[data-label]").count() // 4
            assert 0 < rows == min(number, 50)
            page.screenshot(path=str(SHOTS / f"dashboard-{language}-{size}-list.png"), full_page=True)
        if size == "phone" and language == "vi":
            period = page.locator("input[name=period][value=dates]")
            period.check()
            page.fill("#id_start", (today - datetime.timedelta(days=10)).isoformat())
            page.fill("#id_end", (today - datetime.timedelta(days=20)).isoformat())
            page.click("#period-form button.primary")
            page.wait_for_selector("#err-end")
            page.screenshot(path=str(SHOTS / f"dashboard-{language}-{size}-bad-period.png"), full_page=True)
            # a number on the phone opens its list too
            page.goto(f"{base}/reports/?period=year")
            page.click("#health a[data-figure=in_overdue]")
            page.wait_for_selector("#figure-list")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
            page.screenshot(path=str(SHOTS / f"dashboard-{language}-{size}-list.png"), full_page=True)
        assert not violations, violations
        context.close()
