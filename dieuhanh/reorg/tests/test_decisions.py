import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dieuhanh.reorg import services
from dieuhanh.reorg.models import Decision


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English here; the pages show them in the person's language."""
    with translation.override("en"):
        yield


def merge(org, items, **kw):
    return services.record_decision(actor=org.admin, kind=kw.pop("kind", "merge"),
                                    effective_on=kw.pop("effective_on", datetime.date.today()), items=items, **kw)


def fields(exc):
    return exc.value.message_dict


def test_records_a_merger_with_its_decision_document(reorg_world):
    w = reorg_world
    d = merge(w.org, [{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}], document_id=w.own.pk)
    assert d.items.get().successor == w.org.b1 and d.document == w.own and d.status == "recorded"
    from dieuhanh.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="reorg.decision.record", unit=w.org.a1).count() == 1


def test_only_a_system_admin_records(reorg_world):
    with pytest.raises(PermissionDenied):
        services.record_decision(actor=reorg_world.org.leader_a, kind="merge", effective_on=datetime.date.today(),
                                 items=[{"old_unit_id": reorg_world.org.a1.pk,
                                         "successor_id": reorg_world.org.b1.pk}])


def test_unknown_units_are_named(org):
    with pytest.raises(ValidationError) as exc:
        merge(org, [{"old_unit_id": 99999, "successor_id": org.b1.pk}])
    assert "items.0.old_unit_id" in fields(exc)
    with pytest.raises(ValidationError) as exc:
        merge(org, [{"old_unit_id": org.a1.pk, "successor_id": 99999}])
    assert "items.0.successor_id" in fields(exc)
    with pytest.raises(ValidationError) as exc:
        merge(org, [{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}], document_id=99999)
    assert "document_id" in fields(exc)


def test_two_successors_for_the_same_unit(org):
    with pytest.raises(ValidationError) as exc:
        services.record_decision(actor=org.admin, kind="split", effective_on=datetime.date.today(), items=[
            {"old_unit_id": org.a1.pk, "successor_id": org.b1.pk},
            {"old_unit_id": org.a1.pk, "successor_id": org.b.pk}])
    assert "two successors" in fields(exc)["items.1.old_unit_id"][0]
    merge(org, [{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}])
    with pytest.raises(ValidationError) as exc:  # already in a pending decision
        merge(org, [{"old_unit_id": org.a1.pk, "successor_id": org.b.pk}])
    assert "two successors" in fields(exc)["items.0.old_unit_id"][0]


def test_two_successors_for_the_same_document(reorg_world):
    w = reorg_world
    with pytest.raises(ValidationError) as exc:
        services.record_decision(actor=w.org.admin, kind="split", effective_on=w.today, items=[
            {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk, "rule": "documents",
             "document_ids": [w.handled.pk]},
            {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b.pk, "rule": "documents",
             "document_ids": [w.own.pk, w.handled.pk]}])
    assert "items.1.document_ids" in fields(exc)


def test_a_cycle_is_refused(org):
    merge(org, [{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}])
    with pytest.raises(ValidationError) as exc:
        merge(org, [{"old_unit_id": org.b1.pk, "successor_id": org.a1.pk}], kind="dissolve")
    assert "cycle" in fields(exc)["items"][0].lower()
    with pytest.raises(ValidationError) as exc:
        merge(org, [{"old_unit_id": org.b.pk, "successor_id": org.b.pk}], kind="dissolve")
    assert "items.0.successor_id" in fields(exc)


def test_effective_date_before_the_unit_existed(org):
    with pytest.raises(ValidationError) as exc:
        merge(org, [{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}], effective_on="2020-01-01")
    assert "before" in fields(exc)["effective_on"][0]
    with pytest.raises(ValidationError) as exc:
        merge(org, [{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}], effective_on="not a date")
    assert "effective_on" in fields(exc)


def test_merge_into_a_new_unit(org):
    d = merge(org, [{"old_unit_id": org.a1.pk}, {"old_unit_id": org.ad.pk}], new_successor={
        "code": "000.02.00.H01", "name": "Đảng ủy phường Hoàn Kiếm", "short_name": "ĐU", "kind": "commune",
        "parent_id": org.a.pk})
    successor = d.items.first().successor
    assert {i.successor_id for i in d.items.all()} == {successor.pk} and successor.parent == org.a
    assert Decision.objects.count() == 1
