"""Browser (issue 16): a leader opens a standard report, drills down, exports it (.xlsx and PDF) and meets a bad
period with the message beside the field; at phone (390 px) and desktop (1280 px) widths, in Vietnamese and
English. Screenshots under test-output/browser/reports-*.png."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from .conftest import SHOTS, login

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_open_a_report_drill_down_and_export(live_server, browser, org, size, lang):
    from django.utils import timezone

    from conftest import PASSWORD
    from dieuhanh.reports import services
    from dieuhanh.reports.testing import seed
    from dieuhanh.units.models import Unit

    today = timezone.localdate()
    seed(list(Unit.objects.all()), org.admin, per_unit=12, today=today, span_days=40)
    services.refresh(unit_ids=None, days=None, today=today)
    base = live_server.url
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone", accept_downloads=True)
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, base, "leader.a", PASSWORD)
    if lang == "en":
        page.click("button[name=language][value=en]")
        page.wait_for_load_state()
    start = (today - datetime.timedelta(days=30)).isoformat()
    page.goto(f"{base}/reports/standard/?kind=processing&unit={org.a.pk}&start={start}&end={today.isoformat()}")
    assert page.locator("#section-by_unit tbody tr").count() == 3  # A's own work, A1, AD
    assert page.locator("#section-by_unit tfoot th").inner_text() in (("Total",) if lang == "en"
                                                                       else ("Tổng cộng", "Total"))
    page.screenshot(path=str(SHOTS / f"reports-{lang}-{size}-processing.png"), full_page=True)
    # drill down into A1: one level at a time
    page.click(f"#section-by_unit a:text-is('{org.a1.name}')")
    page.wait_for_load_state()
    assert page.locator("#report h2").inner_text().endswith(org.a1.name)
    page.goto(f"{base}/reports/standard/?kind=documents&unit={org.a.pk}&start={start}&end={today.isoformat()}")
    page.screenshot(path=str(SHOTS / f"reports-{lang}-{size}-documents.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#export button[value=xlsx]")
    path = info.value.path()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(path, "rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    assert wb.worksheets[0]["A2"].value == "PHỤ LỤC"
    with page.expect_download() as info:
        page.click("#export button[value=pdf]")
    assert info.value.suggested_filename.endswith(".pdf")
    # a period that ends before it starts: the message beside the field
    page.fill("#id_end", (today - datetime.timedelta(days=40)).isoformat())
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state()
    error = page.locator(".field.invalid .error")
    assert error.count() == 1
    if lang == "en":
        assert error.inner_text() == "The period ends before it starts."
    page.screenshot(path=str(SHOTS / f"reports-{lang}-{size}-bad-period.png"), full_page=True)
    # the reader's own page: their flows and tasks over the period
    page.goto(f"{base}/reports/standard/me/?start={start}&end={today.isoformat()}")
    assert page.locator("#flows-total").inner_text() == "0"  # a leader who handles nothing personally
    page.screenshot(path=str(SHOTS / f"reports-{lang}-{size}-own.png"), full_page=True)
    assert not violations
    context.close()
