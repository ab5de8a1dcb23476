"""/api/v1/documents, /api/v1/deliveries, /api/v1/registers: the exchange API."""

from ninja import Router

router = Router(tags=["documents"])
