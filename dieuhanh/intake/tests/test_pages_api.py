"""Who sees what the channels took in: the clerks of the unit (page and API), unreadable items with their reason and
a retry; a clerk of another unit sees nothing of it."""

import os
import time
from pathlib import Path

import pytest
from django.utils import translation

from dieuhanh.intake import services
from dieuhanh.intake.models import ItemState, Source, SourceKind

from .mails import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken(ex, tmp_path):
    root = tmp_path / "scanner"
    for rel, data in ((f"{ex.org.a.code}/to-trinh-so-7.pdf", PDF), (f"{ex.org.a.code}/rong.pdf", b""),
                      (f"{ex.org.b.code}/bao-cao-b.pdf", PDF + b"b")):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        old = time.time() - 60
        os.utime(path, (old, old))
    source = Source.objects.create(name="Máy quét", kind=SourceKind.FOLDER, path=str(root))
    with translation.override("en"):
        items = {i.ref.split("/")[-1]: i for i in services.poll_folder(source)}
    return items


def test_clerk_page_shows_own_unit_items_with_reason(client, ex, taken):
    client.force_login(ex.org.clerk_a)
    with translation.override("en"):
        page = client.get("/intake/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "to-trinh-so-7" in html and f'id="item-{taken["rong.pdf"].pk}"' in html
    assert "bao-cao-b" not in html  # another unit's
    assert 'data-state="unreadable"' in html


def test_clerk_of_another_unit_sees_nothing_of_it(api_client, ex, taken):
    rows = api_client.as_user(ex.org.clerk_b).get("/api/v1/intake/items").json()["items"]
    assert [r["ref"].split("/")[-1] for r in rows] == ["bao-cao-b.pdf"]
    mine = taken["to-trinh-so-7.pdf"]
    assert api_client.get(f"/api/v1/intake/items/{mine.pk}").status_code == 404
    assert api_client.post(f"/api/v1/intake/items/{taken['rong.pdf'].pk}/retry").status_code == 404
    assert api_client.as_user(ex.org.spec_a1).get("/api/v1/intake/items").status_code == 403
    everything = api_client.as_user(ex.org.admin).get("/api/v1/intake/items").json()["items"]
    assert len(everything) == 3


def test_api_lists_items_with_state_reason_and_packages(api_client, ex, taken):
    rows = api_client.as_user(ex.org.clerk_a).get("/api/v1/intake/items?state=unreadable").json()["items"]
    assert [(r["state"], r["reason"]) for r in rows] == [("unreadable", "the file is empty")]
    done = api_client.get(f"/api/v1/intake/items/{taken['to-trinh-so-7.pdf'].pk}").json()
    assert done["state"] == "done" and len(done["package_ids"]) == 1 and done["moved_to"].startswith("done/")


def test_retry_of_an_item_with_nothing_kept_is_a_400_naming_the_field(api_client, ex, taken):
    response = api_client.as_user(ex.org.clerk_a).post(f"/api/v1/intake/items/{taken['rong.pdf'].pk}/retry")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"
    taken["rong.pdf"].refresh_from_db()
    assert taken["rong.pdf"].state == ItemState.UNREADABLE


def test_retry_button_on_the_page(client, ex, taken, django_capture_on_commit_callbacks):
    from dieuhanh.documents.models import Delivery
    from dieuhanh.units.models import Unit

    source = Source.objects.get()
    tmp = Path(source.path)
    path = tmp / ex.org.b.code / "giay-moi.pdf"
    path.write_bytes(PDF + b"moi")
    old = time.time() - 60
    os.utime(path, (old, old))
    Unit.objects.filter(pk=ex.org.b.pk).update(status="dissolved")  # the unit cannot take it in now
    [item] = services.poll_folder(source)
    assert item.state == ItemState.UNREADABLE and item.raw_id and (tmp / "failed" / ex.org.b.code).exists()
    Unit.objects.filter(pk=ex.org.b.pk).update(status="active")
    client.force_login(ex.org.clerk_b)
    page = client.get("/intake/").content.decode()
    assert f'action="/intake/{item.pk}/retry/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/intake/{item.pk}/retry/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.DONE and item.attempts == 2
    assert Delivery.objects.filter(recipient_unit=ex.org.b, document__subject="giay-moi").count() == 1
    client.force_login(ex.org.clerk_a)  # another unit's clerk cannot retry it
    assert client.post(f"/intake/{item.pk}/retry/").status_code == 404
