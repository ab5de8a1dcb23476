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
