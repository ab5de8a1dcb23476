"""Signed checkpoints of the audit hash chains (decision 0020).

A checkpoint records, for one chain, its head ``(seq, hash)`` and the time, signed with the installation's Ed25519
key (``DIEUHANH_AUDIT_SIGNING_KEY``). The hash chain alone catches an edited or deleted row; a checkpoint also
catches someone with write access to the database who cuts a chain back and moves its head, or who recomputes
every hash of a chain after changing it: the chain no longer holds the checkpointed hash at that seq, and they
cannot sign a new checkpoint without the key.
"""

import base64
import binascii
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from dieuhanh.kernel.keys import key_from_setting

from . import anchor
from .models import AuditChain, AuditCheckpoint

_DOMAIN = b"dieuhanh-audit-checkpoint-v1\n"


def _b64(data):
    return base64.b64encode(data).decode()


def _raw_public(public_key):
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def generate_key():
    """A new signing key as ``(private, public)`` base64 strings, for ``DIEUHANH_AUDIT_SIGNING_KEY``."""
    key = Ed25519PrivateKey.generate()
    return _b64(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())), _b64(_raw_public(key.public_key()))


_derived = {}


def signing_key():
    """The configured Ed25519 key (base64 of its 32 raw bytes). When none is configured (the demo and the tests),
    a key is derived from the secret key, so every process of one installation (web, worker, commands) signs and
    verifies with the same key; a real installation sets its own (``dieuhanh audit keygen``)."""
    raw = key_from_setting("DIEUHANH_AUDIT_SIGNING_KEY", hint="run `dieuhanh audit keygen`")
    if raw is not None:
        return Ed25519PrivateKey.from_private_bytes(raw)
    secret = settings.SECRET_KEY.encode()
    if secret not in _derived:
        seed = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"dieuhanh audit checkpoint key").derive(secret)
        _derived[secret] = Ed25519PrivateKey.from_private_bytes(seed)
    return _derived[secret]


def trusted_keys():
    """Base64 public keys whose checkpoints are accepted: the current key's, and any earlier ones listed in
    ``DIEUHANH_AUDIT_TRUSTED_KEYS`` (after a key change)."""
    keys = {_b64(_raw_public(signing_key().public_key()))}
    keys.update(k.strip() for k in getattr(settings, "DIEUHANH_AUDIT_TRUSTED_KEYS", []) if k.strip())
    return keys


def message(*, chain, seq, hash, at):
    body = json.dumps([chain, seq, hash, at.isoformat()], separators=(",", ":"))
    return _DOMAIN + body.encode()


def make_checkpoints():
    """Sign the head of every chain that moved since its last checkpoint; return the checkpoints written."""
    key = signing_key()
    public = _b64(_raw_public(key.public_key()))
    latest = dict(AuditCheckpoint.objects.values("chain").annotate(seq=Max("seq")).values_list("chain", "seq"))
    now = timezone.now()
    made = []
    # Heads are read as committed: an event and its head move in one transaction, so the event at the head's seq
    # is committed as well.
    for chain, seq, hash_ in AuditChain.objects.filter(last_seq__gt=0).order_by("key").values_list(
            "key", "last_seq", "last_hash"):
        if latest.get(chain) == seq:
            continue
        signature = key.sign(message(chain=chain, seq=seq, hash=hash_, at=now))
        made.append(AuditCheckpoint(chain=chain, seq=seq, hash=hash_, at=now, public_key=public,
                                    signature=_b64(signature)))
    AuditCheckpoint.objects.bulk_create(made, batch_size=500)
    if made:
        # the anchor outside the database (decision 0036): the signed head and how many checkpoints the chain has
        counts = dict(AuditCheckpoint.objects.filter(chain__in=[cp.chain for cp in made]).values("chain")
                      .annotate(n=Count("id")).values_list("chain", "n"))
        anchor.append({"chain": cp.chain, "seq": cp.seq, "hash": cp.hash, "checkpoints": counts[cp.chain],
                       "at": cp.at.isoformat()} for cp in made)
    return made


def signature_problem(checkpoint, trusted):
    """Why the checkpoint's signature is not acceptable, or None."""
    if checkpoint.public_key not in trusted:
        return "signed by a key that is not trusted"
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint.public_key))
        public.verify(base64.b64decode(checkpoint.signature),
                      message(chain=checkpoint.chain, seq=checkpoint.seq, hash=checkpoint.hash, at=checkpoint.at))
    except (InvalidSignature, ValueError, binascii.Error):
        return "signature does not verify (the checkpoint was altered)"
    return None


def fingerprint(public_b64):
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]
