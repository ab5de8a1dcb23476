"""The gateway hands arrivals of kind "edxml" to exchange (gateway contract: gateway.hooks.register_receiver)."""

from __future__ import annotations

import logging
from typing import Any

from dieuhanh.gateway import hooks as gateway_hooks

from .services import receive_package

log = logging.getLogger(__name__)


def handle_arrival(payload: bytes, arrival: Any) -> None:
    """Called by the gateway inside the transaction that records the arrival in its inbox: a package that cannot
    be read is recorded as refused (with its reason) rather than raised, so the gateway does not retry it."""
    receive_package(data=payload, source="gateway",
                    source_ref=f"{getattr(arrival, 'source', '')}/{getattr(arrival, 'package_id', '')}"[:500])


def register() -> None:
    gateway_hooks.register_receiver("edxml", handle_arrival)
