"""The same package arriving at the same instant over several channels imports once (real parallel connections)."""


import pytest
from django.db import connection

from conftest import run_at_once
from dieuhanh.documents.models import Delivery, Document
from dieuhanh.exchange import services
from dieuhanh.exchange.edxml import build_package
from dieuhanh.exchange.models import PackageState, ReceivedPackage

from . import factories


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel connections need PostgreSQL; "
                    "test_receive.py::test_a_concurrent_second_import_becomes_a_duplicate covers the path on SQLite")
@pytest.mark.django_db(transaction=True)
def test_eight_arrivals_of_one_document_import_it_once(ex):
    to = (factories.organ(ex.org.b.code, ex.org.b.name),)
    same = build_package(factories.package(to=to))
    resent = build_package(factories.package(to=to, subject="Gửi lại"))  # other bytes, same DocumentId
    jobs = [(lambda data=(same if i % 2 else resent), i=i: services.receive_package(
        data=data, source=["gateway", "mail", "folder", "api"][i % 4], source_ref=f"r{i}").state) for i in range(8)]
    results, errors = run_at_once(jobs)
    assert errors == []
    assert sorted(results) == [PackageState.DUPLICATE] * 7 + [PackageState.IMPORTED]
    assert Document.objects.count() == 1 and Delivery.objects.count() == 1
    assert ReceivedPackage.objects.filter(state=PackageState.IMPORTED).count() == 1
