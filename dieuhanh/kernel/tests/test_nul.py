"""A NUL character in any text field is refused with 400 naming the field, on PostgreSQL (which cannot store one)
as on SQLite, and nothing is written; uploaded files, which are binary, pass."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PASSWORD
from dieuhanh.accounts.models import LoginThrottle
from dieuhanh.audit.models import AuditEvent as Event

pytestmark = pytest.mark.django_db


def test_api_body_with_nul_is_refused_naming_the_field(org, client):
    before = Event.objects.count()
    r = client.post("/api/v1/auth/token", json.dumps({"username": "clerk\u0000a", "password": "x"}),
                    content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["errors"] == [{"field": "username", "message": r.json()["errors"][0]["message"]}]
    assert "NUL" in r.json()["errors"][0]["message"]
    assert not LoginThrottle.objects.exists() and Event.objects.count() == before
    nested = client.post("/api/v1/auth/token", json.dumps({"username": "a", "extra": [{"k": "v\u0000"}]}),
                         content_type="application/json")
    assert nested.status_code == 400 and nested.json()["errors"][0]["field"] == "extra.0.k"


def test_query_strings_and_form_fields_with_nul_are_refused(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    page = client.get("/search/?q=dieu%00dong")
    assert page.status_code == 400 and page.content.decode().startswith("q: ")
    form = client.post("/search/saved/", {"name": "a\x00b", "q": "x"})
    assert form.status_code == 400 and form.content.decode().startswith("name: ")
    assert not org.clerk_a.saved_searches.exists()
    # the same requests without the NUL go through
    assert client.get("/search/?q=dieu+dong").status_code == 200


def test_uploaded_files_may_hold_nul_bytes(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\x00\x00binary", content_type="application/pdf")
    r = client.post("/search/saved/", {"name": "ok", "q": "x", "file": upload})
    assert r.status_code == 302 and org.clerk_a.saved_searches.filter(name="ok").exists()


# issue 14, items 19 and 20: the guard never consumes the body a view needs, and the same rule covers the
# other control characters (U+0001-U+001F except tab, CR, LF).

def test_multipart_to_a_json_endpoint_answers_json_not_500(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    r = client.post("/api/v1/documents", {"subject": "x"})
    assert r.status_code == 415 and r["Content-Type"].startswith("application/json")
    assert "application/json" in r.json()["detail"]


def test_multipart_without_boundary_on_api_answers_json_400(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    r = client.post("/api/v1/documents", b"--x\r\n", content_type="multipart/form-data")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    assert r.json()["errors"][0]["field"] == "body"


def test_control_characters_in_json_are_refused_naming_the_field(org, client):
    before = Event.objects.count()
    r = client.post("/api/v1/auth/token", json.dumps({"username": "clerk\u0007a", "password": "x"}),
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "username"
    assert Event.objects.count() == before
    # tab, CR and LF are ordinary text
    ok = client.post("/api/v1/auth/token", json.dumps({"username": "a\tb\r\nc", "password": "x"}),
                     content_type="application/json")
    assert ok.status_code != 400 or ok.json().get("errors", [{}])[0].get("field") != "username"


def test_control_characters_in_page_forms_are_stripped(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    r = client.post("/search/saved/", {"name": "Văn\x0bbản\x1f", "q": "x"})
    assert r.status_code == 302
    assert org.clerk_a.saved_searches.get().name == "Vănbản"


def test_control_characters_in_query_strings_are_refused(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    page = client.get("/search/?q=dieu%01dong")
    assert page.status_code == 400 and page.content.decode().startswith("q: ")


def test_text_entering_by_other_paths_is_cleaned_on_save(org):
    org.clerk_a.first_name = "Lan\x02"
    org.clerk_a.save()
    org.clerk_a.refresh_from_db()
    assert org.clerk_a.first_name == "Lan"
