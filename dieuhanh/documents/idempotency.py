"""``Idempotency-Key``: a retried request gets the stored answer instead of doing the action again.

The answer is stored in the same transaction as the action, so either both exist or neither does; a concurrent
twin that loses the race on the unique (user, key) row rolls its action back and returns the winner's answer.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _hash(body):
    return hashlib.sha256(json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()


def _stored(record, endpoint, digest):
    if record.endpoint != endpoint or record.request_hash != digest:
        raise ValidationError({HEADER: _("This key was already used for a different request.")})
    return record.status_code, record.response


def run(request, endpoint, body, action):
    """Run ``action() -> (status, json-able data)`` at most once per (user, Idempotency-Key)."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return action()
    if len(key) > 200:
        raise ValidationError({HEADER: _("At most %(n)s characters.") % {"n": 200}})
    digest = _hash(body)
    existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if existing is not None:
        return _stored(existing, endpoint, digest)
    try:
        with transaction.atomic():
            status, data = action()
            data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
            IdempotencyRecord.objects.create(user=request.user, key=key, endpoint=endpoint, request_hash=digest,
                                             status_code=status, response=data)
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if existing is None:
            raise
        return _stored(existing, endpoint, digest)
    return status, data
