"""Signed checkpoints catch what the hash chain alone cannot: a chain cut back after a checkpoint, and a chain
rewritten consistently (every hash recomputed), by someone who can write to the database but has no signing key."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from dieuhanh.audit import checkpoints
from dieuhanh.audit.chain import event_hash, hash_of, verify
from dieuhanh.audit.models import AuditChain, AuditCheckpoint, AuditEvent
from dieuhanh.audit.services import record


def _write(org, n, unit=None):
    for i in range(n):
        with transaction.atomic():
            record(actor=org.admin, action="test.event", obj=org.a, unit=unit or org.a, data={"i": i})


def _chain_only(problems):
    """What the plain hash-chain check sees: the problems that do not come from checkpoints."""
    return [p for p in problems if "checkpoint" not in p and "anchor" not in p]


def _database_only(problems):
    """The problems found inside the database (signed checkpoints), without the anchor file's (decision 0036)."""
    return [p for p in problems if "anchor" not in p]


def test_checkpoint_signs_every_moved_chain_once(org):
    _write(org, 3)
    _write(org, 2, unit=org.b)
    call_command("audit", "checkpoint")
    cps = {cp.chain: cp for cp in AuditCheckpoint.objects.all()}
    assert set(cps) == {org.a.pk, org.b.pk}
    assert (cps[org.a.pk].seq, cps[org.a.pk].hash) == (3, AuditChain.objects.get(key=org.a.pk).last_hash)
    assert checkpoints.make_checkpoints() == []  # nothing moved: nothing new to sign
    _write(org, 1)
    assert [(cp.chain, cp.seq) for cp in checkpoints.make_checkpoints()] == [(org.a.pk, 4)]
    assert verify()[0] == []
    call_command("audit", "verify")


def test_the_hourly_job_is_registered_and_signs(org):
    from huey.contrib.djhuey import HUEY

    from dieuhanh.audit import jobs

    assert "hourly_audit_checkpoint" in [t.name for t in HUEY._registry.periodic_tasks]
    _write(org, 2)
    jobs.hourly_audit_checkpoint.call_local()
    assert AuditCheckpoint.objects.filter(chain=org.a.pk, seq=2).exists()


def test_cutting_a_chain_back_after_a_checkpoint_is_caught(org):
    _write(org, 6)
    checkpoints.make_checkpoints()
    # behind the application's back: delete the last three events and move the head back to seq 3
    AuditEvent.objects.filter(chain=org.a.pk, seq__gt=3).delete()
    third = AuditEvent.objects.get(chain=org.a.pk, seq=3)
    AuditChain.objects.filter(key=org.a.pk).update(last_seq=3, last_hash=third.hash)
    problems, _ = verify()
    assert _chain_only(problems) == []  # the chain itself is consistent: only the checkpoint shows the cut
    assert [p["chain"] for p in problems if p.get("anchor")] == [org.a.pk]  # the anchor file sees it too
    problems = _database_only(problems)
    assert len(problems) == 1 and problems[0]["chain"] == org.a.pk and problems[0]["seq"] == 6
    assert "events were cut off" in problems[0]["problem"]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def _rewrite_chain(key, from_seq, action):
    """Change one event and recompute every hash after it: a consistent forgery of the chain."""
    prev = ""
    for event in AuditEvent.objects.filter(chain=key).order_by("seq"):
        if event.seq == from_seq:
            event.action = action
        event.prev_hash = prev
        event.hash = hash_of(event)
        AuditEvent.objects.filter(pk=event.pk).update(action=event.action, prev_hash=event.prev_hash,
                                                       hash=event.hash)
        prev = event.hash
    AuditChain.objects.filter(key=key).update(last_hash=prev)


def test_a_consistently_rewritten_chain_is_caught(org):
    _write(org, 5)
    checkpoints.make_checkpoints()
    _write(org, 2)  # more events after the checkpoint, not yet signed
    _rewrite_chain(org.a.pk, 2, "test.forged")
    problems, _ = verify()
    assert _chain_only(problems) == []  # every hash recomputed: the chain alone looks intact
    problems = _database_only(problems)
    assert len(problems) == 1 and problems[0]["seq"] == 5 and "rewritten" in problems[0]["problem"]


def test_a_forger_cannot_sign_a_new_checkpoint_or_edit_one(org, settings):
    _write(org, 4)
    checkpoints.make_checkpoints()
    _rewrite_chain(org.a.pk, 1, "test.forged")
    # the forger re-signs the rewritten head with a key of their own
    real_key = settings.DIEUHANH_AUDIT_SIGNING_KEY
    settings.DIEUHANH_AUDIT_SIGNING_KEY, _ = checkpoints.generate_key()
    AuditCheckpoint.objects.all().delete()
    checkpoints.make_checkpoints()
    settings.DIEUHANH_AUDIT_SIGNING_KEY = real_key
    problems, _ = verify()
    assert any("not trusted" in p["problem"] for p in problems)
    # editing a genuine checkpoint to match the forged chain breaks its signature
    AuditCheckpoint.objects.all().delete()
    _write(org, 1)
    checkpoints.make_checkpoints()
    cp = AuditCheckpoint.objects.get()
    forged_hash = event_hash(prev_hash="", chain=cp.chain, seq=cp.seq, at=cp.at, actor_id=None, action="x",
                             object_type="", object_id="", unit_id=None, data={})
    AuditCheckpoint.objects.filter(pk=cp.pk).update(hash=forged_hash)
    problems, _ = verify()
    assert any("signature does not verify" in p["problem"] for p in problems)


def test_checkpoints_of_an_earlier_key_verify_when_it_is_listed(org, settings):
    old_private, old_public = checkpoints.generate_key()
    settings.DIEUHANH_AUDIT_SIGNING_KEY = old_private
    _write(org, 2)
    checkpoints.make_checkpoints()
    settings.DIEUHANH_AUDIT_SIGNING_KEY, _ = checkpoints.generate_key()  # the key is changed
    assert any("not trusted" in p["problem"] for p in verify()[0])
    settings.DIEUHANH_AUDIT_TRUSTED_KEYS = [old_public]
    assert verify()[0] == []


def test_a_bad_configured_key_is_a_clear_error(org, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DIEUHANH_AUDIT_SIGNING_KEY = "bm90IDMyIGJ5dGVz"
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        checkpoints.make_checkpoints()


def test_deleting_the_tail_and_its_checkpoints_is_caught_by_the_anchor_file(org, settings):
    """Issue 14 item 7: cut the chain and delete the checkpoints that signed the cut part; the database then agrees
    with itself, but the anchor file outside it still records the signed head and the checkpoint count."""
    _write(org, 3)
    checkpoints.make_checkpoints()
    _write(org, 3)
    checkpoints.make_checkpoints()  # chain a: checkpoints at seq 3 and 6
    lines = open(settings.DIEUHANH_AUDIT_ANCHOR_FILE).read().splitlines()
    assert any('"seq":6' in line and f'"chain":{org.a.pk}' in line and '"checkpoints":2' in line for line in lines)
    assert verify()[0] == []
    AuditEvent.objects.filter(chain=org.a.pk, seq__gt=3).delete()
    AuditCheckpoint.objects.filter(chain=org.a.pk, seq__gt=3).delete()
    third = AuditEvent.objects.get(chain=org.a.pk, seq=3)
    AuditChain.objects.filter(key=org.a.pk).update(last_seq=3, last_hash=third.hash)
    problems, _ = verify()
    assert _database_only(problems) == []  # the database alone agrees with itself
    assert {(p["chain"], p["seq"]) for p in problems} == {(org.a.pk, 6)}
    assert any(p["problem"].startswith("missing tail") for p in problems)
    assert any(p["problem"].startswith("missing checkpoints") for p in problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_deleting_only_checkpoints_is_caught_and_the_file_is_only_appended(org, settings):
    _write(org, 2)
    checkpoints.make_checkpoints()
    _write(org, 1)
    checkpoints.make_checkpoints()
    before = open(settings.DIEUHANH_AUDIT_ANCHOR_FILE).read()
    AuditCheckpoint.objects.filter(chain=org.a.pk, seq=2).delete()
    problems, _ = verify()
    assert [(p["chain"], p["problem"].split(":")[0]) for p in problems] == [(org.a.pk, "missing checkpoints")]
    _write(org, 1)
    checkpoints.make_checkpoints()
    assert open(settings.DIEUHANH_AUDIT_ANCHOR_FILE).read().startswith(before)
