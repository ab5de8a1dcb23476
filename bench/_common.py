"""Helpers shared by the benchmarks: Django set-up on the configured database and percentile maths."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def percentile(samples, p):
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn, repeat):
    """Run ``fn`` ``repeat`` times; return latencies in milliseconds."""
    out = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name, samples_ms):
    print(f"{name:<48} n={len(samples_ms):<6} p50={statistics.median(samples_ms):7.2f} ms  "
          f"p95={percentile(samples_ms, 95):7.2f} ms  max={max(samples_ms):7.2f} ms")
