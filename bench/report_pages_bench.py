"""The standard reports at scale (issue 16): p95 of each report page (the whole request: the grouped queries, the
template) for a province over a year, and the time of an .xlsx export of a year for that province.

On an existing big database (rows left by reports_bench.py or another seeder), measure only:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh_bench_big .venv/bin/python bench/report_pages_bench.py \
        --no-seed [--repeat 20]
On a scratch database, seed first (the rows are not removed):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_rrep_bench .venv/bin/python bench/report_pages_bench.py \
        [--units 1000] [--per-unit 100] [--repeat 20]
The province is the child of the first root with the largest subtree."""

import argparse
import datetime
import os
import random
import time

from _common import report, setup_django, timed


def _events(today: datetime.date) -> int:
    """Exchange events for the seeded copies (the seed writes none): most accepted (03) the same or a later day,
    some refused (02), some recalled (13)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM documents_deliveryevent")
        if cursor.fetchone()[0]:
            return 0
    from django.utils import timezone

    from dieuhanh.documents.models import Delivery, DeliveryEvent

    rng = random.Random(16)
    made = 0
    batch = []
    for pk, created in Delivery.objects.exclude(channel="paper").values_list("pk", "created_at").iterator(
            chunk_size=5000):
        fate = rng.random()
        status = "03" if fate < 0.85 else ("02" if fate < 0.93 else "13")
        at = created + datetime.timedelta(days=rng.choice((0, 0, 1, 2, 5)), hours=3)
        batch.append(DeliveryEvent(delivery_id=pk, status=status, kind="status", at=min(at, timezone.now())))
        if len(batch) >= 5000:
            DeliveryEvent.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    DeliveryEvent.objects.bulk_create(batch)
    return made + len(batch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--per-unit", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DIEUHANH_2FA_ENFORCED", "0")  # the pages, not the sign-in, are measured
    setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone, translation

    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.documents.models import Delivery, DeliveryEvent
    from dieuhanh.operations.demo import bootstrap_admin
    from dieuhanh.reports import exports, services, standard
    from dieuhanh.reports.models import DailyFigure
    from dieuhanh.reports.testing import seed
    from dieuhanh.units.models import Unit
    from dieuhanh.units.services import seed_synthetic_tree

    today = timezone.localdate()
    admin = bootstrap_admin()
    if not args.no_seed:
        prefix = f"P{random.randrange(36 ** 3):03x}"[:4]
        root, created = seed_synthetic_tree(actor=admin, count=args.units, code_prefix=prefix)
        units = list(Unit.objects.filter(path__startswith=root.path))
        start = time.perf_counter()
        # a year of data: the deliveries' creation day follows the issue day
        counts = seed(units, admin, per_unit=args.per_unit, today=today, span_days=365)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE documents_delivery SET created_at = (SELECT d.issued_on FROM documents_document d "
                           "WHERE d.id = documents_delivery.document_id) + interval '9 hours' "
                           "WHERE EXISTS (SELECT 1 FROM documents_document d WHERE d.id = document_id "
                           "AND d.issued_on IS NOT NULL)" if connection.vendor == "postgresql" else
                           "UPDATE documents_delivery SET created_at = (SELECT datetime(d.issued_on, '+9 hours') "
                           "FROM documents_document d WHERE d.id = documents_delivery.document_id) WHERE EXISTS "
                           "(SELECT 1 FROM documents_document d WHERE d.id = document_id AND d.issued_on IS NOT "
                           "NULL)")
        counts["events"] = _events(today)
        print(f"seeded {created} units, {counts} in {time.perf_counter() - start:.1f}s")
        start = time.perf_counter()
        cells = services.refresh(unit_ids=None, days=None, today=today)
        print(f"full refresh of the rollups: {cells} cells in {time.perf_counter() - start:.1f}s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    root = (Unit.objects.filter(parent__isnull=True).annotate(n=Count("children")).order_by("-n", "id").first())
    province = max(Unit.objects.filter(parent=root), key=lambda u: Unit.objects.filter(
        path__startswith=u.path).count())
    size = Unit.objects.filter(path__startswith=province.path).count()
    print(f"database: {connection.vendor}; {Unit.objects.count()} units, {Delivery.objects.count()} deliveries, "
          f"{DeliveryEvent.objects.count()} delivery events, {DailyFigure.objects.count()} rollup rows; "
          f"province {province.name!r}: {size} units")
    leader, _created = User.objects.get_or_create(username="bench.report.leader",
                                                  defaults={"full_name": "Bench leader", "clearance": 3})
    Membership.objects.get_or_create(user=leader, unit=province, role=Role.LEADER)
    client = Client()
    client.force_login(leader)
    start_day, end_day = today - datetime.timedelta(days=364), today
    for kind in standard.KINDS:
        url = (f"/reports/standard/?kind={kind}&unit={province.pk}&start={start_day.isoformat()}"
               f"&end={end_day.isoformat()}")
        first = client.get(url, HTTP_HOST="localhost")
        assert first.status_code == 200, (kind, first.status_code, first.get("Location"))
        report(f"report page {kind}, province, 1 year", timed(lambda i, u=url: client.get(u, HTTP_HOST="localhost"),
                                                              args.repeat))
    for kind in standard.KINDS:
        params = standard.parse(leader, kind=kind, unit=province.pk, start=start_day, end=end_day)
        begin = time.perf_counter()
        with translation.override("vi"):
            data = exports.to_xlsx(standard.build(leader, params))
        print(f"xlsx export {kind}, province, 1 year: {time.perf_counter() - begin:.2f}s ({len(data)} bytes)")


if __name__ == "__main__":
    main()
