"""/api/v1/me/counters and /api/v1/notifications: what the home page and the bell show."""

import datetime

from ninja import Router, Schema

from dieuhanh.notifications import selectors as notifications
from dieuhanh.notifications import services as notification_services

from .home import counters

router = Router(tags=["home"])


class CounterOut(Schema):
    group: str
    label: str
    count: int
    url: str | None


class NotificationOut(Schema):
    id: int
    message: str
    link: str
    created_at: datetime.datetime


class UnreadOut(Schema):
    unread: int
    capped: bool


@router.get("/me/counters", response=list[CounterOut], summary="My work counters (each equals its list)")
def my_counters(request):
    return [{"group": str(group), "label": str(label), "count": n, "url": url}
            for group, label, n, url in counters(request.user)]


@router.get("/notifications", response=list[NotificationOut], summary="My latest notifications")
def list_notifications(request, limit: int = 20):
    return list(notifications.for_user(request.user, limit=max(1, min(limit, 100))))


@router.get("/notifications/unread", response=UnreadOut, summary="Unread count for the bell")
def unread(request):
    n = notifications.unread_count(request.user)
    return {"unread": min(n, notifications.UNREAD_CAP), "capped": n > notifications.UNREAD_CAP}


@router.post("/notifications/seen", response={204: None}, summary="Mark everything up to now as seen")
def seen(request):
    notification_services.mark_seen(request.user)
    return 204, None
