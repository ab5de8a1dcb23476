from __future__ import annotations

from typing import TYPE_CHECKING

from .models import AuditEvent

if TYPE_CHECKING:
    from typing import Any

    from django.db.models import QuerySet


def events_for(obj: Any) -> QuerySet[AuditEvent]:
    """Audit events about one object, oldest first."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")
