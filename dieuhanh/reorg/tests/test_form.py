"""The page that records a decision: units picked by search, the service's refusals beside their fields (400,
nothing written), the decision's page with its dry run and the execution's progress."""

from dieuhanh.audit.models import AuditEvent
from dieuhanh.reorg.models import Decision
from dieuhanh.units.models import Unit


def _post(client, data, kind="merge"):
    base = {"kind": kind, "rows": "2", "effective_on": "2026-01-05", "document_ref": "125-QĐ/TW",
            "members": "move", "successor_mode": "existing"}
    return client.post("/reorg/new/", {**base, **data})


def _written():
    return Decision.objects.count(), AuditEvent.objects.count(), Unit.objects.count()


def _field_html(resp, name):
    html = resp.content.decode()
    start = html.index(f'id="picker-{name}"') if f'id="picker-{name}"' in html else html.index(f'id="field-{name}"')
    return html[start:html.index("</div>\n", html.index("<select" if "picker" in html[start:start + 20] else
                                                         "<label", start)) + 6]


def test_only_administrators(reorg_world, client):
    client.force_login(reorg_world.org.leader_a)
    for url in ("/reorg/new/", "/reorg/units/?field=old_0&old_0_q=ba"):
        assert client.get(url).status_code == 403
    assert client.post("/reorg/new/", {"kind": "merge"}).status_code == 403
    assert not Decision.objects.exists()


def test_pick_units_by_search_and_record_a_merger(reorg_world, client):
    w = reorg_world
    client.force_login(w.org.admin)
    for kind in ("merge", "split", "dissolve", "junk"):
        assert client.get(f"/reorg/new/?kind={kind}").status_code == 200
    # the picker's options: folded search, the chosen unit first, only active units
    resp = client.get(f"/reorg/units/?field=old_0&old_0_q=ba+dinh&old_0={w.org.b1.pk}")
    html = resp.content.decode()
    assert resp.status_code == 200 and w.org.a1.name in html and html.index(w.org.b1.name) < html.index(w.org.a1.name)
    # "Find" without JavaScript shows the matches and writes nothing
    before = _written()
    resp = _post(client, {"find": "successor", "successor_q": "sai gon", "old_0": w.org.a1.pk})
    assert resp.status_code == 200 and w.org.b1.name in resp.content.decode() and _written() == before
    assert 'name="old_2"' in _post(client, {"more": "1"}).content.decode()
    resp = _post(client, {"old_0": w.org.a1.pk, "successor": w.org.b1.pk, "document": f"/documents/{w.own.pk}/"})
    decision = Decision.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/reorg/{decision.pk}/"
    assert decision.document_ref == "125-QĐ/TW" and decision.document_id == w.own.pk
    page = client.get(resp["Location"])
    assert page.status_code == 200 and b'id="progress"' in page.content and w.org.b1.name.encode() in page.content
    assert client.get(f"/reorg/{decision.pk}/progress/").status_code == 200
    client.post(f"/reorg/{decision.pk}/")
    page = client.get(f"/reorg/{decision.pk}/progress/").content.decode()
    assert 'value="10"' in page and 'max="10"' in page  # every step done


def test_refusals_come_back_beside_their_fields(reorg_world, client):
    w = reorg_world
    client.force_login(w.org.admin)
    _post(client, {"old_0": w.org.a1.pk, "successor": w.org.b1.pk})  # a pending decision: A1 -> B1
    before = _written()
    # before the unit existed
    resp = _post(client, {"old_0": w.org.ad.pk, "successor": w.org.b1.pk, "effective_on": "2020-01-01"})
    assert resp.status_code == 400 and "01/01/2020" in _field_html(resp, "effective_on")
    # a second successor for A1
    resp = _post(client, {"old_0": w.org.a1.pk, "successor": w.org.b.pk}, kind="dissolve")
    assert resp.status_code == 400
    resp = _post(client, {"old": w.org.a1.pk, "successor": w.org.b.pk}, kind="dissolve")
    assert resp.status_code == 400 and w.org.a1.name in _field_html(resp, "old")
    # a cycle B1 -> A1 while A1 -> B1 is pending
    resp = _post(client, {"old": w.org.b1.pk, "successor": w.org.a1.pk}, kind="dissolve")
    assert resp.status_code == 400 and b'class="errors card"' in resp.content and "→" in resp.content.decode()
    # a new successor refused with the rest: not created
    resp = _post(client, {"old_0": w.org.ad.pk, "successor_mode": "new", "new_name": "Văn phòng mới",
                          "new_short_name": "VP", "new_code": "", "new_kind": "department",
                          "new_parent": w.org.a.pk})
    assert resp.status_code == 400 and _field_html(resp, "new_code").count('class="error"') == 1
    # a split: lines the service refuses, and a document symbol nobody has
    resp = _post(client, {"old": w.org.a1.pk, "succ_0": w.org.b.pk, "rule_0": "all", "succ_1": w.org.b1.pk,
                          "rule_1": "documents", "docs_1": "99/XX-YY"}, kind="split")
    assert resp.status_code == 400 and "99/XX-YY" in _field_html(resp, "docs_1")
    # junk of every kind is a 400, never a 500
    for junk in ({"old": "abc", "successor": "-1", "effective_on": "31/02"}, {"kind": "zzz", "rows": "999"},
                 {"old": "99999999", "successor": "99999998", "document": "http://x/y"}):
        assert _post(client, junk, kind="dissolve").status_code == 400
    assert _written() == before


def test_split_by_department_and_dissolve(reorg_world, client):
    from dieuhanh.units import services as unit_services

    w = reorg_world
    dept = unit_services.create_unit(actor=w.org.admin, parent=w.org.a1, code="000.01.02.H01", name="Ban Dân vận",
                                     short_name="BDV", kind="department", effective_from=w.org.a1.effective_from)
    client.force_login(w.org.admin)
    # with the old unit chosen, a department picker lists its sub-units without any words typed
    resp = client.get(f"/reorg/units/?field=dept_1&old={w.org.a1.pk}")
    assert dept.name in resp.content.decode() and w.org.b.name not in resp.content.decode()
    resp = _post(client, {"old": w.org.a1.pk, "succ_0": w.org.b.pk, "rule_0": "all", "succ_1": w.org.b1.pk,
                          "rule_1": "department", "dept_1": dept.pk, "docs_1": ""}, kind="split")
    assert resp.status_code == 302
    decision = Decision.objects.get()
    assert {(i.successor_id, i.rule, i.department_id) for i in decision.items.all()} == {
        (w.org.b.pk, "all", None), (w.org.b1.pk, "department", dept.pk)}
    page = client.get(resp["Location"]).content.decode()
    assert f"{dept.name} → {w.org.b1.name}" in page  # the dry run lists the sub-unit and where it goes
