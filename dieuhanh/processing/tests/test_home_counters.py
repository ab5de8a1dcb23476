"""Home-page counters always equal the lists they open."""

import re

from conftest import PASSWORD
from dieuhanh.processing import services

COUNTER = re.compile(r'<a class="counter" href="([^"]+)"><span class="n">(\d+)\+?</span>')


def test_counters_match_their_lists(received, client):
    r = received
    services.assign(actor=r.org.leader_b, entry=r.entry, deadline=r.soon,
                    handlers=[{"user_id": r.spec_b.pk, "role": "lead"}, {"user_id": r.deputy_b.pk, "role": "info"}])
    for user, expect in ((r.spec_b, "processing"), (r.deputy_b, "info"), (r.org.leader_b, "returned")):
        client.logout()
        client.login(username=user.username, password=PASSWORD)
        rows = [(url.replace("&amp;", "&"), int(n)) for url, n in COUNTER.findall(client.get("/").content.decode())]
        processing_rows = [(url, n) for url, n in rows if url.startswith("/processing/?kind=")]
        assert len(processing_rows) == 5
        for url, count in processing_rows:
            listing = client.get(url).content.decode()
            assert len(re.findall(r'<a href="/processing/flows/\d+/">', listing)) == count, (user, url)
        kinds = {url.split("kind=")[1]: n for url, n in processing_rows}
        assert kinds[expect] == (0 if expect == "returned" else 1)


def test_clerk_sees_awaiting_receipt_and_direction_counters(received, client):
    r = received
    client.login(username=r.org.clerk_b.username, password=PASSWORD)
    html = client.get("/").content.decode()
    rows = dict((url.replace("&amp;", "&"), int(n)) for url, n in COUNTER.findall(html))
    awaiting = [n for url, n in rows.items() if url.startswith("/processing/awaiting/")]
    assert awaiting == [1]  # the received document, not yet directed
    listing = client.get(f"/processing/awaiting/?unit={r.org.b.pk}").content.decode()
    assert listing.count(f"/processing/entries/{r.entry.pk}/") == 1
