"""Issue 14, items 10 and 11: the duplicate rule is about the document (issuer, folded symbol, date, or the same
main file), never a shared attachment; a bulk accept accepts the others and reports the conflicting one."""

import datetime

import pytest
from django.utils import translation

from dieuhanh.documents import services
from dieuhanh.documents.models import IncomingEntry
from dieuhanh.documents.services import symbol_key
from dieuhanh.documents.tests.conftest import doc_type


def _issued_with(exchange, main, appendix, subject):
    org = exchange.org
    files = [{**exchange.upload(org.clerk_a, main, "vb.pdf"), "is_main": True},
             exchange.upload(org.clerk_a, appendix, "phu-luc.pdf")]
    doc = services.create_outgoing(actor=org.clerk_a, unit=org.a, document_type_id=doc_type("Quyết định").pk,
                                   subject=subject, files=files, recipients=[{"unit_id": org.b.pk}],
                                   signer_name="Nguyễn Văn An", signer_position="Bí thư")
    return services.issue_document(actor=org.clerk_a, document=doc).deliveries.get()


def test_a_shared_appendix_does_not_make_two_documents_duplicates(exchange):
    org = exchange.org
    first = _issued_with(exchange, b"main one", b"the same form", "Về việc A")
    second = _issued_with(exchange, b"main two", b"the same form", "Về việc B")
    services.accept_delivery(actor=org.clerk_b, delivery=first)
    entry = services.accept_delivery(actor=org.clerk_b, delivery=second)
    assert entry.duplicate_of is None


def test_the_same_main_file_is_still_a_duplicate(exchange):
    org = exchange.org
    today = datetime.date.today()
    args = dict(unit=org.b, document_type_id=doc_type("Công văn").pk, issuer_name="Bộ Nội vụ", issued_on=today,
                subject="Về việc A")
    services.register_paper(actor=org.clerk_b, symbol="123/BNV-VP", **args,
                            files=[exchange.upload(org.clerk_b, b"scan-1")])
    with pytest.raises(services.DuplicateDocument):
        services.register_paper(actor=org.clerk_b, symbol="124/BNV-VP", **args,
                                files=[exchange.upload(org.clerk_b, b"scan-1")])
    # the same scan only as an appendix of another document is not
    services.register_paper(actor=org.clerk_b, symbol="125/BNV-VP", **args,
                            files=[{**exchange.upload(org.clerk_b, b"scan-3"), "is_main": True},
                                   exchange.upload(org.clerk_b, b"scan-1")])


def test_bulk_accept_accepts_the_others_and_reports_the_conflicting_one(exchange):
    org = exchange.org
    a = _issued_with(exchange, b"main a", b"form", "Về việc A")
    b = _issued_with(exchange, b"main b", b"form", "Về việc B")
    returned = _issued_with(exchange, b"main c", b"form", "Về việc C")
    services.return_delivery(actor=org.clerk_b, delivery=returned, reason="Không đúng")
    # the same paper document registered earlier: same issuer, symbol and date as the electronic copy of ``dup``
    dup = _issued_with(exchange, b"main d", b"form2", "Về việc D")
    services.register_paper(actor=org.clerk_b, unit=org.b, document_type_id=doc_type("Quyết định").pk,
                            issuer_name=dup.document.issuer_name, symbol=dup.document.symbol.lower(),
                            issued_on=dup.document.issued_on, subject="Về việc D")
    with translation.override("en"):
        result = services.accept_many(actor=org.clerk_b, deliveries=[a, dup, b, returned])
    assert [e.delivery_id for e in result.entries] == [a.pk, b.pk]
    assert [(f["delivery_id"], f["field"]) for f in result.refused] == [(dup.pk, "confirm_duplicate"),
                                                                       (returned.pk, "status")]
    assert result.refused[0]["duplicate_of"] == IncomingEntry.objects.get(delivery__isnull=True).pk
    assert "already registered" in result.refused[0]["message"]
    dup.refresh_from_db()
    assert dup.status == "01"  # untouched, can be confirmed on its own


def test_bulk_accept_api_reports_by_id(exchange, api_client):
    api = api_client
    org = exchange.org
    a = _issued_with(exchange, b"main a", b"form", "Về việc A")
    returned = _issued_with(exchange, b"main c", b"form", "Về việc C")
    services.return_delivery(actor=org.clerk_b, delivery=returned, reason="Không đúng")
    api.as_user(org.clerk_b)
    resp = api.post("/api/v1/deliveries/accept", {"delivery_ids": [a.pk, returned.pk]})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert [e["arrival_number"] for e in body["accepted"]] == [1]
    assert [(r["delivery_id"], r["field"]) for r in body["refused"]] == [(returned.pk, "status")]


@pytest.mark.parametrize("typed", ["Số 04-CV/TU", "04-cv/tu", "Số: 04 - CV / TU", "so 4-CV/TU", "04-CV/TU."])
def test_folded_symbols_match(typed):
    assert symbol_key(typed) == symbol_key("04-CV/TU")


def test_symbol_key_keeps_what_tells_documents_apart():
    assert symbol_key("04-CV/TU") != symbol_key("40-CV/TU")
    assert symbol_key("04-CV/TU") != symbol_key("04-CV/ĐU")
    assert symbol_key("12/QĐ-UBND") == symbol_key("12/qd-ubnd")


@pytest.mark.parametrize("symbol,issuer", [("Số 04-CV/TU", "Thành ủy Hà Nội"), ("04-cv/tu", "thanh uy ha noi"),
                                           ("04-CV/TU", "TU Hà Nội"), ("04-CV/TU", "Văn phòng Thành ủy Hà Nội")])
def test_the_same_paper_document_typed_differently_is_flagged(exchange, symbol, issuer):
    org = exchange.org
    today = datetime.date.today()
    common = dict(unit=org.b, document_type_id=doc_type("Công văn").pk, issued_on=today, subject="Về việc A")
    first = services.register_paper(actor=org.clerk_b, issuer_name="Thành ủy Hà Nội", symbol="04-CV/TU", **common)
    with translation.override("en"), pytest.raises(services.DuplicateDocument) as exc:
        services.register_paper(actor=org.clerk_b, issuer_name=issuer, symbol=symbol, **common)
    assert exc.value.existing.pk == first.pk
    assert "confirm_duplicate" in exc.value.message_dict
    if issuer != "Thành ủy Hà Nội" and issuer != "thanh uy ha noi":
        assert "Thành ủy Hà Nội" in exc.value.message_dict["confirm_duplicate"][0]  # names the issuer to compare
    assert IncomingEntry.objects.count() == 1


def test_another_issuer_with_the_same_symbol_is_not_a_duplicate(exchange):
    org = exchange.org
    today = datetime.date.today()
    common = dict(unit=org.b, document_type_id=doc_type("Công văn").pk, issued_on=today, subject="Về việc A")
    services.register_paper(actor=org.clerk_b, issuer_name="Thành ủy Hà Nội", symbol="04-CV/TU", **common)
    entry = services.register_paper(actor=org.clerk_b, issuer_name="Thành ủy Hải Phòng", symbol="04-CV/TU", **common)
    assert entry.duplicate_of is None
    other_day = services.register_paper(actor=org.clerk_b, issuer_name="Thành ủy Hà Nội", symbol="04-CV/TU",
                                        **{**common, "issued_on": today - datetime.timedelta(days=1)})
    assert other_day.duplicate_of is None


def test_bulk_accept_page_registers_the_others_and_names_the_refused_one(exchange, client):
    org = exchange.org
    a = _issued_with(exchange, b"main a", b"form", "Về việc A")
    returned = _issued_with(exchange, b"main c", b"form", "Về việc C")
    services.return_delivery(actor=org.clerk_b, delivery=returned, reason="Không đúng")
    client.force_login(org.clerk_b)
    client.cookies["django_language"] = "en"
    resp = client.post("/documents/accept/", {"delivery": [a.pk, returned.pk], "unit": org.b.pk}, follow=True)
    page = resp.content.decode()
    assert resp.status_code == 200 and "1 documents registered." in page
    assert f"{returned.document.symbol} was not registered" in page
    assert IncomingEntry.objects.get().delivery_id == a.pk
