from dieuhanh.reorg import services
from dieuhanh.units.models import Unit


def test_pages_for_the_admin_only(reorg_world, client):
    w = reorg_world
    d = services.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today,
                                 items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}])
    client.force_login(w.org.leader_a)
    assert client.get("/reorg/").status_code == 403
    assert client.get(f"/reorg/{d.pk}/").status_code == 403
    assert client.post(f"/reorg/{d.pk}/").status_code == 403
    client.force_login(w.org.admin)
    assert client.get("/reorg/").status_code == 200
    page = client.get(f"/reorg/{d.pk}/")
    assert page.status_code == 200 and w.org.b1.name.encode() in page.content and b'id="execute"' in page.content
    assert client.get("/reorg/999999/").status_code == 404
    assert client.post(f"/reorg/{d.pk}/").status_code == 302
    assert Unit.objects.get(pk=w.org.a1.pk).status == "merged"
