import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from dieuhanh.kernel.pagination import keyset_page
from dieuhanh.units.models import Unit
from dieuhanh.units.selectors import unit_page


def _walk(limit, **filters):
    seen, cursor, pages = [], None, 0
    while True:
        page = unit_page(cursor=cursor, limit=limit, **filters)
        seen.extend(page.items)
        pages += 1
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


class KeysetWalk(TestCase):
    """Walking every page returns each row exactly once, in order, for any page size and duplicate keys."""

    @settings(max_examples=25, deadline=None)
    @given(names=st.lists(st.sampled_from(["An", "Ăn", "Bình", "Đông", "Dung", "Ân"]), min_size=0, max_size=25),
           limit=st.integers(min_value=1, max_value=7))
    def test_walk_covers_all_rows_once(self, names, limit):
        import datetime

        for i, name in enumerate(names):
            unit = Unit(code=f"K{i}", name=name, short_name="K", kind="cell", path=f"{i + 1:04d}", depth=1,
                        effective_from=datetime.date(2025, 1, 1))
            unit.refresh_derived()
            unit.save()
        rows, _ = _walk(limit)
        expected = list(Unit.objects.order_by("sort_key", "id"))
        assert [u.pk for u in rows] == [u.pk for u in expected]


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", "WzFd", "eyJhIjoxfQ"])
def test_bad_cursor_is_a_validation_error(cursor):
    if not cursor:
        assert keyset_page(Unit.objects.all(), ["sort_key", "id"], cursor=cursor).items == []
        return
    with pytest.raises(ValidationError):
        keyset_page(Unit.objects.all(), ["sort_key", "id"], cursor=cursor)
