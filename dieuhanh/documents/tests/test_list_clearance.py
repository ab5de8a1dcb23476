"""Issue 14, item 3: the unit inbox, the outbox and the "approved" list filter by the document's clearance and zone
in the query, not after the page is fetched: a page of N is full while more visible rows exist, and every home
counter equals the length of the list it opens, for a clerk cleared only for Mật and for a cleared clerk on the
internet zone (decision 0034)."""

import pytest

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.documents import selectors, services
from dieuhanh.documents.models import Delivery

INTERNET = "203.0.113.7"  # outside DIEUHANH_CLOSED_NETWORKS
CLOSED = "127.0.0.1"


@pytest.fixture
def lists(exchange):
    """A sends B three normal documents, one Mật and then three Tối mật (the newest, so they head every list);
    A keeps the same mix approved but not issued. Readers: a Mật-only clerk on the closed network and a Tuyệt
    mật-cleared clerk on the internet zone, in A and in B."""
    org = exchange.org
    org.clerk_a.clearance = 3
    org.clerk_a.save()
    levels = [0, 0, 0, 1, 2, 2, 2]
    for n, level in enumerate(levels):
        services.issue_document(actor=org.clerk_a, document=exchange.outgoing(
            recipients=[{"unit_id": org.b.pk}], subject=f"Gửi {n}", confidentiality=level))
    for n, level in enumerate(levels):
        exchange.outgoing(recipients=[{"unit_id": org.b.pk}], subject=f"Chờ ban hành {n}", confidentiality=level)
    readers = {
        "a": [(org.clerk_a, INTERNET, 3), (make_user("clerk.a.mat", org.a, Role.CLERK, clearance=1), CLOSED, 4)],
        "b": [(make_user("clerk.b.all", org.b, Role.CLERK, clearance=3), INTERNET, 3), (org.clerk_b, CLOSED, 4)],
    }
    return org, readers


def _walk(api, url, addr, limit):
    """Every page of an API list: the sizes of its pages and the ids in them."""
    sizes, ids, cursor = [], [], None
    while True:
        body = api.get(url + f"?limit={limit}" + (f"&cursor={cursor}" if cursor else ""), REMOTE_ADDR=addr).json()
        sizes.append(len(body["items"]))
        ids += [i["id"] for i in body["items"]]
        cursor = body.get("next_cursor")
        if not cursor:
            return sizes, ids


@pytest.mark.parametrize("who", [0, 1], ids=["cleared-internet", "mat-closed"])
def test_a_page_of_n_is_full_while_more_visible_rows_exist(lists, api_client, who):
    org, readers = lists
    for unit, url in ((org.b, f"/api/v1/units/{org.b.pk}/inbox"), (org.a, f"/api/v1/units/{org.a.pk}/outbox"),
                      (org.a, f"/api/v1/units/{org.a.pk}/approved")):
        user, addr, visible = readers["a" if unit == org.a else "b"][who]
        sizes, ids = _walk(api_client.as_user(user), url, addr, 2)
        # 3 visible rows: [2, 1]; 4: [2, 2] (a last empty page is allowed, a short one before it is not)
        if sizes[-1] == 0 and len(sizes) > 1:
            sizes.pop()
        assert sizes == [2] * (visible // 2) + [visible % 2] * (visible % 2), (url, sizes)
        assert len(ids) == visible, url


@pytest.mark.parametrize("who", [0, 1], ids=["cleared-internet", "mat-closed"])
def test_every_home_counter_equals_the_list_it_opens(lists, client, who):
    org, readers = lists
    checked = 0
    for unit in ("a", "b"):
        user, addr, visible = readers[unit][who]
        client.force_login(user)
        home = client.get("/", REMOTE_ADDR=addr)
        assert home.status_code == 200
        for _group, label, count, url in home.context["counters"]:
            if not url:
                continue
            page = client.get(url, REMOTE_ADDR=addr)
            assert page.status_code == 200, url
            rows = page.context["items"] if "items" in page.context else page.context["page"].items
            assert count == len(rows), (user.username, str(label), url)
            if url.startswith("/documents/?") and unit == "b":
                assert count == visible
                checked += 1
    assert checked == 1


@pytest.mark.parametrize("who", [0, 1], ids=["cleared-internet", "mat-closed"])
def test_outbox_tabs_count_only_what_the_reader_may_see(lists, client, who):
    org, readers = lists
    user, addr, visible = readers["a"][who]
    client.force_login(user)
    page = client.get(f"/documents/outbox/?unit={org.a.pk}", REMOTE_ADDR=addr)
    assert page.status_code == 200
    assert sum(n for _code, _label, n in page.context["tabs"]) == visible == len(page.context["page"].items)
    body = page.content.decode()
    assert "Gửi 4" not in body and "Gửi 6" not in body
    approved = client.get(f"/documents/approved/?unit={org.a.pk}", REMOTE_ADDR=addr)
    assert len(approved.context["page"].items) == visible
    assert "Chờ ban hành 6" not in approved.content.decode()


def test_incoming_search_names_only_what_the_reader_may_see(lists):
    org, readers = lists
    cleared = readers["b"][0][0]
    for delivery in Delivery.objects.filter(recipient_unit=org.b).order_by("id"):
        services.accept_delivery(actor=cleared, delivery=delivery, confirm_duplicate=True)
    assert len(selectors.incoming_search(org.b, cleared, limit=10).items) == 7
    page = selectors.incoming_search(org.b, org.clerk_b, q="Gửi", limit=2)
    assert len(page.items) == 2 and page.next_cursor  # the three newest are Tối mật: the page is still full
    assert {e.document.confidentiality for e in page.items} <= {0, 1}
