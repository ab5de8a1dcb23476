"""Who may direct, handle and see processing flows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dieuhanh.accounts.models import Membership, Role
from dieuhanh.accounts.policy import grants, has_role_in, is_system_admin
from dieuhanh.documents.policy import cleared_for
from dieuhanh.units.models import Unit

from .models import Flow

if TYPE_CHECKING:
    from typing import Any

    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import IncomingEntry

DIRECTORS = {Role.LEADER, Role.DEPUTY}
# People who act for a unit that is a handler: its leaders distribute, its clerk records on their behalf.
UNIT_ACTORS = {Role.LEADER, Role.DEPUTY, Role.CLERK}


def can_direct(user: User, unit: Unit) -> bool:
    """Leaders assign the unit's registered documents themselves."""
    return has_role_in(user, unit, DIRECTORS)


def can_direct_on_behalf(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, {Role.CLERK})


def can_act(user: User, flow: Flow) -> bool:
    """The handler in person, or the leaders and clerk of a handling unit."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if not cleared_for(user, flow.entry.document):
        return False
    if flow.handler_user_id is not None:
        return flow.handler_user_id == user.pk
    return has_role_in(user, flow.handler_unit, UNIT_ACTORS)


def can_view_flow(user: User, flow: Flow) -> bool:
    if not cleared_for(user, flow.entry.document):
        return False
    if is_system_admin(user) or can_act(user, flow) or flow.assigned_by_id == user.pk:
        return True
    # the receiving unit's leaders oversee every flow of its documents
    return has_role_in(user, flow.unit, DIRECTORS | {Role.CLERK})


def reach_units(user: User, flow: Flow) -> list[str]:
    """Paths under which ``flow``'s handler may forward: the handling unit, or the units its person leads."""
    if flow.handler_unit is not None:
        return [flow.handler_unit.path]
    return [path for path, role in grants(user) if role in DIRECTORS and path.startswith(flow.unit.path)]


def in_reach(paths: Any, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in paths)


def person_in_reach(paths: Any, person: User) -> bool:
    """A person is in reach when one of their active memberships is in a unit under one of ``paths``."""
    unit_paths = Membership.objects.active().filter(user=person).values_list("unit__path", flat=True)
    return any(up.startswith(p) for up in unit_paths for p in paths)


def handled_unit_ids(user: User) -> set[int]:
    """Units whose flows the user acts for (as leader, deputy or clerk)."""
    paths = [path for path, role in grants(user) if role in UNIT_ACTORS]
    return set(Unit.objects.filter(path__in=paths).values_list("id", flat=True)) if paths else set()




def cleared_for_entry(user: User, entry: IncomingEntry) -> bool:
    return cleared_for(user, entry.document)


def can_view_entry(user: User, entry: IncomingEntry) -> bool:
    """A registered document's processing belongs to the receiving unit: its members and its handlers."""
    if not (user and user.is_authenticated and user.is_active) or not cleared_for(user, entry.document):
        return False
    if is_system_admin(user) or has_role_in(user, entry.unit, set(Role.values)):
        return True
    units = handled_unit_ids(user)
    return Flow.objects.filter(entry=entry).filter(Q(handler_user=user) | Q(handler_unit_id__in=units)).exists()


def can_track(user: User, unit: Unit) -> bool:
    """Leaders see the tracker of their unit and of every unit below it."""
    return is_system_admin(user) or has_role_in(user, unit, DIRECTORS, inherited=True)
