"""API token scopes ("read": GET and HEAD only, "write": everything) and secrets kept out of the logs."""

import logging
import re

import pytest
from django.core.exceptions import ValidationError

from conftest import PASSWORD
from dieuhanh.accounts import services
from dieuhanh.accounts.models import ApiToken
from dieuhanh.audit.models import AuditEvent

JSON = {"content_type": "application/json"}


def obtain(client, username="clerk.a", **extra):
    return client.post("/api/v1/auth/token", {"username": username, "password": PASSWORD, **extra}, **JSON)


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_new_tokens_default_to_write(org, client):
    resp = obtain(client)
    assert resp.status_code == 201 and resp.json()["scopes"] == ["write"]
    assert ApiToken.objects.get().scopes == ["write"]
    token, _ = services.issue_token(actor=org.clerk_a)
    assert token.scopes == ["write"]
    # a write token may change things: here, create another token
    created = client.post("/api/v1/auth/tokens", {"name": "report", "scopes": ["read"]}, **JSON,
                          **bearer(resp.json()["token"]))
    assert created.status_code == 201 and created.json()["scopes"] == ["read"]


def test_read_only_token_reads_but_never_writes(org, client):
    resp = obtain(client, scopes=["read"], name="dashboard")
    assert resp.status_code == 201 and resp.json()["scopes"] == ["read"]
    auth = bearer(resp.json()["token"])
    assert client.get("/api/v1/me", **auth).status_code == 200
    assert client.get("/api/v1/auth/tokens", **auth).status_code == 200
    before = AuditEvent.objects.count()
    attempts = [
        ("post", "/api/v1/units", {"parent_id": org.a.pk, "code": "000.02.00.H01", "name": "Mới", "short_name": "M",
                                   "kind": "commune", "effective_from": "2025-07-01"}),
        ("patch", f"/api/v1/units/{org.a.pk}", {"name": "Đổi tên"}),
        ("post", "/api/v1/auth/tokens", {"scopes": ["write"]}),  # no climbing from read to write
        ("post", "/api/v1/me/password", {"old_password": PASSWORD, "new_password": "Another-pass-2026"}),
        ("delete", "/api/v1/auth/token", None),
        ("put", "/api/v1/me", {}),
        ("post", "/api/v1/no-such-endpoint", {}),
    ]
    for method, url, body in attempts:
        call = getattr(client, method)
        answer = call(url, body, **JSON, **auth) if body is not None else call(url, **auth)
        if url.endswith("no-such-endpoint"):
            assert answer.status_code in (403, 404), (method, url)
            continue
        assert answer.status_code in (403, 405), (method, url, answer.status_code)
        if answer.status_code == 403:
            assert "read-only" in answer.json()["detail"], (method, url)
    assert client.post("/api/v1/units", {}, **JSON, **auth).json()["detail"].startswith("This API token is read-only")
    assert AuditEvent.objects.count() == before  # nothing was written
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    org.a.refresh_from_db()
    assert org.a.name == "Thành ủy Hà Nội"


def test_scope_is_enforced_for_every_mutating_endpoint(org, client):
    """Crawl the published schema: every non-GET operation refuses a read-only token before it runs."""
    _, raw = services.issue_token(actor=org.admin, scopes=["read"])
    schema = client.get("/api/v1/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            if method.upper() in ("GET", "HEAD") or operations[method].get("security") == []:
                continue
            if path == "/api/v1/auth/token" and method == "post":
                continue  # signing in needs no token
            if path == "/api/v1/gateway/inbox" and method == "post":
                continue  # a peer installation's signature authenticates it, never a person's token
            answer = getattr(client, method)(url, "{}", **JSON, **bearer(raw))
            if answer.status_code == 405:
                continue  # shadowed by another route with the same shape (POST /tasks/recurrences): never runs
            assert answer.status_code == 403, (method, path, answer.status_code)
            assert "read-only" in answer.json()["detail"]
            checked += 1
    assert checked > 30


@pytest.mark.parametrize("scopes", [["admin"], ["read", "sudo"], [], "write", [1]])
def test_unknown_scopes_are_refused_naming_the_field(org, client, scopes):
    for url, auth in (("/api/v1/auth/token", {}),
                      ("/api/v1/auth/tokens", bearer(services.issue_token(actor=org.clerk_a)[1]))):
        body = {"scopes": scopes} if auth else {"username": "clerk.a", "password": PASSWORD, "scopes": scopes}
        resp = client.post(url, body, **JSON, **auth)
        assert resp.status_code in (400, 422), resp.content
        assert any(e["field"].startswith("scopes") for e in resp.json()["errors"]), resp.json()
    assert ApiToken.objects.count() == 1  # only the one issued for the second request


def test_issue_token_validates_scopes(org):
    with pytest.raises(ValidationError) as exc:
        services.issue_token(actor=org.clerk_a, scopes=["delete"])
    assert "scopes" in exc.value.message_dict
    token, _ = services.issue_token(actor=org.clerk_a, scopes=["write", "read", "read"])
    assert token.scopes == ["read", "write"]
    event = AuditEvent.objects.filter(action="token.issue").last()
    assert event.data["scopes"] == ["read", "write"]


def test_token_list_shows_scopes(org, client):
    services.issue_token(actor=org.clerk_a, name="ro", scopes=["read"])
    _, raw = services.issue_token(actor=org.clerk_a, name="rw")
    listed = client.get("/api/v1/auth/tokens", **bearer(raw)).json()
    assert {t["name"]: t["scopes"] for t in listed} == {"ro": ["read"], "rw": ["write"]}


def test_tokens_and_passwords_never_reach_the_logs(org, client, settings, caplog):
    settings.DEBUG = True  # SQL is logged too, with its parameters
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    resp = obtain(client, scopes=["read"])
    raw = resp.json()["token"]
    client.get("/api/v1/me", **bearer(raw))
    client.post("/api/v1/units", {"name": "x"}, **JSON, **bearer(raw))  # 403, logged as "Forbidden"
    client.get("/api/v1/users/999999", **bearer(raw))  # 404
    client.get("/api/v1/me", **bearer(raw[:-2] + "xx"))  # 401 with a near miss
    client.post("/api/v1/auth/token", {"username": "clerk.a", "password": PASSWORD + "-wrong"}, **JSON)
    client.post("/accounts/login/", {"username": "clerk.a", "password": PASSWORD})
    assert "Forbidden" in caplog.text  # the log really captured the requests
    assert any(r.name == "django.db.backends" for r in caplog.records)
    for secret in (raw, raw[:-2] + "xx", raw[len("dh_"):], PASSWORD):
        assert secret not in caplog.text
        for rec in caplog.records:
            assert secret not in repr(rec.args) and secret not in str(rec.__dict__)
