"""AMQP (RabbitMQ) for installations on one network: the sender publishes to a durable queue with publisher
confirms (the broker holds the package when publish returns); the receiver takes messages one by one and acks
each after the inbox commit, so a crash redelivers and the inbox drops the twin. A message that cannot be
handled goes to ``<queue>.failed`` with its reason in the headers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pika
import pika.exceptions
from django.conf import settings

from .. import signing
from ..hooks import deliver
from ..models import Arrival, OutboxItem
from . import SendError

log = logging.getLogger(__name__)
_channels: dict[tuple[str, str], Any] = {}


def split(url: str) -> tuple[str, str]:
    """(broker URL without our ``queue`` parameter, queue name)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    queue = next((v for k, v in query if k == "queue"), "")
    if not queue:
        raise SendError(f"{url}: no ?queue= in the AMQP route")
    rest = urlencode([(k, v) for k, v in query if k != "queue"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), queue


def channel(broker: str, queue: str, role: str) -> Any:
    key = (role, broker)
    ch = _channels.get(key)
    if ch is None or ch.is_closed or ch.connection.is_closed:
        params = pika.URLParameters(broker)
        params.socket_timeout = 10
        params.blocked_connection_timeout = 30
        connection = pika.BlockingConnection(params)
        ch = connection.channel()
        if role == "publish":
            ch.confirm_delivery()
        _channels[key] = ch
    ch.queue_declare(queue=queue, durable=True)
    return ch


def drop(broker: str, role: str) -> None:
    ch = _channels.pop((role, broker), None)
    if ch is not None:
        try:
            ch.connection.close()
        except Exception:  # already gone
            pass


class AmqpTransport:
    def send(self, item: OutboxItem, url: str) -> None:
        broker, queue = split(url)
        payload = bytes(item.payload)
        props = pika.BasicProperties(
            delivery_mode=2, message_id=item.package_id, type=item.kind, app_id=settings.DIEUHANH_INSTALLATION_ID,
            headers={"signature": signing.sign(package_id=item.package_id, kind=item.kind, payload=payload)})
        try:
            channel(broker, queue, "publish").basic_publish(exchange="", routing_key=queue, body=payload,
                                                            properties=props, mandatory=True)
        except (pika.exceptions.AMQPError, OSError) as exc:
            drop(broker, "publish")
            raise SendError(f"AMQP {queue}: {exc.__class__.__name__}: {exc}") from exc


def _refuse(ch: Any, queue: str, method: Any, props: Any, body: bytes, reason: str) -> None:
    headers = dict(props.headers or {})
    headers["x-dieuhanh-reason"] = reason[:1000]
    ch.queue_declare(queue=f"{queue}.failed", durable=True)
    ch.basic_publish(exchange="", routing_key=f"{queue}.failed", body=body, properties=pika.BasicProperties(
        delivery_mode=2, message_id=props.message_id, type=props.type, app_id=props.app_id, headers=headers))
    ch.basic_ack(method.delivery_tag)
    log.warning("gateway: AMQP %s message %s refused: %s", queue, props.message_id, reason)


def read_queue(url: str, *, limit: int = 1000) -> dict[str, int]:
    """Take up to ``limit`` waiting messages: verify the sender's signature, hand each to its receiver, ack
    after the inbox commit."""
    counts = {"received": 0, "duplicates": 0, "refused": 0}
    broker, queue = split(url)
    try:
        ch = channel(broker, queue, "consume")
        for _ in range(limit):
            method, props, body = ch.basic_get(queue=queue, auto_ack=False)
            if method is None:
                break
            source, package_id, kind = props.app_id or "", props.message_id or "", props.type or ""
            signature = str((props.headers or {}).get("signature", ""))
            if not (source and package_id and kind):
                _refuse(ch, queue, method, props, body, "missing app_id, message_id or type")
                counts["refused"] += 1
                continue
            try:
                signing.verify(source=source, package_id=package_id, kind=kind, payload=body, signature=signature)
                fresh = deliver(payload=body, arrival=Arrival(package_id=package_id, source=source,
                                                              transport="amqp", kind=kind))
            except signing.UnknownPeer:
                _refuse(ch, queue, method, props, body, f"unknown installation {source!r}")
                counts["refused"] += 1
                continue
            except signing.BadSignature:
                _refuse(ch, queue, method, props, body, "bad signature")
                counts["refused"] += 1
                continue
            except Exception as exc:  # the receiver's reason
                _refuse(ch, queue, method, props, body, str(exc) or exc.__class__.__name__)
                counts["refused"] += 1
                continue
            ch.basic_ack(method.delivery_tag)
            counts["received" if fresh else "duplicates"] += 1
    except (pika.exceptions.AMQPError, OSError) as exc:
        drop(broker, "consume")
        log.warning("gateway: AMQP %s unreadable: %s", queue, exc)
    return counts
