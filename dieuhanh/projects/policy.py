"""Who may do what with projects (decision 0051).

A unit's specialists, clerks, leaders and unit administrators enter and update the unit's own projects. The
reviewing unit's specialists are its IT body (opinion and duplication assessment); its leaders approve or refuse.
Every signed-in member of any unit reads the registry: seeing what others already build is its point."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import grants, has_role_in, is_system_admin, units_with_roles

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User
    from dieuhanh.units.models import Unit

    from .models import Project

EDITORS = {Role.SPECIALIST, Role.CLERK, Role.LEADER, Role.DEPUTY, Role.UNIT_ADMIN}
IT_BODY = {Role.SPECIALIST}
APPROVERS = {Role.LEADER, Role.DEPUTY}


def can_view_registry(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (grants(user) or is_system_admin(user)))


def can_view(user: User, project: Project) -> bool:
    return can_view_registry(user)


def can_enter(user: User, unit: Unit) -> bool:
    """Enter a project for ``unit``: a member with an editing role in that unit itself."""
    return has_role_in(user, unit, EDITORS)


def entry_units(user: User) -> list:
    return units_with_roles(user, EDITORS)


def can_edit(user: User, project: Project) -> bool:
    return can_enter(user, project.unit)


def can_give_opinion(user: User, project: Project) -> bool:
    return has_role_in(user, project.reviewing_unit, IT_BODY, inherited=True)


def can_decide(user: User, project: Project) -> bool:
    return has_role_in(user, project.reviewing_unit, APPROVERS, inherited=True)


def can_assess(user: User, project: Project) -> bool:
    return can_give_opinion(user, project) or can_decide(user, project)
