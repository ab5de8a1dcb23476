"""Prometheus metrics in the text exposition format (version 0.0.4), written by hand: no dependency.

- ``RequestMetricsMiddleware`` counts requests by route template (``documents/<int:pk>/``, never the raw path, so
  the series stay few) and status, with a latency histogram. The figures live in the worker process: with several
  gunicorn workers each answers for itself, so Prometheus sums them when it scrapes each node (or the operator
  runs one worker per node and several threads; docs/deployment.md).
- Gauges that need a higher layer's data (the exchange backlog) are registered by that layer with
  ``register_collector``; the kernel knows no domain app.
- Job failures are counted by a huey signal into the queue's own storage, so the count made in the worker
  process can be read by the web process (``install_huey_signals``).
"""

from __future__ import annotations

import bisect
import ipaddress
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# seconds; the 0.05/0.2/0.5 bounds match the targets in docs/performance.md
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
JOB_FAILURES_KEY = "dieuhanh:metrics:job_failures"

# (name, help, type, function returning [(labels, value)]) in registration order
Sample = tuple[dict[str, str], float]
COLLECTORS: dict[str, tuple[str, str, Callable[[], Iterable[Sample]]]] = {}


class _Requests:
    """Counts and histogram buckets per (method, route, status); one lock, held for a few dictionary updates."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, str, str], int] = {}
        self.latency: dict[tuple[str, str], list[float]] = {}  # (method, route) -> bucket counts + [sum, count]

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self.lock:
            key = (method, route, str(status))
            self.counts[key] = self.counts.get(key, 0) + 1
            hist = self.latency.setdefault((method, route), [0.0] * (len(BUCKETS) + 2))
            index = bisect.bisect_left(BUCKETS, seconds)
            if index < len(BUCKETS):
                hist[index] += 1
            hist[-2] += seconds
            hist[-1] += 1

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()
            self.latency.clear()


REQUESTS = _Requests()


def register_collector(name: str, help_text: str, kind: str, collect: Callable[[], Iterable[Sample]]) -> None:
    """Add a metric family read at scrape time; ``collect`` returns (labels, value) pairs. Registering a name again
    replaces it (app reloads in tests)."""
    if kind not in ("gauge", "counter"):
        raise ValueError(kind)
    COLLECTORS[name] = (help_text, kind, collect)


def route_of(request: HttpRequest) -> str:
    """The route template that matched, or a fixed label for none (a 404 must not add a series per path)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not getattr(match, "route", None):
        return "<unmatched>"
    return "/" + str(match.route).lstrip("^")


class RequestMetricsMiddleware:
    """Outermost middleware: times everything the request costs, including the 503 the database guard returns."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        REQUESTS.observe(request.method or "", route_of(request), response.status_code, time.perf_counter() - start)
        return response


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(str(val))}"' for key, val in labels.items()) + "}"


def _number(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _huey() -> Any:
    # the queue object exists only once Django's settings are loaded
    from huey.contrib.djhuey import HUEY  # type: ignore[import-untyped]

    return HUEY


def _queue_depth() -> Iterable[Sample]:
    return [({}, float(_huey().pending_count()))]


def record_job_failure(signal: str, task: Any, exc: BaseException | None = None) -> None:
    """huey SIGNAL_ERROR handler: one more failure for the task's name, kept in the queue storage (Redis hash or
    the SQLite queue's key-value table) so every process reads the same figure."""
    huey = _huey()
    name = getattr(task, "name", "unknown")
    conn = getattr(huey.storage, "conn", None)
    if conn is not None and hasattr(conn, "hincrby"):
        conn.hincrby(JOB_FAILURES_KEY, name, 1)
        return
    with _failures_lock:
        counts = _stored_failures()
        counts[name] = counts.get(name, 0) + 1
        huey.storage.put_data(JOB_FAILURES_KEY, _encode(counts))


_failures_lock = threading.Lock()


def _encode(counts: dict[str, int]) -> bytes:
    return "\n".join(f"{name}\t{count}" for name, count in sorted(counts.items())).encode()


def _stored_failures() -> dict[str, int]:
    huey = _huey()
    conn = getattr(huey.storage, "conn", None)
    if conn is not None and hasattr(conn, "hgetall"):
        return {key.decode(): int(val) for key, val in conn.hgetall(JOB_FAILURES_KEY).items()}
    raw = huey.storage.peek_data(JOB_FAILURES_KEY)
    if not isinstance(raw, bytes) or not raw:
        return {}
    pairs = (line.split("\t") for line in raw.decode().splitlines() if "\t" in line)
    return {name: int(count) for name, count in pairs}


def _job_failures() -> Iterable[Sample]:
    return [({"task": name}, float(count)) for name, count in sorted(_stored_failures().items())]


def install_huey_signals() -> None:
    """Count job failures (called from KernelConfig.ready; connecting twice is harmless)."""
    from huey.signals import SIGNAL_ERROR  # type: ignore[import-untyped]

    signal = _huey()._signal  # noqa: SLF001 - huey offers connect but no way to ask what is connected
    if record_job_failure not in signal.receivers.get(SIGNAL_ERROR, []):
        signal.connect(record_job_failure, SIGNAL_ERROR)


register_collector("dieuhanh_huey_queue_depth", "Jobs waiting in the huey queue.", "gauge", _queue_depth)
register_collector("dieuhanh_job_failures_total", "Background jobs that raised, by task.", "counter", _job_failures)


def exposition() -> str:
    """Every metric family in the text format."""
    lines: list[str] = []
    with REQUESTS.lock:
        counts = dict(REQUESTS.counts)
        latency = {key: list(val) for key, val in REQUESTS.latency.items()}
    lines += ["# HELP dieuhanh_http_requests_total Requests answered, by method, route template and status.",
              "# TYPE dieuhanh_http_requests_total counter"]
    for (method, route, status), count in sorted(counts.items()):
        lines.append(f"dieuhanh_http_requests_total{_labels({'method': method, 'route': route, 'status': status})}"
                     f" {count}")
    lines += ["# HELP dieuhanh_http_request_duration_seconds Time to answer, by method and route template.",
              "# TYPE dieuhanh_http_request_duration_seconds histogram"]
    for (method, route), hist in sorted(latency.items()):
        running = 0.0
        for bound, in_bucket in zip((*BUCKETS, float("inf")), [*hist[:len(BUCKETS)], 0.0], strict=True):
            running += in_bucket
            value = hist[-1] if bound == float("inf") else running
            labels = _labels({"method": method, "route": route, "le": _number(bound)})
            lines.append(f"dieuhanh_http_request_duration_seconds_bucket{labels} {_number(value)}")
        base = _labels({"method": method, "route": route})
        lines.append(f"dieuhanh_http_request_duration_seconds_sum{base} {hist[-2]!r}")
        lines.append(f"dieuhanh_http_request_duration_seconds_count{base} {_number(hist[-1])}")
    for name, (help_text, kind, collect) in COLLECTORS.items():
        try:
            samples = list(collect())
        except Exception:  # noqa: BLE001 - one unreadable source (a stopped Redis) must not hide the others
            lines += [f"# HELP {name} {help_text} (unavailable at this scrape)", f"# TYPE {name} {kind}"]
            continue
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        lines += [f"{name}{_labels(labels)} {_number(value)}" for labels, value in samples]
    return "\n".join(lines) + "\n"


def scrape_allowed(request: HttpRequest) -> bool:
    """DIEUHANH_METRICS_TOKEN set: only ``Authorization: Bearer <token>``. Unset: only the local machine (a
    scraper on another host needs the token)."""
    token = getattr(settings, "DIEUHANH_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return given.startswith("Bearer ") and secrets.compare_digest(given[7:].encode(), token.encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
