"""``{{ n|capped }}``: a capped count as people read it ("1000+" beyond the cap of kernel.pagination)."""

from django import template

from dieuhanh.kernel.pagination import COUNT_CAP

register = template.Library()


@register.filter
def capped(n: int) -> str:
    """``n`` as counted by ``capped_count``: exact up to COUNT_CAP, "COUNT_CAP+" beyond it."""
    return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)
