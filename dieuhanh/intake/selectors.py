"""Reads of the intake channels: the items a user may see, newest first, by keyset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from dieuhanh.kernel.pagination import Page, keyset_page

from . import policy
from .models import IntakeItem

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User


def items_for(user: User, *, state: str = "") -> QuerySet[IntakeItem]:
    qs = IntakeItem.objects.filter(policy.items_q(user)).select_related("source", "unit")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-id")


def item_for(user: User, item_id: int) -> IntakeItem | None:
    return items_for(user).filter(pk=item_id).first()


def items_page(user: User, *, state: str = "", cursor: str | None = None, limit: Any = 50) -> Page:
    return keyset_page(items_for(user, state=state), ["-id"], cursor=cursor, limit=limit)
