"""Records pages: the chain through the forms, errors shown with 400/403, other units' people get 404."""

import re

from conftest import PASSWORD
from dieuhanh.records.models import Deposit, DepositStatus, FileItem, FileList, FileStatus, RecordFile


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def no_inline(html):
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and " onclick=" not in html


def test_chain_through_the_pages(records, client):
    r = records
    login(client, r.spec)
    base = f"/records/?unit={r.org.a.pk}&year={r.year}"
    page = client.get(base)
    assert page.status_code == 200 and "0%" in page.content.decode()
    no_inline(page.content.decode())
    assert client.post(base, {"action": "create_list", "unit": r.org.a.pk, "year": r.year}).status_code == 302
    file_list = FileList.objects.get(unit=r.org.a, year=r.year)
    url = f"/records/lists/{file_list.pk}/"
    assert client.post(url, {"action": "section", "title": "I. Tổ chức, cán bộ"}).status_code == 302
    res = client.post(url, {"action": "entry", "symbol": "sai ký hiệu", "title": "x", "retention": r.ten.pk})
    assert res.status_code == 400 and "01.TCCB" in res.content.decode()
    assert client.post(url, {"action": "entry", "symbol": "01.TCCB", "title": "Hồ sơ cán bộ",
                             "retention": r.ten.pk, "responsible": "Trần Thu Hà"}).status_code == 302
    assert client.post(url, {"action": "approve"}).status_code == 403
    no_inline(client.get(url).content.decode())

    login(client, r.org.leader_a)
    assert client.post(url, {"action": "approve"}).status_code == 302
    login(client, r.spec)
    entry = file_list.entries.get()
    assert client.post(url, {"action": "open_file", "entry_id": entry.pk}).status_code == 302
    file = RecordFile.objects.get()
    docs = [r.issue(f"Văn bản {i}") for i in range(2)]
    wb = f"/records/workbench/?unit={r.org.a.pk}&year={r.year}"
    html = client.get(wb).content.decode()
    assert docs[0].symbol in html and docs[1].symbol in html
    no_inline(html)
    res = client.post(wb, {"file": file.pk, "document": [docs[0].pk, docs[1].pk]})
    assert res.status_code == 302 and FileItem.objects.filter(file=file).count() == 2
    assert "100%" in client.get(wb).content.decode()

    furl = f"/records/files/{file.pk}/"
    html = client.get(furl).content.decode()
    assert docs[0].symbol in html
    no_inline(html)
    assert client.post(furl, {"action": "close", "title": "", "retention": r.ten.pk}).status_code == 400
    assert client.post(furl, {"action": "close", "title": file.title, "retention": r.ten.pk}).status_code == 302
    assert RecordFile.objects.get().status == FileStatus.CLOSED

    durl = f"/records/deposits/?unit={r.org.a.pk}"
    assert file.code in client.get(durl).content.decode()
    res = client.post(durl, {"unit": r.org.a.pk, "file": [file.pk], "collection_name": "Hồ sơ năm",
                             "giver_name": "Trần Thu Hà", "giver_position": "Chuyên viên"})
    assert res.status_code == 302
    deposit = Deposit.objects.get()
    dep_url = f"/records/deposits/{deposit.pk}/"
    assert client.post(dep_url, {"action": "accept", "receiver_position": "x"}).status_code == 403

    login(client, r.archivist)
    no_inline(client.get(dep_url).content.decode())
    res = client.post(dep_url, {"action": "accept", "receiver_position": "Lưu trữ viên"})
    assert res.status_code == 302
    assert Deposit.objects.get().status == DepositStatus.ACCEPTED
    assert RecordFile.objects.get().status == FileStatus.DEPOSITED
    res = client.post(furl, {"action": "lend", "borrower": "Ông A", "purpose": "Nghiên cứu"})
    assert res.status_code == 302 and "Ông A" in client.get(furl).content.decode()
    login(client, r.spec)
    assert client.post(furl, {"action": "attach", "document_ids": str(r.issue("Mới").pk)}).status_code == 400


def test_other_units_people_get_404(records, client):
    r = records
    file = r.closed_file()
    deposit = r.deposit(file)
    file_list = FileList.objects.get()
    login(client, r.org.clerk_b)
    for url in (f"/records/lists/{file_list.pk}/", f"/records/files/{file.pk}/", f"/records/deposits/{deposit.pk}/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "accept", "receiver_position": "x"}).status_code == 404, url
    # the unit picker never shows another unit: ?unit= of A falls back to B's own
    assert file.code not in client.get(f"/records/?unit={r.org.a.pk}&year={r.year}").content.decode()
    assert Deposit.objects.get().status == DepositStatus.SUBMITTED
    client.logout()
    assert client.get("/records/").status_code == 302
