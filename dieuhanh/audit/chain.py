"""The audit hash chain: hashing an event, and verifying whole chains."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder


def event_hash(*, prev_hash, chain, seq, at, actor_id, action, object_type, object_id, unit_id, data):
    """SHA-256 over the previous hash and a canonical JSON of the event's fields."""
    body = json.dumps([chain, seq, at.isoformat(), actor_id, action, object_type, object_id, unit_id, data],
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def hash_of(event):
    return event_hash(prev_hash=event.prev_hash, chain=event.chain, seq=event.seq, at=event.at,
                      actor_id=event.actor_id, action=event.action, object_type=event.object_type,
                      object_id=event.object_id, unit_id=event.unit_id, data=event.data)


def verify(progress=None):
    """Check every chain from its first event. Returns a list of problems (empty when intact); each problem names
    the chain, the sequence number and the event id of the first broken link of that chain."""
    from .models import AuditChain, AuditEvent

    problems = []
    checked = 0
    for head in AuditChain.objects.order_by("key").iterator():
        expected_prev, expected_seq = "", 1
        for event in AuditEvent.objects.filter(chain=head.key).order_by("seq").iterator(chunk_size=2000):
            checked += 1
            if event.seq != expected_seq:
                problems.append({"chain": head.key, "seq": expected_seq, "event": event.pk,
                                 "problem": f"event {expected_seq} is missing"})
                break
            if event.prev_hash != expected_prev:
                problems.append({"chain": head.key, "seq": event.seq, "event": event.pk,
                                 "problem": "previous hash does not match"})
                break
            if hash_of(event) != event.hash:
                problems.append({"chain": head.key, "seq": event.seq, "event": event.pk,
                                 "problem": "content does not match its hash"})
                break
            expected_prev, expected_seq = event.hash, expected_seq + 1
            if progress and checked % 10000 == 0:
                progress(checked)
        else:
            if expected_seq - 1 != head.last_seq or expected_prev != head.last_hash:
                problems.append({"chain": head.key, "seq": head.last_seq, "event": None,
                                 "problem": "the chain ends before its recorded head"})
    return problems, checked
