"""The archive's pages: usage register (lend, return, open and overdue loans in keyset pages), appraisal (files past
retention, legal holds) and destruction (council decision, then destroy; what is kept). Permissions as the
services; bad input answers 400 naming the field, with nothing written."""

import datetime

import pytest
from django.utils import timezone

from dieuhanh.records import services
from dieuhanh.records.models import DestructionRecord, DispositionDecision, FileStatus, Loan, RecordFile

from .test_pages import login, no_inline


@pytest.fixture
def deposited(records):
    """A deposited file of unit A (accepted by A's archivist)."""
    file = records.closed_file(documents=2)
    deposit = records.deposit(file)
    services.accept_deposit(actor=records.archivist, deposit=deposit, receiver_position="Lưu trữ viên")
    file.refresh_from_db()
    assert file.status == FileStatus.DEPOSITED
    return file


def _text(res):
    return res.content.decode()


def test_lend_and_return_through_the_usage_register(records, deposited, client):
    r, file = records, deposited
    url = f"/records/loans/?unit={r.org.a.pk}"
    login(client, r.archivist)
    html = _text(client.get(url))
    assert file.code in html and 'id="lend"' in html  # the lendable file is offered
    no_inline(html)
    lend = {"action": "lend", "unit": r.org.a.pk, "file_code": file.code, "borrower": "Ông Nguyễn Văn B",
            "purpose": "Nghiên cứu", "due_on": ""}
    # bad input: 400, the field named, nothing written
    for change, label in (({"purpose": ""}, "Purpose"), (  # the page is in Vietnamese: labels translated or not
            {"file_code": "KHONG.CO"}, "KHONG.CO"), ({"due_on": "31/02/2026"}, "Due on"),
            ({"due_on": "2001-01-01"}, "Due on"), ({"borrower": ""}, "Borrower")):
        client.cookies["django_language"] = "en"
        res = client.post(url, {**lend, **change})
        assert res.status_code == 400 and label in _text(res), (change, _text(res)[:200])
        assert 'class="error"' in _text(res)
    assert not Loan.objects.exists()
    res = client.post(url, lend)
    assert res.status_code == 302
    loan = Loan.objects.get()
    assert loan.borrower_name == "Ông Nguyễn Văn B" and loan.lent_by == r.archivist
    # lent twice: refused
    res = client.post(url, lend)
    assert res.status_code == 400 and "not returned" in _text(res) and Loan.objects.count() == 1
    html = _text(client.get(url + "&show=open"))
    assert f'id="loan-{loan.pk}"' in html and "Record the return" in html
    assert f'id="loan-{loan.pk}"' not in _text(client.get(url + "&show=overdue"))
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    assert f'id="loan-{loan.pk}"' in _text(client.get(url + "&show=overdue"))

    # a member of the unit reads the register but lends and returns nothing
    login(client, r.spec)
    client.cookies["django_language"] = "en"
    html = _text(client.get(url))
    assert f'id="loan-{loan.pk}"' in html and 'id="lend"' not in html and "Record the return" not in html
    assert client.post(url, lend).status_code == 403
    assert client.post(url, {"action": "return", "unit": r.org.a.pk, "loan_id": loan.pk}).status_code == 403
    assert Loan.objects.get().returned_at is None
    # another unit's archivist cannot reach A's loans: the page falls back to their own unit
    login(client, r.archivist_b)
    assert f'id="loan-{loan.pk}"' not in _text(client.get(url))
    assert client.post(url, {"action": "return", "unit": r.org.a.pk, "loan_id": loan.pk}).status_code == 404

    login(client, r.archivist)
    res = client.post(url, {"action": "return", "unit": r.org.a.pk, "loan_id": loan.pk})
    assert res.status_code == 302 and Loan.objects.get().returned_to == r.archivist
    assert f'id="loan-{loan.pk}"' not in _text(client.get(url + "&show=open"))
    assert client.post(url, {"action": "return", "unit": r.org.a.pk, "loan_id": loan.pk}).status_code == 400


def test_usage_register_pages_by_keyset(records, deposited, client):
    r, file = records, deposited
    Loan.objects.bulk_create([Loan(file=file, borrower_name=f"Người {i}", purpose="Tra cứu", lent_by=r.archivist,
                                   returned_at=timezone.now()) for i in range(55)])
    login(client, r.archivist)
    first = _text(client.get(f"/records/loans/?unit={r.org.a.pk}"))
    assert first.count('id="loan-') == 50 and 'id="next-page"' in first
    cursor = first.split('id="next-page" href="')[1].split('"')[0].replace("&amp;", "&")
    second = _text(client.get(f"/records/loans/{cursor}"))
    assert second.count('id="loan-') == 5 and 'id="next-page"' not in second
    assert _text(client.get(f"/records/loans/?unit={r.org.a.pk}&cursor=%%%")).count('id="loan-') == 50


def _past_retention(*files):
    RecordFile.objects.filter(pk__in=[f.pk for f in files]).update(expires_on=datetime.date(2000, 1, 1))


def test_appraisal_hold_decision_and_destruction(records, deposited, client):
    r, file = records, deposited
    other = r.closed_file(symbol="02.VP")
    _past_retention(file, other)
    url = f"/records/appraisal/?unit={r.org.a.pk}"
    login(client, r.archivist)
    client.cookies["django_language"] = "en"
    html = _text(client.get(url))
    assert file.code in html and other.code in html and 'id="decision"' in html
    no_inline(html)
    # placing a hold needs a reason
    res = client.post(url, {"action": "hold", "unit": r.org.a.pk, "file_id": other.pk, "hold": "1", "reason": ""})
    assert res.status_code == 400 and "Reason for the hold" in _text(res)
    assert not RecordFile.objects.get(pk=other.pk).legal_hold
    res = client.post(url, {"action": "hold", "unit": r.org.a.pk, "file_id": other.pk, "hold": "1",
                            "reason": "Thanh tra đang xem xét"})
    assert res.status_code == 302 and RecordFile.objects.get(pk=other.pk).legal_hold
    # the page lifts a hold by posting hold=0 (a BooleanField read "0" as True: the hold could not be lifted)
    res = client.post(url, {"action": "hold", "unit": r.org.a.pk, "file_id": other.pk, "hold": "0"})
    assert res.status_code == 302 and not RecordFile.objects.get(pk=other.pk).legal_hold
    client.post(url, {"action": "hold", "unit": r.org.a.pk, "file_id": other.pk, "hold": "1",
                      "reason": "Thanh tra đang xem xét"})
    members = {"member-0-name": "Nguyễn Văn A", "member-0-position": "Chủ tịch Hội đồng",
               "member-1-name": "Trần Thị B", "member-1-position": "Ủy viên",
               "member-3-name": "Lê Văn C", "member-3-position": "Thư ký"}
    decide = {"action": "decide", "unit": r.org.a.pk, "number": "01/QĐ-HĐXĐ", "decided_on": str(r.today),
              **members, "file": [file.pk, other.pk]}
    # a file under legal hold: refused with a readable message, nothing recorded
    res = client.post(url, decide)
    assert res.status_code == 400 and "legal hold" in _text(res) and "Thanh tra đang xem xét" in _text(res)
    for change, label in (({"member-3-name": ""}, "Council member 4: name"),
                          ({"member-1-name": "", "member-3-name": ""}, "Council members"),
                          ({"number": ""}, "Decision number"), ({"decided_on": "hôm qua"}, "Decision date"),
                          ({"decided_on": "2999-01-01"}, "Decision date"), ({"file": []}, "Files to destroy")):
        res = client.post(url, {**decide, "file": [file.pk], **change})
        assert res.status_code == 400 and label in _text(res), (change, _text(res)[:300])
    assert not DispositionDecision.objects.exists()
    # a specialist of the unit sees the list but cannot record, hold or destroy
    login(client, r.spec)
    client.cookies["django_language"] = "en"
    html = _text(client.get(url))
    assert file.code in html and 'id="decision"' not in html
    assert client.post(url, {**decide, "file": [file.pk]}).status_code == 403
    assert client.post(url, {"action": "hold", "unit": r.org.a.pk, "file_id": file.pk, "hold": "1",
                             "reason": "x"}).status_code == 403
    assert not DispositionDecision.objects.exists() and not RecordFile.objects.get(pk=file.pk).legal_hold

    login(client, r.archivist)
    client.cookies["django_language"] = "en"
    res = client.post(url, {**decide, "file": [file.pk]})
    assert res.status_code == 302
    decision = DispositionDecision.objects.get()
    assert res["Location"] == f"/records/decisions/{decision.pk}/"
    assert [m["name"] for m in decision.members] == ["Nguyễn Văn A", "Trần Thị B", "Lê Văn C"]
    durl = f"/records/decisions/{decision.pk}/"
    html = _text(client.get(durl))
    assert file.code in html and "Nguyễn Văn A" in html and 'id="destroy"' in html
    no_inline(html)
    # a hold placed after the decision: destroying is refused, readably, and nothing goes
    services.set_legal_hold(actor=r.archivist, file=file, hold=True, reason="Khiếu nại đang giải quyết")
    res = client.post(durl, {"action": "destroy"})
    assert res.status_code == 400 and "Khiếu nại đang giải quyết" in _text(res)
    assert RecordFile.objects.get(pk=file.pk).status == FileStatus.DEPOSITED and not DestructionRecord.objects.exists()
    services.set_legal_hold(actor=r.archivist, file=file, hold=False)
    login(client, r.spec)
    assert client.post(durl, {"action": "destroy"}).status_code == 403
    login(client, r.archivist)
    client.cookies["django_language"] = "en"
    res = client.post(durl, {"action": "destroy"})
    assert res.status_code == 302
    assert RecordFile.objects.get(pk=file.pk).status == FileStatus.DESTROYED
    record = DestructionRecord.objects.get()
    assert record.metadata["creator"] == "Trần Thu Hà" and len(record.metadata["documents"]) == 2
    assert client.post(durl, {"action": "destroy"}).status_code == 400  # carried out once
    html = _text(client.get(f"/records/destructions/?unit={r.org.a.pk}"))
    assert file.code in html and "01/QĐ-HĐXĐ" in html and record.metadata["documents"][0]["symbol"] in html
    no_inline(html)
    assert file.code not in _text(client.get(url))  # destroyed: off the appraisal list
    # other units' people: 404 on the decision, their own unit on the lists
    login(client, r.archivist_b)
    assert client.get(durl).status_code == 404 and client.post(durl, {"action": "destroy"}).status_code == 404
    assert file.code not in _text(client.get(f"/records/destructions/?unit={r.org.a.pk}"))


def test_an_archivist_above_reaches_a_sub_unit(records, client):
    """The agency archive (an archivist of A) works on the files of A's sub-unit A1, as the API allows."""
    r = records
    from conftest import make_user
    from dieuhanh.accounts.models import Role

    spec = make_user("spec.a1.records", r.org.a1, Role.SPECIALIST)
    file = services.open_file(actor=spec, unit=r.org.a1, year=r.year, symbol="01.VP", title="Hồ sơ phường",
                              retention_id=r.ten.pk)
    RecordFile.objects.filter(pk=file.pk).update(status=FileStatus.CLOSED, expires_on=datetime.date(2000, 1, 1))
    login(client, r.archivist)
    html = _text(client.get(f"/records/appraisal/?unit={r.org.a1.pk}"))
    assert file.code in html and 'id="decision"' in html
    for page in ("loans", "destructions"):
        assert client.get(f"/records/{page}/?unit={r.org.a1.pk}").status_code == 200
