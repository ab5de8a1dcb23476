"""Inbox: each package handled once; a handler that raises leaves nothing recorded."""

import pytest

from dieuhanh.gateway import hooks
from dieuhanh.gateway.models import Arrival, InboxItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(monkeypatch):
    monkeypatch.setattr(hooks, "RECEIVERS", {})
    seen = []
    hooks.register_receiver("test", lambda payload, arrival: seen.append((payload, arrival)))
    return seen


def test_a_duplicate_delivery_is_handled_once(handled):
    arrival = Arrival(package_id="p1", source="A", transport="http", kind="test")
    assert hooks.deliver(payload=b"x", arrival=arrival) is True
    assert hooks.deliver(payload=b"x", arrival=arrival) is False
    assert hooks.deliver(payload=b"x", arrival=Arrival("p1", "B", "http", "test")) is True  # another source
    assert [a.source for _, a in handled] == ["A", "B"]
    row = InboxItem.objects.get(source="A")
    assert (row.package_id, row.kind, row.transport, row.size) == ("p1", "test", "http", 1)


def test_a_handler_that_raises_records_nothing_and_the_next_delivery_is_handled(monkeypatch):
    monkeypatch.setattr(hooks, "RECEIVERS", {})
    outcomes = [RuntimeError("disk full"), None]
    seen = []

    def flaky(payload, arrival):
        outcome = outcomes.pop(0)
        InboxItem.objects.create(source="side-effect", package_id=str(len(outcomes)), kind="x", transport="x")
        if outcome:
            raise outcome
        seen.append(arrival.package_id)

    hooks.register_receiver("test", flaky)
    arrival = Arrival(package_id="p1", source="A", transport="amqp", kind="test")
    with pytest.raises(RuntimeError):
        hooks.deliver(payload=b"x", arrival=arrival)
    assert not InboxItem.objects.exists()  # neither the inbox row nor the handler's own write
    assert hooks.deliver(payload=b"x", arrival=arrival) is True
    assert hooks.deliver(payload=b"x", arrival=arrival) is False
    assert seen == ["p1"]


def test_an_unknown_kind_is_refused(handled):
    with pytest.raises(hooks.NoReceiver):
        hooks.deliver(payload=b"x", arrival=Arrival("p", "A", "http", "nope"))
    assert not InboxItem.objects.exists()
