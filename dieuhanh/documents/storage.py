"""Content-addressed file storage: a file is stored once under its SHA-256 and never rewritten."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage

CHUNK = 1024 * 1024


def blob_name(sha256):
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def hash_file(fileobj):
    digest, size = hashlib.sha256(), 0
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def put(fileobj, sha256):
    """Write the content if it is not stored yet; existing content is never overwritten."""
    name = blob_name(sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, File(fileobj))
        if saved != name:  # the storage renamed it: someone stored the same content meanwhile
            default_storage.delete(saved)
    return name


def verify(blob):
    """Re-hash stored content; raise ValidationError if it is missing or differs from the recorded hash."""
    try:
        with default_storage.open(blob.storage_name, "rb") as fh:
            actual, _ = hash_file(fh)
    except FileNotFoundError as exc:
        raise ValidationError({"files": f"File {blob.sha256[:12]}… is missing from storage."}) from exc
    if actual != blob.sha256:
        raise ValidationError({"files": f"File {blob.sha256[:12]}… does not match its SHA-256."})


def open_blob(blob):
    return default_storage.open(blob.storage_name, "rb")
