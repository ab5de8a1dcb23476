"""Sub-units of a merged or dissolved unit move under the successor (or where the decision says), whole subtrees,
once, with a trace; and the successor then holds the old unit's collection."""

import pytest
from django.core.exceptions import ValidationError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.reorg import selectors, services
from dieuhanh.reorg.models import Decision, ExecutionStep, ReassignmentTrace
from dieuhanh.units import services as unit_services
from dieuhanh.units.models import Unit


def _cells(w):
    def unit(parent, code, name):
        return unit_services.create_unit(actor=w.org.admin, parent=parent, code=code, name=name, short_name="CB",
                                         kind="cell", effective_from=w.org.a1.effective_from)
    cell = unit(w.org.a1, "000.01.09.C01", "Chi bộ khu phố 1")
    inner = unit(cell, "000.01.09.C02", "Tổ đảng 1")
    dept = unit(w.org.a1, "000.01.09.C03", "Ban Tổ chức phường")
    return cell, inner, dept


def _merge(w, **kw):
    return services.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today,
                                    items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}], **kw)


def test_sub_units_follow_the_successor_and_resume_without_duplicates(reorg_world, monkeypatch):
    w = reorg_world
    cell, inner, dept = _cells(w)
    d = _merge(w)
    (unit,) = selectors.preview(d, today=w.today)["units"]
    assert {(s["unit_id"], s["to_id"]) for s in unit["sub_units"]} == {(cell.pk, w.org.b1.pk), (dept.pk, w.org.b1.pk)}
    assert not [p for p in selectors.preview(d)["problems"] if p["blocking"]]
    real = unit_services.move_subtree

    def power_cut(**kwargs):
        real(**kwargs)
        raise RuntimeError("power cut")  # after the first subtree's paths were rewritten

    monkeypatch.setattr(unit_services, "move_subtree", power_cut)
    with pytest.raises(RuntimeError):
        services.execute(actor=w.org.admin, decision=d)
    assert "subunits" not in set(ExecutionStep.objects.values_list("name", flat=True))
    assert Unit.objects.get(pk=inner.pk).path == inner.path  # the step rolled back whole
    assert not ReassignmentTrace.objects.filter(object_type="units.unit").exists()
    assert Unit.objects.get(pk=w.org.b1.pk).child_counter == w.org.b1.child_counter
    monkeypatch.setattr(unit_services, "move_subtree", real)
    services.execute(actor=w.org.admin, decision=d)
    once = sorted(ReassignmentTrace.objects.values_list("object_type", "object_id", "field"))
    services.execute(actor=w.org.admin, decision=d)
    assert sorted(ReassignmentTrace.objects.values_list("object_type", "object_id", "field")) == once
    assert len(once) == len(set(once))
    b1 = Unit.objects.get(pk=w.org.b1.pk)
    cell, inner, dept = (Unit.objects.get(pk=u.pk) for u in (cell, inner, dept))
    assert cell.parent_id == dept.parent_id == b1.pk and inner.parent_id == cell.pk
    assert inner.path.startswith(cell.path) and cell.path.startswith(b1.path) and inner.depth == b1.depth + 2
    assert b1.child_counter == w.org.b1.child_counter + 2
    assert AuditEvent.objects.filter(action="unit.move").count() == 2
    traces = ReassignmentTrace.objects.filter(object_type="units.unit", field="parent")
    assert {(t.object_id, t.old_unit_id, t.new_unit_id) for t in traces} == {
        (cell.pk, w.org.a1.pk, b1.pk), (dept.pk, w.org.a1.pk, b1.pk)}
    step = ExecutionStep.objects.get(name="subunits")
    assert step.counts == {"sub_units": 2, "units_moved": 3}
    assert Unit.objects.get(pk=w.org.a1.pk).successor_id == b1.pk
    assert not Unit.objects.filter(parent=w.org.a1, status="active").exists()


def test_where_sub_units_go_is_the_decisions(reorg_world):
    w = reorg_world
    cell, _inner, dept = _cells(w)
    # split by department: the named department goes with its successor, the rest where the decision says
    d = services.record_decision(actor=w.org.admin, kind="split", effective_on=w.today, sub_units_to_id=w.org.ad.pk,
                                 items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk,
                                         "rule": "department", "department_id": dept.pk},
                                        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.a.pk}])
    services.execute(actor=w.org.admin, decision=d)
    assert Unit.objects.get(pk=dept.pk).parent_id == w.org.b1.pk
    assert Unit.objects.get(pk=cell.pk).parent_id == w.org.ad.pk
    assert Unit.objects.get(pk=w.org.a1.pk).successor_id == w.org.a.pk  # the item that takes the rest


def test_sub_units_cannot_go_under_the_old_unit(reorg_world):
    w = reorg_world
    cell, _inner, _dept = _cells(w)
    decisions, units = Decision.objects.count(), Unit.objects.count()
    with pytest.raises(ValidationError) as exc:
        _merge(w, sub_units_to_id=cell.pk)
    assert "sub_units_to_id" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # the successor is one of the old unit's own sub-units
        services.record_decision(actor=w.org.admin, kind="dissolve", effective_on=w.today,
                                 items=[{"old_unit_id": w.org.a1.pk, "successor_id": cell.pk}])
    assert "items.0.successor_id" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a new successor is not created when the rest is refused
        services.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today, sub_units_to_id=cell.pk,
                                 items=[{"old_unit_id": w.org.a1.pk}],
                                 new_successor={"code": "NEW.01", "name": "Đảng ủy phường mới", "short_name": "ĐU",
                                                "kind": "commune", "parent_id": w.org.a.pk})
    assert Decision.objects.count() == decisions and Unit.objects.count() == units
    # recorded first, then the destination ended: the dry run blocks the execution
    d = _merge(w, sub_units_to_id=w.org.ad.pk)
    Unit.objects.filter(pk=w.org.ad.pk).update(status="dissolved")
    problems = selectors.preview(selectors.get_decision(d.pk))["problems"]
    assert any(p["code"] == "sub_units_nowhere" and p["blocking"] for p in problems)
