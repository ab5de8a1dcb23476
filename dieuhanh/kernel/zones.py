"""Network zones: the closed network (Party WAN) or the internet zone.

Documents marked Mật or above are refused over the internet zone, whatever the person's clearance. The zone comes
from the client address (``DIEUHANH_CLOSED_NETWORKS``) or, behind a trusted reverse proxy only, from the
``DIEUHANH_ZONE_HEADER`` header it sets. Outside a request (jobs, commands) the zone is the closed network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from ipaddress import IPv4Network, IPv6Network

    from django.http import HttpRequest, HttpResponse

CLOSED = "closed"
INTERNET = "internet"

_current = ContextVar("dieuhanh_network_zone", default=CLOSED)


def current() -> str:
    """The zone of the request being served (the closed network outside a request)."""
    return _current.get()


@contextmanager
def in_zone(zone: str) -> Iterator[None]:
    """Serve what runs inside as if the request came from ``zone`` (the middleware's scope; tests, jobs)."""
    token = _current.set(zone)
    try:
        yield
    finally:
        _current.reset(token)


def _networks(value: str | Iterable[str]) -> list[IPv4Network | IPv6Network]:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in value if n.strip()]


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind a trusted reverse proxy (DIEUHANH_TRUSTED_PROXIES) every request comes from
    the proxy, so the nearest untrusted address it recorded in X-Forwarded-For is taken instead."""
    proxies = _networks(settings.DIEUHANH_TRUSTED_PROXIES)

    def trusted(value: str) -> bool:
        try:
            return any(ipaddress.ip_address(value) in net for net in proxies)
        except ValueError:
            return False

    remote = request.META.get("REMOTE_ADDR", "")
    if proxies and trusted(remote):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        for value in reversed(forwarded):
            if not trusted(value):
                return value[:100]
    return remote[:100]


def zone_of(request: HttpRequest) -> str:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return INTERNET  # an address we cannot read is not trusted
    header = settings.DIEUHANH_ZONE_HEADER
    if header and any(address in net for net in _networks(settings.DIEUHANH_TRUSTED_PROXIES)):
        value = request.headers.get(header, "").strip().lower()
        return CLOSED if value == CLOSED else INTERNET
    return CLOSED if any(address in net for net in _networks(settings.DIEUHANH_CLOSED_NETWORKS)) else INTERNET


class NetworkZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = zone_of(request)
        request.network_zone = zone  # type: ignore[attr-defined]  # an attribute of our own, read by views
        with in_zone(zone):
            return self.get_response(request)
