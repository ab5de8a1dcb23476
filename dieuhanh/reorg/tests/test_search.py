"""What a reorganization or a handover import moves is found by search, by the people who now hold it (issue 15,
bug 3; decision 0040)."""

from django.core.management import call_command

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.reorg import services
from dieuhanh.reorg.models import HandoverImport
from dieuhanh.search import selectors as search
from dieuhanh.units import services as unit_services


def _found(user, q):
    return {h.document.pk for h in search.search(user, q=q).hits}


def test_handover_import_is_found_by_the_receiving_unit(merged, tmp_path):
    w = merged
    dest = tmp_path / "bag"
    call_command("handover", "export", str(w.org.a1.pk), str(dest))
    fresh = unit_services.create_unit(actor=w.org.admin, parent=w.org.b, code="000.09.00.H79",
                                      name="Đảng ủy phường Mới", short_name="ĐU", kind="commune",
                                      effective_from=w.today)
    keeper = make_user("clerk.fresh", fresh, Role.CLERK)
    outsider = make_user("clerk.other", w.org.ad, Role.CLERK)
    call_command("handover", "import", str(dest), str(fresh.pk))
    done = HandoverImport.objects.get(unit=fresh)
    mapping = dict(done.imported.filter(kind="document").values_list("source_id", "target_id"))
    own = mapping[w.own.pk]
    # the index row exists and the receiving unit's people, and the installation's administrator, find it
    assert own in _found(w.org.admin, "Văn bản của A1")
    assert own in _found(keeper, "Văn bản của A1")
    assert mapping[w.handled.pk] in _found(keeper, "đang xử lý")
    # and nobody else gains sight of it
    assert own not in _found(outsider, "Văn bản của A1")


def test_work_split_to_another_successor_is_found_there(reorg_world):
    """A split hands an incoming document to a successor that does not hold the old collection: its people find
    the document by search, as they can open it."""
    w = reorg_world
    reader_b1 = make_user("clerk.b1", w.org.b1, Role.CLERK)
    d = services.record_decision(actor=w.org.admin, kind="split", effective_on=w.today, items=[
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk, "rule": "documents",
         "document_ids": [w.handled.pk]},
        {"old_unit_id": w.org.a1.pk, "successor_id": w.org.b.pk}])
    assert w.handled.pk not in _found(reader_b1, "đang xử lý")
    services.execute(actor=w.org.admin, decision=d)
    assert w.handled.pk in _found(reader_b1, "đang xử lý")
