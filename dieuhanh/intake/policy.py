"""Who sees the intake items (issue 17): the clerks of the unit an item was for, and system administrators.
An item whose unit is unknown is shown to system administrators only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dieuhanh.accounts.policy import is_system_admin
from dieuhanh.exchange.policy import clerk_unit_ids

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

    from .models import IntakeItem


def items_q(user: User) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_system_admin(user):
        return Q()
    units = clerk_unit_ids(user)
    return Q(unit_id__in=units) if units else Q(pk__in=[])


def can_view_items(user: User) -> bool:
    return is_system_admin(user) or bool(clerk_unit_ids(user))


def can_view(user: User, item: IntakeItem) -> bool:
    return type(item).objects.filter(items_q(user), pk=item.pk).exists()


def can_retry(user: User, item: IntakeItem) -> bool:
    return can_view(user, item)
