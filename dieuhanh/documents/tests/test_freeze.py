"""Freezing (đóng băng): frozen documents and record files refuse every write, and only administrators freeze."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents import freeze as freezing
from dieuhanh.documents import services
from dieuhanh.documents.models import Delivery, Document, DocumentStatus, Freeze, IncomingEntry
from dieuhanh.processing import services as flows
from dieuhanh.processing.models import Flow, FlowNote
from dieuhanh.records import services as rec
from dieuhanh.records.models import FileItem, RecordFile
from dieuhanh.records.tests.conftest import records  # noqa: F401  (fixture)


@pytest.fixture
def world(records):  # noqa: F811
    """Documents and files in every state a write needs, built before anything is frozen."""
    from types import SimpleNamespace

    org, ex = records.org, records.exchange
    clerk_a1 = make_user("clerk.a1", org.a1, Role.CLERK)
    spec_b = make_user("spec.b", org.b, Role.SPECIALIST)
    approved = ex.outgoing(subject="Chưa ban hành")                      # to be issued
    cancellable = services.issue_document(actor=org.clerk_a, document=ex.outgoing(subject="Sẽ hủy"))
    d2 = services.issue_document(actor=org.clerk_a, document=ex.outgoing(subject="Văn bản hai"))
    arrived_a1 = d2.deliveries.get(recipient_unit=org.a1)              # to be accepted or returned
    entry2 = services.accept_delivery(actor=org.clerk_b, delivery=d2.deliveries.get(recipient_unit=org.b))
    d3 = services.issue_document(actor=org.clerk_a, document=ex.outgoing(subject="Thu hồi"))
    services.request_recall(actor=org.clerk_a, document=d3, reason="Sai sót")
    recall_b = d3.deliveries.get(recipient_unit=org.b)                 # recall to be answered
    d5 = services.issue_document(actor=org.clerk_a, document=ex.outgoing(subject="Xử lý"))
    entry5 = services.accept_delivery(actor=org.clerk_b, delivery=d5.deliveries.get(recipient_unit=org.b))
    soon = datetime.date.today() + datetime.timedelta(days=10)
    (flow,) = flows.assign(actor=org.leader_b, entry=entry5, handlers=[{"user_id": spec_b.pk, "role": "lead"}],
                           deadline=soon)
    in_file = records.issue("Đã lưu hồ sơ")
    open_file = records.open_file()                                     # holds in_file
    rec.attach_documents(actor=records.spec, file=open_file, document_ids=[in_file.pk])
    other_file = records.open_file(symbol="02.VP")                      # a file to freeze as a whole
    loose = records.issue("Chưa lưu")
    rec.attach_documents(actor=records.spec, file=other_file, document_ids=[records.issue("Trong hồ sơ").pk])
    return SimpleNamespace(org=org, records=records, clerk_a1=clerk_a1, spec_b=spec_b, approved=approved,
                           cancellable=cancellable, d2=d2, arrived_a1=arrived_a1, entry2=entry2, d3=d3,
                           recall_b=recall_b, d5=d5, flow=flow, in_file=in_file, open_file=open_file,
                           other_file=other_file, loose=loose, soon=soon)


def _refused(action):
    """``action`` raises Frozen, names the field "frozen", and leaves no audit event behind."""
    before = AuditEvent.objects.count()
    with pytest.raises(freezing.Frozen) as exc:
        action()
    assert "frozen" in exc.value.message_dict and exc.value.message_dict["frozen"][0]  # text in the UI language
    assert AuditEvent.objects.count() == before
    return exc.value


def test_frozen_documents_and_files_refuse_every_write_until_lifted(world):
    w, org, r = world, world.org, world.records
    documents = [w.approved, w.cancellable, w.d2, w.d3, w.d5, w.in_file]
    row = freezing.freeze(actor=org.admin, reason="Thanh tra năm 2026", document_ids=[d.pk for d in documents],
                          file_ids=[w.other_file.pk])
    event = AuditEvent.objects.get(action="freeze.create")
    assert event.data["reason"] == "Thanh tra năm 2026" and event.data["documents"] == [d.pk for d in documents]
    assert set(Document.objects.filter(freeze=row).values_list("pk", flat=True)) == {d.pk for d in documents}
    snapshot = {
        "documents": list(Document.objects.order_by("pk").values()),
        "deliveries": list(Delivery.objects.order_by("pk").values()),
        "entries": IncomingEntry.objects.count(), "flows": list(Flow.objects.order_by("pk").values()),
        "notes": FlowNote.objects.count(), "items": FileItem.objects.count(),
        "files": list(RecordFile.objects.order_by("pk").values()),
    }
    writes = {
        "issue": lambda: services.issue_document(actor=org.clerk_a, document=w.approved),
        "cancel": lambda: services.cancel_issue(actor=org.clerk_a, document=w.cancellable, reason="Nhầm"),
        "recall": lambda: services.request_recall(actor=org.clerk_a, document=w.d2, reason="Sai"),
        "accept": lambda: services.accept_delivery(actor=w.clerk_a1, delivery=w.arrived_a1),
        "accept_many": lambda: services.accept_many(actor=w.clerk_a1, deliveries=[w.arrived_a1]),
        "return": lambda: services.return_delivery(actor=w.clerk_a1, delivery=w.arrived_a1, reason="Không đúng"),
        "answer_recall": lambda: services.answer_recall(actor=org.clerk_b, delivery=w.recall_b, agree=True),
        "assign": lambda: flows.assign(actor=org.leader_b, entry=w.entry2,
                                       handlers=[{"user_id": w.spec_b.pk, "role": "lead"}]),
        "opinion": lambda: flows.add_opinion(actor=w.spec_b, flow=w.flow, text="Ý kiến"),
        "extension": lambda: flows.request_extension(actor=w.spec_b, flow=w.flow, reason="Cần thêm thời gian",
                                                     new_deadline=w.soon + datetime.timedelta(days=5)),
        "complete": lambda: flows.complete(actor=w.spec_b, flow=w.flow, result="Đã xong"),
        "return_flow": lambda: flows.return_flow(actor=w.spec_b, flow=w.flow, reason="Không thuộc thẩm quyền"),
        "attach_frozen_document": lambda: rec.attach_documents(actor=r.spec, file=w.open_file,
                                                               document_ids=[w.loose.pk, w.d2.pk]),
        "detach_frozen_document": lambda: rec.detach_document(actor=r.spec, file=w.open_file,
                                                              document_id=w.in_file.pk),
        "attach_to_frozen_file": lambda: rec.attach_documents(actor=r.spec, file=w.other_file,
                                                              document_ids=[w.loose.pk]),
        "update_frozen_file": lambda: rec.update_file(actor=r.spec, file=w.other_file, title="Tên mới"),
        "close_frozen_file": lambda: rec.close_file(actor=r.spec, file=w.other_file, title="Đóng",
                                                    retention_id=r.permanent.pk),
        "hold_frozen_file": lambda: rec.set_legal_hold(actor=r.archivist, file=w.other_file, hold=True,
                                                       reason="Tranh chấp"),
    }
    for name, action in writes.items():
        exc = _refused(action)
        assert exc.freeze.pk == row.pk, name
    assert snapshot == {
        "documents": list(Document.objects.order_by("pk").values()),
        "deliveries": list(Delivery.objects.order_by("pk").values()),
        "entries": IncomingEntry.objects.count(), "flows": list(Flow.objects.order_by("pk").values()),
        "notes": FlowNote.objects.count(), "items": FileItem.objects.count(),
        "files": list(RecordFile.objects.order_by("pk").values()),
    }
    # reading goes on: a read receipt is not a change of the document
    flows.mark_read(actor=w.spec_b, flow=w.flow)

    with pytest.raises(ValidationError) as exc:
        freezing.lift(actor=org.admin, freeze=row, reason="")
    assert "reason" in exc.value.message_dict
    freezing.lift(actor=org.admin, freeze=row, reason="Kết thúc thanh tra")
    lifted = AuditEvent.objects.get(action="freeze.lift")
    assert lifted.data == {"reason": "Kết thúc thanh tra", "documents": len(documents), "files": 1}
    assert not Document.objects.filter(freeze__isnull=False).exists()
    row.refresh_from_db()
    assert row.lifted_by == org.admin and row.document_ids == [d.pk for d in documents]
    with pytest.raises(ValidationError):
        freezing.lift(actor=org.admin, freeze=row, reason="again")
    # the same writes work once the freeze is lifted
    assert services.issue_document(actor=org.clerk_a, document=w.approved).status == DocumentStatus.ISSUED
    services.cancel_issue(actor=org.clerk_a, document=w.cancellable, reason="Nhầm")
    services.answer_recall(actor=org.clerk_b, delivery=w.recall_b, agree=True)
    services.accept_delivery(actor=w.clerk_a1, delivery=w.arrived_a1)
    flows.add_opinion(actor=w.spec_b, flow=w.flow, text="Ý kiến")
    rec.attach_documents(actor=r.spec, file=w.open_file, document_ids=[w.loose.pk, w.d2.pk])
    rec.detach_document(actor=r.spec, file=w.open_file, document_id=w.in_file.pk)
    rec.update_file(actor=r.spec, file=w.other_file, title="Tên mới")


def test_frozen_closed_file_refuses_reopen_deposit_and_disposal(records):  # noqa: F811
    org = records.org
    file = records.closed_file()
    freezing.freeze(actor=org.uadmin_a, unit=org.a, reason="Kiểm tra", file_ids=[file.pk])
    _refused(lambda: rec.reopen_file(actor=records.spec, file=file, reason="Tiếp tục"))
    _refused(lambda: records.deposit(file))
    assert RecordFile.objects.get(pk=file.pk).deposit_id is None


def test_frozen_deposited_file_refuses_acceptance_loans_and_destruction(records):  # noqa: F811
    org = records.org
    file = records.closed_file()
    deposit = records.deposit(file)
    row = freezing.freeze(actor=org.admin, reason="Kiểm tra", file_ids=[file.pk])
    _refused(lambda: rec.accept_deposit(actor=records.archivist, deposit=deposit, receiver_position="Lưu trữ"))
    _refused(lambda: rec.refuse_deposit(actor=records.archivist, deposit=deposit, reason="Thiếu"))
    freezing.lift(actor=org.admin, freeze=row, reason="Xong")
    rec.accept_deposit(actor=records.archivist, deposit=deposit, receiver_position="Lưu trữ")
    freezing.freeze(actor=org.admin, reason="Lần hai", file_ids=[file.pk])
    _refused(lambda: rec.lend_file(actor=records.archivist, file=file, purpose="Nghiên cứu", borrower_name="An"))
    _refused(lambda: rec.record_decision(actor=records.archivist, unit=org.a, number="01/QĐ",
                                         decided_on=records.today, file_ids=[file.pk],
                                         members=[{"name": n, "position": "Ủy viên"} for n in "ABC"]))


def test_outsiders_cannot_freeze_or_lift(records):  # noqa: F811
    org = records.org
    doc = records.issue("Của Hà Nội")
    file = records.open_file()
    for outsider in (org.clerk_a, org.leader_a, org.clerk_b, org.uadmin_b, records.archivist):
        with pytest.raises(PermissionDenied):
            freezing.freeze(actor=outsider, reason="x", document_ids=[doc.pk])  # installation-wide
        with pytest.raises(PermissionDenied):
            freezing.freeze(actor=outsider, unit=org.a, reason="x", document_ids=[doc.pk])
    # B's administrator cannot reach A's document or file by naming B as the scope
    for field, kwargs in (("document_ids", {"document_ids": [doc.pk]}), ("file_ids", {"file_ids": [file.pk]})):
        with pytest.raises(ValidationError) as exc:
            freezing.freeze(actor=org.uadmin_b, unit=org.b, reason="x", **kwargs)
        assert field in exc.value.message_dict
    assert not Freeze.objects.exists() and not AuditEvent.objects.filter(action__startswith="freeze").exists()
    # A's administrator can, and B's cannot lift it
    row = freezing.freeze(actor=org.uadmin_a, unit=org.a, reason="Thanh tra", document_ids=[doc.pk],
                          file_ids=[file.pk])
    with pytest.raises(PermissionDenied):
        freezing.lift(actor=org.uadmin_b, freeze=row, reason="x")
    with pytest.raises(ValidationError) as exc:  # no object in two freezes at once
        freezing.freeze(actor=org.admin, reason="Lần hai", document_ids=[doc.pk])
    assert exc.value.message_dict["document_ids"][0]
    assert Document.objects.get(pk=doc.pk).freeze_id == row.pk


def test_freeze_api(records, api_client, client):  # noqa: F811
    org = records.org
    doc = records.issue("Qua API")
    file = records.open_file()
    body = {"unit_id": org.a.pk, "reason": "Thanh tra", "document_ids": [doc.pk], "file_ids": [file.pk]}
    assert api_client.as_user(org.clerk_a).post("/api/v1/freezes", body).status_code == 403
    assert api_client.as_user(org.uadmin_b).post("/api/v1/freezes", body).status_code == 403
    bad = api_client.as_user(org.uadmin_a).post("/api/v1/freezes", {**body, "reason": ""})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reason"
    created = api_client.post("/api/v1/freezes", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["active"] and data["documents"] == [{"id": doc.pk, "symbol": doc.symbol}]
    assert data["files"] == [{"id": file.pk, "code": file.code}]
    assert [f["id"] for f in api_client.get("/api/v1/freezes").json()] == [data["id"]]
    # a frozen object's write answers 409 naming "frozen"
    refused = api_client.as_user(org.clerk_a).post(f"/api/v1/documents/{doc.pk}/recall", {"reason": "Sai"})
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "frozen"
    refused = api_client.as_user(records.spec).patch(f"/api/v1/records/files/{file.pk}", {"title": "Mới"})
    assert refused.status_code == 409 and refused.json()["freeze_id"] == data["id"]
    # outsiders see no freezes and cannot lift
    assert api_client.as_user(org.uadmin_b).get("/api/v1/freezes").json() == []
    assert api_client.get(f"/api/v1/freezes/{data['id']}").status_code == 404
    assert api_client.post(f"/api/v1/freezes/{data['id']}/lift", {"reason": "x"}).status_code == 404
    assert api_client.as_user(org.clerk_a).post(f"/api/v1/freezes/{data['id']}/lift",
                                                {"reason": "x"}).status_code == 404
    lifted = api_client.as_user(org.admin).post(f"/api/v1/freezes/{data['id']}/lift", {"reason": "Xong"})
    assert lifted.status_code == 200 and not lifted.json()["active"] and lifted.json()["documents"] == []
    assert lifted.json()["document_ids"] == [doc.pk]
    assert api_client.get("/api/v1/freezes").json() == []
    assert [f["id"] for f in api_client.get("/api/v1/freezes?active=false").json()] == [data["id"]]
    assert api_client.as_user(org.clerk_a).post(f"/api/v1/documents/{doc.pk}/recall",
                                                {"reason": "Sai"}).status_code == 200


def test_page_shows_the_frozen_message(records, client):  # noqa: F811
    org = records.org
    doc = services.issue_document(actor=org.clerk_a, document=records.exchange.outgoing(subject="Trang"))
    delivery = doc.deliveries.get(recipient_unit=org.b)
    freezing.freeze(actor=org.admin, reason="Thanh tra", document_ids=[doc.pk])
    client.force_login(org.clerk_b)
    resp = client.post(f"/documents/deliveries/{delivery.pk}/accept/")
    assert resp.status_code == 400
    assert "frozen" in resp.content.decode() or "đóng băng" in resp.content.decode()
    assert not IncomingEntry.objects.filter(delivery=delivery).exists()
    client.force_login(org.clerk_a)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert 'id="frozen"' in page and "Thanh tra" in page
