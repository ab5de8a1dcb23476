"""Who may digitize: the clerks (văn thư) of a unit import scans into it and confirm them into its incoming
register, the same people who register paper documents (documents.policy.can_receive)."""

from dieuhanh.documents import policy as doc_policy


def can_import(user, unit):
    return bool(user and user.is_authenticated and user.is_active) and doc_policy.can_receive(user, unit)


def can_view_batch(user, batch):
    return can_import(user, batch.unit)


def can_view_item(user, item):
    return can_import(user, item.unit)
