"""Sign-in, lockout, passwords, sessions and API tokens."""

import datetime
import hashlib

import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import PASSWORD
from dieuhanh.accounts.models import ApiToken, LoginThrottle
from dieuhanh.audit.models import AuditEvent


def test_login_and_logout(org, client):
    resp = client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert "Thành ủy Hà Nội" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="auth.login", actor=org.clerk_a).exists()
    assert client.get("/accounts/logout/").status_code == 405  # logging out is a POST
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_and_audited(org, client):
    resp = client.post("/accounts/login/", {"username": org.clerk_a.username, "password": "wrong"})
    assert resp.status_code == 401 and "mật khẩu" in resp.content.decode().lower()
    event = AuditEvent.objects.get(action="auth.failed")
    assert event.data == {"username": org.clerk_a.username, "channel": "web"}


def test_next_parameter_cannot_leave_the_site(org, client):
    resp = client.post("/accounts/login/?next=https://evil.example/", {"username": org.clerk_a.username,
                                                                       "password": PASSWORD})
    assert resp["Location"] == "/"


def test_lockout_after_repeated_failures(org, client, settings):
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        assert client.post("/accounts/login/", {"username": "clerk.a", "password": "x"}).status_code == 401
    assert client.post("/accounts/login/", {"username": "clerk.a", "password": "x"}).status_code == 429
    # even the right password is refused while locked
    assert client.post("/accounts/login/", {"username": "clerk.a", "password": PASSWORD}).status_code == 429
    LoginThrottle.objects.filter(username="clerk.a").update(locked_until=timezone.now() - datetime.timedelta(1))
    assert client.post("/accounts/login/", {"username": "clerk.a", "password": PASSWORD}).status_code == 302


def test_unknown_usernames_are_throttled_the_same_way(db, client, settings):
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 2
    client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert client.post("/accounts/login/", {"username": "nobody", "password": "x"}).status_code == 429


def test_token_lifecycle(org, client):
    resp = client.post("/api/v1/auth/token", {"username": "clerk.a", "password": PASSWORD, "name": "script"},
                       content_type="application/json")
    assert resp.status_code == 201
    raw = resp.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    me = client.get("/api/v1/me", **auth).json()
    assert me["username"] == "clerk.a" and me["memberships"][0]["unit_code"] == org.a.code
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in token.key_hash
    assert not AuditEvent.objects.filter(data__icontains=raw).exists()
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_token_errors(org, client, settings):
    bad = client.post("/api/v1/auth/token", {"username": "clerk.a", "password": "nope"},
                      content_type="application/json")
    assert bad.status_code == 401
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 2
    assert client.post("/api/v1/auth/token", {"username": "clerk.a", "password": "nope"},
                       content_type="application/json").status_code == 429
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer dh_forged").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_expired_and_foreign_tokens(org, client):
    from dieuhanh.accounts.services import issue_token

    token, raw = issue_token(actor=org.clerk_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    other, _ = issue_token(actor=org.clerk_b)
    _, mine = issue_token(actor=org.clerk_a)
    resp = client.delete(f"/api/v1/auth/tokens/{other.pk}", HTTP_AUTHORIZATION=f"Bearer {mine}")
    assert resp.status_code == 404 and ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_password_change_page_and_api(org, client):
    client.login(username="clerk.a", password=PASSWORD)
    resp = client.post("/accounts/password/", {"old_password": "wrong", "new_password": "Khac-hon-2026",
                                               "new_password2": "Khac-hon-2026"})
    assert resp.status_code == 400
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Khac-hon-2026",
                                               "new_password2": "Khac-hon-2026"})
    assert resp.status_code == 302
    org.clerk_a.refresh_from_db()
    assert org.clerk_a.check_password("Khac-hon-2026")
    from dieuhanh.accounts.services import issue_token

    _, raw = issue_token(actor=org.clerk_b)
    resp = client.post("/api/v1/me/password", {"old_password": "x", "new_password": "Khac-hon-2026"},
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "old_password"
    resp = client.post("/api/v1/me/password", {"old_password": PASSWORD, "new_password": "123"},
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "new_password"


def test_sessions_expire(org, client, settings):
    from dieuhanh import settings as project_settings

    assert project_settings.SESSION_COOKIE_AGE == 8 * 3600 and project_settings.SESSION_SAVE_EVERY_REQUEST
    client.login(username="clerk.a", password=PASSWORD)
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2_in_production():
    from django.contrib.auth.hashers import make_password

    from dieuhanh import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        assert make_password("Mat-khau-2026").startswith("argon2$")


@pytest.mark.parametrize("body", ['{"username": "a"}', "[]", "{bad json", '{"username": 5, "password": null}'])
def test_malformed_token_requests(db, client, body):
    resp = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert 400 <= resp.status_code < 500
