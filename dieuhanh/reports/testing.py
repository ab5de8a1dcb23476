"""A varied data set straight into the raw tables (bulk inserts, no services), for the consistency test and the
benchmark: incoming registrations in every processing state, issued documents with paper and electronic copies,
tasks on time, late and open, some of them secret."""

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.db.models import Max
from django.utils import timezone

from dieuhanh.documents.models import (
    ArrivalOrigin,
    Blob,
    Channel,
    Delivery,
    Document,
    DocumentFile,
    DocumentStatus,
    DocumentSystem,
    DocumentType,
    IncomingEntry,
    Register,
    RegisterKind,
)
from dieuhanh.processing.models import Flow, FlowRole, FlowStatus
from dieuhanh.signatures.models import CheckOutcome, SignatureCheck
from dieuhanh.tasks.models import Task, TaskStatus
from dieuhanh.units.models import Unit


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed(units: Sequence[Unit], user: Any, *, per_unit: int, today: datetime.date, seed: int = 16,
         span_days: int = 90) -> dict[str, int]:
    """About ``per_unit`` incoming registrations, issued documents and tasks for each unit, over the ``span_days``
    before ``today``. Returns how many rows of each kind were written."""
    rng = random.Random(seed)
    kind, _created = DocumentType.objects.get_or_create(system=DocumentSystem.PARTY, name="Báo cáo",
                                                        defaults={"abbreviation": "BC"})
    counts = {"entries": 0, "flows": 0, "issued": 0, "deliveries": 0, "tasks": 0}
    for unit in units:
        register, _created = Register.objects.get_or_create(
            unit=unit, kind=RegisterKind.INCOMING, secret=False, year=today.year,
            defaults={"name": f"Sổ đến {unit.short_name}"})
        start = (IncomingEntry.objects.filter(register=register).aggregate(n=Max("arrival_number"))["n"] or 0) + 1

        def day() -> datetime.date:
            return today - datetime.timedelta(days=rng.randrange(span_days))

        def secrecy() -> int:
            return rng.choice((0, 0, 0, 0, 1, 2))

        received = Document.objects.bulk_create([
            Document(document_type=kind, issuer_name="Cơ quan ngoài", status=DocumentStatus.RECEIVED,
                     subject=f"Văn bản đến {i}", created_by=user, confidentiality=secrecy())
            for i in range(per_unit)])
        entries = IncomingEntry.objects.bulk_create([
            IncomingEntry(register=register, unit=unit, arrival_number=start + i, arrived_on=day(), document=doc,
                          origin=rng.choice(list(ArrivalOrigin.values)), registered_by=user,
                          recalled_at=_at(today) if rng.random() < 0.05 else None)
            for i, doc in enumerate(received)])
        # a third of the electronic arrivals came through the exchange gateway, with their delivery
        arrivals = [e for e in entries if e.origin == ArrivalOrigin.ELECTRONIC and rng.random() < 0.35]
        copies = Delivery.objects.bulk_create([
            Delivery(document_id=e.document_id, sender_unit=unit, recipient_unit=unit, recipient_name=unit.name,
                     external_code="000.00.00.G22", channel=Channel.GATEWAY, status_at=_at(e.arrived_on))
            for e in arrivals])
        for entry, copy in zip(arrivals, copies, strict=True):
            entry.delivery = copy
        IncomingEntry.objects.bulk_update(arrivals, ["delivery"])
        roots = []
        for entry in entries:
            state = rng.choice(("none", "open", "open", "done", "done", "returned"))
            if state == "none":
                continue
            deadline = (entry.arrived_on + datetime.timedelta(days=rng.randrange(2, 40))
                        if rng.random() < 0.85 else None)
            flow = Flow(entry=entry, unit=unit, role=FlowRole.LEAD, handler_unit=unit, assigned_by=user,
                        deadline=deadline, status=FlowStatus.IN_PROGRESS, status_at=_at(entry.arrived_on))
            if state == "done":
                finished = entry.arrived_on + datetime.timedelta(days=rng.randrange(0, 45))
                flow.status, flow.completed_at = FlowStatus.COMPLETED, _at(min(finished, today), rng.randrange(24))
            elif state == "returned":
                flow.status = FlowStatus.RETURNED
            roots.append(flow)
        Flow.objects.bulk_create(roots)
        # a handler flow under some roots: the figures read the root only, whatever lies below
        Flow.objects.bulk_create([
            Flow(entry_id=r.entry_id, unit=unit, parent=r, depth=1, role=FlowRole.LEAD, handler_user=user,
                 assigned_by=user, deadline=r.deadline, status=r.status, status_at=r.status_at,
                 completed_at=r.completed_at) for r in roots[::3]])
        issued = Document.objects.bulk_create([
            Document(document_type=kind, issuing_unit=unit, issuer_name=unit.name, status=rng.choice(
                (DocumentStatus.ISSUED,) * 5 + (DocumentStatus.CANCELLED,)), subject=f"Văn bản đi {i}",
                created_by=user, confidentiality=secrecy(), issued_on=day())
            for i in range(per_unit)])
        others = [u for u in units if u.pk != unit.pk] or [unit]
        deliveries = []
        for doc in issued:
            for target in rng.sample(others, min(len(others), rng.randrange(0, 3))):
                deliveries.append(Delivery(document=doc, sender_unit=unit, recipient_unit=target,
                                           recipient_name=target.name, status_at=_at(today),
                                           channel=rng.choice((Channel.INTERNAL, Channel.INTERNAL, Channel.PAPER,
                                                               Channel.GATEWAY))))
        Delivery.objects.bulk_create(deliveries)
        # some issued documents carry a file whose signature check found the organization's signature valid
        signed = [doc for doc in issued if rng.random() < 0.4]
        blobs = Blob.objects.bulk_create([
            Blob(sha256=f"{rng.getrandbits(256):064x}", size=1, content_type="application/pdf",
                 storage_name=f"seed-{doc.pk}") for doc in signed])
        DocumentFile.objects.bulk_create([DocumentFile(document=doc, blob=blob, name="van-ban.pdf", is_main=True)
                                          for doc, blob in zip(signed, blobs, strict=True)])
        SignatureCheck.objects.bulk_create([
            SignatureCheck(blob=blob, outcome=rng.choice((CheckOutcome.VALID,) * 2 + (CheckOutcome.INVALID,)))
            for blob in blobs])
        tasks = []
        for i in range(per_unit):
            begin = day()
            deadline = begin + datetime.timedelta(days=rng.randrange(0, 30))
            status = rng.choice((TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED,
                                 TaskStatus.COMPLETED, TaskStatus.CLOSED, TaskStatus.EXTENSION_PROPOSED))
            task = Task(assigning_unit=unit.parent or unit, assigned_by=user, title=f"Nhiệm vụ {i}", start_date=begin,
                        deadline=deadline, executing_unit=unit, status=status, status_at=_at(begin),
                        extensions=1 if rng.random() < 0.15 else 0)
            if status == TaskStatus.COMPLETED:
                task.completed_at = _at(min(begin + datetime.timedelta(days=rng.randrange(0, 40)), today))
            elif status == TaskStatus.CLOSED:
                task.status_at = _at(min(begin + datetime.timedelta(days=rng.randrange(0, 40)), today))
            tasks.append(task)
        Task.objects.bulk_create(tasks)
        counts["entries"] += len(entries)
        counts["flows"] += len(roots)
        counts["issued"] += len(issued)
        counts["deliveries"] += len(deliveries)
        counts["tasks"] += len(tasks)
    return counts
