"""Transports behind one small interface: ``send(item, url)`` returns when the peer holds the package and raises
SendError with a reason otherwise. Which transport reaches which organ comes from DIEUHANH_GATEWAY_ROUTES."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings

from ..models import OutboxItem


class SendError(Exception):
    """The package did not reach the peer; str() is the reason kept in last_error."""


class Transport(Protocol):
    def send(self, item: OutboxItem, url: str) -> None: ...


def route_for(destination: str) -> str:
    """The URL of the longest route prefix that ``destination`` starts with; SendError when none does."""
    best = None
    for route in settings.DIEUHANH_GATEWAY_ROUTES or []:
        prefix = str(route.get("prefix", ""))
        if destination.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, str(route.get("url", "")))
    if best is None or not best[1]:
        raise SendError(f"no route to {destination} (DIEUHANH_GATEWAY_ROUTES)")
    return best[1]


def transport_for(url: str) -> Transport:
    # function-level imports: each transport loads its client library only when a route uses it
    scheme = url.split(":", 1)[0].lower()
    if scheme == "folder":
        from . import folder  # lazy: its client library loads only when used
        return folder.FolderTransport()
    if scheme in ("http", "https"):
        from . import http  # lazy: its client library loads only when used
        return http.HttpTransport()
    if scheme in ("amqp", "amqps"):
        from . import amqp  # lazy: its client library loads only when used
        return amqp.AmqpTransport()
    raise SendError(f"unknown transport {scheme!r} in route {url}")


def send(item: OutboxItem) -> None:
    url = route_for(item.destination)
    transport_for(url).send(item, url)
