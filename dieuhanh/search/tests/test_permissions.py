"""Search never shows a document its reader could not open: not in results, counts, snippets or corrections.

The search filter is :func:`visible_documents_q`; these tests hold it to :func:`can_view_document`, the rule the
document page applies, for every person of a small organization, in both network zones."""

import pytest

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.documents import policy
from dieuhanh.documents import services as doc_services
from dieuhanh.documents.models import Document
from dieuhanh.documents.testing import make_pdf
from dieuhanh.kernel import zones
from dieuhanh.processing import services as processing
from dieuhanh.search import selectors


@pytest.fixture
def world(exchange, paper):
    org = exchange.org
    issued = doc_services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Hướng dẫn công tác"))
    withdrawn = exchange.outgoing(subject="Hướng dẫn công tác bị thu hồi", recipients=[{"unit_id": org.b.pk}])
    doc_services.issue_document(actor=org.clerk_a, document=withdrawn)
    doc_services.cancel_issue(actor=org.clerk_a, document=withdrawn, reason="Sai thể thức")
    draft_only = exchange.outgoing(subject="Hướng dẫn công tác chưa ban hành")
    in_b = paper("Công văn hướng dẫn công tác của tỉnh bạn", unit=org.b, clerk=org.clerk_b)
    secret = paper("Hướng dẫn công tác mật bimatquocgia", confidentiality=1)
    handled = paper("Hướng dẫn công tác giao cá nhân", unit=org.b, clerk=org.clerk_b)
    entry = handled.incoming_entries.get()
    processing.assign(actor=org.leader_b, entry=entry, handlers=[{"unit_id": org.b1.pk, "role": "lead"}])
    return org, [issued, withdrawn, draft_only, in_b, secret, handled]


@pytest.mark.parametrize("zone", [zones.CLOSED, zones.INTERNET])
def test_results_equal_what_each_person_may_open(world, zone):
    org, docs = world
    b1_clerk = make_user("clerk.b1", org.b1, Role.CLERK)  # reaches a document only through its unit's flow
    outsider = make_user("nobody")
    with zones.in_zone(zone):
        for person in [org.admin, org.clerk_a, org.leader_a, org.uadmin_a, org.spec_a1, org.clerk_b,
                       org.leader_b, org.uadmin_b, b1_clerk, outsider]:
            person = type(person).objects.get(pk=person.pk)  # fresh grants cache
            expected = {d.pk for d in Document.objects.all() if policy.can_view_document(person, d)}
            for q in ("", "huong dan cong tac", "hướng dẫn"):
                result = selectors.search(person, q=q, limit=200)
                found = {h.document.pk for h in result.hits}
                assert found == expected, (person.username, zone, q)
                assert result.count == len(expected)


def test_secret_words_never_leak(world):
    org, docs = world
    secret = docs[4]
    org.clerk_a.clearance = 0
    org.clerk_a.save()
    uncleared = type(org.clerk_a).objects.get(pk=org.clerk_a.pk)
    result = selectors.search(uncleared, q="bimatquocgia")
    assert result.hits == [] and result.count == 0 and result.corrected == ""
    # a near miss is not "corrected" into the secret word either
    assert selectors.search(uncleared, q="bimatquocgiaa").corrected == ""
    everything = selectors.search(uncleared, q="cong tac", limit=200)
    assert secret.pk not in {h.document.pk for h in everything.hits}
    assert all("bimat" not in str(h.snippet) for h in everything.hits)
    # the cleared clerk on the closed network finds it
    org.clerk_a.clearance = 1
    org.clerk_a.save()
    cleared = type(org.clerk_a).objects.get(pk=org.clerk_a.pk)
    assert [h.document.pk for h in selectors.search(cleared, q="bimatquocgia").hits] == [secret.pk]
    with zones.in_zone(zones.INTERNET):
        assert selectors.search(cleared, q="bimatquocgia").hits == []


@pytest.mark.parametrize("zone", [zones.CLOSED, zones.INTERNET])
def test_a_successor_finds_exactly_what_it_may_open(world, exchange, zone):
    """After A1 merged into B1 (decision 0025), B1's people find A1's documents by the old unit's reader tokens,
    within their clearance and zone; nobody else gains anything. No document is re-indexed for it."""
    import datetime

    from dieuhanh.reorg import services as reorg
    from dieuhanh.search.models import SearchEntry

    org, _docs = world
    clerk_a1 = make_user("clerk.a1", org.a1, Role.CLERK, clearance=1)
    # issued by A1: its closed collection, which no step moves (open incoming work would move to B1 itself)
    normal = doc_services.issue_document(actor=clerk_a1, document=exchange.outgoing(
        unit=org.a1, user=clerk_a1, subject="Hướng dẫn công tác của phường cũ", recipients=[{"unit_id": org.a.pk}]))
    secret = doc_services.create_outgoing(
        actor=clerk_a1, unit=org.a1, document_type_id=normal.document_type_id, confidentiality=1, recipients=[],
        subject="Hướng dẫn công tác mật của phường cũ", files=[exchange.upload(clerk_a1, make_pdf("mat"))])
    b1_clerk = make_user("clerk.b1", org.b1, Role.CLERK)
    b1_cleared = make_user("spec.b1", org.b1, Role.SPECIALIST, clearance=1)
    decision = reorg.record_decision(actor=org.admin, kind="merge", effective_on=datetime.date.today(),
                                     items=[{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}])
    indexed = dict(SearchEntry.objects.values_list("document_id", "updated_at"))
    reorg.execute(actor=org.admin, decision=decision)
    assert dict(SearchEntry.objects.filter(document__in=[normal, secret]).values_list(
        "document_id", "updated_at")) == {d.pk: indexed[d.pk] for d in (normal, secret)}
    with zones.in_zone(zone):
        for person in [b1_clerk, b1_cleared, org.clerk_b, org.clerk_a, org.spec_a1, org.admin]:
            person = type(person).objects.get(pk=person.pk)
            expected = {d.pk for d in Document.objects.all() if policy.can_view_document(person, d)}
            for q in ("", "huong dan cong tac"):
                found = {h.document.pk for h in selectors.search(person, q=q, limit=200).hits}
                assert found == expected, (person.username, zone, q)
        fresh = type(b1_clerk).objects.get
        assert policy.can_view_document(fresh(pk=b1_clerk.pk), normal)
        assert not policy.can_view_document(fresh(pk=b1_clerk.pk), secret)
        assert policy.can_view_document(fresh(pk=b1_cleared.pk), secret) == (zone == zones.CLOSED)
        assert not policy.can_view_document(fresh(pk=org.clerk_b.pk), normal)  # B1's parent: no inheritance


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_small_pages_stay_exact_when_index_tokens_say_more_than_the_rule(exchange, paper, sort):
    """Pages run the exact check last, on the ordered candidates, until a page is full. Stale reader tokens (as
    a withdrawn copy has until its next write) must neither show a document nor leave a hole in the pages."""
    import datetime

    from dieuhanh.search import text
    from dieuhanh.search.models import SearchEntry

    org = exchange.org
    mine = [paper(f"Báo cáo công tác số {i}", issued_on=datetime.date(2026, 3, 1 + 2 * i)) for i in range(5)]
    theirs = [paper(f"Báo cáo công tác tỉnh bạn {i}", unit=org.b, clerk=org.clerk_b,
                    issued_on=datetime.date(2026, 3, 2 + 2 * i)) for i in range(6)]
    for doc in theirs:  # the newest candidates, and the best ranked ("cong tac" twice), are not A's to open
        entry = SearchEntry.objects.get(document=doc)
        entry.folded += f" cong tac {text.UNIT_PREFIX}{org.a.pk}"
        entry.save()
    clerk = type(org.clerk_a).objects.get(pk=org.clerk_a.pk)
    assert all(not policy.can_view_document(clerk, d) for d in theirs)
    seen, cursor = [], None
    for _ in range(10):
        result = selectors.search(clerk, q="cong tac", sort=sort, cursor=cursor, limit=2)
        assert len(result.hits) == 2 or result.next_cursor is None
        seen.extend(h.document.pk for h in result.hits)
        cursor = result.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(d.pk for d in mine) and len(seen) == len(set(seen))
    assert selectors.search(clerk, q="cong tac").count == len(mine)
