import datetime
from types import SimpleNamespace

import pytest

from conftest import make_user
from dieuhanh.documents.testing import make_pdf
from dieuhanh.documents.tests.conftest import exchange, media  # noqa: F401 - fixtures


@pytest.fixture
def reorg_world(exchange):  # noqa: F811
    """Unit A1 with open work: a delivery not yet accepted, a registered document under processing, a closed one, a
    task, a draft, its people; B1 is the successor."""
    from dieuhanh.accounts.models import Role
    from dieuhanh.documents import services as docs
    from dieuhanh.drafting import services as drafting
    from dieuhanh.processing import services as processing
    from dieuhanh.tasks import services as tasks

    org = exchange.org
    clerk_a1 = make_user("clerk.a1", org.a1, Role.CLERK, clearance=1)
    leader_a1 = make_user("leader.a1", org.a1, Role.LEADER)
    pending = docs.issue_document(actor=org.clerk_a, document=exchange.outgoing(
        subject="Văn bản chưa tiếp nhận", recipients=[{"unit_id": org.a1.pk}]))
    handled = docs.issue_document(actor=org.clerk_a, document=exchange.outgoing(
        subject="Văn bản đang xử lý", recipients=[{"unit_id": org.a1.pk}]))
    entry = docs.accept_delivery(actor=clerk_a1, delivery=handled.deliveries.get())
    flows = processing.assign(actor=leader_a1, entry=entry, direction="Giao xử lý",
                              handlers=[{"user_id": org.spec_a1.pk, "role": "lead"}])
    own = docs.issue_document(actor=clerk_a1, document=exchange.outgoing(
        unit=org.a1, user=clerk_a1, subject="Văn bản của A1", recipients=[{"unit_id": org.b.pk}]))
    today = datetime.date.today()
    (task,) = tasks.assign_task(actor=org.leader_a, unit=org.a, title="Báo cáo sáp nhập", start_date=today,
                                deadline=today + datetime.timedelta(days=10), unit_ids=[org.a1.pk])
    blob = docs.store_file(actor=org.spec_a1, fileobj=__import__("io").BytesIO(make_pdf("du thao")),
                           content_type="application/pdf")
    draft = drafting.create_draft(actor=org.spec_a1, unit=org.a1, document_type_id=own.document_type_id,
                                  subject="Dự thảo của A1", blob=blob, name="du-thao.pdf", recipients=[])
    return SimpleNamespace(org=org, exchange=exchange, clerk_a1=clerk_a1, leader_a1=leader_a1, pending=pending,
                           handled=handled, entry=entry, flows=flows, own=own, task=task, draft=draft, today=today)


@pytest.fixture
def merged(reorg_world):
    """A1 with a closed record file holding two documents, merged into B1."""
    from dieuhanh.records import services as records
    from dieuhanh.records.models import RetentionPeriod, seed_retention
    from dieuhanh.reorg import services

    w = reorg_world
    seed_retention()
    ten = RetentionPeriod.objects.get(code="10")
    rf = records.open_file(actor=w.clerk_a1, unit=w.org.a1, symbol="01.VP", title="Hồ sơ văn bản đến",
                           retention_id=ten.pk)
    records.attach_documents(actor=w.clerk_a1, file=rf, document_ids=[w.handled.pk, w.own.pk])
    records.close_file(actor=w.clerk_a1, file=rf, title=rf.title, retention_id=ten.pk)
    d = services.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today, document_id=w.own.pk,
                                 items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}])
    services.execute(actor=w.org.admin, decision=d)
    w.record_file = rf
    return w
