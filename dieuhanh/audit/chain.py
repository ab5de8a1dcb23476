"""The audit hash chain: hashing an event, and verifying whole chains."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q

from .anchor import latest
from .checkpoints import signature_problem, trusted_keys
from .models import AuditChain, AuditCheckpoint, AuditEvent

IMPORTED = "audit.imported"  # an event of another installation's chain, appended to this one by a handover import


def event_hash(*, prev_hash, chain, seq, at, actor_id, action, object_type, object_id, unit_id, data):
    """SHA-256 over the previous hash and a canonical JSON of the event's fields. ``at`` may be the ISO string an
    export wrote: it is what ``isoformat()`` gave when the event was hashed."""
    at = at if isinstance(at, str) else at.isoformat()
    body = json.dumps([chain, seq, at, actor_id, action, object_type, object_id, unit_id, data],
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def hash_of(event):
    return event_hash(prev_hash=event.prev_hash, chain=event.chain, seq=event.seq, at=event.at,
                      actor_id=event.actor_id, action=event.action, object_type=event.object_type,
                      object_id=event.object_id, unit_id=event.unit_id, data=event.data)


def source_hash(src):
    """The hash of an exported event (a dict with the stored fields) recomputed: its own chain's formula."""
    return event_hash(prev_hash=src["prev_hash"], chain=src["chain"], seq=src["seq"], at=src["at"],
                      actor_id=src["actor_id"], action=src["action"], object_type=src["object_type"],
                      object_id=src["object_id"], unit_id=src["unit_id"], data=src["data"])


class SourceLinks:
    """Checks exported events of another installation in their chain order: each must recompute to its stored
    hash and point at the previous one's. Fed one event at a time, so 100,000 events never sit in a list twice."""

    def __init__(self):
        self.last = {}  # (group, source chain) -> (seq, hash)

    def problem(self, src, group=None):
        try:
            key = (group, src["chain"])
            seq, prev = self.last.get(key, (0, ""))
            if src["seq"] != seq + 1:
                return f"source chain {src['chain']}: event {seq + 1} is missing (found {src['seq']})"
            if src["prev_hash"] != prev:
                return f"source chain {src['chain']} seq {src['seq']}: previous hash does not match"
            if source_hash(src) != src["hash"]:
                return f"source chain {src['chain']} seq {src['seq']}: content does not match its hash"
        except (KeyError, TypeError, AttributeError) as exc:
            return f"not an exported audit event ({exc.__class__.__name__}: {exc})"
        self.last[key] = (src["seq"], src["hash"])
        return None


def verify(progress=None):
    """Check every chain from its first event, and every signed checkpoint (decision 0020). Returns
    ``(problems, events checked)``; problems is empty when everything is intact. Each problem names the chain, the
    sequence number and the event id (or checkpoint id) of the first broken link of that chain."""
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
        links = SourceLinks()
        for event in AuditEvent.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000):
            checked += 1
            if event.seq != expected_seq:
                broken = {"seq": expected_seq, "event": event.pk, "problem": f"event {expected_seq} is missing"}
            elif event.prev_hash != expected_prev:
                broken = {"seq": event.seq, "event": event.pk, "problem": "previous hash does not match"}
            elif hash_of(event) != event.hash:
                broken = {"seq": event.seq, "event": event.pk, "problem": "content does not match its hash"}
            elif event.action == IMPORTED and (why := links.problem(event.data.get("source"),
                                                                     event.data.get("handover"))):
                # intact here, but the kept original no longer proves its place in the source's chain
                broken = {"seq": event.seq, "event": event.pk, "problem": f"imported event: {why}"}
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
    problems.extend(anchor_problems(heads))
    return problems, checked


def anchor_problems(heads):
    """Compare the database with the latest anchor line of each chain (decision 0036): a chain whose tail was cut
    together with the checkpoints that signed it agrees with itself, but no longer with the file."""
    anchored, unreadable = latest()
    problems = [{"chain": None, "seq": None, "event": None, "anchor": True, "problem": why} for why in unreadable]
    if not anchored:
        return problems
    counts = dict(AuditCheckpoint.objects.filter(chain__in=list(anchored)).values("chain")
                  .annotate(n=Count("id")).values_list("chain", "n"))
    # one query for the anchored events, not one per chain
    wanted = Q()
    for key, line in anchored.items():
        wanted |= Q(chain=key, seq=line["seq"])
    found = {(e.chain, e.seq): e for e in AuditEvent.objects.filter(wanted).only("id", "chain", "seq", "hash")}
    for key in sorted(anchored):
        line = anchored[key]
        seq, count, at = int(line["seq"]), int(line["checkpoints"]), line.get("at", "?")
        head = heads.get(key)
        event = found.get((key, seq))
        if head is None or head.last_seq < seq or event is None:
            problems.append({"chain": key, "seq": seq, "event": None, "anchor": True, "problem": (
                f"missing tail: the anchor file records seq {seq} signed at {at}, the database ends at seq "
                f"{head.last_seq if head else 0}")})
        elif event.hash != line["hash"]:
            problems.append({"chain": key, "seq": seq, "event": event.pk, "anchor": True, "problem": (
                f"differs from the anchor file's head signed at {at} (the chain was rewritten)")})
        if counts.get(key, 0) < count:
            problems.append({"chain": key, "seq": seq, "event": None, "anchor": True, "problem": (
                f"missing checkpoints: the anchor file records {count}, the database holds {counts.get(key, 0)}")})
    return problems


def checkpoint_count():
    return AuditCheckpoint.objects.count()
