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
    """Check every chain from its first event, and every signed checkpoint (decision 0020). Returns
    ``(problems, events checked)``; problems is empty when everything is intact. Each problem names the chain, the
    sequence number and the event id (or checkpoint id) of the first broken link of that chain."""
    from .checkpoints import signature_problem, trusted_keys
    from .models import AuditChain, AuditCheckpoint, AuditEvent

    problems = []
    checked = 0
    trusted = trusted_keys()
    heads = {head.key: head for head in AuditChain.objects.all()}
    keys = set(heads) | set(AuditCheckpoint.objects.values_list("chain", flat=True).distinct())
    for key in sorted(keys):
        head = heads.get(key)
        # checkpoints of this chain whose signature holds, by seq; a bad signature is a problem of its own
        signed = {}
        for cp in AuditCheckpoint.objects.filter(chain=key).order_by("seq", "id"):
            why = signature_problem(cp, trusted)
            if why:
                problems.append({"chain": key, "seq": cp.seq, "event": None, "checkpoint": cp.pk,
                                 "problem": f"checkpoint {cp.pk}: {why}"})
            else:
                signed.setdefault(cp.seq, []).append(cp)
        if head is None:
            problems.append({"chain": key, "seq": None, "event": None,
                             "problem": "the chain's head is missing, but signed checkpoints of it exist"})
            continue
        expected_prev, expected_seq, broken = "", 1, None
        for event in AuditEvent.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000):
            checked += 1
            if event.seq != expected_seq:
                broken = {"seq": expected_seq, "event": event.pk, "problem": f"event {expected_seq} is missing"}
            elif event.prev_hash != expected_prev:
                broken = {"seq": event.seq, "event": event.pk, "problem": "previous hash does not match"}
            elif hash_of(event) != event.hash:
                broken = {"seq": event.seq, "event": event.pk, "problem": "content does not match its hash"}
            else:
                for cp in signed.pop(event.seq, ()):
                    if cp.hash != event.hash:
                        broken = {"seq": event.seq, "event": event.pk, "checkpoint": cp.pk, "problem": (
                            f"differs from the signed checkpoint of {cp.at:%Y-%m-%d %H:%M} UTC "
                            "(the chain was rewritten)")}
                        break
            if broken:
                break
            expected_prev, expected_seq = event.hash, expected_seq + 1
            if progress and checked % 10000 == 0:
                progress(checked)
        if not broken and (expected_seq - 1 != head.last_seq or expected_prev != head.last_hash):
            broken = {"seq": head.last_seq, "event": None, "problem": "the chain ends before its recorded head"}
        if not broken and signed:
            seq = min(signed)
            cp = signed[seq][0]
            broken = {"seq": seq, "event": None, "checkpoint": cp.pk, "problem": (
                f"the chain ends at seq {expected_seq - 1}, before the signed checkpoint of "
                f"{cp.at:%Y-%m-%d %H:%M} UTC at seq {seq} (events were cut off)")}
        if broken:
            problems.append({"chain": key, **broken})
    return problems, checked


def checkpoint_count():
    from .models import AuditCheckpoint

    return AuditCheckpoint.objects.count()
