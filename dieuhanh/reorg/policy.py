"""Who may reorganize: recording and executing a merger, split or dissolution, reading its preview and traces, and
exporting or importing a handover package are the system administrator's (decision 0022)."""

from dieuhanh.accounts.policy import is_system_admin


def can_reorganize(user):
    return bool(user and user.is_authenticated and user.is_active) and is_system_admin(user)
