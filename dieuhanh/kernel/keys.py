"""Keys given in settings as base64 text: read once, checked, and refused with a message naming the setting."""

import base64
import binascii

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def key_from_setting(name: str, *, hint: str) -> bytes | None:
    """The 32 raw bytes of the key in setting ``name``, or None when it is empty. ``hint`` tells how to make one."""
    configured = getattr(settings, name, "")
    if not configured:
        return None
    try:
        raw = base64.b64decode(configured, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must be the base64 of 32 bytes ({hint}).")
    return raw
