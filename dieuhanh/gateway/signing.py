"""This installation's Ed25519 key (made on first use under the data directory) and the peers' public keys.

A signature covers the sending installation's id, the package id, the kind and the payload's SHA-256, so a
signed package cannot be replayed under another id or kind, nor its bytes changed."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

KEY_CACHE: dict[str, Ed25519PrivateKey] = {}


class UnknownPeer(Exception):
    """The installation id names no trusted peer."""


class BadSignature(Exception):
    """The signature is not the peer's over these bytes."""


def key_path() -> Path:
    return Path(settings.VAR_DIR) / "gateway" / f"{settings.DIEUHANH_INSTALLATION_ID}-ed25519.pem"


def private_key() -> Ed25519PrivateKey:
    """The installation's signing key; generated (0600, written atomically) when the file does not exist."""
    path = key_path()
    cached = KEY_CACHE.get(str(path))
    if cached is not None:
        return cached
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    KEY_CACHE[str(path)] = loaded
    return loaded


def public_key_pem() -> str:
    return private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def signed_text(*, source: str, package_id: str, kind: str, payload: bytes) -> bytes:
    digest = hashlib.sha256(payload).hexdigest()
    return f"dieuhanh-gateway-1\n{source}\n{package_id}\n{kind}\n{digest}".encode()


def sign(*, package_id: str, kind: str, payload: bytes) -> str:
    """Base64 signature of this installation over the package."""
    text = signed_text(source=settings.DIEUHANH_INSTALLATION_ID, package_id=package_id, kind=kind, payload=payload)
    return base64.b64encode(private_key().sign(text)).decode()


def peer_key(source: str) -> Ed25519PublicKey:
    configured = (settings.DIEUHANH_GATEWAY_PEERS or {}).get(source)
    if not configured:
        raise UnknownPeer(source)
    text = configured if "BEGIN PUBLIC KEY" in configured else Path(configured).read_text()
    key = serialization.load_pem_public_key(text.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise UnknownPeer(source)
    return key


def verify(*, source: str, package_id: str, kind: str, payload: bytes, signature: str) -> None:
    """Raises UnknownPeer or BadSignature."""
    key = peer_key(source)
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, signed_text(source=source, package_id=package_id, kind=kind, payload=payload))
    except (binascii.Error, ValueError, InvalidSignature) as exc:
        raise BadSignature(source) from exc
