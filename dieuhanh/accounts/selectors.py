"""Reads about people and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Membership

if TYPE_CHECKING:
    from typing import Any

    from django.db.models import QuerySet

    from dieuhanh.accounts.models import User


def members_of(unit: Any) -> QuerySet[Membership]:
    """Active memberships of ``unit`` with their people and positions, by position rank then name."""
    return (
        Membership.objects.active()
        .filter(unit=unit)
        .select_related("user", "position")
        .order_by("position__rank", "user__sort_key", "id")
    )


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's active memberships with their units, for the home page and the API."""
    return Membership.objects.active().filter(user=user).select_related("unit", "position").order_by("unit__path")
