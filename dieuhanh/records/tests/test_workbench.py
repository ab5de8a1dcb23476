"""The workbench's suggested files (by handler, type and subject, in a fixed number of queries) and the merge of
documents registered twice (permission, validation, audit; nothing deleted)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import PASSWORD
from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents import services as doc_services
from dieuhanh.documents.models import Document
from dieuhanh.documents.tests.conftest import doc_type
from dieuhanh.processing import services as flow_services
from dieuhanh.records import selectors, services
from dieuhanh.records.models import DuplicateMark, FileItem


def paper(r, symbol="12/BNV-VP", subject="Về việc tuyển dụng công chức", type_name="Công văn", twice=False,
          issued_on=None):
    """A paper document from the Ministry registered in A (``twice``: confirmed as registered again)."""
    return doc_services.register_paper(
        actor=r.org.clerk_a, unit=r.org.a, document_type_id=doc_type(type_name).pk, issuer_name="Bộ Nội vụ",
        symbol=symbol, issued_on=issued_on or datetime.date(r.year, 1, 5), subject=subject,
        confirm_duplicate=twice).document


def handled_by(r, document, user):
    entry = document.incoming_entries.get(unit=r.org.a)
    flow_services.assign(actor=r.org.leader_a, entry=entry, handlers=[{"user_id": user.pk, "role": "lead"}])


@pytest.fixture
def bench(records):
    """A's two open files: 01.TCCB "Hồ sơ điều động cán bộ" holding a paper letter handled by the specialist,
    02.VP "Tập văn bản đi" holding a report."""
    r = records
    r.tccb = r.open_file()
    r.vp = r.open_file(symbol="02.VP")
    letter = paper(r, symbol="3/BNV-TCCB", subject="Về việc nâng lương")
    handled_by(r, letter, r.spec)
    report = r.issue("Báo cáo tháng năm", type_name="Báo cáo")
    services.attach_documents(actor=r.org.clerk_a, file=r.tccb, document_ids=[letter.pk])
    services.attach_documents(actor=r.org.clerk_a, file=r.vp, document_ids=[report.pk])
    return r


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def wb_url(r):
    return f"/records/workbench/?unit={r.org.a.pk}&year={r.year}"


# --- suggestions -----------------------------------------------------------------------------------------------

def test_suggestions_rank_by_handler_type_and_subject(bench):
    r = bench
    moving = r.issue("Về việc điều động cán bộ", type_name="Báo cáo")  # subject of 01.TCCB, type of 02.VP
    finance = r.issue("Báo cáo tài chính quý", type_name="Báo cáo")  # type of 02.VP only
    handled = paper(r, symbol="9/BNV-KH", subject="Mua sắm thiết bị", type_name="Tờ trình")
    handled_by(r, handled, r.spec)  # handled by the person who handled a letter of 01.TCCB
    alone = r.issue("Mua sắm thiết bị", type_name="Tờ trình")
    got = selectors.suggestions_for(r.org.a, r.year, Document.objects.filter(
        pk__in=[moving.pk, finance.pk, handled.pk, alone.pk]))
    assert [s.file.code for s in got[moving.pk]] == [r.tccb.code, r.vp.code]
    assert got[moving.pk][0].reasons == ("subject",) and set(got[moving.pk][0].shared_words) == {
        "dieu", "dong", "can", "bo"}
    assert got[moving.pk][1].reasons == ("type",)
    assert [(s.file.code, s.reasons) for s in got[finance.pk]] == [(r.vp.code, ("type",))]
    assert [(s.file.code, s.reasons) for s in got[handled.pk]] == [(r.tccb.code, ("handler",))]
    assert got[alone.pk] == []
    # common words alone ("về việc", "hồ sơ", "văn bản") suggest nothing
    assert selectors.significant_words("Về việc gửi hồ sơ, văn bản năm 2026") == {"gui"} - selectors.COMMON_WORDS


def test_suggestions_take_a_fixed_number_of_queries(bench, client):
    r = bench

    def count(n):
        docs = [r.issue(f"Kế hoạch điều động cán bộ đợt {i} lô {n}", type_name="Báo cáo") for i in range(n)]
        page = Document.objects.filter(pk__in=[d.pk for d in docs]).select_related("document_type")
        with CaptureQueriesContext(connection) as ctx:
            got = selectors.suggestions_for(r.org.a, r.year, page)
        assert all(got[d.pk] for d in docs)
        return len(ctx.captured_queries)

    assert count(2) == count(12) <= 4

    login(client, r.spec)

    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(wb_url(r)).status_code == 200
        return len(ctx.captured_queries)

    def add_rows(n):
        # rows of every kind: same type, a handled letter, a pair registered twice
        for i in range(n):
            r.issue(f"Thông báo tuyển dụng số {i} lô {n}", type_name="Báo cáo")
        handled_by(r, paper(r, symbol=f"{n}/BNV-KH", subject="Mua sắm thiết bị"), r.spec)
        paper(r, symbol=f"7{n}/BNV-VP", subject="Thông báo lịch họp")
        paper(r, symbol=f"7{n}/BNV-VP", subject="Thông báo lịch họp", twice=True)

    add_rows(1)
    small = page_queries()
    add_rows(10)
    assert page_queries() == small


# --- merging duplicates (service) ------------------------------------------------------------------------------

def test_merge_refused_to_a_non_keeper_with_nothing_written(bench):
    r = bench
    first = paper(r, symbol="15/BNV-VP")
    second = paper(r, symbol="Số: 15/bnv-vp", twice=True)
    before = AuditEvent.objects.count()
    for user in (r.archivist, r.org.leader_a, r.archivist_b):
        with pytest.raises(PermissionDenied):
            services.mark_duplicates(actor=user, unit=r.org.a, year=r.year, kept_id=first.pk,
                                     duplicate_ids=[second.pk])
    assert not DuplicateMark.objects.exists() and AuditEvent.objects.count() == before


@pytest.fixture
def english():
    """Refusals are read in English here; the pages show them in the person's language."""
    with translation.override("en"):
        yield


@pytest.mark.usefixtures("english")
def test_merge_keeps_one_and_marks_the_others(bench):
    r = bench
    first = paper(r, symbol="15/BNV-VP")
    second = paper(r, symbol="Số: 15/bnv-vp", twice=True)  # folded, the same number and symbol
    same_file = [r.issue("Quyết định khen thưởng") for _ in range(2)]  # the same main file (SHA-256)
    other = paper(r, symbol="16/BNV-VP")
    groups = selectors.duplicate_groups(r.spec, r.org.a, r.year)
    assert [([d.pk for d in g.documents], g.reasons) for g in groups] == [
        ([d.pk for d in same_file], ("file",)), ([first.pk, second.pk], ("number",))]
    before = selectors.progress(r.org.a, r.year)

    bad = [
        ({"kept_id": first.pk, "duplicate_ids": [first.pk]}, "its own duplicate"),
        ({"kept_id": first.pk, "duplicate_ids": [other.pk]}, "do not look like"),
        ({"kept_id": first.pk, "duplicate_ids": [same_file[0].pk]}, "do not look like"),
        ({"kept_id": first.pk, "duplicate_ids": [999999]}, "does not exist"),
        ({"kept_id": "x", "duplicate_ids": [second.pk]}, "Choose the document to keep"),
        ({"kept_id": first.pk, "duplicate_ids": []}, "at least one"),
        ({"kept_id": first.pk, "duplicate_ids": [2**70]}, "Not a document id"),
        ({"kept_id": 2**70, "duplicate_ids": [second.pk]}, "Choose the document to keep"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValidationError, match=message):
            services.mark_duplicates(actor=r.spec, unit=r.org.a, year=r.year, **kwargs)
    with pytest.raises(ValidationError, match="not a document of"):
        services.mark_duplicates(actor=r.spec, unit=r.org.a, year=r.year - 1, kept_id=first.pk,
                                 duplicate_ids=[second.pk])
    # a filed copy is the one to keep
    services.attach_documents(actor=r.spec, file=r.tccb, document_ids=[second.pk])
    with pytest.raises(ValidationError, match="is in file"):
        services.mark_duplicates(actor=r.spec, unit=r.org.a, year=r.year, kept_id=first.pk,
                                 duplicate_ids=[second.pk])
    assert not DuplicateMark.objects.exists()

    assert services.mark_duplicates(actor=r.spec, unit=r.org.a, year=r.year, kept_id=second.pk,
                                    duplicate_ids=[first.pk]) == 1
    mark = DuplicateMark.objects.get()
    assert (mark.document_id, mark.kept_id, mark.unit_id, mark.marked_by_id) == (first.pk, second.pk, r.org.a.pk,
                                                                                 r.spec.pk)
    event = AuditEvent.objects.filter(action="records.mark_duplicates").get()
    assert event.data["kept"] == second.pk and event.data["duplicates"] == [first.pk]
    assert Document.objects.filter(pk=first.pk).exists()  # nothing deleted
    after = selectors.progress(r.org.a, r.year)
    assert after["total"] == before["total"] - 1 and after["filed"] == before["filed"] + 1
    assert first.pk not in [d.pk for d in selectors.workbench_page(r.spec, r.org.a, r.year).items]
    assert [[d.pk for d in g.documents] for g in selectors.duplicate_groups(r.spec, r.org.a, r.year)] == [
        [d.pk for d in same_file]]
    # marked once only; a duplicate cannot be filed
    with pytest.raises(ValidationError, match="already marked"):
        services.mark_duplicates(actor=r.spec, unit=r.org.a, year=r.year, kept_id=second.pk,
                                 duplicate_ids=[first.pk])
    with pytest.raises(ValidationError, match="marked as a duplicate"):
        services.attach_documents(actor=r.spec, file=r.vp, document_ids=[first.pk])


@pytest.mark.usefixtures("english")
def test_close_refuses_a_file_holding_a_marked_duplicate(bench):
    """Marks are refused for filed documents, so only older data gets here; close_file checks it all the same."""
    r = bench
    first = paper(r, symbol="15/BNV-VP")
    second = paper(r, symbol="15/BNV-VP", twice=True)
    services.attach_documents(actor=r.spec, file=r.vp, document_ids=[first.pk])
    DuplicateMark.objects.create(unit=r.org.a, document=first, kept=second, marked_by=r.spec)
    with pytest.raises(ValidationError, match="marked as a duplicate"):
        services.close_file(actor=r.spec, file=r.vp, title=r.vp.title, retention_id=r.vp.retention_id)


# --- the page --------------------------------------------------------------------------------------------------

def test_page_suggests_attaches_in_one_click_and_merges(bench, client):
    r = bench
    moving = r.issue("Về việc điều động cán bộ")
    first = paper(r, symbol="15/BNV-VP")
    second = paper(r, symbol="15/BNV-VP", twice=True)
    login(client, r.spec)
    html = client.get(wb_url(r)).content.decode()
    button = f'id="one-{r.tccb.pk}-{moving.pk}"'
    assert button in html and 'id="duplicates"' in html and f'value="{second.pk}"' in html

    res = client.post(wb_url(r), {"unit": r.org.a.pk, "year": r.year, "one": f"{r.tccb.pk}:{moving.pk}"})
    assert res.status_code == 302
    assert FileItem.objects.filter(file=r.tccb, document=moving).exists()
    assert button not in client.get(wb_url(r)).content.decode()

    before = (FileItem.objects.count(), DuplicateMark.objects.count(), AuditEvent.objects.count())
    for data in ({"one": "x:y"}, {"one": f"{r.tccb.pk}:{moving.pk}"}, {"one": f"999999:{first.pk}"},
                 {"action": "merge", "kept": "", "member": [first.pk, second.pk]},
                 {"action": "merge", "kept": first.pk, "member": [first.pk, "zz"]},
                 {"action": "merge", "kept": first.pk, "member": [first.pk, moving.pk]},
                 {"action": "merge", "kept": first.pk, "member": [first.pk]}):
        res = client.post(wb_url(r), {"unit": r.org.a.pk, "year": r.year, **data})
        assert res.status_code == 400, data
        assert 'class="flash error"' in res.content.decode(), data
    assert (FileItem.objects.count(), DuplicateMark.objects.count(), AuditEvent.objects.count()) == before

    res = client.post(wb_url(r), {"unit": r.org.a.pk, "year": r.year, "action": "merge", "kept": second.pk,
                                  "member": [first.pk, second.pk]})
    assert res.status_code == 302
    assert DuplicateMark.objects.filter(document=first, kept=second).exists()
    html = client.get(wb_url(r)).content.decode()
    assert 'id="duplicates"' not in html and f'id="doc-{first.pk}"' not in html and f'id="doc-{second.pk}"' in html

    # a reader who keeps no records sees the suggestions, gets no button and cannot merge
    third = paper(r, symbol="20/BNV-VP")
    fourth = paper(r, symbol="20/BNV-VP", twice=True)
    login(client, r.org.leader_a)
    assert 'id="one-' not in client.get(wb_url(r)).content.decode()
    res = client.post(wb_url(r), {"unit": r.org.a.pk, "year": r.year, "action": "merge", "kept": third.pk,
                                  "member": [third.pk, fourth.pk]})
    assert res.status_code == 403 and not DuplicateMark.objects.filter(kept=third).exists()


def test_error_message_in_vietnamese(bench, client):
    r = bench
    login(client, r.spec)
    res = client.post(wb_url(r), {"unit": r.org.a.pk, "year": r.year, "action": "merge", "kept": ""},
                      HTTP_ACCEPT_LANGUAGE="vi")
    assert res.status_code == 400 and "Chọn văn bản giữ lại" in res.content.decode()


# --- the API ---------------------------------------------------------------------------------------------------

def test_api_suggestions_duplicates_and_merge(bench, api_client):
    r = bench
    moving = r.issue("Về việc điều động cán bộ")
    first = paper(r, symbol="15/BNV-VP")
    second = paper(r, symbol="15/BNV-VP", twice=True)
    api = api_client.as_user(r.spec)
    page = api.get(f"/api/v1/records/workbench?unit_id={r.org.a.pk}&year={r.year}").json()
    row = next(i for i in page["items"] if i["id"] == moving.pk)
    assert row["suggestions"][0]["file_id"] == r.tccb.pk and row["suggestions"][0]["reasons"] == ["subject"]
    groups = api.get(f"/api/v1/records/duplicates?unit_id={r.org.a.pk}&year={r.year}").json()
    assert [[d["id"] for d in g["documents"]] for g in groups] == [[first.pk, second.pk]]
    assert groups[0]["reasons"] == ["number"] and groups[0]["suggested_kept_id"] == first.pk

    body = {"unit_id": r.org.a.pk, "year": r.year, "kept_id": first.pk, "duplicate_ids": [moving.pk]}
    assert api.post("/api/v1/records/duplicates", body).status_code == 400
    assert api.post("/api/v1/records/duplicates", {**body, "duplicate_ids": [2**70]}).status_code in (400, 422)
    assert api.post("/api/v1/records/duplicates", {**body, "kept_id": 2**70}).status_code in (400, 422)
    outsider = api_client.as_user(r.org.clerk_b)
    assert outsider.post("/api/v1/records/duplicates", {**body, "duplicate_ids": [second.pk]}).status_code in (
        403, 404)
    assert not DuplicateMark.objects.exists()
    res = api_client.as_user(r.spec).post("/api/v1/records/duplicates", {**body, "duplicate_ids": [second.pk]})
    assert res.status_code == 200 and res.json()["marked"] == 1
    assert DuplicateMark.objects.filter(document=second, kept=first).exists()
