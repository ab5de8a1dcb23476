"""AMQP against the RabbitMQ on this machine, with a throw-away queue: publisher confirms, ack after the inbox
commit, a redelivered twin dropped, a refused message moved to <queue>.failed with its reason."""

import socket
import uuid

import pytest
from django.utils import timezone

from dieuhanh.gateway import hooks, inbound, services
from dieuhanh.gateway.models import InboxItem, OutboxItem
from dieuhanh.gateway.transports import amqp

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"


def _reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
        return True
    except OSError:
        return False


pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not _reachable(), reason="RabbitMQ is not reachable on 127.0.0.1:5672")]


@pytest.fixture
def queue_url(settings):
    name = f"dieuhanh-test-{uuid.uuid4().hex[:12]}"
    url = f"{BROKER}?queue={name}"
    yield url
    ch = amqp.channel(BROKER, name, "consume")
    ch.queue_delete(queue=name)
    ch.queue_delete(queue=f"{name}.failed")
    amqp.drop(BROKER, "consume")
    amqp.drop(BROKER, "publish")


def _count(url, suffix=""):
    broker, name = amqp.split(url)
    return amqp.channel(broker, name + suffix, "consume").queue_declare(queue=name + suffix, durable=True,
                                                                         passive=True).method.message_count


def test_published_with_confirms_and_received_once(settings, own_key, received, queue_url):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "000.", "url": queue_url}]
    settings.DIEUHANH_GATEWAY_INBOUND = [queue_url]
    for n in range(3):
        services.enqueue(destination="000.00.00.G22", package_id=f"A/{n}", payload=b"x" * (n + 1), kind="test")
    assert services.send_due() == {"sent": 3, "retrying": 0, "failed": 0}
    assert _count(queue_url) == 3  # durable, confirmed by the broker
    # a twin published again (a worker that died after the confirm and before marking it sent)
    OutboxItem.objects.filter(package_id="A/0").update(state="queued", next_attempt_at=timezone.now())
    assert services.send_due()["sent"] == 1
    assert inbound.read_inbound() == {"received": 3, "duplicates": 1, "refused": 0}
    assert sorted((a.package_id, a.source, a.transport, p) for p, a in received) == [
        ("A/0", "A", "amqp", b"x"), ("A/1", "A", "amqp", b"xx"), ("A/2", "A", "amqp", b"xxx")]
    assert _count(queue_url) == 0


def test_a_message_whose_handler_fails_is_not_lost_but_moved_with_its_reason(settings, own_key, received,
                                                                              queue_url, monkeypatch):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "", "url": queue_url}]

    def refuse(payload, arrival):
        raise RuntimeError("cannot store")

    hooks.register_receiver("test", refuse)
    services.enqueue(destination="X", package_id="A/1", payload=b"x", kind="test")
    services.send_due()
    assert amqp.read_queue(queue_url) == {"received": 0, "duplicates": 0, "refused": 1}
    assert not InboxItem.objects.exists()
    broker, name = amqp.split(queue_url)
    method, props, body = amqp.channel(broker, name, "consume").basic_get(queue=f"{name}.failed", auto_ack=True)
    assert body == b"x" and props.headers["x-dieuhanh-reason"] == "cannot store" and props.message_id == "A/1"


def test_a_message_from_an_unknown_installation_is_refused(settings, own_key, received, queue_url):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "", "url": queue_url}]
    services.enqueue(destination="X", package_id="A/1", payload=b"x", kind="test")
    services.send_due()
    settings.DIEUHANH_GATEWAY_PEERS = {}
    assert amqp.read_queue(queue_url)["refused"] == 1
    assert received == [] and _count(queue_url, ".failed") == 1


def test_an_unreachable_broker_is_a_reason_and_a_retry(settings):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "", "url": "amqp://guest:guest@127.0.0.1:1/%2F?queue=q"}]
    item = services.enqueue(destination="X", package_id="p", payload=b"x")
    assert services.send_due()["retrying"] == 1
    item.refresh_from_db()
    assert item.last_error.startswith("AMQP q: AMQPConnectionError")
