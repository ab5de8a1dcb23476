"""Writing audit events. Every service that changes state calls :func:`record` inside its transaction."""

from django.db import transaction

from .models import AuditEvent

# Never stored in an audit payload, whatever a caller passes.
_SECRET_KEYS = {"password", "new_password", "old_password", "token", "key", "passphrase"}


def record(*, actor, action, obj=None, unit=None, data=None):
    """Append an audit event. Must run inside the caller's atomic block, so it commits or rolls back with it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the action's transaction")
    payload = {k: v for k, v in (data or {}).items() if k not in _SECRET_KEYS}
    return AuditEvent.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        unit=unit,
        data=payload,
    )
