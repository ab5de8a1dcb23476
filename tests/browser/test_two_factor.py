"""Browser, issue 14 item 1: a leader whose role requires two-factor authentication signs in with the password
alone; in that browser session neither the pages nor the API (fetch with the session cookie) answer until the
authenticator is set up. Screenshot: test-output/browser/two-factor-required.png."""

import datetime

import pytest

from conftest import PASSWORD, make_user
from tests.browser.conftest import SHOTS, watched_page

FETCH_ME = "async () => { const r = await fetch('/api/v1/me'); return [r.status, await r.json()]; }"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_password_alone_opens_only_the_set_up(live_server, browser, settings):
    from playwright.sync_api import expect

    from dieuhanh.accounts import totp
    from dieuhanh.accounts.models import Role, TwoFactorDevice
    from dieuhanh.operations.reference import ensure_reference_data
    from dieuhanh.units import services as units
    from dieuhanh.units.models import UnitKind

    settings.DIEUHANH_2FA_ENFORCED = True
    ensure_reference_data()
    admin = make_user("root", is_superuser=True)
    unit = units.create_unit(actor=admin, parent=None, code="000.00.00.H01", name="Thành ủy Hà Nội",
                             short_name="TU", kind=UnitKind.PROVINCE, effective_from=datetime.date(2025, 7, 1))
    make_user("lanhdao.hn", unit=unit, role=Role.LEADER, full_name="Nguyễn Văn Lãnh")
    base = live_server.url
    context, page, violations = watched_page(browser, "desktop")
    # chromium asks for /favicon.ico beside each page; with the session cookie that request reads the session at
    # the same time as the test's own, which the live server's shared in-memory SQLite answers with "locked"
    context.route("**/favicon.ico", lambda route: route.abort())
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "lanhdao.hn")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/accounts/2fa/setup/")
    # the bell's first poll is answered 204 (once it got the whole set-up page, with a bell of its own, without end);
    # waiting for it also keeps the live server's shared SQLite connection to one request at a time
    page.wait_for_load_state("networkidle")
    expect(page.locator("#totp-secret")).to_be_visible()
    page.screenshot(path=str(SHOTS / "two-factor-required.png"), full_page=True)
    # the same session, through the API: refused with the reason, as JSON
    status, body = page.evaluate(FETCH_ME)
    assert status == 403 and body["code"] == "two_factor_required" and body["setup_url"] == "/accounts/2fa/setup/"
    # any other page leads back to the set-up
    for path in ("/", "/accounts/password/"):
        page.goto(f"{base}{path}", wait_until="networkidle")
        assert page.url == f"{base}/accounts/2fa/setup/", path
    # setting it up opens everything
    device = TwoFactorDevice.objects.get(user__username="lanhdao.hn")
    page.fill("input[name=code]", totp.code_at(device.secret, totp.current_step()))
    page.click("button.primary")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.wait_for_load_state("networkidle")
    status, body = page.evaluate(FETCH_ME)
    assert status == 200 and body["username"] == "lanhdao.hn"
    page.goto(f"{base}/", wait_until="networkidle")
    assert page.url == f"{base}/"
    assert violations == []
    context.close()
