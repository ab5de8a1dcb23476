"""Who may see and act on drafts. Secret drafts also need clearance and the closed network (cleared_for)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import grants, has_role_in
from dieuhanh.documents.policy import WRITERS, cleared_for
from dieuhanh.units.selectors import member_unit_ids

from .models import Opinion

if TYPE_CHECKING:
    from typing import Any

    from dieuhanh.accounts.models import User
    from dieuhanh.drafting.models import Draft
    from dieuhanh.units.models import Unit

SIGNERS = {Role.LEADER, Role.DEPUTY}
OVERSEERS = {Role.LEADER, Role.DEPUTY}
CLERKS = {Role.CLERK}


def can_draft(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, WRITERS)


def belongs_to_tree(user: User, unit: Unit) -> bool:
    """A member of ``unit`` or of a unit below it: the people a flow step or a secret consultation may go to."""
    return any(path.startswith(unit.path) for path, _ in grants(user))


def can_sign_for(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, SIGNERS)


def can_issue(user: User, draft: Draft) -> bool:
    return has_role_in(user, draft.unit, CLERKS)


def can_view(user: User, draft: Draft, *, involved: Any = None) -> bool:
    """The drafter, anyone in its flow or asked for an opinion, leaders of the drafting or issuing unit, and the
    issuing unit's clerks once it is signed. ``involved`` lets a caller pass a precomputed answer for the flow."""
    if not (user and user.is_authenticated and user.is_active) or not cleared_for(user, draft):
        return False
    if draft.created_by_id == user.pk:
        return True
    if has_role_in(user, draft.drafting_unit, OVERSEERS) or has_role_in(user, draft.unit, OVERSEERS):
        return True
    if draft.status in ("signed", "issued", "number_refused") and can_issue(user, draft):
        return True
    if involved is not None:
        return involved
    return is_involved(user, draft)


def is_involved(user: User, draft: Draft) -> bool:
    if draft.steps.filter(assignee=user).exists():
        return True
    units = member_unit_ids(user)
    return Opinion.objects.filter(consultation__draft=draft).filter(
        user=user).exists() or (bool(units) and Opinion.objects.filter(
            consultation__draft=draft, unit_id__in=units).exists())
