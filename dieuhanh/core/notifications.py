"""In-app notifications (a bell with an unread count) and e-mail copies sent after the transaction commits."""

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from .models import Notification, NotificationCursor

UNREAD_CAP = 99
WITHHELD = _("A secret document needs your attention: open dieuhanh on the closed network.")


def notify_unit(unit, message, link="", *, confidentiality=0):
    """Tell the people of ``unit``; called inside the action's transaction so it appears only if it commits.
    ``confidentiality``: that of the document the message speaks of."""
    return Notification.objects.create(unit=unit, message=message[:500], link=link, confidentiality=confidentiality)


def notify_user(user, message, link="", *, confidentiality=0):
    """Tell one person, in the app and (after commit, in the background) by e-mail when they have an address.
    Messages about secret documents are never mailed: mail leaves the closed network."""
    notification = Notification.objects.create(user=user, message=message[:500], link=link,
                                               confidentiality=confidentiality)
    if user.email and settings.DIEUHANH_EMAIL_NOTIFICATIONS and not confidentiality:
        from .jobs import send_notification_mail

        transaction.on_commit(lambda: send_notification_mail(notification.pk))
    return notification


def _addressed_to(user):
    from dieuhanh.documents.policy import member_unit_ids

    return Q(user=user) | Q(unit_id__in=member_unit_ids(user))


def for_user(user, limit=20):
    """Latest notifications addressed to ``user`` or to one of their units. The text of one about a document the
    reader may not see here (not cleared, or on the internet zone) is withheld: only that something waits."""
    from dieuhanh.core import zones

    clearance = (user.clearance or 0) if zones.current() == zones.CLOSED else 0
    items = list(Notification.objects.filter(_addressed_to(user)).order_by("-id")[:limit])
    for item in items:
        if item.confidentiality > clearance:
            item.message, item.link = str(WITHHELD), ""
    return items


def unread_count(user):
    """Unread notifications, counted up to UNREAD_CAP + 1 (the bell shows "99+")."""
    cursor = NotificationCursor.objects.filter(user=user).values_list("last_seen_id", flat=True).first() or 0
    qs = Notification.objects.filter(_addressed_to(user), id__gt=cursor).order_by().values("id")
    return qs[: UNREAD_CAP + 1].count()


def mark_seen(user):
    """Everything addressed to ``user`` up to now counts as seen. Reading is not an audited action."""
    newest = Notification.objects.filter(_addressed_to(user)).aggregate(m=Max("id"))["m"] or 0
    NotificationCursor.objects.update_or_create(user=user, defaults={"last_seen_id": newest})
