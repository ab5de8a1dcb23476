"""The audit log is a hash chain per unit: editing or deleting a row is caught by the verifier."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from dieuhanh.audit.chain import verify
from dieuhanh.audit.models import AuditChain, AuditEvent
from dieuhanh.audit.services import record


def _write(org, n=5):
    for i in range(n):
        with transaction.atomic():
            record(actor=org.admin, action="test.event", obj=org.a, unit=org.a, data={"i": i, "name": "Hà Nội"})
    with transaction.atomic():
        record(actor=None, action="test.global", data={"x": 1})


def test_events_are_chained_per_unit(org):
    _write(org)
    events = list(AuditEvent.objects.filter(chain=org.a.pk).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    head = AuditChain.objects.get(key=org.a.pk)
    assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    assert verify()[0] == []
    call_command("audit", "verify")


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_a_row_changed_directly_in_the_database_is_caught(org, tamper):
    _write(org)
    victim = AuditEvent.objects.filter(chain=org.a.pk).order_by("seq")[2]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:  # behind the application's back
        if tamper == "edit":
            cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["test.forged", victim.pk])
        else:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [victim.pk])
    problems, _ = verify()
    assert len(problems) == 1 and problems[0]["chain"] == org.a.pk and problems[0]["seq"] == victim.seq
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_a_rolled_back_action_leaves_no_event_and_no_gap(org):
    _write(org, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=org.admin, action="test.event", unit=org.a, data={})
        raise RuntimeError
    _write(org, 1)
    assert verify()[0] == []
