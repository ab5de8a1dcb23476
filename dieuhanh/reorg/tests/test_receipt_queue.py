"""Issue 14, item 3 (follow-up): a merged or dissolved unit's whole receipt queue goes to its successor - arrived
copies, copies kept (16) that were never accepted, and recalls still waiting for an answer (13) - as the documents
app's own queue (documents.selectors.receipt_queue) defines it, so nothing is left at a unit nobody works in."""

from dieuhanh.accounts.models import User
from dieuhanh.documents import selectors as doc_selectors
from dieuhanh.documents import services as docs
from dieuhanh.documents.models import DeliveryStatus
from dieuhanh.reorg import selectors, services


def _recalled(w, subject, *, keep):
    doc = docs.issue_document(actor=w.org.clerk_a, document=w.exchange.outgoing(
        subject=subject, recipients=[{"unit_id": w.org.a1.pk}]))
    docs.request_recall(actor=w.org.clerk_a, document=doc, reason="Ban hành nhầm")
    delivery = doc.deliveries.get()
    if keep:
        docs.answer_recall(actor=w.clerk_a1, delivery=delivery, agree=False, reason="Đã triển khai")
    delivery.refresh_from_db()
    return delivery


def test_kept_copies_and_pending_recalls_move_with_the_unit(reorg_world):
    w = reorg_world
    a1, b1 = w.org.a1, w.org.b1
    kept = _recalled(w, "Giữ lại chưa tiếp nhận", keep=True)
    asked = _recalled(w, "Đang bị thu hồi", keep=False)
    assert (kept.status, asked.status) == (DeliveryStatus.RECALL_REFUSED, DeliveryStatus.RECALL_REQUESTED)
    arrived = w.pending.deliveries.get()
    queue = {arrived.pk, kept.pk, asked.pk}
    assert set(doc_selectors.receipt_queue(a1).values_list("pk", flat=True)) == queue

    decision = services.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today,
                                        items=[{"old_unit_id": a1.pk, "successor_id": b1.pk}], document_id=w.own.pk)
    (unit,) = selectors.preview(decision, today=w.today)["units"]
    assert unit["counts"]["deliveries_pending"] == 3
    assert unit["successors"][0]["deliveries"] == 3

    services.execute(actor=w.org.admin, decision=decision)
    assert not doc_selectors.receipt_queue(a1).exists()
    assert set(doc_selectors.receipt_queue(b1).values_list("pk", flat=True)) == queue
    for delivery in (arrived, kept, asked):
        delivery.refresh_from_db()
        (event,) = delivery.events.filter(kind="redirected")
        assert event.status == delivery.status  # the trail keeps the copy's state, not "arrived" for all
    # the successor's clerk (A1's clerk, now a member of B1) finds them where they work and can act on them
    clerk = User.objects.get(pk=w.clerk_a1.pk)  # a fresh object: grants are cached per instance
    assert {d.pk for d in doc_selectors.awaiting_receipt_queryset(b1, clerk)} == {arrived.pk, kept.pk}
    assert [d.pk for d in doc_selectors.pending_recalls_queryset(b1, clerk)] == [asked.pk]
    entry = docs.accept_delivery(actor=clerk, delivery=kept)
    assert entry.unit_id == b1.pk
    docs.answer_recall(actor=clerk, delivery=asked, agree=True)
    asked.refresh_from_db()
    assert asked.status == DeliveryStatus.RECALL_AGREED
