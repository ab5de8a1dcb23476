"""Background jobs of notifications: their e-mail copies."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from huey.contrib.djhuey import db_task

from .models import Notification


@db_task(retries=3, retry_delay=60)
def send_notification_mail(notification_id):
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.user is None or not notification.user.email \
            or notification.confidentiality:
        return False  # never mail about a secret document, even if a caller queued it
    link = f"{settings.DIEUHANH_BASE_URL}{notification.link}" if notification.link else ""
    # The recipient's language is not known here (it lives in their browser's cookie): mail in the default one
    with translation.override(settings.LANGUAGE_CODE):
        text = notification.text()
    send_mail(subject=f"[dieuhanh] {text[:80]}", message=f"{text}\n\n{link}".strip(),
              from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[notification.user.email])
    return True
