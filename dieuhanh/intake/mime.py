"""Reading an e-mail message into what the exchange needs: subject, sender, Message-ID and attachments, with the
RFC 2047 (encoded words) and RFC 2231 (parameter continuations, charset'lang'value) encodings Vietnamese mail
clients use. A message that cannot be read raises :class:`Unreadable` with the reason."""

from __future__ import annotations

import email
import email.policy
import hashlib
from dataclasses import dataclass, field
from email import errors as email_errors
from email.message import EmailMessage
from email.utils import parseaddr

from django.utils.translation import gettext as _

from dieuhanh.kernel.text import nfc

# defects that mean the structure itself is broken (a lenient parser would otherwise yield half a message)
_FATAL = (email_errors.StartBoundaryNotFoundDefect, email_errors.NoBoundaryInMultipartDefect,
          email_errors.MultipartInvariantViolationDefect, email_errors.CloseBoundaryNotFoundDefect,
          email_errors.MissingHeaderBodySeparatorDefect)


class Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Mail:
    message_id: str
    subject: str
    sender: str
    files: list[tuple[str, bytes]] = field(default_factory=list)
    body: str = ""

    @property
    def packages(self) -> list[tuple[str, bytes]]:
        return [(n, d) for n, d in self.files if n.lower().endswith(".edxml")]

    @property
    def others(self) -> list[tuple[str, bytes]]:
        return [(n, d) for n, d in self.files if not n.lower().endswith(".edxml")]


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, LookupError, email_errors.HeaderParseError):
        value = msg.get_all(name, [""])[0] if hasattr(msg, "get_all") else ""
    return nfc(" ".join(str(value or "").split()))


def message_id(raw: bytes) -> str:
    """The message's Message-ID (angle brackets kept), or ``sha256:<hex>`` of the bytes when it has none."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    mid = " ".join(str(msg.get("Message-ID") or "").split())
    return mid[:500] if mid else "sha256:" + hashlib.sha256(raw).hexdigest()


def parse(raw: bytes) -> Mail:
    if not raw or not raw.strip():
        raise Unreadable(_("the message is empty"))
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser may raise on pathological input; the reason is kept, nothing written
        raise Unreadable(_("the message cannot be parsed: %(error)s") % {"error": str(exc)[:200]}) from exc
    assert isinstance(msg, EmailMessage)
    if not msg.keys():
        raise Unreadable(_("the message has no headers"))
    defects = [d for part in msg.walk() for d in part.defects if isinstance(d, _FATAL)]
    if defects:
        raise Unreadable(_("broken MIME structure: %(defect)s") % {"defect": type(defects[0]).__name__})
    subject = _header(msg, "Subject")
    name, address = parseaddr(_header(msg, "From"))
    sender = nfc(f"{name} <{address}>" if name and address else (name or address))
    mail = Mail(message_id=message_id(raw), subject=subject, sender=sender[:255])
    try:
        for part in msg.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            disposition = part.get_content_disposition()
            if filename or disposition == "attachment":
                data = part.get_payload(decode=True) or b""
                mail.files.append((nfc(filename or "tep-dinh-kem"), data))
            elif part.get_content_type() == "text/plain" and not mail.body:
                mail.body = nfc(str(part.get_content()))
    except (LookupError, ValueError, UnicodeError, AssertionError) as exc:
        raise Unreadable(_("the message cannot be decoded: %(error)s") % {"error": str(exc)[:200]}) from exc
    return mail
