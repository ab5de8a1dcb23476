"""Who may do what with records. Rights come from active memberships of the file's unit (decision 0003):

- staff (clerks, specialists) of the unit keep the file list and the files: open, attach, close, submit deposits;
- leaders and deputies of the unit approve its file list;
- archivists of the unit or of a unit above it (the agency archive) accept deposits, lend files, record
  appraisal decisions, destroy and place legal holds;
- every member of the unit, and those archivists, may read its records.
"""

from django.http import Http404

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import has_role_in, is_member_of, is_system_admin

KEEPERS = {Role.CLERK, Role.SPECIALIST}
APPROVERS = {Role.LEADER, Role.DEPUTY}
ARCHIVISTS = {Role.ARCHIVIST}


def can_view_records(user, unit):
    return bool(user and user.is_authenticated and user.is_active) and (
        is_system_admin(user) or is_member_of(user, unit) or has_role_in(user, unit, ARCHIVISTS, inherited=True))


def visible_or_404(user, obj, unit):
    """``obj`` if ``user`` may read the records of ``unit``; otherwise it does not exist for them. Pages and the
    API look every records object up through this."""
    if not can_view_records(user, unit):
        raise Http404
    return obj


def can_keep(user, unit):
    return has_role_in(user, unit, KEEPERS)


def can_approve_list(user, unit):
    return has_role_in(user, unit, APPROVERS)


def is_archivist_for(user, unit):
    return has_role_in(user, unit, ARCHIVISTS, inherited=True)


def can_manage_retention(user):
    return is_system_admin(user)
