import datetime
from types import SimpleNamespace

import pytest

from conftest import make_user
from dieuhanh.documents import services as doc_services
from dieuhanh.documents.tests.conftest import exchange, media  # noqa: F401  (fixtures)
from dieuhanh.processing.calendar import next_working_day
from dieuhanh.units import services as unit_services


@pytest.fixture
def received(exchange):  # noqa: F811
    """A document issued by A and registered by B; B has a department BD with a head and two specialists."""
    org = exchange.org
    bd = unit_services.create_unit(actor=org.admin, parent=org.b, code="000.00.01.H79", name="Ban Tổ chức",
                                   short_name="BTC", kind="department", effective_from=datetime.date(2025, 7, 1))
    head = make_user("head.bd", bd, "leader")
    spec1 = make_user("spec1.bd", bd, "specialist")
    spec2 = make_user("spec2.bd", bd, "specialist")
    spec_b = make_user("spec.b", org.b, "specialist")
    deputy_b = make_user("deputy.b", org.b, "deputy")
    doc = doc_services.issue_document(actor=org.clerk_a, document=exchange.outgoing())
    delivery = doc.deliveries.get(recipient_unit=org.b)
    entry = doc_services.accept_delivery(actor=org.clerk_b, delivery=delivery)
    return SimpleNamespace(org=org, exchange=exchange, bd=bd, head=head, spec1=spec1, spec2=spec2, spec_b=spec_b,
                           deputy_b=deputy_b, doc=doc, delivery=delivery, entry=entry,
                           # a working day: a deadline on a weekend or holiday needs a confirmation
                           soon=next_working_day(datetime.date.today() + datetime.timedelta(days=10)))
