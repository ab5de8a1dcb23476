"""Time-based one-time passwords (RFC 6238, SHA-1, 6 digits, 30 s), as authenticator apps implement them."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP = 30
DIGITS = 6


def new_secret():
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code_at(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** DIGITS:0{DIGITS}d}"


def current_step(now=None):
    return int((now if now is not None else time.time()) // STEP)


def match(secret, code, now=None, window=1):
    """The time step ``code`` belongs to (allowing one step of clock drift either way), or None."""
    # ASCII digits only: str.isdigit() also passes "²" or "١", which compare_digest refuses with a TypeError
    code = "".join(ch for ch in str(code or "") if ch in "0123456789")
    if len(code) != DIGITS:
        return None
    step = current_step(now)
    for candidate in range(step - window, step + window + 1):
        if hmac.compare_digest(code_at(secret, candidate), code):
            return candidate
    return None


def provisioning_uri(secret, account, issuer="dieuhanh"):
    return (f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}"
            f"&digits={DIGITS}&period={STEP}")
