"""The search API and page: answers, bad input named by field, saved searches kept per person."""

import pytest

from dieuhanh.search.models import SavedSearch


@pytest.fixture
def docs(paper, exchange):
    org = exchange.org
    return [paper("Quyết định điều động cán bộ", symbol="12/QĐ-UBND"),
            paper("Kế hoạch điều động cán bộ tăng cường", symbol="15-KH/TU"),
            paper("Công văn của tỉnh B về điều động", unit=org.b, clerk=org.clerk_b)]


def test_api_search_with_count_snippet_and_pages(docs, api_client, exchange):
    api = api_client.as_user(exchange.org.clerk_a)
    r = api.get("/api/v1/search?q=dieu%20dong&limit=1")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 2 and not body["more_than_count"] and len(body["items"]) == 1
    assert "<mark>" in body["items"][0]["snippet"]
    second = api.get(f"/api/v1/search?q=dieu%20dong&limit=1&cursor={body['next_cursor']}").json()
    assert {body["items"][0]["id"], second["items"][0]["id"]} == {docs[0].pk, docs[1].pk}
    assert second["next_cursor"] is None
    r = api.get("/api/v1/search?q=12/QD-UBND")
    assert [i["id"] for i in r.json()["items"]] == [docs[0].pk]
    # unit B's document is not there for A's clerk, and B's clerk sees only it
    b = api_client.as_user(exchange.org.clerk_b).get("/api/v1/search?q=dieu%20dong").json()
    assert [i["id"] for i in b["items"]] == [docs[2].pk] and b["count"] == 1


@pytest.mark.parametrize("query, field", [
    ("sort=best", "sort"), ("urgency=9", "urgency"), ("date_from=2026-13-01", "date_from"),
    ("date_from=2026-05-01&date_to=2026-04-01", "date_to"), ("cursor=!!!", "cursor"), ("limit=0", "limit"),
    ("status=nope", "status"),
])
def test_api_bad_input_names_the_field(docs, api_client, exchange, query, field):
    r = api_client.as_user(exchange.org.clerk_a).get(f"/api/v1/search?{query}")
    assert r.status_code in (400, 422), r.content
    assert field in {e["field"].split(".")[-1] for e in r.json()["errors"]}


def test_api_needs_authentication(api_client):
    assert api_client.anonymous().get("/api/v1/search?q=x").status_code == 401


def test_saved_searches_are_per_person(docs, api_client, exchange):
    org = exchange.org
    api = api_client.as_user(org.clerk_a)
    r = api.post("/api/v1/search/saved", {"name": "Điều động", "params": {"q": "dieu dong", "sort": "date"}})
    assert r.status_code == 201, r.content
    saved_id = r.json()["id"]
    assert [s["name"] for s in api.get("/api/v1/search/saved").json()] == ["Điều động"]
    bad = api.post("/api/v1/search/saved", {"name": "x", "params": {"colour": "red"}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "params"
    bad = api.post("/api/v1/search/saved", {"name": "x", "params": {"urgency": 12}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"].startswith("params.urgency")
    other = api_client.as_user(org.clerk_b)
    assert other.get("/api/v1/search/saved").json() == []
    assert other.delete(f"/api/v1/search/saved/{saved_id}").status_code == 404
    assert api_client.as_user(org.clerk_a).delete(f"/api/v1/search/saved/{saved_id}").status_code == 204
    assert not SavedSearch.objects.exists()


def test_page_shows_results_filters_and_saves(docs, client, exchange):
    client.force_login(exchange.org.clerk_a)
    page = client.get("/search/?q=dieu+dong")
    html = page.content.decode()
    assert page.status_code == 200 and "<mark>điều</mark>" in html.lower() and "12/QĐ-UBND" in html
    assert "Công văn của tỉnh B" not in html
    r = client.post("/search/saved/", {"name": "Cán bộ", "q": "can bo"})
    assert r.status_code == 302
    saved = SavedSearch.objects.get(user=exchange.org.clerk_a)
    assert saved.params == {"q": "can bo"}
    assert client.get(f"/search/saved/{saved.pk}/").url.endswith("?q=can+bo")
    bad = client.get("/search/?q=x&date_from=2026-05-01&date_to=2026-04-01")
    assert bad.status_code == 200 and "Ngày kết thúc trước ngày bắt đầu." in bad.content.decode()
    assert client.get("/search/?q=dieu&cursor=garbage").status_code == 302
