"""Unit directory at scale: seed N units (default 50,000) and time subtree, search and page queries.

Run: .venv/bin/python bench/units_bench.py [--units 50000]   (DATABASE_URL selects PostgreSQL)
"""

import argparse
import random
import time

from _common import report, setup_django, timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from dieuhanh.operations.demo import bootstrap_admin
    from dieuhanh.units import selectors
    from dieuhanh.units.models import Unit
    from dieuhanh.units.services import seed_synthetic_tree

    start = time.perf_counter()
    root, created = seed_synthetic_tree(actor=bootstrap_admin(), count=args.units, code_prefix="B")
    seed_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE units_unit")
    print(f"database: {connection.vendor}; seeded {created} units in {seed_s:.1f}s ({created / seed_s:.0f}/s)")
    rng = random.Random(7)
    subtree_ids = list(Unit.objects.filter(path__startswith=root.path).values_list("depth", "id"))
    by_depth = {}
    for depth, pk in subtree_ids:
        by_depth.setdefault(depth, []).append(pk)
    for depth in sorted(by_depth)[1:4]:
        nodes = [Unit.objects.get(pk=pk) for pk in rng.sample(by_depth[depth], min(50, len(by_depth[depth])))]
        sizes = []

        def run(i, nodes=nodes, sizes=sizes):
            sizes.append(len(list(selectors.subtree(nodes[i % len(nodes)]).values_list("id", flat=True))))

        samples = timed(run, args.repeat)
        report(f"subtree ids, depth {depth} (~{sum(sizes) // len(sizes)} units)", samples)
    words = ["thu nghiem 123", "don vi 4567", "cap 3", "nghiem 99"]
    report("search folded text, first page of 50",
           timed(lambda i: selectors.unit_page(query=words[i % len(words)], limit=50).items, args.repeat))
    page = selectors.unit_page(within=root, limit=50)
    cursors = []
    for _ in range(20):
        cursors.append(page.next_cursor)
        page = selectors.unit_page(within=root, limit=50, cursor=page.next_cursor)
    report("keyset page of 50 in a subtree (deep pages)",
           timed(lambda i: selectors.unit_page(within=root, limit=50, cursor=cursors[i % len(cursors)]).items,
                 args.repeat))
    # clean up so the benchmark can run again on the same database
    from dieuhanh.audit.models import AuditEvent

    AuditEvent.objects.filter(object_type="units.unit", object_id=str(root.pk)).delete()
    Unit.objects.filter(path__startswith=root.path).update(parent=None)
    Unit.objects.filter(path__startswith=root.path).delete()


if __name__ == "__main__":
    main()
