"""TOTP two-factor authentication: required for leaders, clerks and administrators (configurable)."""

import re
import time

import pytest

from conftest import PASSWORD
from dieuhanh.accounts import services, totp
from dieuhanh.accounts.models import TwoFactorDevice


def test_rfc6238_reference_value():
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890" at T=59: 94287082 (8 digits) -> 287082
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp.code_at(secret, 59 // 30) == "287082"
    assert totp.match(secret, "287082", now=59) == 1 and totp.match(secret, "000000", now=59) is None


@pytest.fixture
def enforced(settings):
    settings.DIEUHANH_2FA_ENFORCED = True


def _setup(client, user):
    client.login(username=user.username, password=PASSWORD)
    assert client.get("/").status_code == 302  # sent to the set-up first
    page = client.get("/accounts/2fa/setup/").content.decode()
    assert "totp-secret" in page
    device = TwoFactorDevice.objects.get(user=user)
    resp = client.post("/accounts/2fa/setup/", {"code": totp.code_at(device.secret, totp.current_step())})
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", resp.content.decode())
    assert len(codes) == services.RECOVERY_CODES
    client.logout()
    return device, codes


def test_required_roles_must_set_up_and_then_sign_in_with_a_code(org, client, enforced):
    device, codes = _setup(client, org.clerk_a)
    resp = client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    assert resp["Location"] == "/accounts/2fa/"
    assert client.get("/").status_code == 302  # not signed in yet
    assert client.post("/accounts/2fa/", {"code": "000000"}).status_code == 401
    device.refresh_from_db()
    assert client.post("/accounts/2fa/", {"code": totp.code_at(device.secret, device.last_step)}).status_code == 401
    good = totp.code_at(device.secret, totp.current_step() + 1)  # a later step than the one set-up used
    assert client.post("/accounts/2fa/", {"code": good}).status_code == 302
    assert client.get("/").status_code == 200
    # the same code cannot be replayed, a recovery code works once
    client.logout()
    client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    assert client.post("/accounts/2fa/", {"code": good}).status_code == 401
    assert client.post("/accounts/2fa/", {"code": codes[0]}).status_code == 302
    client.logout()
    client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    assert client.post("/accounts/2fa/", {"code": codes[0]}).status_code == 401


def test_roles_outside_the_list_are_not_forced(org, client, enforced):
    client.login(username=org.spec_a1.username, password=PASSWORD)
    assert client.get("/").status_code == 200


def test_api_tokens_need_the_code_too(org, client, enforced):
    body = {"username": org.clerk_a.username, "password": PASSWORD}
    resp = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert resp.status_code == 403  # required but not set up
    device, _ = _setup(client, org.clerk_a)
    resp = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "otp"
    device.refresh_from_db()
    code = totp.code_at(device.secret, totp.current_step() + 1)  # next step: the set-up used this one
    resp = client.post("/api/v1/auth/token", {**body, "otp": code}, content_type="application/json")
    assert resp.status_code == 201


def test_wrong_codes_lock_the_account(org, client, enforced, settings):
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 3
    _setup(client, org.clerk_a)
    client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    statuses = [client.post("/accounts/2fa/", {"code": "123456"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert time.time()  # the lock is the same LoginThrottle as for passwords


def test_a_code_of_other_digits_is_no_code():
    """"²²²²²²" or "١٢٣٤٥٦" passed str.isdigit(), then hmac.compare_digest raised TypeError on non-ASCII text (a 500
    on the code step); a second factor is six ASCII digits."""
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    for code in ("²²²²²²", "١٢٣٤٥٦", "①②③④⑤⑥", "𝟐𝟖𝟕𝟎𝟖𝟐"):
        assert totp.match(secret, code, now=59) is None
    assert totp.match(secret, " 287 082 ", now=59) == 1  # spaces people type stay harmless
