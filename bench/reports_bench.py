"""Leaders' figures at scale (issue 16): seed N units and about M deliveries (with as many incoming registrations,
issued documents and tasks), then time the full refresh of the rollups, an incremental refresh, and reading the
figures of the root, of a unit one level down (a province) and of its children.

Run on a scratch database (the rows are not removed):
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
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from dieuhanh.operations.demo import bootstrap_admin
    from dieuhanh.reports import selectors, services
    from dieuhanh.reports.models import DailyFigure
    from dieuhanh.reports.testing import seed
    from dieuhanh.units.models import Unit
    from dieuhanh.units.services import seed_synthetic_tree

    admin = bootstrap_admin()
    prefix = f"R{random.randrange(36 ** 3):03x}"[:4]
    root, created = seed_synthetic_tree(actor=admin, count=args.units, code_prefix=prefix)
    units = list(Unit.objects.filter(path__startswith=root.path))
    today = timezone.localdate()
    start = time.perf_counter()
    # deliveries are ~1 per issued document in the seed: one issued document per delivery wanted
    counts = seed(units, admin, per_unit=max(1, args.deliveries // len(units)), today=today, span_days=365)
    seed_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}; {created} units; seeded {counts} in {seed_s:.1f}s")

    start = time.perf_counter()
    cells = services.refresh(unit_ids=None, days=None, today=today)
    print(f"full refresh: {cells} cells ({DailyFigure.objects.count()} rows) in {time.perf_counter() - start:.2f}s")
    services.refresh_changed(today=today)  # sets the state: the next runs are incremental
    rng = random.Random(16)
    sample = rng.sample(units, min(50, len(units)))
    days = [today - datetime.timedelta(days=d) for d in range(0, 30)]
    start = time.perf_counter()
    cells = services.refresh(unit_ids=[u.pk for u in sample], days=days, today=today)
    print(f"incremental refresh of {len(sample)} units x {len(days)} days: {cells} cells in "
          f"{time.perf_counter() - start:.2f}s")

    province = Unit.objects.filter(parent=root).order_by("id").first() or root
    year = (today - datetime.timedelta(days=364), today)
    report(f"unit_figures root ({len(units)} units), 1 year",
           timed(lambda i: selectors.unit_figures(admin, root, *year), args.repeat))
    report("unit_figures province, 1 year", timed(lambda i: selectors.unit_figures(admin, province, *year),
                                                  args.repeat))
    report("child_figures root, 1 year", timed(lambda i: selectors.child_figures(admin, root, *year), args.repeat))
    report("child_figures province, 1 month",
           timed(lambda i: selectors.child_figures(admin, province, today - datetime.timedelta(days=30), today),
                 args.repeat))


if __name__ == "__main__":
    main()
