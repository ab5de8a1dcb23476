"""Issue 14, item 14: a text is checked against the column it ends in where it enters, including composed values:
authority form + position + name share the outgoing register's 200-character "signer" column."""

from django.utils import translation

from dieuhanh.documents.models import Document, OutgoingEntry
from dieuhanh.documents.testing import make_pdf

from .conftest import doc_type
from .test_api import api, create, upload  # noqa: F401, F811 (api is a fixture)


def test_signer_line_too_long_for_the_register_is_refused_at_creation(exchange, api):  # noqa: F811
    org = exchange.org
    api.as_user(org.clerk_a)
    before = Document.objects.count()
    body = {"unit_id": org.a.pk, "document_type_id": doc_type("Quyết định").pk, "subject": "Về việc dài",
            "files": [{"sha256": upload(api, make_pdf("long signer")), "name": "qd.pdf", "is_main": True}],
            "recipients": [{"unit_id": org.b.pk}],
            "signer_name": "Nguyễn " * 20, "signer_position": "Phó Bí thư Thường trực " * 6, "authority": "KT."}
    assert len(body["signer_name"].strip()) <= 150 and len(body["signer_position"].strip()) <= 150
    with translation.override("en"):
        resp = api.post("/api/v1/documents", body)
    assert resp.status_code == 400, resp.content
    assert resp["Content-Type"].startswith("application/json")
    assert [e["field"] for e in resp.json()["errors"]] == ["signer_name"]
    assert Document.objects.count() == before


def test_issuing_a_stored_document_whose_signer_line_is_too_long_names_the_field(exchange, api):  # noqa: F811
    """A document stored before the check (or by another path) is refused at issuing with 400, not a 500, and
    takes no number."""
    org = exchange.org
    doc = create(api, exchange, [{"unit_id": org.b.pk}])
    Document.objects.filter(pk=doc["id"]).update(signer_name="N" * 150, signer_position="P" * 150)
    resp = api.as_user(org.clerk_a).post(f"/api/v1/documents/{doc['id']}/issue", {})
    assert resp.status_code == 400, resp.content[:300]
    assert [e["field"] for e in resp.json()["errors"]] == ["signer_name"]
    assert not OutgoingEntry.objects.filter(document_id=doc["id"]).exists()
    assert Document.objects.get(pk=doc["id"]).symbol == ""


def test_paper_issuer_too_long_is_refused_not_cut(exchange):
    """The service is an entry too (pages, imports): an over-long issuer was cut to 255 characters silently."""
    import datetime

    import pytest
    from django.core.exceptions import ValidationError

    from dieuhanh.documents import services

    org = exchange.org
    with pytest.raises(ValidationError) as caught:
        services.register_paper(actor=org.clerk_b, unit=org.b, document_type_id=doc_type("Công văn").pk,
                                issuer_name="Ủy ban nhân dân " * 20, symbol="12/UBND", subject="Về việc dài",
                                issued_on=datetime.date(2026, 1, 5))
    assert set(caught.value.message_dict) == {"issuer_name"}
    assert not Document.objects.filter(symbol="12/UBND").exists()
