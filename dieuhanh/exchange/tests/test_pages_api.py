"""Pages and API of the exchange: permission-checked; upload a package; the directory; failed sends and retry."""

import io
from types import SimpleNamespace

import pytest
from django.utils import translation

from dieuhanh.exchange import selectors, services
from dieuhanh.exchange.edxml import build_package
from dieuhanh.exchange.models import Organ, PackageState, ReceivedPackage, SentPackage

from . import factories


def _package_for(unit):
    return build_package(factories.package(to=(factories.organ(unit.code, unit.name),)))


def test_a_clerk_uploads_a_package_and_sees_the_delivery(ex, client):
    org = ex.org
    client.force_login(org.clerk_b)
    upload = io.BytesIO(_package_for(org.b))
    upload.name = "goi.edxml"
    response = client.post("/exchange/received/", {"package": upload})
    assert response.status_code == 302
    pkg = ReceivedPackage.objects.get()
    assert pkg.state == PackageState.IMPORTED and pkg.source == "upload" and pkg.source_ref == "clerk.b/goi.edxml"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "125/UBND-VP" in page.content.decode()
    listing = client.get("/exchange/received/").content.decode()
    assert f'id="package-{pkg.pk}"' in listing


def test_refused_uploads_show_their_reason(ex, client):
    client.force_login(ex.org.clerk_b)
    upload = io.BytesIO(b"<edXML>broken")
    upload.name = "x.edxml"
    with translation.override("en"):
        response = client.post("/exchange/received/", {"package": upload}, follow=True)
    body = response.content.decode()
    assert 'data-state="refused"' in body and "<code>xml</code>" in body


def test_pages_are_refused_to_people_without_the_role(ex, client):
    client.force_login(ex.org.spec_a1)
    assert client.get("/exchange/received/").status_code == 403
    assert client.get("/exchange/sent/").status_code == 403
    assert client.get("/exchange/organs/new/").status_code == 403
    assert client.get("/exchange/organs/").status_code == 200


def test_a_clerk_does_not_see_another_units_arrival(ex, client):
    pkg = services.receive_package(data=_package_for(ex.org.b), source="gateway")
    client.force_login(ex.org.clerk_a)
    assert client.get(f"/exchange/received/{pkg.pk}/").status_code == 404
    client.force_login(ex.org.clerk_b)
    assert client.get(f"/exchange/received/{pkg.pk}/").status_code == 200


def test_admin_adds_an_organ_on_the_page_with_errors_beside_fields(ex, client):
    client.force_login(ex.org.admin)
    bad = client.post("/exchange/organs/new/", {"code": "sai", "name": "X", "channel": "gateway"})
    assert bad.status_code == 400 and 'class="field invalid"' in bad.content.decode()
    ok = client.post("/exchange/organs/new/", {"code": "000.00.01.H27", "name": "UBND tỉnh Bắc Ninh",
                                                "channel": "gateway", "active": "on"})
    assert ok.status_code == 302 and Organ.objects.get().name == "UBND tỉnh Bắc Ninh"


def test_api_received_list_upload_and_organs(ex, api_client, client):
    org = ex.org
    api_client.as_user(org.clerk_b)
    upload = io.BytesIO(_package_for(org.b))
    upload.name = "p.edxml"
    response = client.post("/api/v1/exchange/received", {"file": upload}, **api_client.headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "imported" and len(body["delivery_ids"]) == 1
    listed = api_client.get("/api/v1/exchange/received").json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    assert api_client.get(f"/api/v1/exchange/received/{body['id']}").status_code == 200
    assert api_client.post("/api/v1/exchange/organs", {"code": "000.00.01.H27", "name": "x"}).status_code == 403
    api_client.as_user(org.admin)
    created = api_client.post("/api/v1/exchange/organs", {"code": "000.00.01.H27", "name": "UBND"})
    assert created.status_code == 201
    bad = api_client.post("/api/v1/exchange/organs", {"code": "nope", "name": "UBND"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "code"
    assert api_client.get("/api/v1/exchange/organs?q=ubnd").json()["items"][0]["code"] == "000.00.01.H27"


def test_failed_sends_are_shown_with_their_reason_and_retried(ex, client, monkeypatch):
    org = ex.org
    sent = SentPackage.objects.create(organ_code="000.00.01.H27", edxml_document_id="x", package_id="x#02#1",
                                      kind="status", status_code="02")
    item = SimpleNamespace(pk=7, destination="000.00.01.H27", package_id="x#02#1", state="failed", attempts=3,
                           last_error="connection refused", next_attempt_at=None)
    retried = []

    class Items(list):
        def values_list(self, *args, **kwargs):
            return [i.package_id for i in self]

    fake = SimpleNamespace(outbox_items=lambda package_ids=None, states=None: Items([item]))
    monkeypatch.setattr(selectors, "gateway_selectors", fake)
    monkeypatch.setattr(services, "gateway_retry", lambda item_id: retried.append(item_id) or
                        SimpleNamespace(pk=item_id, state="queued", attempts=3, last_error=""))
    client.force_login(org.admin)
    body = client.get("/exchange/sent/?failed=1").content.decode()
    assert f'id="sent-{sent.pk}"' in body and "connection refused" in body
    assert f"/exchange/sent/{sent.pk}/retry/" in body
    assert client.post(f"/exchange/sent/{sent.pk}/retry/").status_code == 302
    assert retried == [7]
    client.force_login(org.clerk_b)  # neither its document's unit nor its delivery's
    assert client.post(f"/exchange/sent/{sent.pk}/retry/").status_code == 404


@pytest.mark.parametrize("path", ["/exchange/received/", "/exchange/sent/", "/exchange/organs/"])
def test_anonymous_is_sent_to_sign_in(client, path, db):
    assert client.get(path).status_code == 302


def test_api_imports_organs_from_xlsx(ex, api_client, client):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Mã", "Tên cơ quan"])
    book.active.append(["000.00.01.H27", "UBND tỉnh Bắc Ninh"])
    book.active.append(["sai", "Sai mã"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "co-quan.xlsx"
    api_client.as_user(ex.org.admin)
    response = client.post("/api/v1/exchange/organs/import", {"file": data}, **api_client.headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 1 and [(r["row"], r["field"]) for r in body["refused"]] == [(3, "code")]


def test_a_refused_arrival_is_shown_to_administrators_and_its_uploader_only(ex, client):
    # a refused package belongs to no unit: its subject may be anyone's (even a secret document sent to the wrong
    # place), so it is not listed to every clerk
    arrived = services.receive_package(data=b"<edXML>broken", source="gateway", source_ref="peer/1")
    assert arrived.state == PackageState.REFUSED
    upload = io.BytesIO(b"<edXML>also broken")
    upload.name = "x.edxml"
    client.force_login(ex.org.clerk_b)
    client.post("/exchange/received/", {"package": upload})
    uploaded = ReceivedPackage.objects.exclude(pk=arrived.pk).get()
    assert uploaded.state == PackageState.REFUSED
    assert client.get(f"/exchange/received/{uploaded.pk}/").status_code == 200
    assert client.get(f"/exchange/received/{arrived.pk}/").status_code == 404
    assert [p.pk for p in selectors.received_page(ex.org.clerk_b).items] == [uploaded.pk]
    client.force_login(ex.org.clerk_a)
    assert client.get(f"/exchange/received/{uploaded.pk}/").status_code == 404
    assert not selectors.received_page(ex.org.clerk_a).items
    assert {p.pk for p in selectors.received_page(ex.org.admin).items} == {arrived.pk, uploaded.pk}
