"""The directory at 50,000 units: subtree queries stay one indexed range scan and return exactly the subtree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dieuhanh.units import selectors
from dieuhanh.units.models import Unit
from dieuhanh.units.services import seed_synthetic_tree

N = 50_000


@pytest.fixture(scope="module")
def big_tree(django_db_setup, django_db_blocker):
    from conftest import make_user

    with django_db_blocker.unblock():
        admin = make_user("seed.admin", is_superuser=True)
        root, created = seed_synthetic_tree(actor=admin, count=N, branching=12, code_prefix="Z")
        yield root, created
        from dieuhanh.audit.models import AuditEvent

        AuditEvent.objects.filter(actor=admin).delete()
        # One statement: the seeded units have nothing pointing at them but each other, and the ORM's cascade
        # collector walks every table that references units (minutes at 50,000 units on PostgreSQL).
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM units_unit WHERE code LIKE 'Z%%'")
        admin.delete()


@pytest.mark.slow
@pytest.mark.django_db
def test_seeded_tree_is_consistent(big_tree):
    root, created = big_tree
    assert created == N
    assert selectors.subtree(root).count() == N
    # every unit's path extends its parent's path by exactly one step
    bad = Unit.objects.raw(
        "SELECT c.id FROM units_unit c JOIN units_unit p ON c.parent_id = p.id "
        "WHERE c.code LIKE 'Z%%' AND (c.depth <> p.depth + 1 OR substr(c.path, 1, length(p.path)) <> p.path)"
    )
    assert list(bad) == []


@pytest.mark.slow
@pytest.mark.django_db
def test_subtree_is_one_query_matching_a_recursive_walk(big_tree):
    root, _ = big_tree
    node = Unit.objects.filter(code__startswith="Z", depth=3).order_by("path")[5]
    with CaptureQueriesContext(connection) as ctx:
        ids = set(selectors.subtree(node).values_list("id", flat=True))
    assert len(ctx.captured_queries) == 1
    # the same set found the slow way, level by level through parent links
    expected, frontier = {node.pk}, [node.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        expected.update(frontier)
    assert ids == expected and len(ids) > 1


@pytest.mark.slow
@pytest.mark.django_db
def test_subtree_query_uses_the_path_index(big_tree):
    root, _ = big_tree
    # a commune-sized subtree (~300 of 50,000 rows); for a twelfth of the table a seq scan is the right plan
    node = Unit.objects.filter(code__startswith="Z", depth=3).first()
    plan = selectors.subtree(node).only("id").explain()
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    else:
        with connection.cursor() as cursor:  # make the planner see the real size of the table
            cursor.execute("ANALYZE units_unit")
        plan = selectors.subtree(node).only("id").explain()
        assert "Index" in plan and "Seq Scan" not in plan, plan


@pytest.mark.slow
@pytest.mark.django_db
def test_search_and_pagination_at_scale(big_tree):
    page = selectors.unit_page(query="don vi thu nghiem 4999", limit=20)
    assert page.items and all("4999" in u.name for u in page.items)
    keys = [(u.sort_key, u.pk) for u in page.items]
    assert keys == sorted(keys)
