from .models import Notification


def notify_unit(unit, message, link=""):
    """Tell the people of ``unit``; called inside the action's transaction so it appears only if it commits."""
    return Notification.objects.create(unit=unit, message=message[:500], link=link)


def notify_user(user, message, link=""):
    return Notification.objects.create(user=user, message=message[:500], link=link)


def for_user(user, units, limit=10):
    """Latest notifications addressed to ``user`` or to one of ``units``."""
    from django.db.models import Q

    return Notification.objects.filter(Q(user=user) | Q(unit__in=units)).order_by("-id")[:limit]
