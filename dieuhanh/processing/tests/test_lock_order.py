"""Two co-leads completing their flows of one entry at the same moment, on two real database connections.

Before decision 0038 each completion locked its own flow, then the document's search row (a save signal of the
result note), then the sibling flows: two completions waited on each other in a cycle and PostgreSQL aborted one
with "deadlock detected" (a 500 for that person). Now both lock the entry first, then its flows in primary-key
order, and write the search row last, so the second simply waits for the first.
"""

import contextlib
import threading

from django.db import connection, connections
from django.db.models.signals import pre_save

from dieuhanh.documents.models import DeliveryStatus
from dieuhanh.processing import services
from dieuhanh.processing.models import Flow, FlowNote, FlowStatus
from dieuhanh.search.models import SearchEntry

# How long a completion waits at the meeting point for the other one. Under the lock order the second is blocked
# on the entry's lock and never arrives, so the first goes on alone after this pause.
MEET_TIMEOUT = 1.5


def _at_once(jobs, meet):
    """Run each job in its own thread (its own connection), released together by a barrier."""
    start = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []
    # SQLite's test database lives in memory with a shared cache, where a second writer is refused at once
    # ("database table is locked") instead of waiting as the file database does (WAL, IMMEDIATE, 20 s timeout):
    # there the writers take turns, as SQLite makes them anyway. PostgreSQL runs them truly at once.
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def run(i, job):
        try:
            start.wait(timeout=30)
            with turns:
                results[i] = job()
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    def meet_point(sender, instance, **kwargs):
        # both completions hold what they locked before writing their result note: meet here, so that the
        # old order (own flow, search row, sibling flows) interleaves the same way on every run
        try:
            meet.wait(timeout=MEET_TIMEOUT)
        except threading.BrokenBarrierError:
            pass  # the other completion is waiting on a lock: go on alone

    pre_save.connect(meet_point, sender=FlowNote, weak=False, dispatch_uid="test_lock_order_meet")
    try:
        threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        pre_save.disconnect(sender=FlowNote, dispatch_uid="test_lock_order_meet")
    return results, errors


def test_two_co_leads_complete_at_the_same_moment(transactional_db, received):
    r = received
    lead_user, lead_unit = services.assign(
        actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec_b.pk, "role": "lead"},
                                                       {"unit_id": r.bd.pk, "role": "lead"}])
    assert SearchEntry.objects.filter(document=r.doc).exists()  # the row both completions write
    results, errors = _at_once([
        lambda: services.complete(actor=r.spec_b, flow=lead_user, result="Xong phần của chuyên viên"),
        lambda: services.complete(actor=r.head, flow=lead_unit, result="Xong phần của Ban"),
    ], meet=threading.Barrier(2))
    assert errors == []
    assert all(f is not None for f in results)
    statuses = dict(Flow.objects.filter(entry=r.entry).values_list("pk", "status"))
    assert statuses[lead_user.pk] == statuses[lead_unit.pk] == FlowStatus.COMPLETED
    root = Flow.objects.get(entry=r.entry, parent__isnull=True)
    assert root.status == FlowStatus.COMPLETED  # whichever finished second completed the level
    r.delivery.refresh_from_db()
    assert r.delivery.status == DeliveryStatus.DONE
    # the index saw both result notes: it was written last, after both completions' rows
    text = SearchEntry.objects.get(document=r.doc).text
    assert "Xong phần của chuyên viên" in text and "Xong phần của Ban" in text
