"""Every number opens exactly its list (issue 16): for every figure, on seeded data with secret documents and after a
reorganization, the number the dashboard shows equals the length of the list behind it, for a cleared reader in the
closed network, an uncleared one, and anyone in the internet zone; no list names a secret document they may not
see."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.kernel import zones
from dieuhanh.reorg import services as reorg
from dieuhanh.reports import dashboard, lists, selectors, services
from dieuhanh.reports.testing import seed
from dieuhanh.units.models import Unit


@pytest.fixture
def world(reorg_world):
    w = reorg_world
    seed(list(Unit.objects.all()), w.org.admin, per_unit=20, today=w.today)
    w.cleared = make_user("deputy.a.cleared", w.org.a, Role.DEPUTY, clearance=3)
    return w


def _all_rows(user, unit, figure, start, end):
    """Every row of the list, page after page, as the page walks it (keyset cursors)."""
    rows, cursor = [], None
    while True:
        kind, page = lists.figure_page(user, unit, figure, start, end, cursor=cursor, limit=7)
        rows += page.items
        if not page.has_more:
            return kind, rows
        cursor = page.next_cursor


def assert_numbers_equal_lists(user, units, start, end):
    for unit in units:
        figures = selectors.unit_figures(user, unit, start, end)
        children = {c["unit"].pk: c for c in selectors.child_figures(user, unit, start, end)}
        for figure in lists.listed_figures():
            kind, rows = _all_rows(user, unit, figure, start, end)
            assert len({r.pk for r in rows}) == len(rows) == figures[figure], (user, unit, figure)
            for child in children.values():
                child_unit = child["unit"]
                assert lists.figure_rows(user, child_unit, figure, start, end)[1].count() == child[figure], (
                    user, child_unit, figure)


def secret_listed(user, unit, start, end):
    found = 0
    for figure in lists.listed_figures():
        kind, qs = lists.figure_rows(user, unit, figure, start, end)
        if kind == "entry":
            found += qs.filter(document__confidentiality__gt=0).count()
        elif kind == "document":
            found += qs.filter(confidentiality__gt=0).count()
    return found


def test_every_figure_has_a_list_except_sums():
    # a figure someone adds to the rollup must get its list here (or be a sum, such as working days)
    sums = {"in_done_days"}
    assert set(services.FIGURES) - sums <= set(lists.listed_figures())


def test_each_number_equals_the_length_of_its_list_before_and_after_a_reorganization(world):
    w = world
    org = w.org
    start, end = w.today - datetime.timedelta(days=120), w.today
    services.refresh_changed(today=w.today)
    with zones.in_zone(zones.CLOSED):
        assert_numbers_equal_lists(w.cleared, [org.a, org.a1], start, end)
        assert_numbers_equal_lists(org.leader_a, [org.a], start, end)
        assert_numbers_equal_lists(org.admin, [org.root], start, end)
        assert secret_listed(w.cleared, org.a, start, end) > 0  # the data set has secret documents
        assert secret_listed(org.leader_a, org.a, start, end) == 0
    with zones.in_zone(zones.INTERNET):
        assert_numbers_equal_lists(w.cleared, [org.a], start, end)
        assert secret_listed(w.cleared, org.a, start, end) == 0
    # a reorganization moves A1's open work to B1: after the job's run numbers and lists still agree
    d = reorg.record_decision(actor=org.admin, kind="merge", effective_on=w.today, document_id=w.own.pk,
                              items=[{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}])
    reorg.execute(actor=org.admin, decision=d)
    services.refresh_changed(today=w.today)
    with zones.in_zone(zones.CLOSED):
        assert_numbers_equal_lists(org.admin, [org.root, org.a, org.b], start, end)
        assert_numbers_equal_lists(w.cleared, [org.a], start, end)


def test_an_uncleared_readers_numbers_and_lists_both_leave_secret_documents_out(world):
    w = world
    org = w.org
    start, end = w.today - datetime.timedelta(days=120), w.today
    services.refresh_changed(today=w.today)
    with zones.in_zone(zones.CLOSED):
        plain = selectors.unit_figures(org.leader_a, org.a, start, end)
        secret = selectors.unit_figures(w.cleared, org.a, start, end)
        assert secret["in_total"] > plain["in_total"]
        plain_rows = {r.pk for r in lists.figure_rows(org.leader_a, org.a, "in_total", start, end)[1]}
        cleared_rows = {r.pk for r in lists.figure_rows(w.cleared, org.a, "in_total", start, end)[1]}
        assert plain_rows < cleared_rows and len(plain_rows) == plain["in_total"]


def test_lists_refuse_readers_outside_the_subtree_and_unknown_figures(world):
    w = world
    org = w.org
    start, end = w.today - datetime.timedelta(days=30), w.today
    for reader, unit in ((org.leader_a, org.b), (org.leader_a, org.root), (w.leader_a1, org.a),
                         (org.clerk_a, org.a), (org.spec_a1, org.a1)):
        with pytest.raises(PermissionDenied):
            lists.figure_rows(reader, unit, "in_total", start, end)
    with pytest.raises(ValidationError) as exc:
        lists.figure_rows(org.leader_a, org.a, "in_nothing", start, end)
    assert "figure" in exc.value.message_dict


def test_periods_name_the_bad_field():
    today = datetime.date(2026, 5, 14)
    assert lists.read_period("week", None, None, today)[1:] == (datetime.date(2026, 5, 11), datetime.date(2026, 5, 17))
    assert lists.read_period("month", None, None, today)[1:] == (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
    assert lists.read_period("quarter", None, None, today)[1:] == (datetime.date(2026, 4, 1),
                                                                   datetime.date(2026, 6, 30))
    assert lists.read_period("year", "", "", today)[1:] == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert lists.read_period(None, None, None, today)[0] == "month"
    assert lists.read_period(None, "2026-01-02", "2026-01-05", today) == (
        "dates", datetime.date(2026, 1, 2), datetime.date(2026, 1, 5))
    for args, field in ((("dates", "2026-02-01", "2026-01-01"), "end"),
                        (("dates", "2026-13-01", "2026-12-01"), "start"), (("dates", "", "2026-01-01"), "start"),
                        (("dates", "2026-01-01", "x"), "end"),
                        (("decade", None, None), "period"), (("dates", "2000-01-01", "2026-01-01"), "end")):
        with pytest.raises(ValidationError) as exc:
            lists.read_period(*args, today=today)
        assert field in exc.value.message_dict, args


def test_ranking_and_sorting_put_shares_of_nothing_last():
    class U:
        def __init__(self, name):
            self.name = name

    rows = [{"unit": U("B"), "in_on_time_percent": 50, "in_on_time": 1, "in_late": 1, "in_total": 3},
            {"unit": U("A"), "in_on_time_percent": None, "in_on_time": 0, "in_late": 0, "in_total": 9},
            {"unit": U("C"), "in_on_time_percent": 90, "in_on_time": 9, "in_late": 1, "in_total": 1}]
    assert [r["unit"].name for r in dashboard.ranking(rows)] == ["C", "B"]
    assert [r["unit"].name for r in dashboard.sort_children(rows, "in_on_time_percent", False)] == ["B", "C", "A"]
    assert [r["unit"].name for r in dashboard.sort_children(rows, "in_on_time_percent", True)] == ["C", "B", "A"]
    assert [r["unit"].name for r in dashboard.sort_children(rows, "name", False)] == ["A", "B", "C"]
    assert [r["unit"].name for r in dashboard.sort_children(rows, "in_total", True)] == ["A", "B", "C"]


def test_a_row_names_its_document_or_task_only_to_who_may_open_it(world):
    """A leader lists the whole subtree, but a row names its document (symbol, subject) or task (title) and links
    to it only when the document's or the task's own rule lets the reader open it."""
    from dieuhanh.documents.models import Document
    from dieuhanh.documents.policy import can_view_document
    from dieuhanh.tasks.models import Task
    from dieuhanh.tasks.policy import can_view

    w = world
    org = w.org
    start, end = w.today - datetime.timedelta(days=120), w.today
    services.refresh_changed(today=w.today)
    withheld = 0
    with zones.in_zone(zones.CLOSED):
        for reader, unit in ((org.leader_a, org.a), (w.cleared, org.a), (w.leader_a1, org.a1), (org.admin, org.root)):
            for figure in ("in_total", "out_total", "tasks_given"):
                kind, page = lists.figure_page(reader, unit, figure, start, end, limit=200)
                for row in page.items:
                    if kind == "task":
                        expected = can_view(reader, Task.objects.get(pk=row.pk))
                    else:
                        expected = can_view_document(reader, Document.objects.get(
                            pk=row.document_id if kind == "entry" else row.pk))
                    assert row.readable == expected, (reader, kind, row.pk)
                    facts = lists.row_facts(kind, row)
                    if not expected:
                        withheld += 1
                        subject = row.title if kind == "task" else (
                            row.document.subject if kind == "entry" else row.subject)
                        assert facts["url"] is None and subject not in facts["title"] and facts["symbol"] == ""
    assert withheld > 0  # the province's leader reads the communes' figures, not their documents
