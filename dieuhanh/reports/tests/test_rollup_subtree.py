"""Subtree rollups (decision 0046): every stored day and month row of every unit equals the brute-force recount of
its subtree, after the first refresh, after saves, after a reorganization moves work and after a subtree moves in
the tree; and the readers' figures over any period equal the recount."""

import datetime
from collections import defaultdict

import pytest

from dieuhanh.processing import services as processing
from dieuhanh.reorg import services as reorg
from dieuhanh.reports import selectors, services
from dieuhanh.reports.models import DirtyMark, Grain, SubtreeFigure
from dieuhanh.reports.testing import seed
from dieuhanh.reports.tests.test_consistency import brute_force
from dieuhanh.units import services as units
from dieuhanh.units.models import Unit

FIGURES = services.FIGURES


@pytest.fixture
def world(reorg_world):
    reorg_world.seeded = seed(list(Unit.objects.all()), reorg_world.org.admin, per_unit=25, today=reorg_world.today)
    return reorg_world


def expected_subtree(today):
    """Sums of the recount over each unit's subtree, per day and per month (cells with only zeros left out)."""
    paths = dict(Unit.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in paths.items()}
    rows = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for (u, day, conf), figures in brute_force(today).items():
        path = paths[u]
        for i in range(4, len(path) + 1, 4):
            ancestor = by_path[path[:i]]
            for key in ((ancestor, Grain.DAY, day, conf), (ancestor, Grain.MONTH, day.replace(day=1), conf)):
                for n in FIGURES:
                    rows[key][n] += figures[n]
    return {k: v for k, v in rows.items() if any(v.values())}


def stored_subtree():
    return {(r.unit_id, r.grain, r.day, r.confidentiality): {n: getattr(r, n) for n in FIGURES}
            for r in SubtreeFigure.objects.all() if any(getattr(r, n) for n in FIGURES)}


def assert_subtree_equal_to_recount(today):
    expected, actual = expected_subtree(today), stored_subtree()
    assert set(actual) == set(expected), (set(actual) ^ set(expected))
    for key, figures in expected.items():
        assert actual[key] == figures, key


def test_subtree_rows_equal_a_recount_after_refresh_reorganization_and_move(world):
    w = world
    services.refresh_changed(today=w.today)
    assert SubtreeFigure.objects.filter(grain=Grain.MONTH, unit=w.org.root).exists()
    assert_subtree_equal_to_recount(w.today)
    # a merger moves open work from A1 to B1 with set-based updates: the traces tell the job
    d = reorg.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today, document_id=w.own.pk,
                              items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}])
    reorg.execute(actor=w.org.admin, decision=d)
    assert stored_subtree() != expected_subtree(w.today)
    services.refresh_changed(today=w.today)
    assert_subtree_equal_to_recount(w.today)
    # a subtree moves in the tree: no daily figure changes, the totals of its old and new ancestors do
    units.move_subtree(actor=w.org.admin, unit=w.org.a1, new_parent=w.org.b)
    assert stored_subtree() != expected_subtree(w.today)
    counts = services.refresh_changed(today=w.today)
    assert counts["subtree_rows"] > 0
    assert_subtree_equal_to_recount(w.today)


def test_a_save_sums_again_only_its_ancestors_days_and_months(transactional_db, world):
    w = world
    services.refresh_changed(today=w.today)
    untouched = {(r.unit_id, r.grain, r.day, r.confidentiality): r.pk for r in SubtreeFigure.objects.all()}
    processing.complete(actor=w.org.spec_a1, flow=w.flows[0], result="Đã xong")
    assert DirtyMark.objects.exists()
    counts = services.refresh_changed(today=w.today)
    assert "subtree_rows" not in counts  # no full rebuild
    assert_subtree_equal_to_recount(w.today)
    day, month = w.entry.arrived_on, w.entry.arrived_on.replace(day=1)
    above = {u.pk for u in Unit.objects.all() if w.org.a1.path.startswith(u.path)}
    for r in SubtreeFigure.objects.all():
        key = (r.unit_id, r.grain, r.day, r.confidentiality)
        rewritten = r.unit_id in above and ((r.grain == Grain.DAY and r.day == day) or
                                            (r.grain == Grain.MONTH and r.day == month))
        if not rewritten and key in untouched:
            assert untouched[key] == r.pk, key  # the same row: not deleted and inserted again


def subtree_sum(unit, cells, start, end):
    paths = dict(Unit.objects.values_list("pk", "path"))
    total = dict.fromkeys(FIGURES, 0)
    for (u, day, conf), figures in cells.items():
        if paths[u].startswith(unit.path) and start <= day <= end and conf == 0:
            for n in FIGURES:
                total[n] += figures[n]
    return total


def test_periods_of_whole_and_partial_months_and_the_monthly_series(world):
    w = world
    org = w.org
    services.refresh_changed(today=w.today)
    cells = brute_force(w.today)
    first = w.today.replace(day=1)
    year_ago = (first - datetime.timedelta(days=300)).replace(day=1)
    periods = [
        (year_ago, first - datetime.timedelta(days=1)),  # whole months only
        (year_ago + datetime.timedelta(days=9), w.today),  # partial at both ends
        (first, w.today),  # this month
        (w.today - datetime.timedelta(days=6), w.today),  # a week
        (year_ago + datetime.timedelta(days=3), year_ago + datetime.timedelta(days=12)),  # inside one month
    ]
    for start, end in periods:
        for unit in (org.root, org.a, org.a1):
            figures = selectors.unit_figures(org.admin, unit, start, end)
            assert {n: figures[n] for n in FIGURES} == subtree_sum(unit, cells, start, end), (unit, start, end)
        for row in selectors.child_figures(org.admin, org.root, start, end):
            assert {n: row[n] for n in FIGURES} == subtree_sum(row["unit"], cells, start, end)
    series = selectors.monthly_series(org.admin, org.root, year_ago, months=12)
    assert len(series) == 12 and series[0]["month"] == year_ago
    assert sum(m["in_total"] for m in series) > 0
    for m in series:
        end = (m["month"].replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        expected = subtree_sum(org.root, cells, m["month"], end)
        assert (m["in_total"], m["out_total"], m["in_on_time"], m["in_late"]) == (
            expected["in_total"], expected["out_total"], expected["in_on_time"], expected["in_late"])
        ended = expected["in_on_time"] + expected["in_late"]
        assert m["in_on_time_percent"] == (round(100 * expected["in_on_time"] / ended) if ended else None)


def test_the_monthly_series_reads_one_query(world, django_assert_num_queries):
    w = world
    services.refresh_changed(today=w.today)
    selectors.monthly_series(w.org.admin, w.org.root, w.today, months=12)  # the reader's grants, cached
    with django_assert_num_queries(1):
        selectors.monthly_series(w.org.admin, w.org.root, w.today, months=12)
