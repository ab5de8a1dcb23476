"""Three gaps closed (decision 0027): overdue loans are reminded once a day by a background job; a duplicate mark
can be undone with a reason; the records index lists the files of every unit the person reads, predecessors
included (decision 0025)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.audit.models import AuditEvent
from dieuhanh.notifications.models import Notification
from dieuhanh.records import selectors, services
from dieuhanh.records.models import DuplicateMark, FileItem, FileStatus, Loan, RecordFile
from dieuhanh.units.models import Unit

from .test_archive_pages import deposited  # noqa: F401  (fixture)
from .test_pages import login
from .test_workbench import bench, paper  # noqa: F401  (fixture)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# --- 1. reminders of overdue loans -----------------------------------------------------------------------------

@pytest.fixture
def overdue(records, deposited):  # noqa: F811
    """A loan of A's deposited file to a person, due five days ago (the service refuses a due date in the past,
    so the date is moved back afterwards, as time would)."""
    r = records
    r.borrower = make_user("researcher", r.org.b, Role.SPECIALIST, full_name="Lê Nghiên Cứu")
    loan = services.lend_file(actor=r.archivist, file=deposited, purpose="Nghiên cứu", borrower_id=r.borrower.pk,
                              due_on=r.today)
    Loan.objects.filter(pk=loan.pk).update(due_on=r.today - datetime.timedelta(days=5))
    loan.refresh_from_db()
    return loan


def _notes(user):
    """The person's notifications as shown in English (they are stored as msgid + params)."""
    with translation.override("en"):
        return [n.text() for n in Notification.objects.filter(user=user).order_by("id")]


@pytest.mark.usefixtures("english")
def test_overdue_loans_are_reminded_once_a_day(records, overdue):
    r, loan = records, overdue
    assert services.send_loan_reminders(r.today) == 1
    loan.refresh_from_db()
    assert loan.reminded_on == r.today
    [to_borrower] = _notes(r.borrower)
    due = f"{r.today - datetime.timedelta(days=5):%d/%m/%Y}"
    assert to_borrower == f"Overdue loan: please return file {overdue.file.code} to the archive; it was due on {due}."
    [to_archive] = _notes(r.archivist)
    assert to_archive == f"Loans of {r.org.a.name} overdue and not returned: 1 ({overdue.file.code})."
    assert _notes(r.archivist_b) == []  # B's archive does not answer for A's loans
    [event] = AuditEvent.objects.filter(action="records.loan_reminder")
    assert event.object_id == str(loan.pk) and event.unit_id == r.org.a.pk and event.actor_id is None
    assert event.data["days_overdue"] == 5

    # idempotent within the day: a second run (a retry, a second worker) reminds nobody again
    assert services.send_loan_reminders(r.today) == 0
    assert len(_notes(r.borrower)) == 1 and len(_notes(r.archivist)) == 1
    assert AuditEvent.objects.filter(action="records.loan_reminder").count() == 1
    # the next day, once more
    tomorrow = r.today + datetime.timedelta(days=1)
    assert services.send_loan_reminders(tomorrow) == 1
    assert len(_notes(r.borrower)) == 2
    # a returned loan is not reminded
    services.return_loan(actor=r.archivist, loan=loan)
    assert services.send_loan_reminders(tomorrow + datetime.timedelta(days=1)) == 0


def test_loans_not_overdue_are_left_alone(records, deposited):  # noqa: F811
    r = records
    due_today = services.lend_file(actor=r.archivist, file=deposited, purpose="Tra cứu", borrower_name="Khách",
                                   due_on=r.today)
    assert services.send_loan_reminders(r.today) == 0  # due today is not overdue
    services.return_loan(actor=r.archivist, loan=due_today)
    services.lend_file(actor=r.archivist, file=deposited, purpose="Tra cứu", borrower_name="Khách")
    assert services.send_loan_reminders(r.today + datetime.timedelta(days=400)) == 0  # no due date
    assert not Notification.objects.exists()


def test_a_loan_without_a_borrower_account_reminds_the_archive_only(records, overdue):
    r = records
    Loan.objects.filter(pk=overdue.pk).update(borrower=None)
    assert services.send_loan_reminders(r.today) == 1
    assert _notes(r.borrower) == [] and len(_notes(r.archivist)) == 1


def test_the_archive_above_is_told_when_the_unit_has_no_archivist(records, overdue):
    r = records
    from dieuhanh.accounts.models import Membership

    Membership.objects.filter(user=r.archivist).update(ended_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    above = make_user("archivist.root", r.org.root, Role.ARCHIVIST)
    assert services.send_loan_reminders(r.today) == 1
    assert _notes(r.archivist) == [] and len(_notes(above)) == 1


def test_the_job_is_a_daily_periodic_task(records, overdue):
    from huey.contrib.djhuey import HUEY

    from dieuhanh.records import jobs

    assert "daily_loan_reminders" in [t.name for t in HUEY._registry.periodic_tasks]
    assert jobs.daily_loan_reminders.call_local() == 1
    assert jobs.daily_loan_reminders.call_local() == 0


def test_the_overdue_list_shows_when_each_loan_was_reminded(records, overdue, client):
    r = records
    url = f"/records/loans/?unit={r.org.a.pk}&show=overdue"
    login(client, r.archivist)
    html = client.get(url).content.decode()  # Vietnamese by default
    assert "Đã nhắc ngày" in html and "chưa" in html
    services.send_loan_reminders(r.today)
    client.cookies["django_language"] = "en"  # the language a person picks (the browser's is not used)
    html = client.get(url).content.decode()
    assert "Reminded on" in html and "not yet" not in html
    assert f'<span class="reminded-on">{r.today:%d/%m/%Y}</span>' in html


def test_the_api_gives_reminded_on(records, overdue, api_client):
    r = records
    services.send_loan_reminders(r.today)
    items = api_client.as_user(r.archivist).get(f"/api/v1/records/loans?unit_id={r.org.a.pk}").json()["items"]
    assert items[0]["reminded_on"] == r.today.isoformat()


# --- 2. undoing a duplicate mark -------------------------------------------------------------------------------

@pytest.fixture
def marked(bench):  # noqa: F811
    """Two registrations of one letter in A; the second marked as a duplicate of the first."""
    r = bench
    r.first = paper(r, symbol="15/BNV-VP")
    r.second = paper(r, symbol="15/BNV-VP", twice=True)
    services.mark_duplicates(actor=r.spec, unit=r.org.a, year=r.year, kept_id=r.first.pk, duplicate_ids=[r.second.pk])
    r.mark = DuplicateMark.objects.get()
    return r


def _unfiled(r):
    return [d.pk for d in selectors.workbench_page(r.spec, r.org.a, r.year).items]


@pytest.mark.usefixtures("english")
def test_undo_returns_the_document_to_the_workbench(marked):
    r = marked
    before = selectors.progress(r.org.a, r.year)
    assert r.second.pk not in _unfiled(r)
    assert [m.pk for m in selectors.duplicate_marks_page(r.spec, r.org.a, r.year).items] == [r.mark.pk]
    services.unmark_duplicate(actor=r.spec, mark=r.mark, reason="  Hai văn bản khác nhau  ")
    assert not DuplicateMark.objects.exists()
    assert r.second.pk in _unfiled(r)
    assert selectors.progress(r.org.a, r.year)["total"] == before["total"] + 1
    [event] = AuditEvent.objects.filter(action="records.unmark_duplicate")
    assert event.data["reason"] == "Hai văn bản khác nhau" and event.data["kept"] == r.first.pk
    assert event.object_id == str(r.second.pk) and event.actor_id == r.spec.pk
    # the group is offered again, and may be merged again
    assert [[d.pk for d in g.documents] for g in selectors.duplicate_groups(r.spec, r.org.a, r.year)] == [
        [r.first.pk, r.second.pk]]
    # undoing twice names the mark
    with pytest.raises(ValidationError) as exc:
        services.unmark_duplicate(actor=r.spec, mark=r.mark, reason="again")
    assert "mark" in exc.value.message_dict


def test_undo_is_refused_to_outsiders_and_needs_a_reason(marked):
    r = marked
    events = AuditEvent.objects.count()
    for user in (r.archivist, r.org.leader_a, r.org.clerk_b, r.archivist_b):
        with pytest.raises(PermissionDenied):
            services.unmark_duplicate(actor=user, mark=r.mark, reason="Nhầm")
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError) as exc:
            services.unmark_duplicate(actor=r.spec, mark=r.mark, reason=reason)
        assert list(exc.value.message_dict) == ["reason"]
    assert DuplicateMark.objects.filter(pk=r.mark.pk).exists() and AuditEvent.objects.count() == events


@pytest.mark.usefixtures("english")
def test_undo_is_refused_while_the_copy_sits_in_a_file_or_is_frozen(marked):
    """Marked copies are kept out of files by attach and close, so only data made outside the rules gets here; the
    undo would not return such a copy to the workbench, so it says what to do instead."""
    r = marked
    item = FileItem.objects.create(file=r.vp, document=r.second, doc_date=r.second.issued_on, added_by=r.spec)
    with pytest.raises(ValidationError, match="take it out of the file first") as exc:
        services.unmark_duplicate(actor=r.spec, mark=r.mark, reason="Nhầm")
    assert list(exc.value.message_dict) == ["mark"] and r.vp.code in exc.value.message_dict["mark"][0]
    RecordFile.objects.filter(pk=r.vp.pk).update(status=FileStatus.CLOSED)
    with pytest.raises(ValidationError, match="which is closed"):
        services.unmark_duplicate(actor=r.spec, mark=r.mark, reason="Nhầm")
    item.delete()

    from dieuhanh.documents import freeze

    freeze.freeze(actor=r.org.admin, reason="Thanh tra", document_ids=[r.second.pk])
    with pytest.raises(ValidationError) as exc:
        services.unmark_duplicate(actor=r.spec, mark=r.mark, reason="Nhầm")
    assert list(exc.value.message_dict) == ["frozen"]
    assert DuplicateMark.objects.filter(pk=r.mark.pk).exists()
    assert not AuditEvent.objects.filter(action="records.unmark_duplicate").exists()


def test_undo_on_the_workbench_page(marked, client):
    r = marked
    login(client, r.spec)
    url = f"/records/workbench/?unit={r.org.a.pk}&year={r.year}"
    html = client.get(url).content.decode()
    assert f'id="mark-{r.mark.pk}"' in html and f'id="unmark-{r.mark.pk}"' in html
    res = client.post(url, {"action": "unmark", "mark": r.mark.pk, "reason": "  "})
    assert res.status_code == 400
    assert 'class="field invalid"' in res.content.decode() and "Lý do bỏ đánh dấu" in res.content.decode()
    assert DuplicateMark.objects.exists()
    res = client.post(url, {"action": "unmark", "mark": 999999, "reason": "Nhầm"})
    assert res.status_code == 400 and DuplicateMark.objects.exists()
    res = client.post(url, {"action": "unmark", "mark": r.mark.pk, "reason": "Hai văn bản khác nhau"})
    assert res.status_code == 302
    assert not DuplicateMark.objects.exists()
    html = client.get(url).content.decode()
    assert f'id="doc-{r.second.pk}"' in html and f'id="mark-{r.mark.pk}"' not in html


def test_undo_page_is_refused_to_a_member_without_the_role(marked, client):
    r = marked
    login(client, r.org.leader_a)
    url = f"/records/workbench/?unit={r.org.a.pk}&year={r.year}"
    assert f'id="unmark-{r.mark.pk}"' not in client.get(url).content.decode()
    res = client.post(url, {"action": "unmark", "mark": r.mark.pk, "reason": "Nhầm"})
    assert res.status_code == 403 and DuplicateMark.objects.exists()


def test_undo_through_the_api(marked, api_client):
    r = marked
    url = "/api/v1/records/duplicates/undo"
    body = {"unit_id": r.org.a.pk, "document_id": r.second.pk, "reason": "Hai văn bản khác nhau"}
    listed = api_client.as_user(r.spec).get(f"/api/v1/records/duplicates/marks?unit_id={r.org.a.pk}&year={r.year}")
    assert [m["id"] for m in listed.json()["items"]] == [r.mark.pk]
    assert listed.json()["items"][0]["document"]["id"] == r.second.pk
    assert api_client.as_user(r.org.clerk_b).get(
        f"/api/v1/records/duplicates/marks?unit_id={r.org.a.pk}&year={r.year}").status_code == 404
    assert api_client.as_user(r.org.clerk_b).post(url, body).status_code == 404
    assert api_client.as_user(r.org.leader_a).post(url, body).status_code == 403
    for bad, field in (({"reason": ""}, "reason"), ({"reason": "x" * 501}, "reason"),
                       ({"document_id": r.first.pk}, "document_id"), ({"document_id": 2**62}, "document_id")):
        res = api_client.as_user(r.spec).post(url, {**body, **bad})
        assert res.status_code == 400 and [e["field"] for e in res.json()["errors"]] == [field], bad
    assert DuplicateMark.objects.exists()
    assert not AuditEvent.objects.filter(action="records.unmark_duplicate").exists()
    res = api_client.as_user(r.spec).post(url, body)
    assert res.status_code == 200 and res.json() == {"document_id": r.second.pk, "unit_id": r.org.a.pk,
                                                     "kept_id": r.first.pk}
    assert not DuplicateMark.objects.exists()
    workbench = api_client.as_user(r.spec).get(f"/api/v1/records/workbench?unit_id={r.org.a.pk}&year={r.year}")
    assert r.second.pk in [d["id"] for d in workbench.json()["items"]]
    assert api_client.as_user(r.spec).post(url, body).status_code == 400  # nothing left to undo


# --- 3. the records index lists the files of every unit the person reads ---------------------------------------

@pytest.fixture
def merged(records):
    """A closed file of A and an open file of B; then A's collection passes to B (A merged into B)."""
    r = records
    r.file_a = r.closed_file()
    entry = r.approved_list(r.org.b).entries.get(symbol="01.TCCB")
    r.file_b = services.open_file(actor=r.org.clerk_b, unit=r.org.b, entry=entry)
    return r


def _merge(r):
    Unit.objects.filter(pk=r.org.a.pk).update(successor=r.org.b)


def _index(client, user, year):
    login(client, user)
    res = client.get(f"/records/?year={year}")
    assert res.status_code == 200
    return res.content.decode()


def test_the_successor_sees_the_old_units_files_and_a_sibling_does_not(merged, client):
    r = merged
    html = _index(client, r.org.clerk_b, r.year)
    assert r.file_b.code in html and r.file_a.code not in html
    _merge(r)
    html = _index(client, r.org.clerk_b, r.year)
    assert r.file_b.code in html and r.file_a.code in html
    assert f'id="file-{r.file_a.pk}"' in html and r.org.a.name in html.split(f'id="file-{r.file_a.pk}"')[1][:600]
    assert client.get(f"/records/files/{r.file_a.pk}/").status_code == 200  # as on the file page
    # a sibling of the successor, and a unit under the old one, gain nothing
    for unit in (r.org.b1, r.org.ad):
        person = make_user(f"clerk.{unit.pk}", unit, Role.CLERK)
        html = _index(client, person, r.year)
        assert r.file_a.code not in html and r.file_b.code not in html
        assert client.get(f"/records/files/{r.file_a.pk}/").status_code == 404
    # A's own people still see it, and not B's
    html = _index(client, r.spec, r.year)
    assert r.file_a.code in html and r.file_b.code not in html


def test_the_index_pages_by_keyset_over_every_unit(merged):
    r = merged
    _merge(r)
    r.open_file(symbol="02.VP")
    units = selectors.reader_units(r.org.clerk_b)
    assert {u.pk for u in units} == {r.org.a.pk, r.org.b.pk}
    seen, cursor = [], None
    while True:
        page = selectors.reader_file_page(units, r.year, cursor=cursor, limit=2)
        seen += [f.code for f in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sorted(RecordFile.objects.values_list("code", flat=True)) and len(seen) == 3


def test_the_index_costs_no_query_per_row(merged, client):
    r = merged
    _merge(r)
    login(client, r.org.clerk_b)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/records/?year={r.year}").status_code == 200
        return len(ctx)

    few = count()
    for symbol in ("03.A", "04.A", "05.A", "06.A"):
        services.open_file(actor=r.spec, unit=r.org.a, year=r.year, symbol=symbol, title="Hồ sơ " + symbol,
                           retention_id=r.ten.pk)
    assert count() == few
