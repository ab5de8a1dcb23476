"""Dirty marks from the write paths: every save of a row that a figure counts marks its (unit, day), the old one too
when the save moved it. The marks of a transaction are written once, when it commits, so a write path pays one
insert, not one per row. Set-based ``.update()`` calls fire no signals: a recall agreed is caught through the delivery
saved beside it; the job covers the rest by itself: reorganization traces and deadlines passing (decision 0045)."""

import datetime
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_init, post_save

from dieuhanh.documents.models import Delivery, Document, IncomingEntry
from dieuhanh.drafting.models import Draft, Signature
from dieuhanh.processing.models import Flow
from dieuhanh.signatures.models import SignatureCheck
from dieuhanh.tasks.models import Task

from .models import DirtyMark

Key = tuple[int | None, datetime.date | None]
LOADED = "reports_loaded_key"  # the key a row had when it was loaded, to mark it too if a save moves the row


def _document_key(document: Document) -> Key:
    return document.issuing_unit_id, document.issued_on


def _task_key(task: Task) -> Key:
    return task.executing_unit_id, task.start_date


def _entry_key(entry: IncomingEntry) -> Key:
    return entry.unit_id, entry.arrived_on


KEYS: dict[type, Callable[[Any], Key]] = {Document: _document_key, Task: _task_key, IncomingEntry: _entry_key}
FIELDS: dict[type, set[str]] = {Document: {"issuing_unit_id", "issued_on"}, Task: {"executing_unit_id", "start_date"},
          IncomingEntry: {"unit_id", "arrived_on"}}

_local = threading.local()


def _flush(batch: dict[str, Any]) -> None:
    batch["done"] = True
    keys: set[Key] = set(batch["keys"])
    if batch["entries"]:
        keys.update(IncomingEntry.objects.filter(pk__in=batch["entries"]).values_list("unit_id", "arrived_on"))
    if batch["documents"]:
        keys.update(Document.objects.filter(pk__in=batch["documents"]).values_list("issuing_unit_id", "issued_on"))
    if batch["blobs"]:
        # a signature check finished after the issue (a job on commit) decides out_signed
        keys.update(Document.objects.filter(files__blob_id__in=batch["blobs"])
                    .values_list("issuing_unit_id", "issued_on"))
    if batch["drafts"]:
        keys.update(Document.objects.filter(pk__in=Draft.objects.filter(pk__in=batch["drafts"]).values("document_id"))
                    .values_list("issuing_unit_id", "issued_on"))
    if batch["deliveries"]:
        # a recall agreed ends the registration with a set-based update, beside the delivery's save
        keys.update(IncomingEntry.objects.filter(delivery_id__in=batch["deliveries"])
                    .values_list("unit_id", "arrived_on"))
    marks = {(u, d) for u, d in keys if u is not None and d is not None}
    if marks:
        DirtyMark.objects.bulk_create([DirtyMark(unit_id=u, day=d) for u, d in sorted(marks)])


def _new_batch() -> dict[str, Any]:
    return {"keys": set(), "entries": set(), "documents": set(), "deliveries": set(), "blobs": set(), "drafts": set(),
            "done": False}


def _add(part: str, *items: Any) -> None:
    """Add to the pending marks of the current transaction (a new batch if the last one was written or rolled back);
    outside a transaction, write them now."""
    if not connection.in_atomic_block:
        now = _new_batch()
        now[part].update(items)
        _flush(now)
        return
    batch: dict[str, Any] | None = getattr(_local, "batch", None)
    # a batch whose callback left the connection's list was written, or rolled back with its transaction
    if batch is None or batch["done"] or not any(entry[1] is batch["callback"] for entry in connection.run_on_commit):
        batch = _new_batch()
        batch["callback"] = lambda b=batch: _flush(b)
        _local.batch = batch
        transaction.on_commit(batch["callback"])
    batch[part].update(items)


def _loaded(sender: type, instance: Any, **kwargs: Any) -> None:
    # a row loaded with .only() is not read further: that would cost a query per row
    if instance.pk is not None and not (FIELDS[sender] & instance.get_deferred_fields()):
        setattr(instance, LOADED, KEYS[sender](instance))


def _saved(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    key = KEYS[sender](instance)
    old = getattr(instance, LOADED, None)
    _add("keys", key, *([old] if old is not None and old != key else []))
    setattr(instance, LOADED, key)


def _flow_saved(sender: type, instance: Flow, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _add("entries", instance.entry_id)


def _delivery_saved(sender: type, instance: Delivery, raw: bool = False, **kwargs: Any) -> None:
    # a copy's channel decides whether its document counts as sent electronically
    if not raw:
        _add("documents", instance.document_id)
        _add("deliveries", instance.pk)


def _check_saved(sender: type, instance: SignatureCheck, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _add("blobs", instance.blob_id)


def _signature_saved(sender: type, instance: Signature, raw: bool = False, **kwargs: Any) -> None:
    # a withdrawn organization signature: the issued document no longer counts as signed
    if not raw and instance.organization:
        _add("drafts", instance.draft_id)


def connect() -> None:
    for model in KEYS:
        post_init.connect(_loaded, sender=model, dispatch_uid=f"reports-loaded-{model.__name__}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"reports-saved-{model.__name__}")
    post_save.connect(_flow_saved, sender=Flow, dispatch_uid="reports-flow")
    post_save.connect(_delivery_saved, sender=Delivery, dispatch_uid="reports-delivery")
    post_save.connect(_check_saved, sender=SignatureCheck, dispatch_uid="reports-signature-check")
    post_save.connect(_signature_saved, sender=Signature, dispatch_uid="reports-signature")
