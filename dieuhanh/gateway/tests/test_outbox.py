"""Outbox: enqueue in the caller's transaction, idempotent; the worker's retries, backoff, failed, retry."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dieuhanh.gateway import selectors, services, transports
from dieuhanh.gateway.models import OutboxItem

pytestmark = pytest.mark.django_db(transaction=False)


def test_enqueue_is_idempotent_on_destination_and_package_id():
    first = services.enqueue(destination="000.00.00.G22", package_id="p-1", payload=b"<a/>")
    again = services.enqueue(destination="000.00.00.G22", package_id="p-1", payload=b"<b/>")
    other = services.enqueue(destination="000.00.00.H01", package_id="p-1", payload=b"<a/>")
    assert again.pk == first.pk and other.pk != first.pk
    assert (first.state, first.attempts, first.kind, bytes(first.payload)) == ("queued", 0, "edxml", b"<a/>")


def test_enqueue_rolls_back_with_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue(destination="000.00.00.G22", package_id="p-2", payload=b"x")
        raise RuntimeError("the action failed")
    assert not OutboxItem.objects.filter(package_id="p-2").exists()


def test_enqueue_refuses_bad_input_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        services.enqueue(destination="", package_id="x" * 300, payload=b"x")
    assert set(caught.value.message_dict) == {"destination", "package_id"}


def test_selector_filters_by_package_and_state():
    services.enqueue(destination="D1", package_id="a", payload=b"1")
    services.enqueue(destination="D1", package_id="b", payload=b"2")
    assert [i.package_id for i in selectors.outbox_items(package_ids=["a"])] == ["a"]
    assert selectors.outbox_items(states=["failed"]).count() == 0
    assert selectors.outbox_items(states=["queued"]).count() == 2


def test_backoff_grows_exponentially_and_is_capped():
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.backoff(30).total_seconds() == services.BACKOFF_CAP_SECONDS


def test_a_failing_send_keeps_the_reason_backs_off_then_fails_and_retry_puts_it_back(monkeypatch):
    calls = []

    def refuse(item):
        calls.append(item.package_id)
        raise transports.SendError("peer said no")

    monkeypatch.setattr(transports, "send", refuse)
    item = services.enqueue(destination="D1", package_id="p", payload=b"x")
    assert services.send_due() == {"sent": 0, "retrying": 1, "failed": 0}
    item.refresh_from_db()
    assert (item.state, item.attempts, item.last_error) == ("queued", 1, "peer said no")
    assert item.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert services.send_due() == {"sent": 0, "retrying": 0, "failed": 0}  # not due yet
    for _ in range(services.MAX_ATTEMPTS - 1):
        OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
        services.send_due()
    item.refresh_from_db()
    assert (item.state, item.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert len(calls) == services.MAX_ATTEMPTS
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    assert services.send_due() == {"sent": 0, "retrying": 0, "failed": 0}  # failed stays failed
    monkeypatch.setattr(transports, "send", lambda item: None)
    retried = services.retry(item_id=item.pk)
    assert (retried.state, retried.attempts) == ("queued", 0)
    assert services.send_due() == {"sent": 1, "retrying": 0, "failed": 0}
    item.refresh_from_db()
    assert item.state == "sent" and item.sent_at is not None and item.last_error == "peer said no"
    with pytest.raises(ValidationError) as caught:
        services.retry(item_id=item.pk)
    assert "item_id" in caught.value.message_dict


def test_an_item_whose_worker_died_is_due_again_after_its_lease(monkeypatch):
    sent = []
    monkeypatch.setattr(transports, "send", lambda item: sent.append(item.package_id))
    item = services.enqueue(destination="D1", package_id="p", payload=b"x")
    assert services.claim_due(10, 120) == [item.pk]  # a worker claims it, then dies
    assert services.send_due() == {"sent": 0, "retrying": 0, "failed": 0}
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert services.send_due() == {"sent": 1, "retrying": 0, "failed": 0} and sent == ["p"]


def test_no_route_is_a_reason_kept_with_the_item(settings):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "000.", "url": "folder:///nowhere"}]
    item = services.enqueue(destination="H01", package_id="p", payload=b"x")
    services.send_due()
    item.refresh_from_db()
    assert "no route to H01" in item.last_error and item.state == "queued"


def test_longest_route_prefix_wins(settings):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "000.", "url": "folder:///a"},
                                        {"prefix": "000.00.", "url": "folder:///b"}, {"prefix": "", "url": "x:"}]
    assert transports.route_for("000.00.00.G22") == "folder:///b"
    assert transports.route_for("000.01") == "folder:///a"
    assert transports.route_for("H") == "x:"
