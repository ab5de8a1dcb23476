"""``{% signature_panel document %}``: the latest signature check of each PDF of a document, on its page."""

import datetime

from django import template
from django.utils import timezone

from ..selectors import document_checks

register = template.Library()


@register.filter
def iso_datetime(value):
    """An ISO timestamp stored in a check's JSON, as a local datetime for the |date filter."""
    try:
        return timezone.localtime(datetime.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("signatures/_panel.html", takes_context=True)
def signature_panel(context, document):
    return {"document": document, "checks": document_checks(document), "request": context.get("request"),
            "csrf_token": context.get("csrf_token")}
