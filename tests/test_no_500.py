"""Every API operation and every page answers bad ids, junk bodies and junk query strings without a 500."""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import PASSWORD

JUNK_BODIES = ["{", "[]", "null", '{"a": 1}', json.dumps({"unit_id": "x", "subject": 5, "handlers": "no",
                                                          "delivery_ids": [0, -1], "kind": "??", "approve": "maybe"})]
JUNK_QUERIES = ["", "?cursor=%%%", "?limit=0", "?kind=nonsense&status=99", "?unit=abc&year=-1&from=x&to=y",
                "?start=2026-13-01&end=x&unit_id=abc&cell=?"]


def _api_operations(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method in operations:
            yield method, path


def _fill(path, value):
    return re.sub(r"\{[^}]+\}", str(value), path)


@pytest.mark.parametrize("who", ["clerk_a", "leader_b", "spec_a1", "admin"])
def test_api_operations_never_500(org, client, who):
    from dieuhanh.accounts.services import issue_token

    _, raw = issue_token(actor=getattr(org, who))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    operations = list(_api_operations(client))
    assert len(operations) > 60
    for method, path in operations:
        if path.endswith("/auth/token") and method == "delete":
            continue  # would revoke the token this test uses
        for value in (1, 999999, 0):
            url = "/api/v1" + _fill(path.removeprefix("/api/v1"), value)
            for query in JUNK_QUERIES[:3]:
                for body in (JUNK_BODIES if method in ("post", "patch", "put") else [None]):
                    kwargs = {"content_type": "application/json"} if body is not None else {}
                    resp = getattr(client, method)(url + query, body, **kwargs, **auth) if body is not None \
                        else getattr(client, method)(url + query, **auth)
                    assert resp.status_code < 500, (method, url + query, body, resp.content[:300])


def _page_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if pattern.startswith("api/") or pattern.startswith("i18n/"):
                continue
            yield from _page_patterns(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


@pytest.mark.parametrize("who", ["clerk_a", "leader_b", "spec_a1"])
def test_pages_never_500(org, client, who):
    client.login(username=getattr(org, who).username, password=PASSWORD)
    patterns = list(_page_patterns())
    assert len(patterns) > 25
    for pattern in patterns:
        for value in (1, 999999):
            url = "/" + re.sub(r"<[^>]+>", str(value), pattern).replace("^", "").replace("$", "")
            for query in JUNK_QUERIES:
                assert client.get(url + query).status_code < 500, url + query
            for data in ({}, {"action": "issue"}, {"action": "decide", "report_id": "x", "request_id": "y"},
                         {"reason": "", "delivery": ["x", "1"], "unit": "abc"}):
                if "logout" in url:
                    continue
                assert client.post(url, data).status_code < 500, (url, data)


def test_ids_beyond_64_bits_are_not_found(org, api_client, client):
    """schemathesis found it: an id no database row can have used to raise OverflowError (SQLite) or an
    out-of-range DataError (PostgreSQL) and end in a 500."""
    huge = 2**100
    api = api_client.as_user(org.clerk_a)
    assert api.get(f"/api/v1/documents/{huge}").status_code == 404
    assert api.post(f"/api/v1/documents/{huge}/files/1/check-signatures").status_code == 404
    client.login(username=org.clerk_a.username, password=PASSWORD)
    assert client.get(f"/documents/{huge}/").status_code == 404
    assert client.get(f"/drafts/{huge}/").status_code == 404


def _assert_json_error(resp, status=None):
    assert resp["Content-Type"].startswith("application/json"), (resp.status_code, resp.content[:200])
    body = resp.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    if status is not None:
        assert resp.status_code == status, (resp.status_code, body)


def test_no_api_path_answers_html(org, api_client, settings):
    """Issue 14, item 14: whatever goes wrong under /api/, the answer is the documented JSON error, never an HTML
    page: an unknown path, a wrong method, a CSRF failure, a too-large body, a multipart body without boundary,
    an uncaught exception."""
    from django.test import Client

    api = api_client.as_user(org.clerk_a)
    _assert_json_error(api.get("/api/v1/no-such-thing"), 404)
    _assert_json_error(api.get("/api/no-such-version/me"), 404)
    _assert_json_error(api.call("put", "/api/v1/me", {}), 405)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _assert_json_error(api.call("post", "/api/v1/documents", raw='{"subject": "' + "x" * 5000 + '"}'), 413)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    resp = api.call("post", "/api/v1/documents", raw="--x\r\n", **{"CONTENT_TYPE": "multipart/form-data"})
    assert resp.status_code < 500
    _assert_json_error(resp)
    # a session with a wrong CSRF token, on the API and on Django's own CSRF check
    browser = Client(enforce_csrf_checks=True)
    browser.login(username=org.clerk_a.username, password=PASSWORD)
    resp = browser.post("/api/v1/auth/tokens", "{}", content_type="application/json")
    assert resp.status_code == 403
    _assert_json_error(resp)


def test_api_uncaught_error_is_json(org, api_client, monkeypatch):
    from django.test import Client

    from dieuhanh.accounts import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(selectors, "memberships_of", boom)
    client = Client(raise_request_exception=False)
    from dieuhanh.accounts.services import issue_token

    raw = issue_token(actor=org.clerk_a)[1]
    resp = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    _assert_json_error(resp, 500)
    # a page keeps its HTML page
    client.login(username=org.clerk_a.username, password=PASSWORD)
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")
