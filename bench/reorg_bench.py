"""Reorganization benchmark: a unit with N documents is merged into another; times the dry run, the execution and the
handover package export (BagIt, SHA-256), and prints documents per second.

Meant for PostgreSQL, where the data is loaded with COPY:

    createdb -h 127.0.0.1 -U postgres dh_reorg_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_reorg_bench .venv/bin/python bench/reorg_bench.py

Options: --docs N (default 20000; the issue's figure is 100000), --files-per-doc K (default 1; the issue's 200,000
files for 100,000 documents is 2), --members 50, --keep (keep the bag).
Each document has K stored files of its own (the main file, then attachments); a tenth of them arrived in the unit
and are under processing (an open flow each), a twentieth are pending deliveries to it, a fiftieth are tasks;
record files of 50 documents each; one audit event per document.
"""

import argparse
import datetime
import os
import shutil
import tempfile
import time

from _common import setup_django


def copy_objects(model, objs):
    """Insert ``objs`` (with their ids set) with COPY on PostgreSQL, bulk_create elsewhere."""
    from django.db import connection

    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    fields = [f for f in model._meta.concrete_fields]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({cols}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields])
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                       f"(SELECT max(id) FROM {model._meta.db_table}))")


def next_id(model):
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def build(n, members, run, files_per_doc=1):
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.audit.models import AuditEvent
    from dieuhanh.documents import storage
    from dieuhanh.documents.models import (
        Blob,
        Delivery,
        Document,
        DocumentFile,
        DocumentType,
        IncomingEntry,
        NumberSeries,
        Register,
    )
    from dieuhanh.processing.models import Flow
    from dieuhanh.records.models import FileItem, RecordFile, RetentionPeriod, seed_retention
    from dieuhanh.tasks.models import Task
    from dieuhanh.units import services as units

    now = timezone.now()
    today = timezone.localdate()
    year = today.year
    admin = User.objects.filter(username="bench.admin").first()
    if admin is None:
        admin = User(username="bench.admin", full_name="Bench Admin", is_superuser=True)
        admin.set_password(None)
        admin.save()
    day = datetime.date(2020, 1, 1)
    root = units.create_unit(actor=admin, code=f"B{run}R", name=f"Bench {run}", short_name="BR",
                             kind="central", effective_from=day)
    old = units.create_unit(actor=admin, parent=root, code=f"B{run}O", name=f"Đơn vị cũ {run}", short_name="CU",
                            kind="province", effective_from=day)
    new = units.create_unit(actor=admin, parent=root, code=f"B{run}N", name=f"Đơn vị mới {run}", short_name="MOI",
                            kind="province", effective_from=day)
    sender = units.create_unit(actor=admin, parent=root, code=f"B{run}S", name=f"Nơi gửi {run}", short_name="NG",
                               kind="province", effective_from=day)
    dtype = DocumentType.objects.filter(system="state").first()
    series = NumberSeries.objects.create(unit=old, name="Hành chính", system="state", rule="yearly")
    reg_in = Register.objects.create(unit=old, kind="incoming", year=year, name="Sổ đến")
    Register.objects.create(unit=old, kind="outgoing", year=year, name="Sổ đi")
    people = []
    base_user = next_id(User)
    for i in range(members):
        u = User(id=base_user + i, username=f"b{run}.u{i}", full_name=f"Người {i}", password="!",
                 date_joined=now)
        u.search_text, u.sort_key = f"nguoi {i}", f"nguoi{i:05d}"
        people.append(u)
    copy_objects(User, people)
    mid = next_id(Membership)
    copy_objects(Membership, [Membership(id=mid + i, user_id=u.pk, unit=old, role=Role.SPECIALIST, started_at=now)
                              for i, u in enumerate(people)])

    t0 = time.perf_counter()
    blobs, docs, dfiles = [], [], []
    b0, d0, f0 = next_id(Blob), next_id(Document), next_id(DocumentFile)
    root_dir = storage.blob_name("00" * 32).split("/")[0]
    import hashlib

    for i in range(n):
        for j in range(files_per_doc):
            k = i * files_per_doc + j
            content = f"%PDF-1.4\n% bench {run} document {i} file {j}\n".encode()
            sha = hashlib.sha256(content).hexdigest()
            name = storage.blob_name(sha)
            path = default_storage.path(name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(content)
            blobs.append(Blob(id=b0 + k, sha256=sha, size=len(content), content_type="application/pdf",
                              storage_name=name, flags=[], created_at=now, created_by=admin))
            dfiles.append(DocumentFile(id=f0 + k, document_id=d0 + i, blob_id=b0 + k,
                                       name=f"vb{i}.pdf" if j == 0 else f"vb{i}-pl{j}.pdf", is_main=j == 0, order=j))
        received = i % 10 == 0 or i % 20 == 1
        docs.append(Document(
            id=d0 + i, document_type=dtype, issuing_unit=None if received else old,
            issuer_name=sender.name if received else old.name, status="received" if received else "issued",
            series=None if received else series, period="" if received else str(year),
            number=None if received else i + 1, symbol=f"{i + 1}/QĐ-{run}", place="Hà Nội",
            issued_on=today, subject=f"Về việc số {i} của đơn vị {run}", signer_name="Nguyễn Văn A",
            signer_position="Bí thư", authority="", urgency=0, confidentiality=0, page_count=1, language="vi",
            created_by=admin, created_at=now, issued_at=now, issued_by=admin))
    copy_objects(Blob, blobs)
    copy_objects(Document, docs)
    copy_objects(DocumentFile, dfiles)
    entries, flows, deliveries, tasks = [], [], [], []
    e0, fl0, dl0, t0id = next_id(IncomingEntry), next_id(Flow), next_id(Delivery), next_id(Task)
    for i in range(0, n, 10):
        k = len(entries)
        entries.append(IncomingEntry(id=e0 + k, register=reg_in, unit=old, arrival_number=k + 1, arrived_on=today,
                                     document_id=d0 + i, origin="electronic", handler="", notes="",
                                     registered_by=admin, registered_at=now))
        flows.append(Flow(id=fl0 + k, entry_id=e0 + k, unit=old, depth=0, role="lead", handler_user=people[k % members],
                          assigned_by=admin, direction="Xử lý", urgency=0, status="in_progress", status_at=now,
                          result="", reason="", extensions=0, created_at=now))
    for i in range(1, n, 20):
        deliveries.append(Delivery(id=dl0 + len(deliveries), document_id=d0 + i, sender_unit=sender,
                                   recipient_unit=old, external_code="", recipient_name=old.name, channel="internal",
                                   status="01", status_at=now, urgency=0, reason="", created_at=now))
    for i in range(0, n, 50):
        tasks.append(Task(id=t0id + len(tasks), assigning_unit=sender, assigned_by=admin, title=f"Nhiệm vụ {i}",
                          description="", start_date=today, deadline=today + datetime.timedelta(days=10),
                          origin="none", origin_text="", executing_unit=old, status="in_progress", status_at=now,
                          percent_done=0, extensions=0, created_at=now))
    copy_objects(IncomingEntry, entries)
    copy_objects(Flow, flows)
    copy_objects(Delivery, deliveries)
    copy_objects(Task, tasks)
    seed_retention()
    ten = RetentionPeriod.objects.get(code="10")
    files, items = [], []
    rf0, it0 = next_id(RecordFile), next_id(FileItem)
    for k, start in enumerate(range(0, n, 50)):
        files.append(RecordFile(id=rf0 + k, unit=old, year=year, symbol=f"{k + 1:03d}.VP",
                                code=f"B{run}O.{year}.{k + 1:03d}.VP", title=f"Hồ sơ {k + 1}", retention=ten,
                                access_regime="Hạn chế", language="Tiếng Việt", description="", notes="",
                                status="closed", opened_by=admin, opened_at=now, closed_by=admin, closed_at=now,
                                start_date=today, end_date=today, document_count=min(50, n - start), page_count=50,
                                expires_on=today.replace(year=year + 11, month=1, day=1)))
        for i in range(start, min(start + 50, n)):
            items.append(FileItem(id=it0 + len(items), file_id=rf0 + k, document_id=d0 + i, doc_date=today, notes="",
                                  added_by=admin, added_at=now))
    copy_objects(RecordFile, files)
    copy_objects(FileItem, items)
    a0 = next_id(AuditEvent)
    copy_objects(AuditEvent, [AuditEvent(id=a0 + i, at=now, actor=admin, action="document.issue",
                                         object_type="documents.document", object_id=str(d0 + i), unit=old,
                                         data={"bench": True}, chain=-(old.pk * 10_000_000 + i + 1), seq=1,
                                         prev_hash="", hash="0" * 64) for i in range(n)])
    load = time.perf_counter() - t0
    print(f"loaded {n:,} documents, {len(blobs):,} stored files ({len(entries):,} under processing, "
          f"{len(deliveries):,} pending deliveries, "
          f"{len(tasks):,} tasks, {len(files):,} record files, {members} members) in {load:.1f} s "
          f"[{root_dir} under {default_storage.location}]")
    return admin, old, new, docs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--files-per-doc", type=int, default=1)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="dh-reorg-bench-media-")
    os.environ["DIEUHANH_MEDIA_ROOT"] = media
    setup_django()
    from django.conf import settings
    from django.db import connection

    settings.MEDIA_ROOT = media
    from django.utils import timezone

    from dieuhanh.reorg import handover, selectors, services

    run = timezone.now().strftime("%H%M%S")
    print(f"database: {connection.vendor}; documents: {args.docs:,}; files per document: {args.files_per_doc}")
    admin, old, new, _docs = build(args.docs, args.members, run, args.files_per_doc)
    decision = services.record_decision(actor=admin, kind="merge", effective_on=timezone.localdate(),
                                        items=[{"old_unit_id": old.pk, "successor_id": new.pk}])
    n = args.docs
    from django.db import reset_queries

    settings.DEBUG = True
    reset_queries()
    start = time.perf_counter()
    preview = selectors.preview(decision, today=timezone.localdate())
    dry = time.perf_counter() - start
    queries = len(connection.queries)
    settings.DEBUG = False
    counts = preview["units"][0]["counts"]
    print(f"dry run          {dry * 1000:9.1f} ms  {queries} queries  {n / dry:12,.0f} documents/s   {counts}")
    start = time.perf_counter()
    services.execute(actor=admin, decision=decision)
    ex = time.perf_counter() - start
    moved = sum(s.counts.get(k, 0) for s in decision.steps.all() for k in ("incoming", "redirected", "tasks", "ended"))
    print(f"execution        {ex * 1000:9.1f} ms  {moved:,} items moved  {n / ex:12,.0f} documents/s")
    dest = os.path.join(tempfile.mkdtemp(prefix="dh-reorg-bench-bag-"), "bag")
    start = time.perf_counter()
    result = handover.export_bag(actor=admin, unit=old, dest=dest)
    exp = time.perf_counter() - start
    print(f"bag export       {exp * 1000:9.1f} ms  {result['files']:,} files  {n / exp:12,.0f} documents/s  "
          f"{result['files'] / exp:,.0f} files/s  "
          f"(Payload-Oxum {result['payload_oxum']})")
    start = time.perf_counter()
    handover.verify_bag(dest)
    ver = time.perf_counter() - start
    print(f"bag verify       {ver * 1000:9.1f} ms  {n / ver:12,.0f} documents/s  "
          f"{result['files'] / ver:12,.0f} files/s")
    if not args.keep:
        shutil.rmtree(os.path.dirname(dest), ignore_errors=True)
        shutil.rmtree(media, ignore_errors=True)
    else:
        print(f"bag kept at {dest}")


if __name__ == "__main__":
    main()
