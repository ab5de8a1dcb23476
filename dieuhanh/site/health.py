"""The load balancer's health check and the Prometheus scrape (issue 21; docs/deployment.md "Monitoring").

GET /healthz and /api/v1/health need no sign-in and say nothing secret: one line per check (database, Redis when
REDIS_URL is set, the file store) with "ok" or "fail" and the error's class name, never its message (which may
carry a host name or a path). 200 when every check passes; 503 with Retry-After when one fails, so haproxy takes
the node out of rotation until it answers again.

GET /metrics: kernel/metrics.py's exposition, plus the exchange backlog (gateway outbox items queued and failed),
which lives here because the kernel may not read a domain app.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dieuhanh.gateway import selectors as gateway_selectors
from dieuhanh.gateway.models import OutboxState
from dieuhanh.kernel import dbguard, metrics

PROBE_DIR = "health"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")
    if connection.vendor == "postgresql":
        # a standby answers SELECT 1 but refuses writes: a node pointed at one is not healthy
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            row = cursor.fetchone()
            if row is not None and row[0]:
                raise RuntimeError("read-only standby")


def check_redis() -> None:
    import redis  # optional: present only where REDIS_URL is configured

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        if not client.ping():
            raise RuntimeError("no pong")
    finally:
        client.close()


def check_files() -> None:
    """Write, read back and delete a small file in the default storage (the shared folder or S3 bucket)."""
    name = default_storage.save(f"{PROBE_DIR}/{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise RuntimeError("read back differs")
    finally:
        default_storage.delete(name)


def checks() -> dict[str, Callable[[], None]]:
    found: dict[str, Callable[[], None]] = {"database": check_database}
    if getattr(settings, "REDIS_URL", ""):
        found["redis"] = check_redis
    found["files"] = check_files
    return found


def run_checks() -> tuple[bool, dict[str, dict[str, object]]]:
    results: dict[str, dict[str, object]] = {}
    healthy = True
    for name, check in checks().items():
        start = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure makes the check fail; the class name is reported
            healthy = False
            results[name] = {"status": "fail", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
        results[name]["ms"] = round((time.perf_counter() - start) * 1000, 1)
    if not healthy:
        dbguard.drop_broken_connections()
    return healthy, results


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    healthy, results = run_checks()
    response = JsonResponse({"status": "ok" if healthy else "fail", "checks": results},
                            status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(dbguard.RETRY_AFTER_SECONDS)
    return response


def _exchange_backlog() -> Iterable[metrics.Sample]:
    counts = dict.fromkeys((OutboxState.QUEUED, OutboxState.SENDING, OutboxState.FAILED), 0)
    for state in counts:
        # counts of one state each, on the (state, next_attempt_at) index; the backlog stays small by design
        counts[state] = gateway_selectors.outbox_items(states=[state]).count()
    return [({"state": str(state)}, float(count)) for state, count in counts.items()]


metrics.register_collector("dieuhanh_exchange_backlog", "Gateway outbox items not yet delivered, by state.",
                           "gauge", _exchange_backlog)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.scrape_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
