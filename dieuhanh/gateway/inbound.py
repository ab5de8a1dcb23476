"""Read what arrived by folder and AMQP (DIEUHANH_GATEWAY_INBOUND); HTTP arrivals come in through api.py."""

from __future__ import annotations

from django.conf import settings


def read_inbound(*, limit: int = 1000) -> dict[str, int]:
    # function-level imports: a transport's client library loads only when an inbound URL uses it
    totals = {"received": 0, "duplicates": 0, "refused": 0}
    for url in settings.DIEUHANH_GATEWAY_INBOUND or []:
        scheme = str(url).split(":", 1)[0].lower()
        if scheme == "folder":
            from .transports import folder  # lazy: its client library loads only when used
            counts = folder.read_folder(folder.folder_of(url), limit=limit)
        elif scheme in ("amqp", "amqps"):
            from .transports import amqp  # lazy: its client library loads only when used
            counts = amqp.read_queue(url, limit=limit)
        else:
            continue
        for key, value in counts.items():
            totals[key] += value
    return totals
