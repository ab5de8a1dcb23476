"""Writing audit events. Every service that changes state calls :func:`record` inside its transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from dieuhanh.kernel.writeorder import flush as flush_index_writes

from .chain import event_hash
from .models import AuditChain, AuditEvent

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from django.db.models import Model

# Never stored in an audit payload, whatever a caller passes.
_SECRET_KEYS = {"password", "new_password", "old_password", "token", "key", "passphrase"}


def record(*, actor: Any, action: str, obj: Model | None = None, unit: Any = None,
           data: dict[str, Any] | None = None) -> AuditEvent:
    """Append an audit event. Must run inside the caller's atomic block, so it commits or rolls back with it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the action's transaction")
    payload = {k: v for k, v in (data or {}).items() if k not in _SECRET_KEYS}
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        unit=unit,
        data=payload,
    )
    # The unit's chain head stays locked until the action commits: events of one unit are chained in order.
    flush_index_writes()  # the chain's head is an action's last lock: pending index rows first (decision 0038)
    key = unit.pk if unit is not None else 0
    AuditChain.objects.bulk_create([AuditChain(key=key)], ignore_conflicts=True)
    head = AuditChain.objects.select_for_update().get(key=key)
    event.chain, event.seq, event.prev_hash = key, head.last_seq + 1, head.last_hash
    # JSON round trip so the hash covers exactly what the database will return
    event.data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    event.hash = event_hash(prev_hash=event.prev_hash, chain=key, seq=event.seq, at=event.at,
                            actor_id=event.actor_id, action=action, object_type=event.object_type,
                            object_id=event.object_id, unit_id=event.unit_id, data=event.data)
    event.save()
    AuditChain.objects.filter(key=key).update(last_seq=event.seq, last_hash=event.hash)
    return event


def record_many(*, actor: Any, unit: Any, events: Iterable[dict[str, Any]]) -> list[AuditEvent]:
    """Append ``events`` (dicts: action, object_type, object_id, data) to ``unit``'s chain in order, under one lock
    of its head and with set-based inserts: a handover import appends a whole collection's history at once."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many() must be called inside the action's transaction")
    flush_index_writes()  # the chain's head is an action's last lock: pending index rows first (decision 0038)
    key = unit.pk if unit is not None else 0
    AuditChain.objects.bulk_create([AuditChain(key=key)], ignore_conflicts=True)
    head = AuditChain.objects.select_for_update().get(key=key)
    actor_id = actor.pk if (actor is not None and actor.is_authenticated) else None
    at, seq, prev = timezone.now(), head.last_seq, head.last_hash
    out = []
    for ev in events:
        seq += 1
        payload = {k: v for k, v in (ev.get("data") or {}).items() if k not in _SECRET_KEYS}
        payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
        event = AuditEvent(at=at, actor_id=actor_id, action=ev["action"], object_type=ev.get("object_type", ""),
                           object_id=str(ev.get("object_id", "")), unit=unit, data=payload, chain=key, seq=seq,
                           prev_hash=prev)
        event.hash = prev = event_hash(prev_hash=prev, chain=key, seq=seq, at=at, actor_id=actor_id,
                                       action=event.action, object_type=event.object_type,
                                       object_id=event.object_id, unit_id=event.unit_id, data=payload)
        out.append(event)
    AuditEvent.objects.bulk_create(out, batch_size=2000)
    if out:
        AuditChain.objects.filter(key=key).update(last_seq=seq, last_hash=prev)
    return out
