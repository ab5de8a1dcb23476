"""Receivers of arriving packages, by kind (gateway contract). The gateway knows no domain: the apps above it
register a handler (exchange registers "edxml") and the gateway calls it inside the transaction that records
the arrival in its inbox, so a package is handled at most once and a handler that raises leaves no inbox row."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from .models import Arrival, InboxItem

__all__ = ["Arrival", "NoReceiver", "deliver", "receiver_for", "register_receiver"]

Handler = Callable[[bytes, Arrival], None]

RECEIVERS: dict[str, Handler] = {}


class NoReceiver(Exception):
    """No app handles packages of this kind."""


def register_receiver(kind: str, handler: Handler) -> None:
    """``handler(payload, arrival)`` receives every package of ``kind``; a later registration replaces it."""
    RECEIVERS[kind] = handler


def receiver_for(kind: str) -> Handler | None:
    return RECEIVERS.get(kind)


def deliver(*, payload: bytes, arrival: Arrival) -> bool:
    """Record ``arrival`` in the inbox and hand it to its receiver, in one transaction. True when handled now,
    False for a package already handled (same source and package id): the caller acknowledges it as received.
    Raises NoReceiver for an unknown kind, and whatever the handler raises (nothing is recorded then)."""
    handler = RECEIVERS.get(arrival.kind)
    if handler is None:
        raise NoReceiver(arrival.kind)
    with transaction.atomic():
        if InboxItem.objects.filter(source=arrival.source, package_id=arrival.package_id).exists():
            return False
        try:
            with transaction.atomic():  # savepoint: a concurrent twin's row makes this insert fail, not the caller
                InboxItem.objects.create(source=arrival.source, package_id=arrival.package_id, kind=arrival.kind,
                                         transport=arrival.transport, size=len(payload))
        except IntegrityError:
            return False
        handler(payload, arrival)
    return True
