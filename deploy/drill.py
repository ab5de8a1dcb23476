"""The failover drill behind ``deploy/cluster.sh drill`` (issue 21, decision 0053).

Prepares approved outgoing documents (each with its own file) in the cluster's database, then N client threads
issue them through haproxy (POST /api/v1/documents/<id>/issue: takes the next number, delivers to 10 units,
writes audit events), counting the writes the server acknowledged. During the load it SIGKILLs application
node 1 (its gunicorn master and workers), then SIGKILLs the PostgreSQL primary together with its Patroni agent
(as if the machine died) and lets Patroni promote the synchronous standby. At the end it prints acknowledged vs
stored, whether numbers are unique and gapless, the audit chain check, missing files, the longest time no write
was acknowledged (RTO) and every error status clients saw.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APP = ("127.0.0.1", 27080)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()


def prepare(count: int) -> tuple[str, list[int], int]:
    import datetime

    from django.db import transaction

    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.accounts.services import issue_token
    from dieuhanh.documents import services
    from dieuhanh.documents.models import DocumentType
    from dieuhanh.documents.testing import make_pdf
    from dieuhanh.operations.demo import bootstrap_admin
    from dieuhanh.units.services import create_unit

    admin = bootstrap_admin()
    stamp = str(int(time.time()))[-6:]
    sender = create_unit(actor=admin, parent=None, code=f"DR{stamp}", name=f"Sở diễn tập {stamp}",
                         short_name="SDT", kind="province")
    recipients = [create_unit(actor=admin, parent=sender, code=f"DR{stamp}{i:02d}", name=f"Xã diễn tập {stamp} {i}",
                              short_name=f"X{i}", kind="commune") for i in range(10)]
    year = datetime.date.today().year
    for unit in [sender, *recipients]:
        services.open_standard_registers(actor=admin, unit=unit, year=year)
    services.create_series(actor=admin, unit=sender, name="Hành chính", system="state", rule="yearly")
    clerk = User(username=f"drill.{stamp}", full_name="Văn thư diễn tập")
    clerk.set_unusable_password()
    clerk.save()
    Membership.objects.create(user=clerk, unit=sender, role=Role.CLERK)
    with transaction.atomic():
        token = issue_token(actor=clerk)[1]
    doc_type = DocumentType.objects.get(system="state", name="Công văn")
    ids = []
    for i in range(count):
        blob = services.store_file(actor=admin, fileobj=io.BytesIO(make_pdf(f"drill {stamp} {i}")),
                                   content_type="application/pdf")
        ids.append(services.create_outgoing(
            actor=clerk, unit=sender, document_type_id=doc_type.pk, subject=f"Văn bản diễn tập số {i}",
            files=[{"sha256": blob.sha256, "name": "vb.pdf"}], recipients=[{"unit_id": r.pk} for r in recipients]).pk)
    return token, ids, sender.pk


class Load:
    def __init__(self, token: str, ids: list[int], clients: int):
        self.token = token
        self.queue = collections.deque(ids)
        self.lock = threading.Lock()
        self.acked: dict[int, float] = {}     # document id -> time acknowledged
        self.ambiguous: set[int] = set()      # sent, no answer (connection lost): may or may not be stored
        self.errors: collections.Counter[str] = collections.Counter()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(clients)]

    def run(self) -> None:
        conn = None
        while not self.stop.is_set():
            with self.lock:
                if not self.queue:
                    return
                doc = self.queue.popleft()
            done = False
            while not done and not self.stop.is_set():
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(*APP, timeout=30)
                    conn.request("POST", f"/api/v1/documents/{doc}/issue", body="{}",
                                 headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
                    resp = conn.getresponse()
                    body = resp.read()
                    status = resp.status
                except (OSError, http.client.HTTPException) as exc:
                    with self.lock:
                        self.errors[f"connection: {type(exc).__name__}"] += 1
                        self.ambiguous.add(doc)
                    conn = None
                    time.sleep(0.2)
                    continue
                if status < 300:
                    with self.lock:
                        self.acked[doc] = time.monotonic()
                        self.ambiguous.discard(doc)
                    done = True
                elif doc in self.ambiguous and status in (400, 409):
                    # the earlier attempt was committed but its answer lost: the retry is refused as already issued
                    with self.lock:
                        self.errors[f"{status} (retry of a write whose answer was lost)"] += 1
                    done = True
                else:
                    with self.lock:
                        self.errors[str(status)] += 1
                        if status == 500:
                            self.errors[f"500 body: {body[:120]!r}"] += 1
                    if resp.getheader("Connection", "").lower() == "close":
                        conn = None
                    time.sleep(0.2)


def sigkill_tree(pid: int) -> None:
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except ProcessLookupError:
        pass


def patroni_role(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/patroni", timeout=2) as resp:
            return json.load(resp).get("role", "?")
    except OSError:
        return "down"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--docs", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--kill-app-at", type=float, default=10.0)
    parser.add_argument("--kill-db-at", type=float, default=25.0)
    parser.add_argument("--seconds", type=float, default=75.0, help="load stops after this many seconds at most")
    args = parser.parse_args()
    d = Path(args.dir)
    setup_django()
    t0 = time.monotonic()
    token, ids, sender_id = prepare(args.docs)
    print(f"prepared {len(ids)} approved documents (each with its own file, to 10 units) "
          f"in {time.monotonic() - t0:.0f}s")
    load = Load(token, ids, args.clients)
    start = time.monotonic()
    for t in load.threads:
        t.start()
    events = []
    killed_app = killed_db = False
    while time.monotonic() - start < args.seconds and any(t.is_alive() for t in load.threads):
        now = time.monotonic() - start
        if not killed_app and now >= args.kill_app_at:
            pid = int((d / "run" / "app1.pid").read_text())
            sigkill_tree(pid)
            killed_app = True
            events.append((now, f"SIGKILL application node 1 (gunicorn {pid} and its workers)"))
        if not killed_db and now >= args.kill_db_at:
            primary = next((n for n, p in (("pg1", 27008), ("pg2", 27009)) if patroni_role(p) in ("master", "primary")),
                           None)
            if primary:
                patroni_pid = int((d / "run" / f"{primary}.patroni.pid").read_text())
                postmaster = int((d / primary / "postmaster.pid").read_text().split()[0])
                sigkill_tree(patroni_pid)
                os.kill(postmaster, signal.SIGKILL)
                killed_db = True
                events.append((now, f"SIGKILL PostgreSQL primary {primary} (patroni {patroni_pid}, postmaster "
                                    f"{postmaster})"))
        time.sleep(0.1)
    load.stop.set()
    for t in load.threads:
        t.join(timeout=35)
    wall = time.monotonic() - start
    for at, what in events:
        print(f"  t={at:5.1f}s  {what}")
    print(f"roles after the drill: pg1={patroni_role(27008)} pg2={patroni_role(27009)}")

    # --- verify, through haproxy (the new primary)
    from django.db import connection

    from dieuhanh.documents.models import Document, DocumentFile

    connection.close()
    issued = Document.objects.filter(pk__in=ids).exclude(number__isnull=True)
    stored = set(issued.values_list("pk", flat=True))
    acked = set(load.acked)
    numbers = sorted(issued.values_list("number", flat=True))
    print(f"load: {len(acked)} writes acknowledged in {wall:.0f}s with {args.clients} clients "
          f"({len(acked) / wall:.1f}/s); {len(load.ambiguous)} sent without an answer")
    print(f"acknowledged writes: {len(acked)}   stored: {len(stored)}   acknowledged but not stored: "
          f"{len(acked - stored)}   stored without an acknowledgement (answer lost): {len(stored - acked)}")
    unique = len(numbers) == len(set(numbers))
    gapless = numbers == list(range(1, len(numbers) + 1)) if numbers and isinstance(numbers[0], int) else None
    print(f"numbers: {len(numbers)} unique={unique} gapless={gapless} "
          f"(first {numbers[:1]}, last {numbers[-1:]})")
    missing = 0
    from django.core.files.storage import default_storage

    for f in DocumentFile.objects.filter(document_id__in=stored).select_related("blob"):
        blob = getattr(f, "blob", None)
        name = getattr(blob, "storage_name", None) or getattr(getattr(blob, "file", None), "name", None)
        if name and not default_storage.exists(name):
            missing += 1
    print(f"files: {DocumentFile.objects.filter(document_id__in=stored).count()} attached, {missing} missing")
    audit = subprocess.run([str(Path(sys.executable).with_name("dieuhanh")), "audit", "verify"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    print(f"audit verify: exit {audit.returncode}: {audit.stdout.strip().splitlines()[-1:] or audit.stderr[-300:]}")
    times = sorted(load.acked.values())
    gaps = [(b - a, a - start) for a, b in zip(times, times[1:], strict=False)]
    worst = sorted(gaps, reverse=True)[:2]
    for gap, at in worst:
        print(f"no write acknowledged for {gap:.1f}s from t={at:.1f}s")
    print("error answers seen by clients: " + (", ".join(f"{k} x{v}" for k, v in load.errors.most_common())
                                                 or "none"))
    print(f"500 answers: {sum(v for k, v in load.errors.items() if k.startswith('500') and 'body' not in k)}")


if __name__ == "__main__":
    main()
