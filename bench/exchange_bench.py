"""Exchange benchmark: issue + deliver to 10 units, receive + register, and the inbox at 1,000,000 deliveries.

Runs the API under gunicorn on 127.0.0.1 and drives it with 8 concurrent clients (threads with keep-alive
connections). Meant for PostgreSQL:

    createdb -h 127.0.0.1 -U postgres dh_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_bench .venv/bin/python bench/exchange_bench.py

Options: --docs N (documents to issue, default 2000), --clients 8, --deliveries 1000000, --skip-million.
"""

import argparse
import http.client
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import ROOT, percentile, report, setup_django

PORT = int(os.environ.get("BENCH_PORT", "8765"))
TARGETS = {"issue_per_s": 250, "issue_p95_ms": 50, "inbox_p95_ms": 30}


def start_server(workers):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dieuhanh.settings", "DIEUHANH_DB_CONN_MAX_AGE": "600"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "dieuhanh.wsgi:application", "-b", f"127.0.0.1:{PORT}", "-w", str(workers),
         "--worker-class", "gthread", "--threads", "4", "--log-level", "warning", "--keep-alive", "30"],
        cwd=ROOT, env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


class Client:
    def __init__(self, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        start = time.perf_counter()
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return elapsed, data


def run_parallel(clients, jobs, fn, chunks=None):
    """Split ``jobs`` over the clients (or use ``chunks``, one list per client); return (latencies ms, seconds)."""
    latencies, errors = [], []
    lock = threading.Lock()
    chunks = chunks if chunks is not None else [jobs[i::len(clients)] for i in range(len(clients))]

    def worker(client, chunk):
        mine = []
        try:
            for job in chunk:
                mine.append(fn(client, job))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(c, ch)) for c, ch in zip(clients, chunks, strict=True)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise errors[0]
    return latencies, wall


def main():  # noqa: C901 - a script, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--inbox-only", action="store_true",
                        help="only time the inbox of the unit holding the most deliveries (after a full run)")
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction

    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.accounts.services import issue_token
    from dieuhanh.documents import services
    from dieuhanh.documents.models import Delivery, Document, DocumentType
    from dieuhanh.operations.demo import bootstrap_admin
    from dieuhanh.units.services import create_unit

    print(f"database: {connection.vendor}")
    if args.inbox_only:
        return inbox_only(args)
    admin = bootstrap_admin()
    stamp = str(int(time.time()))[-6:]
    today = __import__("datetime").date.today()

    def unit(parent, i):
        return create_unit(actor=admin, parent=parent, code=f"BX{stamp}{i:03d}", name=f"Đơn vị đo {stamp} {i}",
                           short_name=f"DV{i}", kind="province" if parent is None else "commune")

    def clerk(u, name):
        user = User(username=f"{name}.{stamp}", full_name=name)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, unit=u, role=Role.CLERK)
        with transaction.atomic():
            return issue_token(actor=user)[1]

    sender = unit(None, 0)
    recipients = [unit(sender, i + 1) for i in range(10)]
    for u in [sender, *recipients]:
        services.open_standard_registers(actor=admin, unit=u, year=today.year)
    services.create_series(actor=admin, unit=sender, name="Hành chính", system="state", rule="yearly")
    sender_token = clerk(sender, "sender")
    recipient_tokens = [clerk(u, f"rcpt{i}") for i, u in enumerate(recipients)]
    doc_type = DocumentType.objects.get(system="state", name="Công văn")
    sender_clerk = User.objects.get(username=f"sender.{stamp}")
    start = time.perf_counter()
    doc_ids = []
    for i in range(args.docs):  # each document its own file: the same file twice would be a duplicate
        blob = services.store_file(actor=admin, fileobj=io.BytesIO(f"%PDF-1.4 bench {stamp} {i}".encode()),
                                   content_type="application/pdf")
        doc_ids.append(services.create_outgoing(
            actor=sender_clerk, unit=sender, document_type_id=doc_type.pk, subject=f"Văn bản đo hiệu năng số {i}",
            files=[{"sha256": blob.sha256, "name": "vb.pdf"}], recipients=[{"unit_id": r.pk} for r in recipients]).pk)
    print(f"prepared {len(doc_ids)} approved documents in {time.perf_counter() - start:.1f}s")

    server = start_server(args.workers)
    try:
        clients = [Client(sender_token) for _ in range(args.clients)]
        lat, wall = run_parallel(clients, doc_ids,
                                 lambda c, d: c.call("POST", f"/api/v1/documents/{d}/issue", {})[0])
        rate = len(doc_ids) / wall
        report(f"issue + deliver(10), {args.clients} clients", lat)
        print(f"  throughput: {rate:.0f} issue+deliver(10)/s  "
              f"(target >= {TARGETS['issue_per_s']}/s, p95 <= {TARGETS['issue_p95_ms']} ms)")

        jobs = []
        for i, r in enumerate(recipients):
            ids = list(Delivery.objects.filter(recipient_unit=r, status="01").values_list("id", flat=True))
            jobs.extend((i, d) for d in ids)
        jobs.sort(key=lambda j: j[1])
        per_recipient = {}
        for i, d in jobs:
            per_recipient.setdefault(i, []).append(d)
        # one client per recipient unit at a time: arrival numbers of a register are taken one after another
        rclients = [Client(recipient_tokens[i]) for i in range(args.clients)]
        acc_lat, acc_wall = run_parallel(
            rclients, None, lambda c, delivery_id: c.call("POST", f"/api/v1/deliveries/{delivery_id}/accept", {})[0],
            chunks=[per_recipient.get(i, []) for i in range(args.clients)])
        report(f"receive + register, {args.clients} clients", acc_lat)
        print(f"  throughput: {len(acc_lat) / acc_wall:.0f} receive+register/s")

        if not args.skip_million and connection.vendor == "postgresql":
            inbox_unit = recipients[-1]
            target = args.deliveries
            existing = Delivery.objects.count()
            missing = max(0, target - existing)
            start = time.perf_counter()
            if missing:
                with connection.cursor() as cursor:
                    # Copies of one issued document (number left empty), each delivered to the same ten units:
                    # the measured unit's queue grows to a tenth of the table, all "arrived".
                    template = Delivery.objects.filter(recipient_unit=inbox_unit).order_by("id").first().document
                    cols = [f.column for f in Document._meta.concrete_fields if f.column != "id"]
                    select = ", ".join("NULL" if c in ("number", "series_id") else c for c in cols)
                    cursor.execute("SELECT max(id) FROM documents_document")
                    first_new = cursor.fetchone()[0] + 1
                    cursor.execute(
                        f"INSERT INTO documents_document ({', '.join(cols)}) SELECT {select} "
                        f"FROM documents_document, generate_series(1, %s) WHERE id = %s",
                        [missing // len(recipients) + 1, template.pk])
                    cursor.execute(
                        """
                        INSERT INTO documents_delivery (document_id, sender_unit_id, recipient_unit_id,
                            external_code, recipient_name, channel, status, status_at, urgency, reason, created_at)
                        SELECT d.id, %s, r.id, '', r.name, 'internal', '01', now(), (d.id %% 7 = 0)::int * 3, '',
                               now()
                        FROM documents_document d CROSS JOIN units_unit r
                        WHERE d.id >= %s AND r.id = ANY(%s)
                        """,
                        [sender.pk, first_new, [r.pk for r in recipients]],
                    )
                    cursor.execute("ANALYZE documents_delivery")
            print(f"deliveries in table: {Delivery.objects.count():,} (inserted {missing:,} in "
                  f"{time.perf_counter() - start:.1f}s; {Delivery.objects.filter(recipient_unit=inbox_unit).count():,}"
                  f" in the measured unit's inbox)")
            time_inbox(Client(recipient_tokens[-1]), inbox_unit.pk)
    finally:
        server.terminate()
        server.wait(timeout=10)


def time_inbox(client, unit_id):
    first = [client.call("GET", f"/api/v1/units/{unit_id}/inbox?limit=50")[0] for _ in range(300)]
    report("inbox first page (50), HTTP", first)
    _, body = client.call("GET", f"/api/v1/units/{unit_id}/inbox?limit=50")
    cursor_value, deep = json.loads(body).get("next_cursor"), []
    for _ in range(300):
        elapsed, body = client.call("GET", f"/api/v1/units/{unit_id}/inbox?limit=50&cursor={cursor_value}")
        deep.append(elapsed)
        cursor_value = json.loads(body).get("next_cursor") or cursor_value
    report("inbox next pages (50, 300 pages deep), HTTP", deep)
    print(f"  target: inbox p95 <= {TARGETS['inbox_p95_ms']} ms; "
          f"measured p95 first={percentile(first, 95):.1f} ms, next={percentile(deep, 95):.1f} ms")


def inbox_only(args):
    from django.db import transaction
    from django.db.models import Count

    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.accounts.services import issue_token
    from dieuhanh.documents.models import Delivery

    top = (Delivery.objects.values("recipient_unit").annotate(n=Count("id")).order_by("-n").first())
    print(f"deliveries in table: {Delivery.objects.count():,}; {top['n']:,} in the measured unit's inbox")
    clerk = Membership.objects.filter(unit_id=top["recipient_unit"], role=Role.CLERK).first().user
    with transaction.atomic():
        token = issue_token(actor=User.objects.get(pk=clerk.pk))[1]
    server = start_server(args.workers)
    try:
        time_inbox(Client(token), top["recipient_unit"])
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
