"""Who may do what. Every view, API endpoint and service asks these functions; the UI only mirrors them.

Rights come from active memberships: a role held in a unit applies to that unit and, for the managing
roles, to every unit below it. Memberships are read once per request (cached on the user object), so a
change of post takes effect on the very next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Membership, Role

T = TypeVar("T")

if TYPE_CHECKING:
    from typing import Any

    from dieuhanh.accounts.models import User

# Roles whose holders manage the unit's directory entry, its sub-units and its members.
MANAGING_ROLES = {Role.UNIT_ADMIN}
# Roles that see the people of every unit below theirs.
OVERSIGHT_ROLES = {Role.UNIT_ADMIN, Role.LEADER, Role.DEPUTY}


def grants(user: User) -> list[tuple[str, str]]:
    """(unit path, role) pairs of the user's active memberships, cached for the request."""
    if not user or not user.is_authenticated or not user.is_active:
        return []
    return remembered(user, "grants", lambda: list(
        Membership.objects.active().filter(user=user).values_list("unit__path", "role")))


def remembered(user: User, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per request and user object: the grants here, and what other layers derive from them
    (units.selectors.member_unit_ids, documents.policy.reader_unit_ids). One cache, owned here, so ``forget``
    clears all of it without knowing who filled it."""
    cache: dict[str, Any] | None = getattr(user, "_dh_cache", None)  # getattr/setattr: request.user is a proxy
    if cache is None:
        cache = user._dh_cache = {}
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget(user: User) -> None:
    """Drop what the request remembered about the user, after their memberships changed within it."""
    if hasattr(user, "_dh_cache"):
        del user._dh_cache


def is_system_admin(user: User | None) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or any(
        role == Role.SYSTEM_ADMIN for _, role in grants(user)
    )))


def has_role_in(user: User, unit: Any, roles: Any, *, inherited: bool = False) -> bool:
    """True if the user holds one of ``roles`` in ``unit`` (or, with ``inherited``, in an ancestor)."""
    for path, role in grants(user):
        if role in roles and (path == unit.path or (inherited and unit.path.startswith(path))):
            return True
    return False


def is_member_of(user: User, unit: Any) -> bool:
    return any(path == unit.path for path, _ in grants(user))


def can_view_directory(user: User) -> bool:
    """The directory of units (names, codes, kinds) is the address book every signed-in person needs."""
    return bool(user and user.is_authenticated and user.is_active)


def can_view_members(user: User, unit: Any) -> bool:
    return is_system_admin(user) or is_member_of(user, unit) or has_role_in(
        user, unit, OVERSIGHT_ROLES, inherited=True
    )


def can_manage_unit(user: User, unit: Any) -> bool:
    """Edit the unit, create units under it, and add or end memberships in it."""
    return is_system_admin(user) or has_role_in(user, unit, MANAGING_ROLES, inherited=True)


def can_create_root_unit(user: User) -> bool:
    return is_system_admin(user)


def can_manage_user(user: User, target: Any) -> bool:
    """Edit another person's account: system admins, or unit admins over every unit the person belongs to."""
    if is_system_admin(user):
        return True
    units = [m.unit for m in Membership.objects.active().filter(user=target).select_related("unit")]
    return bool(units) and all(can_manage_unit(user, u) for u in units)


def require(allowed: object, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(_("You do not have permission to do this.") if message is None else message)


def unit_ids_with_roles(user: User, roles: Any) -> list[int]:
    """Ids of the units where ``user`` holds one of ``roles`` (in that unit itself, not below it): what lists
    filter on (tasks executed by a unit, drafts signed in it). No query when the grants hold none of ``roles``."""
    if not any(role in roles for _, role in grants(user)):
        return []
    return list(Membership.objects.active().filter(user=user, role__in=roles)
                .values_list("unit_id", flat=True).distinct())


def units_with_roles(user: User, roles: Any) -> list:
    """The units where ``user`` holds one of ``roles`` (active memberships), shallowest first.

    Read through the membership (units sits above accounts, decision 0042); no query when the cached grants
    hold none of ``roles``, one otherwise."""
    if not any(role in roles for _, role in grants(user)):
        return []
    units: dict = {}
    for membership in (Membership.objects.active().filter(user=user, role__in=roles).select_related("unit")
                       .order_by("unit__depth", "unit__sort_key", "unit_id")):
        units.setdefault(membership.unit_id, membership.unit)  # one unit per several roles held in it
    return list(units.values())
