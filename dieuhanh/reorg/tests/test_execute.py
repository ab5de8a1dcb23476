import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.accounts.models import Membership
from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Delivery, DeliveryEvent, IncomingEntry, NumberSeries, Register
from dieuhanh.drafting.models import Draft
from dieuhanh.processing.models import Flow
from dieuhanh.reorg import selectors, services
from dieuhanh.reorg.models import ExecutionStep, ReassignmentTrace
from dieuhanh.tasks.models import Task
from dieuhanh.units.models import Unit


def _merge(w, **kw):
    return services.record_decision(actor=w.org.admin, kind="merge", effective_on=kw.pop("effective_on", w.today),
                                    items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}],
                                    document_id=w.own.pk, **kw)


def test_preview_counts_everything_that_will_move(reorg_world, django_assert_max_num_queries):
    w = reorg_world
    d = _merge(w)
    with django_assert_max_num_queries(40):
        p = selectors.preview(d, today=w.today)
    (unit,) = p["units"]
    c = unit["counts"]
    assert c["incoming_open"] == 1 and c["flows_open"] == 2 and c["tasks_open"] == 1 and c["drafts_open"] == 1
    assert c["deliveries_pending"] == 1 and c["memberships_active"] == 3 and c["users"] == 3
    assert c["documents"] == 2 and c["registers_open"] == 4 and c["series_active"] == 2
    (succ,) = unit["successors"]
    assert succ["successor_id"] == w.org.b1.pk and succ["incoming"] == 1
    assert not [x for x in p["problems"] if x["blocking"]]


def test_execution_moves_open_work_and_leaves_a_trace(reorg_world):
    w = reorg_world
    a1, b1 = w.org.a1, w.org.b1
    d = _merge(w)
    with pytest.raises(PermissionDenied):
        services.execute(actor=w.org.leader_a, decision=d)
    services.execute(actor=w.org.admin, decision=d)
    d.refresh_from_db()
    assert d.status == "executed"
    assert IncomingEntry.objects.get(pk=w.entry.pk).unit == b1
    assert set(Flow.objects.filter(entry=w.entry).values_list("unit_id", flat=True)) == {b1.pk}
    assert Task.objects.get(pk=w.task.pk).executing_unit == b1
    assert Draft.objects.get(pk=w.draft.pk).unit == b1
    delivery = w.pending.deliveries.get()
    assert delivery.recipient_unit == b1 and delivery.events.filter(kind="redirected").count() == 1
    assert not Membership.objects.active().filter(unit=a1).exists()
    assert set(Membership.objects.active().filter(unit=b1).values_list("user__username", flat=True)) >= {
        "clerk.a1", "leader.a1", "spec.a1"}
    assert not Register.objects.filter(unit=a1, closed_at__isnull=True).exists()
    assert not NumberSeries.objects.filter(unit=a1, active=True).exists()
    unit = Unit.objects.get(pk=a1.pk)
    assert unit.status == "merged" and unit.effective_to is not None
    # every moved item carries its trace
    for obj, field in ((w.entry, "unit"), (w.task, "executing_unit"), (w.draft, "unit"),
                       (delivery, "recipient_unit")):
        (trace,) = [t for t in selectors.traces_for(obj._meta.label_lower, obj.pk) if t.field == field]
        assert trace.old_unit == a1 and trace.new_unit == b1 and trace.decision == d
    steps = AuditEvent.objects.filter(action__startswith="reorg.step.", unit=a1)
    assert steps.count() == len(services.STEPS)
    # the old unit issues nothing any more
    with pytest.raises(ValidationError):
        w.exchange.outgoing(unit=a1, user=w.clerk_a1)
    # the old unit's documents are still there, and its own document still names it
    assert w.own.issuing_unit_id == a1.pk


def test_not_before_the_effective_date(reorg_world):
    w = reorg_world
    d = _merge(w, effective_on=w.today + datetime.timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        services.execute(actor=w.org.admin, decision=d)
    assert "effective_on" in exc.value.message_dict
    assert any(p["code"] == "not_yet_effective" for p in selectors.preview(d, today=w.today)["problems"])


def _snapshot():
    return (ReassignmentTrace.objects.count(), ExecutionStep.objects.count(),
            AuditEvent.objects.filter(action__startswith="reorg.step.").count(),
            DeliveryEvent.objects.filter(kind="redirected").count(), Membership.objects.count(),
            sorted(ReassignmentTrace.objects.values_list("object_type", "object_id", "field")))


def test_interrupted_execution_resumes_without_duplicates(reorg_world, monkeypatch):
    w = reorg_world
    d = _merge(w)
    real = services.REASSIGN[Task]

    def flaky(*args):
        real(*args)  # in the middle of the tasks step, after some of its writes (a trace, a task moved)
        raise RuntimeError("power cut")

    monkeypatch.setitem(services.REASSIGN, Task, flaky)
    with pytest.raises(RuntimeError):
        services.execute(actor=w.org.admin, decision=d)
    done = set(ExecutionStep.objects.values_list("name", flat=True))
    assert done == {"freeze", "incoming", "flows"}  # the tasks step rolled back whole
    assert Task.objects.get(pk=w.task.pk).executing_unit == w.org.a1
    assert not ReassignmentTrace.objects.filter(object_type="tasks.task").exists()
    monkeypatch.setitem(services.REASSIGN, Task, real)
    services.execute(actor=w.org.admin, decision=d)
    once = _snapshot()
    services.execute(actor=w.org.admin, decision=d)  # and once more: nothing changes
    assert _snapshot() == once
    assert once[1] == len(services.STEPS)
    assert once[2] == len(services.STEPS)
    assert once[3] == 1
    assert Task.objects.get(pk=w.task.pk).executing_unit == w.org.b1
    assert len(once[5]) == len(set(once[5]))


def test_split_by_documents_with_the_rest_to_another(reorg_world):
    w = reorg_world
    d = services.record_decision(actor=w.org.admin, kind="split", effective_on=w.today, items=[
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk, "rule": "documents",
         "document_ids": [w.handled.pk]},
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b.pk}])
    p = selectors.preview(d)
    by = {s["successor_id"]: s for s in p["units"][0]["successors"]}
    assert by[w.org.b1.pk]["incoming"] == 1 and by[w.org.b.pk]["deliveries"] == 1
    services.execute(actor=w.org.admin, decision=d)
    assert IncomingEntry.objects.get(pk=w.entry.pk).unit == w.org.b1
    assert Delivery.objects.get(document=w.pending).recipient_unit == w.org.b


def test_split_without_a_rest_rule_is_blocked(reorg_world):
    w = reorg_world
    d = services.record_decision(actor=w.org.admin, kind="split", effective_on=w.today, items=[
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk, "rule": "documents",
         "document_ids": [w.handled.pk]},
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b.pk, "rule": "documents",
         "document_ids": [w.pending.pk]}])
    codes = {p["code"]: p for p in selectors.preview(d)["problems"]}
    assert codes["no_successor"]["blocking"] and "documents_without_successor" in codes
    with pytest.raises(ValidationError) as exc:
        services.execute(actor=w.org.admin, decision=d)
    assert "items" in exc.value.message_dict
    assert not ExecutionStep.objects.exists()


def test_dissolve_can_deactivate_people(reorg_world):
    w = reorg_world
    d = services.record_decision(actor=w.org.admin, kind="dissolve", effective_on=w.today, members="deactivate",
                                 items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.a.pk}])
    services.execute(actor=w.org.admin, decision=d)
    w.clerk_a1.refresh_from_db()
    assert not w.clerk_a1.is_active
    assert Unit.objects.get(pk=w.org.a1.pk).status == "dissolved"


def test_commands_preview_and_execute(reorg_world, capsys):
    import json

    from django.core.management import call_command

    w = reorg_world
    d = _merge(w)
    call_command("reorg", "preview", str(d.pk))
    out = json.loads(capsys.readouterr().out)
    assert out["units"][0]["counts"]["tasks_open"] == 1
    call_command("reorg", "execute", str(d.pk), "--user", w.org.admin.username)
    assert "executed" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="reorg.execute.done", actor=w.org.admin).count() == 1


def test_split_by_department(reorg_world):
    """Work a department of the old unit handles goes with that department's successor; the rest elsewhere."""
    from dieuhanh.documents import services as docs
    from dieuhanh.processing import services as processing
    from dieuhanh.units import services as unit_services

    w = reorg_world
    dept = unit_services.create_unit(actor=w.org.admin, parent=w.org.a1, code="000.01.01.H01",
                                     name="Ban Tuyên giáo phường", short_name="BTG", kind="department",
                                     effective_from=w.org.a1.effective_from)
    other = docs.issue_document(actor=w.org.clerk_a, document=w.exchange.outgoing(
        subject="Văn bản giao ban", recipients=[{"unit_id": w.org.a1.pk}]))
    entry = docs.accept_delivery(actor=w.clerk_a1, delivery=other.deliveries.get())
    processing.assign(actor=w.leader_a1, entry=entry, direction="Ban xử lý",
                      handlers=[{"unit_id": dept.pk, "role": "lead"}])
    d = services.record_decision(actor=w.org.admin, kind="split", effective_on=w.today, items=[
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk, "rule": "department", "department_id": dept.pk},
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b.pk}])
    by = {s["successor_id"]: s for s in selectors.preview(d)["units"][0]["successors"]}
    assert by[w.org.b1.pk]["incoming"] == 1 and by[w.org.b.pk]["incoming"] == 1
    services.execute(actor=w.org.admin, decision=d)
    assert IncomingEntry.objects.get(pk=entry.pk).unit == w.org.b1
    assert IncomingEntry.objects.get(pk=w.entry.pk).unit == w.org.b
    assert set(Flow.objects.filter(entry=entry).values_list("unit_id", flat=True)) == {w.org.b1.pk}
    with pytest.raises(ValidationError) as exc:  # a department outside the old unit
        services.record_decision(actor=w.org.admin, kind="split", effective_on=w.today, items=[
            {"old_unit_id": w.org.b1.pk, "successor_id": w.org.a.pk, "rule": "department",
             "department_id": w.org.ad.pk},
            {"old_unit_id": w.org.b1.pk, "successor_id": w.org.b.pk}])
    assert "items.0.department_id" in exc.value.message_dict


def test_frozen_documents_block_the_move(reorg_world):
    from dieuhanh.documents.models import Document, Freeze

    w = reorg_world
    freeze = Freeze.objects.create(unit=w.org.a1, reason="Thanh tra", created_by=w.org.admin,
                                   document_ids=[w.handled.pk])
    Document.objects.filter(pk=w.handled.pk).update(freeze=freeze)
    d = _merge(w)
    assert any(p["code"] == "frozen" and p["blocking"] for p in selectors.preview(d)["problems"])
    with pytest.raises(ValidationError):
        services.execute(actor=w.org.admin, decision=d)
    assert IncomingEntry.objects.get(pk=w.entry.pk).unit == w.org.a1
