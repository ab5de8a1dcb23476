"""Who may assign, execute, approve and see tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.accounts.models import Membership, Role
from dieuhanh.accounts.policy import grants, has_role_in, is_system_admin

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User
    from dieuhanh.tasks.models import Task
    from dieuhanh.units.models import Unit

DIRECTORS = {Role.LEADER, Role.DEPUTY}
EXECUTORS = {Role.LEADER, Role.DEPUTY, Role.CLERK, Role.SPECIALIST}


def can_assign(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, DIRECTORS)


def in_reach(assigning_unit: Unit, unit: Unit) -> bool:
    """Tasks go down the tree: to units strictly below the assigning unit."""
    return unit.path.startswith(assigning_unit.path) and unit.path != assigning_unit.path


def unit_of_person_in_reach(assigning_unit: Unit, person: User) -> Unit | None:
    """The unit a person would execute a task in: their first membership at or below the assigning unit."""
    membership = (Membership.objects.active().filter(user=person, unit__path__startswith=assigning_unit.path)
                  .select_related("unit").order_by("unit__depth", "id").first())
    return membership.unit if membership else None


def can_report(user: User, task: Task) -> bool:
    if task.lead_user_id is not None:
        return task.lead_user_id == user.pk
    return has_role_in(user, task.executing_unit, EXECUTORS)


def can_decide_for_unit(user: User, task: Task) -> bool:
    """Stage one: a leader of the executing unit."""
    return has_role_in(user, task.executing_unit, DIRECTORS)


def can_decide_for_assigner(user: User, task: Task) -> bool:
    """Stage two: the assigner, or a leader of the assigning unit."""
    return task.assigned_by_id == user.pk or has_role_in(user, task.assigning_unit, DIRECTORS)


def can_view(user: User, task: Task) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_system_admin(user) or task.assigned_by_id == user.pk or task.lead_user_id == user.pk:
        return True
    paths = {path for path, _ in grants(user)}
    if task.executing_unit.path in paths or any(
            task.assigning_unit.path == p for p, role in grants(user) if role in DIRECTORS | {Role.CLERK}):
        return True
    return task.co_handlers.filter(user=user).exists() or task.co_handlers.filter(unit__path__in=paths).exists()
