"""Writes of the gateway (gateway contract): queue a package in the caller's transaction, send what is due,
put a failed package back. The gateway knows no domain and no user: callers check permissions."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import transports
from .models import OutboxItem, OutboxState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min between them: about an hour before failed
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
LEASE_SECONDS = 120  # a claimed item whose worker died is due again after this


def backoff(attempts: int, base: float = BACKOFF_BASE_SECONDS) -> timedelta:
    """Delay before the next attempt after ``attempts`` failed ones (exponential, capped)."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def enqueue(*, destination: str, package_id: str, payload: bytes, kind: str = "edxml") -> OutboxItem:
    """Queue ``payload`` for ``destination`` inside the caller's transaction; sent after commit by the worker.
    Idempotent on (destination, package_id): a second call returns the existing item."""
    errors = {}
    if not destination or len(destination) > 64:
        errors["destination"] = _("Required, at most 64 characters.")
    if not package_id or len(package_id) > 255:
        errors["package_id"] = _("Required, at most 255 characters.")
    if not kind or len(kind) > 32:
        errors["kind"] = _("Required, at most 32 characters.")
    if not isinstance(payload, bytes | bytearray | memoryview):
        errors["payload"] = _("Must be bytes.")
    if errors:
        raise ValidationError(errors)
    existing = OutboxItem.objects.filter(destination=destination, package_id=package_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            item = OutboxItem.objects.create(destination=destination, package_id=package_id, kind=kind,
                                             payload=bytes(payload), next_attempt_at=timezone.now())
    except IntegrityError:  # a concurrent twin committed first
        return OutboxItem.objects.get(destination=destination, package_id=package_id)
    transaction.on_commit(_wake_worker)
    return item


def probe(*, destination: str) -> OutboxItem:
    """Queue a small "probe" package for ``destination``: the peer's gateway records it and does nothing else
    (`dieuhanh gateway probe <organ code>` checks a route end to end)."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%f")
    return enqueue(destination=destination, package_id=f"probe-{stamp}", payload=b"probe", kind="probe")


def _wake_worker() -> None:
    """Nothing to do now: the worker polls (the `gateway run` loop, or the huey job every minute)."""


def retry(*, item_id: int) -> OutboxItem:
    """Put an item back in the queue now, its attempts counted afresh (the clerk's retry button)."""
    with transaction.atomic():
        item = OutboxItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise ValidationError({"item_id": _("No such outgoing package.")})
        if item.state == OutboxState.SENT:
            raise ValidationError({"item_id": _("This package has already been sent.")})
        item.state = OutboxState.QUEUED
        item.attempts = 0
        item.next_attempt_at = timezone.now()
        item.save(update_fields=["state", "attempts", "next_attempt_at"])
    return item


def claim_due(limit: int, lease_seconds: int) -> list[int]:
    """Claim up to ``limit`` due items (queued and due, or sending with an expired lease) for this worker; on
    PostgreSQL, rows another worker holds are skipped, not waited for."""
    now = timezone.now()
    with transaction.atomic():
        due = (OutboxItem.objects.filter(state__in=[OutboxState.QUEUED, OutboxState.SENDING], next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk"))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxItem.objects.filter(pk__in=ids).update(
                state=OutboxState.SENDING, next_attempt_at=now + timedelta(seconds=lease_seconds))
    return ids


def send_due(*, limit: int = 100, lease_seconds: int = LEASE_SECONDS,
             backoff_base: float = BACKOFF_BASE_SECONDS) -> dict[str, int]:
    """The worker's step: send the due items; each is marked sent, or scheduled again with a backoff and its
    reason, or failed after MAX_ATTEMPTS. Returns counts."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for pk in claim_due(limit, lease_seconds):
        item = OutboxItem.objects.filter(pk=pk, state=OutboxState.SENDING).first()
        if item is None:
            continue
        attempts = item.attempts + 1
        try:
            transports.send(item)
        except Exception as exc:  # any failure of any transport is a reason to keep and retry
            reason = str(exc) or exc.__class__.__name__
            failed = attempts >= MAX_ATTEMPTS
            OutboxItem.objects.filter(pk=pk, state=OutboxState.SENDING).update(
                attempts=attempts, last_error=reason[:4000],
                state=OutboxState.FAILED if failed else OutboxState.QUEUED,
                next_attempt_at=timezone.now() + backoff(attempts, backoff_base))
            counts["failed" if failed else "retrying"] += 1
            log.warning("gateway: %s to %s failed (attempt %s): %s", item.package_id, item.destination, attempts,
                        reason)
            continue
        OutboxItem.objects.filter(pk=pk).update(state=OutboxState.SENT, attempts=attempts, sent_at=timezone.now())
        counts["sent"] += 1
    return counts
