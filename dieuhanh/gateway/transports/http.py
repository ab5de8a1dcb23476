"""HTTP between two dieuhanh installations: POST the payload to the peer's /api/v1/gateway/inbox, signed with
this installation's Ed25519 key; the peer answers 200 once it holds the package (also for a duplicate)."""

from __future__ import annotations

import requests
from django.conf import settings

from .. import signing
from ..models import OutboxItem
from . import SendError

HEADER_SOURCE = "X-Dieuhanh-Installation"
HEADER_PACKAGE = "X-Dieuhanh-Package-Id"
HEADER_KIND = "X-Dieuhanh-Kind"
HEADER_SIGNATURE = "X-Dieuhanh-Signature"

_session: requests.Session | None = None


def session() -> requests.Session:
    global _session
    if _session is None:
        _session = requests.Session()
        _session.trust_env = False  # the peer is on our network: no proxy from the environment
    return _session


def signed_headers(*, package_id: str, kind: str, payload: bytes) -> dict[str, str]:
    return {HEADER_SOURCE: settings.DIEUHANH_INSTALLATION_ID, HEADER_PACKAGE: package_id, HEADER_KIND: kind,
            HEADER_SIGNATURE: signing.sign(package_id=package_id, kind=kind, payload=payload),
            "Content-Type": "application/octet-stream"}


class HttpTransport:
    def send(self, item: OutboxItem, url: str) -> None:
        payload = bytes(item.payload)
        headers = signed_headers(package_id=item.package_id, kind=item.kind, payload=payload)
        try:
            response = session().post(url, data=payload, headers=headers, timeout=(10, 120))
        except requests.RequestException as exc:
            raise SendError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code != 200:
            try:
                detail = response.json().get("detail", "")
            except ValueError:
                detail = response.text[:300]
            raise SendError(f"{url} answered {response.status_code}: {detail}")
