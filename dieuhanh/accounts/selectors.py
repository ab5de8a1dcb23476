"""Reads about people and memberships."""

from .models import Membership


def members_of(unit):
    """Active memberships of ``unit`` with their people and positions, by position rank then name."""
    return (
        Membership.objects.active()
        .filter(unit=unit)
        .select_related("user", "position")
        .order_by("position__rank", "user__sort_key", "id")
    )


def memberships_of(user):
    """The user's active memberships with their units, for the home page and the API."""
    return Membership.objects.active().filter(user=user).select_related("unit", "position").order_by("unit__path")
