"""Reading notifications: what the bell and the notifications page show a person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.kernel import zones
from dieuhanh.units.selectors import member_unit_ids

from .models import Notification, NotificationCursor

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

UNREAD_CAP = 99
WITHHELD = _("A secret document needs your attention: open dieuhanh on the closed network.")


def addressed_to(user: User) -> Q:
    """Notifications for ``user``: to them, or to one of the units they hold a role in."""
    return Q(user=user) | Q(unit_id__in=member_unit_ids(user))


def for_user(user: User, limit: int = 20) -> list[Notification]:
    """Latest notifications addressed to ``user`` or to one of their units, rendered in the active language. The
    text of one about a document the reader may not see here (not cleared, or on the internet zone) is withheld:
    only that something waits."""
    clearance = (user.clearance or 0) if zones.current() == zones.CLOSED else 0
    items = list(Notification.objects.filter(addressed_to(user)).order_by("-id")[:limit])
    for item in items:
        # ``message`` becomes the text in the active language (the page's, the API caller's): what is displayed
        if item.confidentiality > clearance:
            item.message, item.link = str(WITHHELD), ""
        else:
            item.message = item.text()
    return items


def unread_count(user: User) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 (the bell shows "99+")."""
    cursor = NotificationCursor.objects.filter(user=user).values_list("last_seen_id", flat=True).first() or 0
    qs = Notification.objects.filter(addressed_to(user), id__gt=cursor).order_by().values("id")
    return qs[: UNREAD_CAP + 1].count()


