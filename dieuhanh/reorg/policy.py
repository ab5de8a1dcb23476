"""Who may reorganize: recording and executing a merger, split or dissolution, reading its preview and traces, and
exporting or importing a handover package are the system administrator's (decision 0022)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.accounts.policy import is_system_admin

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User


def can_reorganize(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and is_system_admin(user)
