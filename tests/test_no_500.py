"""Every API operation and every page answers bad ids, junk bodies and junk query strings without a 500."""

import datetime
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import PASSWORD
from dieuhanh.documents.tests.conftest import exchange, media  # noqa: F401  (fixtures)

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


# --- ids written in digits that are not ASCII (issue 15, bug 2) -------------------------------------------------
# "²" and "①" pass str.isdigit() but int() refuses them (a 500 where the code tested isdigit() then called int());
# "١٢" (Arabic-Indic) and "𝟙" pass both and used to name rows 12 and 1. An id is ASCII digits or nothing.
ODD_DIGITS = ["²", "①", "١٢", "𝟙"]
# every id-like query parameter and form field the pages read
ID_QUERY = ["unit", "year", "to", "from", "old", "rows", "user", "handler_unit", "kind"]
ID_FIELDS = ["unit", "year", "retention", "section", "entry_id", "document_id", "loan_id", "mark", "kept", "member",
             "file", "document", "file_id", "next_user", "template", "to_step", "opinion_id", "signature_id",
             "units", "people", "report_id", "request_id", "delivery", "rows", "old", "successor", "old_0",
             "succ_0", "succ_1", "dept_0", "new_parent", "sub_units_to", "lead_user", "borrower_id", "document_ids",
             "documents", "files"]
ACTIONS = ["", "create_list", "open_file", "section", "entry", "delete_entry", "approve", "copy", "attach", "detach",
           "close", "reopen", "hold", "lend", "return", "unmark", "merge", "accept", "refuse", "decide", "destroy",
           "revise", "consult", "answer", "submit", "initial", "forward", "sign", "withdraw", "issue", "cancel",
           "check", "report"]
ODD_PREFIXES = ("records/", "drafts/", "tasks/", "reorg/", "processing/", "documents/", "freezes/")


@pytest.fixture
def odd_world(exchange):  # noqa: F811
    """One object of each kind the id-reading pages show: a draft, a task, a file list with an open file."""
    import io

    from conftest import make_user
    from dieuhanh.accounts.models import Role
    from dieuhanh.documents.services import store_file
    from dieuhanh.documents.tests.conftest import doc_type
    from dieuhanh.drafting import services as drafting
    from dieuhanh.drafting.tests.conftest import sample_pdf
    from dieuhanh.records import services as records
    from dieuhanh.records.models import RetentionPeriod, seed_retention
    from dieuhanh.tasks import services as tasks

    org = exchange.org
    spec = make_user("spec.a", org.a, Role.SPECIALIST)
    seed_retention()
    blob = store_file(actor=spec, fileobj=io.BytesIO(sample_pdf()), content_type="application/pdf")
    draft = drafting.create_draft(actor=spec, unit=org.a, document_type_id=doc_type("Quyết định").pk,
                                  subject="Quyết định về việc điều động cán bộ", blob=blob, name="du-thao.pdf",
                                  recipients=[{"unit_id": org.b.pk}])
    today = datetime.date.today()
    task = tasks.assign_task(actor=org.leader_a, unit=org.a, title="Báo cáo", start_date=today,
                             deadline=today + datetime.timedelta(days=30), unit_ids=[org.ad.pk])[0]
    file_list = records.create_file_list(actor=spec, unit=org.a, year=today.year)
    records.add_entry(actor=spec, file_list=file_list, symbol="01.VP", title="Tập văn bản đi",
                      retention_id=RetentionPeriod.objects.get(code="10").pk)
    file_list = records.approve_list(actor=org.leader_a, file_list=file_list)
    file = records.open_file(actor=spec, unit=org.a, entry=file_list.entries.get())
    return {"draft_id": draft.pk, "task_id": task.pk, "list_id": file_list.pk, "file_id": file.pk}


def _odd_urls(ids):
    for pattern in _page_patterns():
        if pattern.startswith(ODD_PREFIXES):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), pattern)


@pytest.mark.parametrize("who", ["spec.a", "leader.a", "root"])
def test_non_ascii_digits_in_ids_never_500(odd_world, client, who):
    """Each id-like query parameter alone with "²" (the 500 of old), then all of them with each odd value; each
    action of a page the person can open, posted with every id field odd (the values taking turns)."""
    client.login(username=who, password=PASSWORD)
    urls = list(_odd_urls(odd_world))
    assert any(u.startswith("/reorg/") for u in urls) and any(u.startswith("/drafts/") for u in urls)
    for url in urls:
        queries = [f"?{key}=²" for key in ID_QUERY] + ["?field=dept_0&" + "&".join(
            f"{key}={odd}" for key in [*ID_QUERY, "dept_0"]) for odd in ODD_DIGITS]
        for query in queries:
            assert client.get(url + query).status_code < 500, url + query
        if client.get(url).status_code >= 400:
            continue  # a page the person cannot open reads nothing posted to it
        for i, action in enumerate(ACTIONS):
            odd = ODD_DIGITS[i % len(ODD_DIGITS)]
            data = {**{key: odd for key in ID_FIELDS}, "action": action, "one": f"{odd}:{odd}", "more": "1"}
            assert client.post(url + f"?unit={odd}", data).status_code < 500, (url, action, odd)


def test_parse_id():
    from dieuhanh.kernel.ids import MAX_ID, parse_id

    assert [parse_id(v) for v in ("12", " 7 ", 5, str(MAX_ID))] == [12, 7, 5, MAX_ID]
    refused = ["", None, "-1", "1.0", "x", *ODD_DIGITS, str(MAX_ID + 1), True, 2**70, -4, "1 2", "+3", "0x1"]
    assert [parse_id(v) for v in refused] == [None] * len(refused)
