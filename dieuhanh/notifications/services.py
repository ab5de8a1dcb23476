"""Writing notifications: the service every domain calls to tell a unit or a person (the bell, and an e-mail
copy sent after the transaction commits). Reading them is in ``selectors``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext

from .jobs import send_notification_mail
from .models import Notification, NotificationCursor
from .selectors import addressed_to

if TYPE_CHECKING:
    from typing import Any

    from django_stubs_ext import StrOrPromise

    from dieuhanh.accounts.models import User
    from dieuhanh.units.models import Unit

PARAM_MAX = 300  # characters of one value (a reason, a title); the rendered text has no other limit


def label(text: StrOrPromise) -> dict[str, str]:
    """A param for a translatable label (a status, a role, a report kind): ``label(FlowRole(flow.role).label)``.
    Stores the label's msgid, translated with the rest of the message when it is shown."""
    with translation.override(None):  # no catalogue: a lazy label evaluates to its msgid
        return {"label": str(text)}


def _clean(params: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if isinstance(value, dict):
            out[key] = {"label": str(value["label"])}
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = value
        else:
            out[key] = str(value)[:PARAM_MAX]
    return out


def render(msgid: str, params: dict[str, Any] | None) -> str:
    """``gettext(msgid) % params`` in the active language, labels translated too. A translation that does not fit
    its params (compilemessages checks the placeholders, so this is a slip) falls back to the English."""
    values = {key: gettext(value["label"]) if isinstance(value, dict) else value
              for key, value in (params or {}).items()}
    if not values:
        return gettext(msgid)
    for text in (gettext(msgid), msgid):
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            continue
    return msgid


def _create(msgid: str, params: dict[str, Any] | None, **fields: Any) -> Notification:
    limit = Notification._meta.get_field("msgid").max_length
    assert limit is not None  # a CharField has one
    if len(msgid) > limit:
        if params:
            raise ValueError("A notification's msgid is a catalogue entry: keep it short, put the data in params.")
        # a ready-made text (rendered by the caller, in its language) is kept as such, like the rows of old
        return Notification.objects.create(message=msgid[:500], **fields)
    return Notification.objects.create(msgid=msgid, params=_clean(params), **fields)


def notify_unit(unit: Unit, msgid: str, params: dict[str, Any] | None = None, *, link: str = "",
                confidentiality: int = 0) -> Notification:
    """Tell the people of ``unit``; called inside the action's transaction so it appears only if it commits.
    ``msgid``: an English catalogue entry marked with ``gettext_noop`` (never a rendered text), ``params`` its
    %(name)s values; both are rendered in the reader's language when shown.
    ``confidentiality``: that of the document the message speaks of."""
    return _create(msgid, params, unit=unit, link=link, confidentiality=confidentiality)


def notify_user(user: User, msgid: str, params: dict[str, Any] | None = None, *, link: str = "",
                confidentiality: int = 0) -> Notification:
    """Tell one person, in the app and (after commit, in the background) by e-mail when they have an address.
    Messages about secret documents are never mailed: mail leaves the closed network."""
    notification = _create(msgid, params, user=user, link=link, confidentiality=confidentiality)
    if user.email and settings.DIEUHANH_EMAIL_NOTIFICATIONS and not confidentiality:
        transaction.on_commit(lambda: send_notification_mail(notification.pk))
    return notification

def mark_seen(user: User) -> None:
    """Everything addressed to ``user`` up to now counts as seen. Reading is not an audited action."""
    newest = Notification.objects.filter(addressed_to(user)).aggregate(m=Max("id"))["m"] or 0
    NotificationCursor.objects.update_or_create(user=user, defaults={"last_seen_id": newest})
