"""Browser: the system administrator records a merger on the form (units found by typing without diacritics),
meets a refusal beside its field, then lands on the decision's page with its dry run and the execution's
progress, on a phone and on a desktop. Screenshots in test-output/browser/reorg-*-*.png."""

import pytest

from .conftest import SHOTS, VIEWPORTS, login, watched_page
from .test_directory import _no_sideways_scroll


def _pick(page, field, words, unit):
    from playwright.sync_api import expect

    page.fill(f"input[name={field}_q]", words)
    expect(page.locator(f"#id_{field} option[value='{unit.pk}']")).to_have_count(1)  # filled by htmx
    page.select_option(f"#id_{field}", value=str(unit.pk))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_admin_records_a_merger(live_server, browser, size):
    from playwright.sync_api import expect

    from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo
    from dieuhanh.reorg.models import Decision
    from dieuhanh.units.models import Unit

    seed_demo()
    badinh, hoankiem = (Unit.objects.get(name=n) for n in ("Đảng ủy phường Ba Đình", "Đảng ủy phường Hoàn Kiếm"))
    successor = Unit.objects.get(name="Đảng ủy xã Sóc Sơn")
    base = live_server.url
    context, page, violations = watched_page(browser, size)
    login(page, base, "admin", DEMO_PASSWORD)
    page.goto(f"{base}/reorg/")
    page.locator("#new-decision").click()
    page.wait_for_url(f"{base}/reorg/new/")
    _pick(page, "old_0", "ba dinh", badinh)
    _pick(page, "old_1", "hoan kiem", hoankiem)
    _pick(page, "successor", "soc son", successor)
    page.fill("#id_document_ref", "125-QĐ/TU")
    page.fill("#id_effective_on", "2001-01-01")  # before the units existed: refused beside the date
    page.click("#record")
    expect(page.locator("#field-effective_on.invalid .error")).to_have_count(1)
    expect(page.locator("#id_old_0")).to_have_value(str(badinh.pk))  # what was chosen is kept
    assert not Decision.objects.exists()
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"reorg-form-error-{size}.png"), full_page=True)

    page.fill("#id_effective_on", "2026-01-01")
    page.click("#record")
    decision = Decision.objects.get()
    page.wait_for_url(f"{base}/reorg/{decision.pk}/")
    expect(page.locator("#progress")).to_have_count(1)
    expect(page.locator("#items")).to_contain_text(successor.name)
    expect(page.locator("#execute")).to_have_count(1)
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"reorg-decision-{size}.png"), full_page=True)

    page.locator("#execute").click()
    expect(page.locator("#progress-bar")).to_have_attribute("value", str(2 * 10))
    _no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"reorg-executed-{size}.png"), full_page=True)
    assert not violations, violations
    context.close()
