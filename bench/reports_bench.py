"""Leaders' figures at scale (issue 16): time the full refresh of the rollups (daily rows and subtree totals), an
incremental refresh, and the dashboard's three reads (unit_figures, child_figures, a 12-month monthly_series) of the
root and of a province, over a month and over a year.

Two ways to run it:
    # the issue's scale, seeded once by bench/seed_reports_big.py (kept; this script only reads and refreshes)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh_bench_big .venv/bin/python bench/reports_bench.py \
        --existing [--repeat 50] [--skip-full]
    # a small scratch database seeded here through the ORM (rows are not removed)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_bench .venv/bin/python bench/reports_bench.py \
        [--units 200] [--deliveries 20000] [--repeat 100]
"""

import argparse
import datetime
import random
import time

from _common import report, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--existing", action="store_true", help="read the tree seeded by seed_reports_big.py")
    parser.add_argument("--skip-full", action="store_true", help="keep the stored rollups (no full refresh)")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from dieuhanh.operations.demo import bootstrap_admin
    from dieuhanh.reorg.models import ReassignmentTrace
    from dieuhanh.reports import rollups, selectors, services
    from dieuhanh.reports.models import DailyFigure, RefreshState, SubtreeFigure
    from dieuhanh.reports.testing import seed
    from dieuhanh.units.models import Unit
    from dieuhanh.units.services import seed_synthetic_tree

    admin = bootstrap_admin()
    today = timezone.localdate()
    if args.existing:
        root = Unit.objects.get(code="BIG0")
        units = list(Unit.objects.filter(path__startswith=root.path).only("pk", "path"))
        print(f"database: {connection.vendor}; existing tree of {len(units)} units")
    else:
        prefix = f"R{random.randrange(36 ** 3):03x}"[:4]
        root, created = seed_synthetic_tree(actor=admin, count=args.units, code_prefix=prefix)
        units = list(Unit.objects.filter(path__startswith=root.path))
        start = time.perf_counter()
        # deliveries are ~1 per issued document in the seed: one issued document per delivery wanted
        counts = seed(units, admin, per_unit=max(1, args.deliveries // len(units)), today=today, span_days=365)
        print(f"database: {connection.vendor}; {created} units; seeded {counts} in {time.perf_counter() - start:.1f}s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    if not args.skip_full:
        start = time.perf_counter()
        cells = services.refresh(unit_ids=None, days=None, today=today)
        print(f"full refresh: {cells} daily cells, {SubtreeFigure.objects.count()} subtree rows in "
              f"{time.perf_counter() - start:.1f}s", flush=True)
        start = time.perf_counter()
        rows = rollups.rebuild(unit_ids=None, days=None)
        print(f"  of which the subtree totals alone (day and month rows, all units): {rows} rows in "
              f"{time.perf_counter() - start:.1f}s", flush=True)
        # the job's state as its first (full) run leaves it: the next runs are incremental
        RefreshState.objects.update_or_create(pk=1, defaults={
            "as_of": today, "tree_digest": rollups.tree_digest(), "refreshed_at": timezone.now(),
            "last_trace_id": ReassignmentTrace.objects.order_by("-pk").values_list("pk", flat=True).first() or 0})
    start = time.perf_counter()
    print(f"job run with nothing to do: {services.refresh_changed(today=today)} in "
          f"{time.perf_counter() - start:.2f}s", flush=True)
    rng = random.Random(16)
    sample = rng.sample(units, min(50, len(units)))
    days = [today - datetime.timedelta(days=d) for d in range(0, 30)]
    start = time.perf_counter()
    cells = services.refresh(unit_ids=[u.pk for u in sample], days=days, today=today)
    print(f"incremental refresh of {len(sample)} units x {len(days)} days (and their ancestors' subtree rows): "
          f"{cells} cells in {time.perf_counter() - start:.2f}s", flush=True)
    start = time.perf_counter()
    cells = services.refresh(unit_ids=[sample[0].pk], days=[today], today=today)
    print(f"incremental refresh of 1 unit x 1 day: {cells} cells in {time.perf_counter() - start:.3f}s", flush=True)
    print(f"rows: {DailyFigure.objects.count()} daily, {SubtreeFigure.objects.count()} subtree")

    province = Unit.objects.filter(parent=root).order_by("id").first() or root
    month = (today.replace(day=1), today)
    year = (today - datetime.timedelta(days=364), today)
    series_from = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)

    def dashboard(unit, period):
        def run(_i):
            selectors.unit_figures(admin, unit, *period)
            selectors.child_figures(admin, unit, *period)
            selectors.monthly_series(admin, unit, series_from, months=12)
        return run

    for label, unit in ((f"root ({len(units)} units)", root), ("province", province)):
        for name, period in (("this month", month), ("1 year", year)):
            report(f"dashboard {label}, {name}", timed(dashboard(unit, period), args.repeat))
        report(f"  unit_figures {label}, 1 year", timed(lambda i, u=unit: selectors.unit_figures(admin, u, *year),
                                                         args.repeat))
        report(f"  child_figures {label}, 1 year", timed(lambda i, u=unit: selectors.child_figures(admin, u, *year),
                                                          args.repeat))
        report(f"  monthly_series {label}, 12 months",
               timed(lambda i, u=unit: selectors.monthly_series(admin, u, series_from, months=12), args.repeat))


if __name__ == "__main__":
    main()
