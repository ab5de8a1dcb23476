"""The gateway hands arrivals of kind "edxml" to exchange (gateway contract: gateway.hooks.register_receiver)."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from .services import receive_package

try:  # by name: the gateway's hooks ship in the same wave (another helper's work)
    gateway_hooks: Any = importlib.import_module("dieuhanh.gateway.hooks")
except ImportError:  # pragma: no cover
    gateway_hooks = None

log = logging.getLogger(__name__)


def handle_arrival(payload: bytes, arrival: Any) -> None:
    """Called by the gateway inside the transaction that records the arrival in its inbox: a package that cannot
    be read is recorded as refused (with its reason) rather than raised, so the gateway does not retry it."""
    receive_package(data=payload, source="gateway",
                    source_ref=f"{getattr(arrival, 'source', '')}/{getattr(arrival, 'package_id', '')}"[:500])


def register() -> None:
    if gateway_hooks is None or not hasattr(gateway_hooks, "register_receiver"):  # pragma: no cover
        log.warning("gateway.hooks.register_receiver is missing: edXML arrivals are not wired")
        return
    gateway_hooks.register_receiver("edxml", handle_arrival)
