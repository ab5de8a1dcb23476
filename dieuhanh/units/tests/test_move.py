"""Moving a subtree rewrites every descendant's path (decision 0002: moving is a reorganization)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.units import selectors, services
from dieuhanh.units.models import Unit, UnitKind

DAY = datetime.date(2025, 7, 1)


def _unit(org, parent, code):
    return services.create_unit(actor=org.admin, parent=parent, code=code, name=f"Chi bộ {code}", short_name="CB",
                                kind=UnitKind.CELL, effective_from=DAY)


def test_move_rewrites_every_descendant_path(org):
    cell = _unit(org, org.a1, "M1")
    grand = _unit(org, cell, "M2")
    great = _unit(org, grand, "M3")
    before = {u.pk for u in selectors.subtree(org.a1)}
    moved = services.move_subtree(actor=org.admin, unit=org.a1, new_parent=org.b1)
    assert moved == 4
    a1 = Unit.objects.get(pk=org.a1.pk)
    assert a1.parent_id == org.b1.pk and a1.depth == org.b1.depth + 1 and a1.path.startswith(org.b1.path)
    for unit, depth in ((cell, a1.depth + 1), (grand, a1.depth + 2), (great, a1.depth + 3)):
        unit.refresh_from_db()
        assert unit.path.startswith(a1.path) and unit.depth == depth and len(unit.path) == 4 * depth
    # the subtree is still one range, under its new parent, and nothing is left under A
    assert {u.pk for u in selectors.subtree(a1)} == before
    assert not selectors.subtree(org.a).filter(pk__in=before).exists()
    assert Unit.objects.get(pk=org.b1.pk).child_counter == 1
    event = AuditEvent.objects.get(action="unit.move")
    assert event.data["units"] == 4 and event.data["to_parent"] == org.b1.pk
    # a new child of the moved unit still gets a fresh step
    assert _unit(org, a1, "M4").path.startswith(a1.path)


def test_move_is_refused_under_itself_and_to_others(org):
    cell = _unit(org, org.a1, "N1")
    with pytest.raises(ValidationError) as exc:
        services.move_subtree(actor=org.admin, unit=org.a1, new_parent=cell)
    assert "parent_id" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.move_subtree(actor=org.uadmin_a, unit=org.a1, new_parent=org.b1)
    assert services.move_subtree(actor=org.admin, unit=org.a1, new_parent=org.a) == 0  # already there
    assert not AuditEvent.objects.filter(action="unit.move").exists()


def test_successors_and_predecessors(org):
    Unit.objects.filter(pk=org.a1.pk).update(successor=org.b1)
    Unit.objects.filter(pk=org.b1.pk).update(successor=org.b)
    assert selectors.successors(Unit.objects.get(pk=org.a1.pk)) == [org.b1, org.b]
    assert selectors.predecessor_ids({org.b.pk}) == {org.b1.pk, org.a1.pk}
    assert selectors.predecessor_ids({org.a.pk}) == set()
