"""Numbers stay gapless and unique when many clerks issue at the same moment (real parallel connections)."""


import pytest
from django.db import connection

from conftest import make_user, run_at_once
from dieuhanh.documents import services
from dieuhanh.documents.models import Document, IncomingEntry, OutgoingEntry

from .conftest import doc_type

CLERKS = 50



@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel connections need PostgreSQL; "
                    "test_numbers_are_consecutive_when_issued_one_after_another covers SQLite")
@pytest.mark.django_db(transaction=True)
def test_fifty_clerks_issue_at_once(exchange):
    org = exchange.org
    clerks = [make_user(f"clerk.a.{i}", org.a, "clerk") for i in range(CLERKS)]
    docs = [exchange.outgoing(subject=f"Văn bản {i}") for i in range(CLERKS)]
    results, errors = run_at_once([
        (lambda clerk=clerk, doc=doc: services.issue_document(actor=clerk, document=doc).number)
        for clerk, doc in zip(clerks, docs, strict=True)
    ])
    assert errors == []
    assert sorted(results) == list(range(1, CLERKS + 1))
    symbols = list(Document.objects.filter(status="issued").values_list("symbol", flat=True))
    assert len(set(symbols)) == CLERKS
    assert OutgoingEntry.objects.filter(register__unit=org.a).count() == CLERKS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_accepting_the_same_delivery_register_it_once(exchange):
    org = exchange.org
    second_clerk = make_user("clerk.b.2", org.b, "clerk")
    second_clerk.clearance = 1
    second_clerk.save()
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    delivery = doc.deliveries.get(recipient_unit=org.b)
    results, errors = run_at_once([
        lambda: services.accept_delivery(actor=org.clerk_b, delivery=delivery).arrival_number,
        lambda: services.accept_delivery(actor=second_clerk, delivery=delivery).arrival_number,
    ])
    assert IncomingEntry.objects.filter(delivery=delivery).count() == 1
    # the loser is refused on the delivery's status (in whatever language the worker thread speaks)
    assert len(errors) == 1 and list(errors[0].message_dict) == ["status"]
    assert [r for r in results if r is not None] == [1]


@pytest.mark.django_db
def test_numbers_are_consecutive_when_issued_one_after_another(exchange):
    org = exchange.org
    numbers = [services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject=f"VB {i}")).number
               for i in range(10)]
    assert numbers == list(range(1, 11))
    party = services.create_series(actor=org.admin, unit=org.a, name="Đảng", system="party", rule="term")
    assert party.pk
    assert doc_type("Quyết định").pk
