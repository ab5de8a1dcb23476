"""The rollups equal a recount of the raw tables, cell by cell (issue 16), before and after a reorganization moves
documents between units, after saves through the services, and after deadlines pass."""

import datetime
from collections import defaultdict

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.documents import services as docs
from dieuhanh.documents.models import Blob, Delivery, Document, DocumentFile, IncomingEntry
from dieuhanh.drafting.models import Signature
from dieuhanh.kernel import zones
from dieuhanh.processing import services as processing
from dieuhanh.processing.calendar import working_days_between
from dieuhanh.processing.models import Flow
from dieuhanh.reorg import services as reorg
from dieuhanh.reports import jobs, selectors, services
from dieuhanh.reports.models import DailyFigure, DirtyMark
from dieuhanh.reports.testing import seed
from dieuhanh.signatures.models import SignatureCheck
from dieuhanh.tasks.models import Task
from dieuhanh.units.models import Unit

FIGURES = services.FIGURES


def brute_force(today):
    """Every figure recounted row by row in Python, from the definitions of decision 0045."""
    cells = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    roots = {f.entry_id: f for f in Flow.objects.filter(parent__isnull=True)}
    for e in IncomingEntry.objects.select_related("document", "delivery"):
        if e.recalled_at is not None:
            continue
        c = cells[(e.unit_id, e.arrived_on, e.document.confidentiality)]
        c["in_total"] += 1
        c["in_electronic"] += e.origin == "electronic"
        c["in_exchanged"] += e.delivery is not None and e.delivery.channel == "gateway"
        root = roots.get(e.pk)
        if root is None:
            c["in_unassigned"] += 1
        elif root.status == "completed":
            done = timezone.localdate(root.completed_at) if root.completed_at else None
            if done is not None:
                c["in_done_days"] += max(0, working_days_between(e.arrived_on, done))
            if root.deadline is None or (done is not None and done <= root.deadline):
                c["in_on_time"] += 1
            elif done is not None:
                c["in_late"] += 1
        elif root.status in ("pending", "in_progress"):
            c["in_overdue" if root.deadline is not None and root.deadline < today else "in_open"] += 1
    channels = defaultdict(set)
    for d in Delivery.objects.all():
        channels[d.document_id].add(d.channel)
    valid = set(SignatureCheck.objects.filter(outcome="valid").values_list("blob_id", flat=True))
    signed = {f.document_id for f in DocumentFile.objects.all() if f.blob_id in valid}
    signed |= {s.draft.document_id for s in Signature.objects.select_related("draft")
               if s.organization and s.withdrawn_at is None}
    for doc in Document.objects.filter(status="issued"):
        if doc.issuing_unit_id is None or doc.issued_on is None:
            continue
        c = cells[(doc.issuing_unit_id, doc.issued_on, doc.confidentiality)]
        c["out_total"] += 1
        c["out_electronic"] += bool(channels[doc.pk]) and "paper" not in channels[doc.pk]
        c["out_exchanged"] += "gateway" in channels[doc.pk]
        c["out_paper"] += "paper" in channels[doc.pk]
        c["out_signed"] += doc.pk in signed
    for t in Task.objects.all():
        c = cells[(t.executing_unit_id, t.start_date, 0)]
        c["tasks_given"] += 1
        c["tasks_extended"] += t.extensions > 0
        if t.status in ("completed", "closed"):
            finished = timezone.localdate(t.completed_at or t.status_at)
            c["tasks_on_time" if finished <= t.deadline else "tasks_late"] += 1
        else:
            c["tasks_overdue" if t.deadline < today else "tasks_open"] += 1
    return dict(cells)


def stored():
    return {(f.unit_id, f.day, f.confidentiality): {n: getattr(f, n) for n in FIGURES}
            for f in DailyFigure.objects.all()}


def assert_equal_to_recount(today):
    expected, actual = brute_force(today), stored()
    assert set(actual) == set(expected)
    for cell, figures in expected.items():
        assert actual[cell] == figures, cell


@pytest.fixture
def world(reorg_world):
    w = reorg_world
    units = list(Unit.objects.all())
    w.seeded = seed(units, w.org.admin, per_unit=25, today=w.today)
    return w


def test_refresh_equals_a_recount_before_and_after_a_reorganization(world):
    w = world
    counts = jobs.refresh_report_figures.call_local()
    assert counts["cells"] > 50
    assert_equal_to_recount(w.today)
    # cells of every kind are exercised
    totals = {n: sum(c[n] for c in stored().values()) for n in FIGURES}
    assert all(totals[n] > 0 for n in FIGURES), totals
    moving = IncomingEntry.objects.filter(unit=w.org.a1).count()
    d = reorg.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today, document_id=w.own.pk,
                              items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}])
    reorg.execute(actor=w.org.admin, decision=d)
    assert IncomingEntry.objects.filter(unit=w.org.a1).count() < moving  # open entries moved to b1
    # the reorganization's .update() calls fired no signal: no mark tells the job, the traces do
    assert not DirtyMark.objects.exists()
    assert stored() != brute_force(w.today)
    counts = jobs.refresh_report_figures.call_local()
    assert counts["units_whole"] == 2
    assert_equal_to_recount(w.today)


# Real commits: the marks are written when the write path's transaction commits.
def test_saves_through_the_services_mark_their_cells(transactional_db, world):
    w = world
    services.refresh_changed(today=w.today)
    processing.complete(actor=w.org.spec_a1, flow=w.flows[0], result="Đã xong")
    assert DirtyMark.objects.filter(unit_id=w.org.a1.pk, day=w.entry.arrived_on).exists()
    assert stored() != brute_force(w.today)
    services.refresh_changed(today=w.today)
    assert_equal_to_recount(w.today)
    assert not DirtyMark.objects.exists()


def test_a_save_that_moves_a_row_marks_both_cells(transactional_db, world):
    w = world
    services.refresh_changed(today=w.today)
    task = Task.objects.get(pk=w.task.pk)
    task.start_date -= datetime.timedelta(days=3)
    task.save()
    assert DirtyMark.objects.count() == 2
    services.refresh_changed(today=w.today)
    assert_equal_to_recount(w.today)


def test_a_recall_agreed_ends_the_registration_in_the_figures(transactional_db, world):
    # answer_recall ends the registration with a set-based update: the delivery's save marks the entry's cell
    w = world
    services.refresh_changed(today=w.today)
    (delivery,) = docs.request_recall(actor=w.org.clerk_a, document=w.handled, reason="Ban hành nhầm")
    docs.answer_recall(actor=w.clerk_a1, delivery=delivery, agree=True)
    assert IncomingEntry.objects.get(pk=w.entry.pk).recalled_at is not None
    services.refresh_changed(today=w.today)
    assert_equal_to_recount(w.today)


def test_deadlines_passing_move_open_work_to_overdue(world):
    w = world
    services.refresh_changed(today=w.today)
    later = w.today + datetime.timedelta(days=20)
    assert stored() != brute_force(later)
    services.refresh_changed(today=later)
    assert_equal_to_recount(later)


def subtree_sum(unit, cells, start, end, clearance):
    paths = dict(Unit.objects.values_list("pk", "path"))
    total = dict.fromkeys(FIGURES, 0)
    for (u, day, conf), figures in cells.items():
        if paths[u].startswith(unit.path) and start <= day <= end and conf <= clearance:
            for n in FIGURES:
                total[n] += figures[n]
    return total


def test_readers_see_their_subtree_only_and_secret_counts_do_not_leak(world):
    w = world
    org = w.org
    services.refresh_changed(today=w.today)
    cells = brute_force(w.today)
    start, end = w.today - datetime.timedelta(days=60), w.today
    cleared = make_user("leader.a.cleared", org.a, Role.DEPUTY, clearance=3)
    with zones.in_zone(zones.CLOSED):
        for unit in (org.root, org.a, org.a1, org.b):
            figures = selectors.unit_figures(org.admin, unit, start, end)
            assert {n: figures[n] for n in FIGURES} == subtree_sum(unit, cells, start, end, 0)
        plain = selectors.unit_figures(org.leader_a, org.a, start, end)
        secret = selectors.unit_figures(cleared, org.a, start, end)
        assert {n: plain[n] for n in FIGURES} == subtree_sum(org.a, cells, start, end, 0)
        assert {n: secret[n] for n in FIGURES} == subtree_sum(org.a, cells, start, end, 3)
        assert secret["in_total"] > plain["in_total"] and secret["out_total"] > plain["out_total"]
        children = selectors.child_figures(cleared, org.a, start, end)
        assert [c["unit"] for c in children] == list(Unit.objects.filter(parent=org.a).order_by("sort_key", "id"))
        for c in children:
            assert {n: c[n] for n in FIGURES} == subtree_sum(c["unit"], cells, start, end, 3)
    # outside the closed network nobody counts secret documents, whatever their clearance
    with zones.in_zone(zones.INTERNET):
        outside = selectors.unit_figures(cleared, org.a, start, end)
    assert {n: outside[n] for n in FIGURES} == subtree_sum(org.a, cells, start, end, 0)
    leader_a1 = w.leader_a1
    for reader, unit in ((org.leader_a, org.b), (org.leader_a, org.root), (leader_a1, org.a), (leader_a1, org.ad),
                         (org.clerk_a, org.a), (org.spec_a1, org.a1)):
        with pytest.raises(PermissionDenied):
            selectors.unit_figures(reader, unit, start, end)
    selectors.unit_figures(org.leader_a, org.a1, start, end)  # a unit below


def test_reading_a_subtree_is_one_query_whatever_its_size(world, django_assert_num_queries):
    w = world
    services.refresh_changed(today=w.today)
    start, end = w.today - datetime.timedelta(days=365), w.today
    selectors.unit_figures(w.org.admin, w.org.root, start, end)  # the reader's grants, cached for the request
    with django_assert_num_queries(1):
        selectors.unit_figures(w.org.admin, w.org.root, start, end)
    with django_assert_num_queries(2):  # the grouped figures and the children's names
        selectors.child_figures(w.org.admin, w.org.root, start, end)


def test_api_figures_and_errors_naming_the_field(world, api_client):
    w = world
    org = w.org
    services.refresh_changed(today=w.today)
    api = api_client.as_user(org.leader_a)
    url = f"/api/v1/reports/units/{org.a.pk}/figures"
    start = (w.today - datetime.timedelta(days=60)).isoformat()
    resp = api.get(f"{url}?start={start}&end={w.today.isoformat()}")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["figures"]["in_total"] > 0 and {c["unit_id"] for c in body["children"]} == {org.a1.pk, org.ad.pk}
    for query, field in ((f"start={w.today}&end={start}", "end"), ("start=2026-13-01&end=2026-12-01", "start"),
                         ("end=2026-12-01", "start"), ("start=2026-01-01&end=nope", "end")):
        resp = api.get(f"{url}?{query}")
        assert resp.status_code == 400, (query, resp.content)
        assert field in {e["field"] for e in resp.json()["errors"]}, (query, resp.json())
    resp = api.get(f"/api/v1/reports/units/{org.b.pk}/figures?start={start}&end={w.today}")
    assert resp.status_code == 403 and resp.json()["errors"][0]["field"] == "unit_id"
    assert api.get(f"/api/v1/reports/units/999999/figures?start={start}&end={w.today}").status_code == 404
    assert api.get("/api/v1/openapi.json").json()["paths"].get("/api/v1/reports/units/{unit_id}/figures")


def test_a_signature_check_after_the_issue_marks_the_document(transactional_db, world):
    # the check of an issued document's files runs in a job after the issue commits: its save marks the cell
    w = world
    services.refresh_changed(today=w.today)
    doc = (Document.objects.filter(status="issued", issuing_unit__isnull=False, issued_on__isnull=False)
           .exclude(files__isnull=False).first())
    blob = Blob.objects.create(sha256="f" * 64, size=1, content_type="application/pdf", storage_name="kiem-tra")
    DocumentFile.objects.create(document=doc, blob=blob, name="van-ban.pdf", is_main=True)
    SignatureCheck.objects.create(blob=blob, outcome="valid")
    assert DirtyMark.objects.filter(unit_id=doc.issuing_unit_id, day=doc.issued_on).exists()
    services.refresh_changed(today=w.today)
    assert_equal_to_recount(w.today)
