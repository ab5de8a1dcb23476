"""Issue 14, items 1 and 2: enforced two-factor authentication cannot be bypassed with a password alone, and
second-factor codes cannot be guessed without limit (decision 0028)."""

import pytest
from django.test import Client

from conftest import PASSWORD
from dieuhanh.accounts import services, totp
from dieuhanh.accounts.models import ApiToken, LoginThrottle, TwoFactorDevice
from dieuhanh.audit.models import AuditEvent


@pytest.fixture
def enforced(settings):
    settings.DIEUHANH_2FA_ENFORCED = True


def _password_session(user):
    client = Client()
    resp = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302
    return client


def _confirm_device(client, user):
    """Set up the authenticator in ``client``'s session; returns the device."""
    client.get("/accounts/2fa/setup/")
    device = TwoFactorDevice.objects.get(user=user)
    resp = client.post("/accounts/2fa/setup/", {"code": totp.code_at(device.secret, totp.current_step())})
    assert resp.status_code == 200 and "<code>" in resp.content.decode()
    device.refresh_from_db()
    return device


def _json(client, method, path, body=None, **extra):
    return getattr(client, method)(path, body, content_type="application/json", **extra)


def _refused_for_two_factor(resp):
    return (resp.status_code == 403 and resp["Content-Type"].startswith("application/json")
            and resp.json()["code"] == "two_factor_required" and resp.json()["detail"])


# --- item 1: a password alone opens nothing but the set-up -------------------------------------------------------

def test_password_session_without_second_factor_can_only_set_it_up(org, enforced):
    client = _password_session(org.clerk_a)
    # the API refuses the session, with a JSON 403 that says why, and mints no token
    assert _refused_for_two_factor(client.get("/api/v1/me"))
    assert _refused_for_two_factor(client.get(f"/api/v1/units/{org.a.pk}/inbox"))
    assert _refused_for_two_factor(_json(client, "post", "/api/v1/auth/tokens", {"name": "x"}))
    assert not ApiToken.objects.exists()
    # every page but the set-up (and signing out) sends the person to the set-up
    for path in ("/", "/accounts/password/"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp["Location"] == "/accounts/2fa/setup/", path
    # setting it up proves the second factor for this session: from then on everything works
    _confirm_device(client, org.clerk_a)
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/").status_code == 200
    resp = _json(client, "post", "/api/v1/auth/tokens", {"name": "script"})
    assert resp.status_code == 201
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {resp.json()['token']}").status_code == 200


def test_a_session_opened_before_the_device_must_pass_the_code(org, enforced):
    old = _password_session(org.clerk_a)  # signed in with the password while no device existed
    device = _confirm_device(_password_session(org.clerk_a), org.clerk_a)
    # the older session never gave a code: the API refuses it and the pages ask for the code
    assert _refused_for_two_factor(old.get("/api/v1/me"))
    resp = old.get("/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/2fa/"
    resp = old.post("/accounts/2fa/", {"code": totp.code_at(device.secret, totp.current_step() + 1)})
    assert resp.status_code == 302
    assert old.get("/api/v1/me").status_code == 200 and old.get("/").status_code == 200


def test_tokens_minted_without_the_second_factor_are_refused(org, enforced, settings):
    # e.g. minted through the old bypass, or while the person's role did not require a second factor
    _token, raw = services.issue_token(actor=org.clerk_a)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert _refused_for_two_factor(_json(Client(), "get", "/api/v1/me", **bearer))
    # still refused after the person sets up a device: the token itself was never covered by a code
    device = _confirm_device(_password_session(org.clerk_a), org.clerk_a)
    assert _refused_for_two_factor(_json(Client(), "get", "/api/v1/me", **bearer))
    # a token minted with the code works
    resp = _json(Client(), "post", "/api/v1/auth/token", {"username": org.clerk_a.username, "password": PASSWORD,
                                                          "otp": totp.code_at(device.secret, device.last_step + 1)})
    assert resp.status_code == 201
    good = {"HTTP_AUTHORIZATION": f"Bearer {resp.json()['token']}"}
    assert _json(Client(), "get", "/api/v1/me", **good).status_code == 200
    # people whose roles do not require it, and everyone when enforcement is off, are not affected
    _token, spec_raw = services.issue_token(actor=org.spec_a1)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {spec_raw}").status_code == 200
    settings.DIEUHANH_2FA_ENFORCED = False
    assert Client().get("/api/v1/me", **bearer).status_code == 200


def test_roles_outside_the_list_keep_their_password_sessions(org, enforced):
    client = _password_session(org.spec_a1)
    assert client.get("/api/v1/me").status_code == 200
    assert _json(client, "post", "/api/v1/auth/tokens", {"name": "x"}).status_code == 201


# --- item 2: wrong codes are counted on their own -------------------------------------------------------------

def _device(user):
    return TwoFactorDevice.objects.create(user=user, secret=totp.new_secret(), confirmed_at="2026-01-01T00:00Z")


def test_api_token_endpoint_locks_after_wrong_codes_despite_right_passwords(org, settings):
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 3
    device = _device(org.clerk_a)
    body = {"username": org.clerk_a.username, "password": PASSWORD, "otp": "000000"}
    if totp.match(device.secret, "000000") is not None:  # one chance in 10^5: the wrong code must be wrong
        body["otp"] = "999999"
    statuses = [_json(Client(), "post", "/api/v1/auth/token", body).status_code for _ in range(4)]
    assert statuses == [400, 400, 429, 429]
    # the lock is the account's: the right code is refused too, and so is the sign-in page
    right = {**body, "otp": totp.code_at(device.secret, totp.current_step())}
    assert _json(Client(), "post", "/api/v1/auth/token", right).status_code == 429
    resp = Client().post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    assert resp.status_code == 429
    assert AuditEvent.objects.filter(action="auth.2fa_failed", data__channel="api").count() == 3
    assert not ApiToken.objects.exists()


def test_sign_in_page_locks_after_wrong_codes_despite_right_passwords(org, settings):
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 3
    device = _device(org.clerk_a)
    client = Client()
    statuses = []
    for _ in range(3):  # each time a fresh, right password, then a wrong code
        login = client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
        statuses.append(login.status_code)
        if login.status_code == 302:
            statuses.append(client.post("/accounts/2fa/", {"code": "abcdef"}).status_code)
    assert statuses == [302, 401, 302, 401, 302, 429]
    resp = client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    assert resp.status_code == 429
    assert device.pk  # the device is untouched


def test_right_code_clears_code_failures_and_right_password_clears_only_password_failures(org, settings):
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 3
    device = _device(org.clerk_a)
    client = Client()
    client.post("/accounts/login/", {"username": org.clerk_a.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    client.post("/accounts/2fa/", {"code": "abcdef"})
    client.post("/accounts/2fa/", {"code": "abcdef"})
    throttle = LoginThrottle.objects.get(username=org.clerk_a.username.lower())
    assert (throttle.failures, throttle.code_failures, throttle.locked_until) == (0, 2, None)
    resp = client.post("/accounts/2fa/", {"code": totp.code_at(device.secret, totp.current_step())})
    assert resp.status_code == 302
    throttle.refresh_from_db()
    assert throttle.code_failures == 0


def test_fragments_of_a_blocked_session_get_no_page(org, enforced):
    # the bell on the set-up page polls through htmx; a redirect swapped the whole set-up page (with its own bell,
    # which loads at once) into it, so the browser asked again and again without end
    client = _password_session(org.clerk_a)
    resp = client.get("/notifications/bell", HTTP_HX_REQUEST="true")
    assert resp.status_code == 204 and resp.content == b""
    assert client.get("/notifications/bell")["Location"] == "/accounts/2fa/setup/"


def test_the_code_step_returns_to_the_page_asked_for_but_never_to_another_site(org, enforced):
    first, second = _password_session(org.clerk_a), _password_session(org.clerk_a)
    device = _confirm_device(_password_session(org.clerk_a), org.clerk_a)
    assert first.get("/", PATH_INFO="//evil.example/x")["Location"] == "/accounts/2fa/"
    resp = first.post("/accounts/2fa/", {"code": totp.code_at(device.secret, totp.current_step() + 1)})
    assert resp["Location"] == "/"
    assert second.get("/accounts/password/?a=1")["Location"] == "/accounts/2fa/"
    TwoFactorDevice.objects.filter(pk=device.pk).update(last_step=0)  # the next step is used up: allow it again
    resp = second.post("/accounts/2fa/", {"code": totp.code_at(device.secret, totp.current_step())})
    assert resp["Location"] == "/accounts/password/?a=1"


def test_migration_marks_tokens_minted_after_the_device(org):
    import datetime
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    migration = import_module("dieuhanh.accounts.migrations.0004_two_factor_tokens_and_code_failures")
    now = timezone.now()
    TwoFactorDevice.objects.create(user=org.clerk_a, secret=totp.new_secret(), confirmed_at=now)
    before, _raw = services.issue_token(actor=org.clerk_a)
    after, _raw = services.issue_token(actor=org.clerk_a)
    other, _raw = services.issue_token(actor=org.leader_a)  # no device at all
    ApiToken.objects.filter(pk=before.pk).update(created_at=now - datetime.timedelta(days=1))
    migration.mark_existing_tokens(apps, None)
    flags = dict(ApiToken.objects.values_list("pk", "two_factor"))
    assert flags == {before.pk: False, after.pk: True, other.pk: False}
