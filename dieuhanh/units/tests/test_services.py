import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.units import selectors, services
from dieuhanh.units.models import Unit, UnitKind, UnitStatus

DAY = datetime.date(2025, 7, 1)


def new_unit(actor, parent, code, name="Chi bộ thử", **extra):
    return services.create_unit(actor=actor, parent=parent, code=code, name=name, short_name="CB",
                                kind=UnitKind.CELL, effective_from=DAY, **extra)


def test_unit_admin_creates_sub_unit_with_path_and_audit(org):
    unit = new_unit(org.uadmin_a, org.a1, "000.01.05.H01", "Chi bộ Khu phố 5")
    assert unit.parent == org.a1
    assert unit.depth == org.a1.depth + 1
    assert unit.path.startswith(org.a1.path) and len(unit.path) == len(org.a1.path) + 4
    event = AuditEvent.objects.get(action="unit.create")
    assert (event.actor, event.object_id, event.unit) == (org.uadmin_a, str(unit.pk), unit)


def test_sibling_paths_are_distinct_and_ordered(org):
    first = new_unit(org.admin, org.b1, "X1")
    second = new_unit(org.admin, org.b1, "X2")
    assert first.path < second.path


def test_text_is_normalized_to_nfc(org):
    import unicodedata

    unit = new_unit(org.admin, org.b1, "NFC1", unicodedata.normalize("NFD", "  Chi bộ Đồng Khởi "))
    assert unit.name == "Chi bộ Đồng Khởi"
    assert "chi bo dong khoi" in unit.search_text


@pytest.mark.parametrize("actor_name", ["clerk_a", "leader_a", "uadmin_b", "spec_a1"])
def test_only_unit_admins_above_may_create(org, actor_name):
    with pytest.raises(PermissionDenied):
        new_unit(getattr(org, actor_name), org.a1, "DENIED1")
    assert not Unit.objects.filter(code="DENIED1").exists()
    assert not AuditEvent.objects.exists()


def test_root_units_need_a_system_admin(org):
    with pytest.raises(PermissionDenied):
        new_unit(org.uadmin_a, None, "ROOT2")
    root = new_unit(org.admin, None, "ROOT2")
    assert root.depth == 1 and root.parent is None and root.path != org.root.path


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "X" * 14}, "code"),
        ({"name": "   "}, "name"),
        ({"kind": "planet"}, "kind"),
        ({"effective_from": "2025-13-40"}, "effective_from"),
        ({"effective_to": datetime.date(2020, 1, 1)}, "effective_to"),
        ({"code": "000.00.00.H01"}, "code"),  # taken by province A
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(org, data, field):
    fields = {"code": "NEW1", "name": "Chi bộ", "short_name": "CB", "kind": UnitKind.CELL, "effective_from": DAY}
    fields.update(data)
    before = Unit.objects.count()
    counter = Unit.objects.get(pk=org.a1.pk).child_counter
    with pytest.raises(ValidationError) as exc:
        services.create_unit(actor=org.admin, parent=org.a1, **fields)
    assert field in exc.value.message_dict
    assert Unit.objects.count() == before
    assert Unit.objects.get(pk=org.a1.pk).child_counter == counter
    assert not AuditEvent.objects.exists()


def test_update_records_changes(org):
    services.update_unit(actor=org.uadmin_a, unit=org.a1, name="Đảng ủy phường Ba Đình (mới)",
                         status=UnitStatus.MERGED)
    org.a1.refresh_from_db()
    assert org.a1.status == UnitStatus.MERGED
    assert "moi" in org.a1.search_text
    event = AuditEvent.objects.get(action="unit.update")
    assert event.data["changes"]["status"] == ["active", "merged"]


def test_update_refuses_structural_fields(org):
    with pytest.raises(ValidationError) as exc:
        services.update_unit(actor=org.admin, unit=org.a1, path="0000", parent=org.b)
    assert set(exc.value.message_dict) == {"path", "parent"}


def test_update_by_other_branch_is_denied(org):
    with pytest.raises(PermissionDenied):
        services.update_unit(actor=org.uadmin_b, unit=org.a1, name="Hijacked")
    org.a1.refresh_from_db()
    assert org.a1.name == "Đảng ủy phường Ba Đình"


def test_subtree_and_ancestors(org):
    sub = {u.code for u in selectors.subtree(org.a)}
    assert sub == {org.a.code, org.a1.code, org.ad.code}
    assert org.b1.code not in sub
    assert [u.code for u in selectors.ancestors(org.a1)] == [org.root.code, org.a.code]


def test_search_folds_diacritics(org):
    found = {u.code for u in selectors.search_units(query="ha noi")}
    assert found == {org.a.code, org.ad.code}
    assert {u.code for u in selectors.search_units(query="dang uy")} == {org.a1.code, org.b1.code}
    assert {u.code for u in selectors.search_units(query="Đảng ủy Sài Gòn")} == {org.b1.code}
