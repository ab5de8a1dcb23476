"""The freezing pages: system administrators freeze, see what a freeze covers and lift it; nobody else gets in;
bad input re-renders the form naming the field, with status 400 and nothing written."""

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Document, Freeze
from dieuhanh.records.models import RecordFile
from dieuhanh.records.tests.conftest import records  # noqa: F401  (fixture)


def test_admin_freezes_by_symbol_and_code_sees_it_and_lifts_it(records, client):  # noqa: F811
    org = records.org
    doc, other = records.issue("Thanh tra"), records.issue("Khác")
    file = records.open_file()
    client.force_login(org.admin)
    home = client.get("/").content.decode()
    assert 'href="/freezes/"' in home
    assert client.get("/freezes/").status_code == 200
    resp = client.post("/freezes/", {"reason": "Thanh tra năm 2026", "unit": org.a.code,
                                     "documents": f"{doc.symbol}\n{other.pk}", "files": file.code})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    row = Freeze.objects.get()
    assert resp["Location"] == f"/freezes/{row.pk}/"
    assert row.unit == org.a and row.document_ids == [doc.pk, other.pk] and row.file_ids == [file.pk]
    assert Document.objects.get(pk=doc.pk).freeze_id == row.pk and RecordFile.objects.get(pk=file.pk).freeze_id
    assert AuditEvent.objects.filter(action="freeze.create", actor=org.admin).count() == 1
    page = client.get(f"/freezes/{row.pk}/").content.decode()
    assert doc.symbol in page and file.code in page and "Thanh tra năm 2026" in page and 'id="lift"' in page
    assert "Khác" not in page  # by symbol, never by subject
    listing = client.get("/freezes/").content.decode()
    assert f'href="/freezes/{row.pk}/"' in listing
    # lifting needs a reason
    resp = client.post(f"/freezes/{row.pk}/", {"reason": "  "})
    assert resp.status_code == 400 and 'class="field invalid"' in resp.content.decode()
    assert Freeze.objects.get().active
    resp = client.post(f"/freezes/{row.pk}/", {"reason": "Đã thanh tra xong"})
    assert resp.status_code == 302
    assert not Freeze.objects.get().active and Document.objects.get(pk=doc.pk).freeze_id is None
    page = client.get(f"/freezes/{row.pk}/").content.decode()
    assert doc.symbol in page and "Đã thanh tra xong" in page and 'id="lift"' not in page
    assert f'href="/freezes/{row.pk}/"' in client.get("/freezes/?state=lifted").content.decode()
    assert f'href="/freezes/{row.pk}/"' not in client.get("/freezes/").content.decode()
    # lifting twice is a readable 400, not a 500
    assert client.post(f"/freezes/{row.pk}/", {"reason": "Lần nữa"}).status_code == 400


def test_bad_input_names_the_field_and_writes_nothing(records, client):  # noqa: F811
    org = records.org
    doc = records.issue("Một")
    b_doc = records.exchange.outgoing(subject="Của B")  # not issued: no symbol
    client.force_login(org.admin)
    before = AuditEvent.objects.count()
    cases = [
        ({"reason": "", "documents": str(doc.pk)}, "reason"),
        ({"reason": "x", "documents": ""}, "documents"),                     # nothing to freeze
        ({"reason": "x", "documents": "99/XX-YY"}, "documents"),             # unknown symbol
        ({"reason": "x", "documents": "999999"}, "documents"),               # unknown id
        ({"reason": "x", "files": "H01.2026.NOPE"}, "files"),
        ({"reason": "x", "files": "999999"}, "files"),
        ({"reason": "x", "unit": "000.99.99.X99", "documents": str(doc.pk)}, "unit"),
        ({"reason": "x", "unit": org.b.code, "documents": str(doc.pk)}, "documents"),  # outside the scope
        ({"reason": "x" * 2001, "documents": str(doc.pk)}, "reason"),
    ]
    for data, field in cases:
        resp = client.post("/freezes/", data)
        html = resp.content.decode()
        assert resp.status_code == 400, (data, resp.status_code)
        assert f'id="id_{field}"' in html and 'class="field invalid"' in html, (data, field)
        start = html.index('class="field invalid"')
        assert f'id="id_{field}"' in html[start:start + 2000], (data, field)
    assert not Freeze.objects.exists() and AuditEvent.objects.count() == before
    assert b_doc.freeze_id is None


def test_nobody_else_reaches_the_pages(records, client):  # noqa: F811
    org = records.org
    from dieuhanh.documents import freeze as freezing

    row = freezing.freeze(actor=org.admin, reason="Thanh tra", unit=org.a, document_ids=[records.issue("A").pk])
    for user in (org.uadmin_a, org.clerk_a, org.leader_b, records.spec):
        client.force_login(user)
        assert client.get("/freezes/").status_code == 403
        assert client.get(f"/freezes/{row.pk}/").status_code == 403
        assert client.post("/freezes/", {"reason": "x", "documents": "1"}).status_code == 403
        assert client.post(f"/freezes/{row.pk}/", {"reason": "x"}).status_code == 403
    assert Freeze.objects.get().active and Freeze.objects.count() == 1
    client.logout()
    assert client.get("/freezes/").status_code == 302  # to the sign-in page
    client.force_login(org.admin)
    assert client.get("/freezes/999999/").status_code == 404
    assert 'href="/freezes/"' not in (client.force_login(org.clerk_a) or client.get("/").content.decode())
