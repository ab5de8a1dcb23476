"""Who may digitize: the clerks (văn thư) of a unit import scans into it and confirm them into its incoming
register, the same people who register paper documents (documents.policy.can_receive)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.documents import policy as doc_policy

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User
    from dieuhanh.digitization.models import ImportBatch, ScanItem
    from dieuhanh.units.models import Unit


def can_import(user: User, unit: Unit) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and doc_policy.can_receive(user, unit)


def can_view_batch(user: User, batch: ImportBatch) -> bool:
    return can_import(user, batch.unit)


def can_view_item(user: User, item: ScanItem) -> bool:
    return can_import(user, item.unit)
