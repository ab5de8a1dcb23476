"""Network zones: the closed network (Party WAN) or the internet zone.

Documents marked Mật or above are refused over the internet zone, whatever the person's clearance. The zone comes
from the client address (``DIEUHANH_CLOSED_NETWORKS``) or, behind a trusted reverse proxy only, from the
``DIEUHANH_ZONE_HEADER`` header it sets. Outside a request (jobs, commands) the zone is the closed network.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

CLOSED = "closed"
INTERNET = "internet"

_current = ContextVar("dieuhanh_network_zone", default=CLOSED)


def current():
    return _current.get()


def _networks(value):
    return [ipaddress.ip_network(n.strip(), strict=False) for n in value if n.strip()]


def zone_of(request):
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
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.network_zone = zone_of(request)
        token = _current.set(request.network_zone)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
