from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message for the people of a unit (or one person): a document withdrawn, a recall requested, ..."""

    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    # The text is rendered when it is shown, in the reader's language (decision 0026): ``msgid`` is the English
    # catalogue entry and ``params`` its %(name)s values (data, or {"label": msgid} for a label translated too).
    # ``message`` is the ready-made text of rows written before that, shown as stored when ``msgid`` is empty.
    message = models.CharField(max_length=500, blank=True)
    msgid = models.CharField(max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    # The confidentiality of the document it speaks of: above 0 it is never mailed and its text is shown only to
    # cleared people on the closed network (see selectors.for_user).
    confidentiality = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "-id"]), models.Index(fields=["user", "-id"])]

    def text(self):
        """The text in the active language (the stored one for rows without a msgid)."""
        from .services import render  # cycle: services imports models

        return render(self.msgid, self.params) if self.msgid else self.message


class NotificationCursor(models.Model):
    """The newest notification a person has seen; everything after it counts as unread on the bell."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_seen_id = models.BigIntegerField(default=0)
