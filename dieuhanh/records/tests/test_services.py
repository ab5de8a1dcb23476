"""Records services: the happy path from file list to accepted deposit, and every refusal on the way."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import translation

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Confidentiality, Document
from dieuhanh.documents.testing import make_pdf
from dieuhanh.records import selectors, services
from dieuhanh.records.models import (
    DepositStatus,
    DestructionRecord,
    FileItem,
    FileList,
    FileStatus,
    ListStatus,
    RecordFile,
)


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English here; the pages show them in the person's language."""
    with translation.override("en"):
        yield


def field_of(exc):
    return next(iter(exc.value.message_dict))


# --- retention table -------------------------------------------------------------------------------------------

def test_retention_table_is_seeded_and_configurable(records):
    codes = {r.code: r.years for r in selectors.retention_periods()}
    assert codes["vinh-vien"] is None and codes["70"] == 70 and codes["5"] == 5
    row = services.save_retention(actor=records.org.admin, code="15", label="15 năm", years=15)
    assert row.years == 15
    with pytest.raises(PermissionDenied):
        services.save_retention(actor=records.archivist, code="3", label="3 năm", years=3)
    with pytest.raises(ValidationError) as exc:
        services.save_retention(actor=records.org.admin, code="x", label="", years=0)
    assert set(exc.value.message_dict) == {"label", "years"}


# --- file list -------------------------------------------------------------------------------------------------

def test_file_list_drafted_approved_and_copied(records):
    r = records
    file_list = r.approved_list()
    assert file_list.status == ListStatus.APPROVED and file_list.approved_by == r.org.leader_a
    groups = selectors.sections_with_entries(file_list)
    assert [e.symbol for _, es in groups for e in es] == ["02.VP", "01.TCCB"]
    entry = file_list.entries.get(symbol="01.TCCB")
    assert entry.responsible_name == "Trần Thu Hà"
    # an approved list is fixed
    with pytest.raises(ValidationError) as exc:
        services.add_entry(actor=r.spec, file_list=file_list, symbol="03.X", title="x", retention_id=r.ten.pk)
    assert field_of(exc) == "status"
    nxt = services.copy_list(actor=r.spec, file_list=file_list)
    assert nxt.year == r.year + 1 and nxt.status == ListStatus.DRAFTED and nxt.copied_from == file_list
    assert sorted(nxt.entries.values_list("symbol", flat=True)) == ["01.TCCB", "02.VP"]
    assert nxt.entries.get(symbol="01.TCCB").section.title == "I. Tổ chức, cán bộ"
    with pytest.raises(ValidationError) as exc:
        services.copy_list(actor=r.spec, file_list=file_list)
    assert field_of(exc) == "year"
    assert AuditEvent.objects.filter(action="records.list_approve").count() == 1


def test_file_list_refusals(records):
    r = records
    with pytest.raises(PermissionDenied):
        services.create_file_list(actor=r.org.leader_a, unit=r.org.a, year=r.year)  # leaders approve, not draft
    with pytest.raises(PermissionDenied):
        services.create_file_list(actor=r.org.clerk_b, unit=r.org.a, year=r.year)
    with pytest.raises(ValidationError) as exc:
        services.create_file_list(actor=r.spec, unit=r.org.a, year=1800)
    assert field_of(exc) == "year"
    file_list = services.create_file_list(actor=r.spec, unit=r.org.a, year=r.year)
    with pytest.raises(ValidationError) as exc:
        services.create_file_list(actor=r.spec, unit=r.org.a, year=r.year)
    assert field_of(exc) == "year"
    with pytest.raises(ValidationError) as exc:
        services.approve_list(actor=r.org.leader_a, file_list=file_list)
    assert field_of(exc) == "entries"
    for bad, field in (({"symbol": "có dấu cách"}, "symbol"), ({"title": ""}, "title"),
                       ({"retention_id": 9999}, "retention_id"),
                       ({"responsible_id": r.org.clerk_b.pk}, "responsible_id"),
                       ({"section_id": 9999}, "section_id")):
        data = {"symbol": "01.TCCB", "title": "Hồ sơ", "retention_id": r.ten.pk, **bad}
        with pytest.raises(ValidationError) as exc:
            services.add_entry(actor=r.spec, file_list=file_list, **data)
        assert field_of(exc) == field, bad
    entry = services.add_entry(actor=r.spec, file_list=file_list, symbol="01.TCCB", title="Hồ sơ",
                               retention_id=r.ten.pk)
    with pytest.raises(ValidationError) as exc:
        services.add_entry(actor=r.spec, file_list=file_list, symbol="01.TCCB", title="Khác", retention_id=r.ten.pk)
    assert field_of(exc) == "symbol"
    services.update_entry(actor=r.spec, entry=entry, title="Hồ sơ nhân sự", notes="Ghi chú")
    entry.refresh_from_db()
    assert entry.title == "Hồ sơ nhân sự"
    with pytest.raises(PermissionDenied):
        services.approve_list(actor=r.spec, file_list=file_list)
    with pytest.raises(PermissionDenied):
        services.approve_list(actor=r.org.leader_b, file_list=file_list)
    services.delete_entry(actor=r.spec, entry=entry)
    assert not file_list.entries.exists()


# --- files -----------------------------------------------------------------------------------------------------

def test_open_attach_close(records):
    r = records
    file = r.open_file()
    assert file.code == f"{r.org.a.code}.{r.year}.01.TCCB" and file.retention == r.ten
    late = r.issue("Văn bản sau")
    early = r.issue("Văn bản trước")
    Document.objects.filter(pk=early.pk).update(issued_on=datetime.date(r.year, 1, 2))
    services.attach_documents(actor=r.spec, file=file, document_ids=[late.pk, early.pk])
    # order kept by document date, then id
    assert [i.document_id for i in selectors.items_of(file)] == [early.pk, late.pk]
    # the same document may sit in another file too
    other = services.open_file(actor=r.spec, unit=r.org.a, year=r.year, symbol="99.AH", title="Hồ sơ ad hoc",
                               retention_id=r.permanent.pk)
    services.attach_documents(actor=r.spec, file=other, document_ids=[late.pk])
    with pytest.raises(ValidationError) as exc:  # no duplicate attachment
        services.attach_documents(actor=r.spec, file=file, document_ids=[late.pk])
    assert field_of(exc) == "document_ids"
    with pytest.raises(ValidationError) as exc:
        services.close_file(actor=r.spec, file=file, title="", retention_id=r.ten.pk)
    assert field_of(exc) == "title"
    with pytest.raises(ValidationError) as exc:
        services.close_file(actor=r.spec, file=file, title="Hồ sơ", retention_id=None)
    assert field_of(exc) == "retention_id"
    closed = services.close_file(actor=r.spec, file=file, title="Hồ sơ điều động cán bộ năm", retention_id=r.ten.pk)
    assert closed.status == FileStatus.CLOSED and closed.document_count == 2
    assert closed.start_date == datetime.date(r.year, 1, 2) and closed.expires_on == datetime.date(r.year + 11, 1, 1)
    # a closed file takes no more documents and no edits
    with pytest.raises(ValidationError) as exc:
        services.attach_documents(actor=r.spec, file=closed, document_ids=[r.issue("Khác").pk])
    assert field_of(exc) == "status"
    with pytest.raises(ValidationError):
        services.update_file(actor=r.spec, file=closed, title="Đổi")
    services.reopen_file(actor=r.spec, file=closed, reason="Công việc tiếp tục")
    assert RecordFile.objects.get(pk=file.pk).status == FileStatus.OPEN


def test_file_refusals(records):
    r = records
    file_list = services.create_file_list(actor=r.spec, unit=r.org.a, year=r.year)
    entry = services.add_entry(actor=r.spec, file_list=file_list, symbol="01.TCCB", title="Hồ sơ",
                               retention_id=r.ten.pk)
    with pytest.raises(ValidationError) as exc:  # list not approved yet
        services.open_file(actor=r.spec, unit=r.org.a, entry=entry)
    assert field_of(exc) == "entry_id"
    with pytest.raises(PermissionDenied):
        services.open_file(actor=r.org.leader_a, unit=r.org.a, year=r.year, symbol="01.X", title="x",
                           retention_id=r.ten.pk)
    with pytest.raises(PermissionDenied):
        services.open_file(actor=r.org.clerk_b, unit=r.org.a, year=r.year, symbol="01.X", title="x",
                           retention_id=r.ten.pk)
    with pytest.raises(ValidationError) as exc:
        services.open_file(actor=r.spec, unit=r.org.a, year=r.year, symbol="", title="x", retention_id=r.ten.pk)
    assert field_of(exc) == "symbol"
    file = services.open_file(actor=r.spec, unit=r.org.a, year=r.year, symbol="01.X", title="x",
                              retention_id=r.ten.pk)
    with pytest.raises(ValidationError) as exc:
        services.open_file(actor=r.spec, unit=r.org.a, year=r.year, symbol="01.X", title="y", retention_id=r.ten.pk)
    assert field_of(exc) == "symbol"
    with pytest.raises(ValidationError) as exc:  # empty file cannot be closed
        services.close_file(actor=r.spec, file=file, title="x", retention_id=r.ten.pk)
    assert field_of(exc) == "documents"
    # documents: unknown, not visible to the person, listed twice, too many
    b_doc = r.exchange.outgoing(unit=r.org.b, user=r.org.clerk_b, recipients=[], subject="Văn bản của B")
    for ids in ([999999], [b_doc.pk], [], ["x"]):
        with pytest.raises(ValidationError) as exc:
            services.attach_documents(actor=r.spec, file=file, document_ids=ids)
        assert field_of(exc) == "document_ids", ids
    doc = r.issue()
    with pytest.raises(ValidationError) as exc:
        services.attach_documents(actor=r.spec, file=file, document_ids=[doc.pk, doc.pk])
    assert field_of(exc) == "document_ids"
    # a secret document the specialist is not cleared for
    r.org.clerk_a.clearance = 1
    secret = r.issue("Văn bản mật", confidentiality=Confidentiality.MAT)
    with pytest.raises(ValidationError):
        services.attach_documents(actor=r.spec, file=file, document_ids=[secret.pk])
    # another unit's keeper cannot attach or close
    with pytest.raises(PermissionDenied):
        services.attach_documents(actor=r.org.clerk_b, file=file, document_ids=[doc.pk])
    with pytest.raises(PermissionDenied):
        services.close_file(actor=r.org.clerk_b, file=file, title="x", retention_id=r.ten.pk)
    assert not FileItem.objects.filter(file=file).exists()


# --- workbench -------------------------------------------------------------------------------------------------

def test_workbench_and_progress(records, django_assert_max_num_queries):
    r = records
    docs = [r.issue(f"Văn bản {i}") for i in range(5)]
    file = r.open_file()
    services.attach_documents(actor=r.spec, file=file, document_ids=[docs[0].pk, docs[1].pk])
    page = selectors.workbench_page(r.spec, r.org.a, r.year, limit=2)
    assert [d.pk for d in page.items] == [docs[4].pk, docs[3].pk] and page.next_cursor
    rest = selectors.workbench_page(r.spec, r.org.a, r.year, cursor=page.next_cursor, limit=2)
    assert [d.pk for d in rest.items] == [docs[2].pk]
    with django_assert_max_num_queries(2):
        progress = selectors.progress(r.org.a, r.year)
    assert progress == {"unit_id": r.org.a.pk, "year": r.year, "total": 5, "filed": 2, "percent": 40}
    # documents registered as arriving count for the recipient unit's year
    from dieuhanh.documents import services as doc_services
    from dieuhanh.documents.models import Delivery

    delivery = Delivery.objects.get(document=docs[0], recipient_unit=r.org.b)
    doc_services.accept_delivery(actor=r.org.clerk_b, delivery=delivery)
    assert selectors.progress(r.org.b, r.year)["total"] == 1
    assert [d.pk for d in selectors.workbench_page(r.org.clerk_b, r.org.b, r.year).items] == [docs[0].pk]
    # bulk attach the rest, progress 100 %
    services.attach_documents(actor=r.spec, file=file, document_ids=[d.pk for d in docs[2:]])
    assert selectors.progress(r.org.a, r.year)["percent"] == 100
    assert selectors.workbench_page(r.spec, r.org.a, r.year).items == []


# --- deposits --------------------------------------------------------------------------------------------------

def test_deposit_accepted_after_verification_then_read_only(records):
    r = records
    file = r.closed_file(documents=2)
    deposit = r.deposit(file)
    assert deposit.file_count == 1 and deposit.document_count == 2
    with pytest.raises(ValidationError) as exc:  # already submitted
        r.deposit(file)
    assert field_of(exc) == "file_ids"
    with pytest.raises(ValidationError):  # cannot reopen once submitted
        services.reopen_file(actor=r.spec, file=file, reason="x")
    with pytest.raises(PermissionDenied):  # the unit cannot accept its own deposit
        services.accept_deposit(actor=r.spec, deposit=deposit, receiver_position="Lưu trữ viên")
    with pytest.raises(PermissionDenied):  # another agency's archive
        services.accept_deposit(actor=r.archivist_b, deposit=deposit, receiver_position="Lưu trữ viên")
    with pytest.raises(ValidationError) as exc:
        services.accept_deposit(actor=r.archivist, deposit=deposit)
    assert field_of(exc) == "receiver_position"
    accepted = services.accept_deposit(actor=r.archivist, deposit=deposit, receiver_position="Lưu trữ viên")
    assert accepted.status == DepositStatus.ACCEPTED and accepted.receiver_name == "Phạm Văn Lưu"
    assert AuditEvent.objects.get(action="records.deposit_accept").data["blobs_verified"] == 2
    file.refresh_from_db()
    assert file.status == FileStatus.DEPOSITED
    # read-only to the unit
    with pytest.raises(ValidationError):
        services.attach_documents(actor=r.spec, file=file, document_ids=[r.issue("Mới").pk])
    with pytest.raises(ValidationError):
        services.close_file(actor=r.spec, file=file, title="x", retention_id=r.ten.pk)
    with pytest.raises(ValidationError):
        services.update_file(actor=r.spec, file=file, title="x")
    with pytest.raises(ValidationError):
        services.detach_document(actor=r.spec, file=file, document_id=file.items.first().document_id)
    with pytest.raises(ValidationError):
        services.accept_deposit(actor=r.archivist, deposit=deposit, receiver_position="x")


def test_deposit_with_tampered_blob_is_refused_naming_the_file(records):
    r = records
    file = r.closed_file(documents=1)
    deposit = r.deposit(file)
    blob = file.items.get().document.files.get().blob
    with default_storage.open(blob.storage_name, "wb") as fh:
        fh.write(make_pdf("altered content"))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.accept_deposit(actor=r.archivist, deposit=deposit, receiver_position="Lưu trữ viên")
    message = exc.value.message_dict["files"][0]
    assert file.code in message and "SHA-256" in message
    deposit.refresh_from_db()
    file.refresh_from_db()
    assert deposit.status == DepositStatus.SUBMITTED and file.status == FileStatus.CLOSED
    assert AuditEvent.objects.count() == events
    # a missing blob is refused too
    default_storage.delete(blob.storage_name)
    with pytest.raises(ValidationError) as exc:
        services.accept_deposit(actor=r.archivist, deposit=deposit, receiver_position="Lưu trữ viên")
    assert "missing" in exc.value.message_dict["files"][0]
    # the archive refuses; the file is free again
    services.refuse_deposit(actor=r.archivist, deposit=deposit, reason="Tệp bị thay đổi")
    file.refresh_from_db()
    assert file.deposit_id is None and selectors.deposit_files(deposit)[0].pk == file.pk


def test_deposit_refusals(records):
    r = records
    open_file = r.open_file()
    with pytest.raises(ValidationError) as exc:
        r.deposit(open_file)
    assert field_of(exc) == "file_ids"
    with pytest.raises(ValidationError) as exc:
        services.create_deposit(actor=r.spec, unit=r.org.a, file_ids=[open_file.pk], collection_name="",
                                giver_name="", giver_position="x")
    assert set(exc.value.message_dict) == {"collection_name", "giver_name"}
    with pytest.raises(PermissionDenied):
        services.create_deposit(actor=r.org.clerk_b, unit=r.org.a, file_ids=[open_file.pk], collection_name="x",
                                giver_name="x", giver_position="x")
    with pytest.raises(ValidationError) as exc:  # a file of another unit
        services.create_deposit(actor=r.org.clerk_b, unit=r.org.b, file_ids=[open_file.pk], collection_name="x",
                                giver_name="x", giver_position="x")
    assert field_of(exc) == "file_ids"


# --- loans -----------------------------------------------------------------------------------------------------

def test_usage_register(records):
    r = records
    file = r.closed_file()
    with pytest.raises(ValidationError):  # not in the archive yet
        services.lend_file(actor=r.archivist, file=file, purpose="Nghiên cứu", borrower_name="Ông A")
    services.accept_deposit(actor=r.archivist, deposit=r.deposit(file), receiver_position="Lưu trữ viên")
    with pytest.raises(PermissionDenied):
        services.lend_file(actor=r.spec, file=file, purpose="Nghiên cứu", borrower_name="Ông A")
    with pytest.raises(ValidationError) as exc:
        services.lend_file(actor=r.archivist, file=file, purpose="", borrower_name="")
    assert set(exc.value.message_dict) == {"purpose", "borrower_name"}
    loan = services.lend_file(actor=r.archivist, file=file, purpose="Nghiên cứu", borrower_id=r.spec.pk)
    assert loan.borrower_name == "Trần Thu Hà"
    with pytest.raises(ValidationError) as exc:
        services.lend_file(actor=r.archivist, file=file, purpose="Khác", borrower_name="Ông B")
    assert field_of(exc) == "file"
    services.return_loan(actor=r.archivist, loan=loan)
    with pytest.raises(ValidationError):
        services.return_loan(actor=r.archivist, loan=loan)
    assert [x.pk for x in selectors.loans_of(file)] == [loan.pk]


# --- appraisal and destruction ---------------------------------------------------------------------------------

MEMBERS = [{"name": "Nguyễn Văn An", "position": "Chủ tịch Hội đồng"},
           {"name": "Lê Thị Bình", "position": "Ủy viên"}, {"name": "Phạm Văn Lưu", "position": "Thư ký"}]


def _expired(records):
    file = records.closed_file()
    RecordFile.objects.filter(pk=file.pk).update(expires_on=datetime.date.today() - datetime.timedelta(days=1))
    file.refresh_from_db()
    return file


def test_destruction_by_council_decision(records):
    r = records
    file = _expired(r)
    assert [f.pk for f in selectors.appraisal_page(r.org.a).items] == [file.pk]
    decision = services.record_decision(actor=r.archivist, unit=r.org.a, number="01/QĐ-HĐ",
                                        decided_on=datetime.date.today(), members=MEMBERS, file_ids=[file.pk])
    services.destroy_files(actor=r.archivist, decision=decision)
    file.refresh_from_db()
    assert file.status == FileStatus.DESTROYED and not file.items.exists()
    rec = DestructionRecord.objects.get(file=file)
    assert rec.metadata["code"] == file.code and len(rec.metadata["documents"]) == 1
    assert rec.decision.members[0]["name"] == "Nguyễn Văn An"
    with pytest.raises(ValidationError):
        services.destroy_files(actor=r.archivist, decision=decision)
    assert selectors.appraisal_page(r.org.a).items == []


def test_destruction_refusals(records):
    r = records
    file = _expired(r)
    ok = {"unit": r.org.a, "number": "01/QĐ", "decided_on": datetime.date.today(), "members": MEMBERS,
          "file_ids": [file.pk]}
    with pytest.raises(PermissionDenied):
        services.record_decision(actor=r.spec, **ok)
    with pytest.raises(PermissionDenied):
        services.record_decision(actor=r.archivist_b, **ok)
    for bad, field in (({"number": ""}, "number"), ({"decided_on": None}, "decided_on"),
                       ({"members": MEMBERS[:2]}, "members"), ({"members": [{"name": ""}] * 3}, "members.0.name"),
                       ({"file_ids": [999999]}, "file_ids")):
        with pytest.raises(ValidationError) as exc:
            services.record_decision(actor=r.archivist, **{**ok, **bad})
        assert field_of(exc) == field, bad
    young = r.closed_file(symbol="02.VP")
    with pytest.raises(ValidationError) as exc:  # still within retention
        services.record_decision(actor=r.archivist, **{**ok, "file_ids": [young.pk]})
    assert "retention" in exc.value.message_dict["file_ids"][0]
    services.set_legal_hold(actor=r.archivist, file=file, hold=True, reason="Đang thanh tra")
    with pytest.raises(ValidationError) as exc:
        services.record_decision(actor=r.archivist, **ok)
    assert "legal hold" in exc.value.message_dict["file_ids"][0]
    services.set_legal_hold(actor=r.archivist, file=file, hold=False)
    decision = services.record_decision(actor=r.archivist, **ok)
    # a hold placed after the decision still stops the destruction
    services.set_legal_hold(actor=r.archivist, file=file, hold=True, reason="Vụ án")
    with pytest.raises(ValidationError) as exc:
        services.destroy_files(actor=r.archivist, decision=decision)
    assert file.code in exc.value.message_dict["file_ids"][0]
    file.refresh_from_db()
    assert file.status == FileStatus.CLOSED and file.items.exists()
    with pytest.raises(PermissionDenied):
        services.set_legal_hold(actor=r.spec, file=file, hold=False)
    assert not DestructionRecord.objects.exists()


def test_no_file_list_for_other_unit_written(records):
    r = records
    with pytest.raises(PermissionDenied):
        services.create_file_list(actor=r.archivist_b, unit=r.org.a, year=r.year)
    assert not FileList.objects.exists()
