"""POST /api/v1/gateway/inbox: a package from a peer installation, signed with its key. 200 once recorded (also
for a package already received), 401 bad signature, 403 unknown installation, 400 naming the missing field,
413 too large, 422 when the receiver refused it (the sender keeps the reason and retries)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from . import signing
from .hooks import NoReceiver, deliver
from .models import Arrival
from .transports.http import HEADER_KIND, HEADER_PACKAGE, HEADER_SIGNATURE, HEADER_SOURCE

router = Router(tags=["gateway"])
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # read past Django's form upload limit: edXML carries the files


class InboxOut(Schema):
    package_id: str
    duplicate: bool


@router.post("/gateway/inbox", auth=None, response={200: InboxOut})
def inbox(request: HttpRequest):
    headers = {name: request.headers.get(name, "").strip() for name in
               (HEADER_SOURCE, HEADER_PACKAGE, HEADER_KIND, HEADER_SIGNATURE)}
    missing = {name: "Required." for name, value in headers.items() if not value}
    too_long = {name: "Too long." for name, limit in ((HEADER_SOURCE, 128), (HEADER_PACKAGE, 255),
                                                      (HEADER_KIND, 32)) if len(headers[name]) > limit}
    if missing or too_long:
        raise ValidationError({**too_long, **missing})
    payload = request.read(MAX_PACKAGE_BYTES + 1)
    if len(payload) > MAX_PACKAGE_BYTES:
        raise HttpError(413, "The package is larger than the gateway's limit.")
    source, package_id, kind = headers[HEADER_SOURCE], headers[HEADER_PACKAGE], headers[HEADER_KIND]
    try:
        signing.verify(source=source, package_id=package_id, kind=kind, payload=payload,
                       signature=headers[HEADER_SIGNATURE])
    except signing.UnknownPeer:
        raise HttpError(403, f"Unknown installation {source!r}.") from None
    except signing.BadSignature:
        raise HttpError(401, "The signature does not match the installation's key.") from None
    try:
        fresh = deliver(payload=payload, arrival=Arrival(package_id=package_id, source=source, transport="http",
                                                         kind=kind))
    except NoReceiver:
        raise ValidationError({HEADER_KIND: f"No receiver for packages of kind {kind!r}."}) from None
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)[:1000]) from None
    except Exception as exc:  # the receiver's reason goes back to the sender, which retries later
        raise HttpError(422, (str(exc) or exc.__class__.__name__)[:1000]) from None
    return 200, {"package_id": package_id, "duplicate": not fresh}
