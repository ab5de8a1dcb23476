"""Who may do what with records. Rights come from active memberships of the file's unit (decision 0003):

- staff (clerks, specialists) of the unit keep the file list and the files: open, attach, close, submit deposits;
- leaders and deputies of the unit approve its file list;
- archivists of the unit or of a unit above it (the agency archive) accept deposits, lend files, record
  appraisal decisions, destroy and place legal holds;
- every member of the unit, and those archivists, may read its records;
- after a merger, split or dissolution, those who read the successor's records read the old unit's too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import has_role_in, is_member_of, is_system_admin
from dieuhanh.units.selectors import successors

if TYPE_CHECKING:
    from typing import Any

    from dieuhanh.accounts.models import User
    from dieuhanh.units.models import Unit

KEEPERS = {Role.CLERK, Role.SPECIALIST}
APPROVERS = {Role.LEADER, Role.DEPUTY}
ARCHIVISTS = {Role.ARCHIVIST}


def _reads_records_of(user: User, unit: Unit) -> bool:
    return is_member_of(user, unit) or has_role_in(user, unit, ARCHIVISTS, inherited=True)


def can_view_records(user: User, unit: Unit) -> bool:
    """Read only. A unit that was merged, split or dissolved keeps its records; whoever reads its successor's
    records reads them too (decision 0025), while every write still asks for a role in the unit itself."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_system_admin(user) or _reads_records_of(user, unit):
        return True
    if unit.successor_id is None:
        return False
    return any(_reads_records_of(user, s) for s in successors(unit))


def visible_or_404(user: User, obj: Any, unit: Unit) -> Any:
    """``obj`` if ``user`` may read the records of ``unit``; otherwise it does not exist for them. Pages and the
    API look every records object up through this."""
    if not can_view_records(user, unit):
        raise Http404
    return obj


def can_keep(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, KEEPERS)


def can_approve_list(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, APPROVERS)


def is_archivist_for(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, ARCHIVISTS, inherited=True)


def can_manage_retention(user: User) -> bool:
    return is_system_admin(user)
