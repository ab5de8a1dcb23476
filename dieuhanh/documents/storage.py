"""Content-addressed file storage: a file is stored once under its SHA-256 and never rewritten.

With ``DIEUHANH_FILE_KEY`` set, new files are encrypted at rest with AES-256-GCM (decision 0020). The address stays
the SHA-256 of the plaintext. An encrypted file starts with a header: ``MAGIC`` (8 bytes), the key id (4 bytes)
and the nonce (12 bytes); the ciphertext and its 16-byte tag follow, with the SHA-256 as associated data, so an
encrypted file moved to another address does not decrypt. Files stored before the key was set stay in plain text
and keep working: readers look at the header.
"""

import hashlib
import io
import os
import tempfile
import unicodedata
from urllib.parse import quote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from dieuhanh.kernel.keys import key_from_setting

CHUNK = 1024 * 1024
MAGIC = b"\x89DHENC1\n"
KEY_ID_BYTES = 4
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES
TAG_BYTES = 16


class FileKeyMissing(ImproperlyConfigured):
    """A stored file is encrypted and no key is configured to read it."""


class DamagedFile(ValueError):
    """An encrypted file does not decrypt: its bytes were changed, or it was encrypted with another key."""


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


# --- encryption at rest --------------------------------------------------------------------------------------

def file_key():
    """The configured AES-256 key (32 bytes), or None when files are stored in plain text."""
    return key_from_setting("DIEUHANH_FILE_KEY", hint="e.g. python3 -c 'import os,base64; "
                            "print(base64.b64encode(os.urandom(32)).decode())'")


def key_id(key):
    return hashlib.sha256(b"dieuhanh file key id\n" + key).digest()[:KEY_ID_BYTES]


def encrypt(plaintext, sha256, key):
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + key_id(key) + nonce + AESGCM(key).encrypt(nonce, plaintext, sha256.encode())


def is_encrypted(raw):
    return raw[:len(MAGIC)] == MAGIC and len(raw) >= HEADER_BYTES + TAG_BYTES


def _key_and_nonce(head, sha256):
    """The configured key and the nonce of an encrypted file whose first bytes are ``head``, after checking that the
    file was encrypted with that key."""
    key = file_key()
    if key is None:
        raise FileKeyMissing(f"File {sha256[:12]}… is encrypted, but DIEUHANH_FILE_KEY is not set: configure the "
                             "key the files were stored with.")
    stored_id = head[len(MAGIC):len(MAGIC) + KEY_ID_BYTES]
    if stored_id != key_id(key):
        raise DamagedFile(_("File %(sha)s… was encrypted with another key (key id %(stored)s, DIEUHANH_FILE_KEY has "
                            "%(configured)s), or its header was changed.") % {
            "sha": sha256[:12], "stored": stored_id.hex(), "configured": key_id(key).hex()})
    nonce = head[len(MAGIC) + KEY_ID_BYTES:HEADER_BYTES]
    return key, nonce


def decrypt(raw, sha256):
    """The plaintext of stored bytes ``raw`` of the file addressed ``sha256`` (plain files come back as they are)."""
    if not is_encrypted(raw):
        return raw
    if hashlib.sha256(raw).hexdigest() == sha256:
        return raw  # a plain file that merely starts with the magic bytes
    key, nonce = _key_and_nonce(raw, sha256)
    try:
        return AESGCM(key).decrypt(nonce, raw[HEADER_BYTES:], sha256.encode())
    except InvalidTag as exc:
        raise DamagedFile(_("File %(sha)s… does not decrypt: its stored bytes were changed.") % {"sha": sha256[:12]}) \
            from exc


# --- storing and reading -------------------------------------------------------------------------------------

def put(fileobj, sha256):
    """Write the content if it is not stored yet; existing content is never overwritten."""
    name = blob_name(sha256)
    if not default_storage.exists(name):
        key = file_key()
        if key is not None:
            fileobj.seek(0)
            content = ContentFile(encrypt(fileobj.read(), sha256, key))
        else:
            content = File(fileobj)
        saved = default_storage.save(name, content)
        if saved != name:  # the storage renamed it: someone stored the same content meanwhile
            default_storage.delete(saved)
    return name


def read_plain(blob):
    """The plaintext of a stored file. Raises FileNotFoundError, FileKeyMissing or DamagedFile."""
    with default_storage.open(blob.storage_name, "rb") as fh:
        raw = fh.read()
    return decrypt(raw, blob.sha256)


def verify(blob):
    """Re-hash stored content (decrypting it first); raise ValidationError if it is missing or differs from the
    recorded hash. A missing key raises FileKeyMissing: that is a configuration error, not a damaged file."""
    try:
        with default_storage.open(blob.storage_name, "rb") as fh:
            head = fh.read(len(MAGIC))
            fh.seek(0)
            if head == MAGIC:
                actual = hashlib.sha256(decrypt(fh.read(), blob.sha256)).hexdigest()
            else:
                actual, _size = hash_file(fh)  # plain files are hashed in chunks, never held whole in memory
    except FileNotFoundError as exc:
        raise ValidationError({"files": _("File %(sha)s… is missing from storage.") % {"sha": blob.sha256[:12]}}) \
            from exc
    except DamagedFile as exc:
        raise ValidationError({"files": str(exc)}) from exc
    if actual != blob.sha256:
        raise ValidationError({"files": _("File %(sha)s… does not match its SHA-256.") % {"sha": blob.sha256[:12]}})


def open_blob(blob):
    """A readable binary file of the plaintext: the stored file itself when it is plain, else a temporary file the
    ciphertext is decrypted into chunk by chunk (never one 100 MB bytes object). The GCM tag is checked before the
    file is handed back, so no unauthenticated byte is ever served. Raises FileKeyMissing or DamagedFile."""
    fh = default_storage.open(blob.storage_name, "rb")
    head = fh.read(HEADER_BYTES)
    fh.seek(0)
    if head[:len(MAGIC)] != MAGIC:
        return fh
    try:
        size = fh.size if hasattr(fh, "size") else None
        if size is None or size < HEADER_BYTES + TAG_BYTES:
            return io.BytesIO(decrypt(fh.read(), blob.sha256))
        try:
            out = _decrypt_to_temp(fh, head, size, blob.sha256)
        except (FileKeyMissing, DamagedFile):
            digest, _size = hash_file(fh)
            if digest != blob.sha256:
                raise
            return fh  # a plain file that merely starts with the magic bytes
    except BaseException:
        fh.close()
        raise
    fh.close()
    return out


def _decrypt_to_temp(fh, head, size, sha256):
    key, nonce = _key_and_nonce(head, sha256)
    fh.seek(size - TAG_BYTES)
    tag = fh.read(TAG_BYTES)
    # The same AES-GCM as AESGCM.encrypt (ciphertext || tag), read through the incremental API so that memory
    # stays at one chunk; the temporary file spills to disk above 8 MB.
    decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(sha256.encode())
    out = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)
    try:
        fh.seek(HEADER_BYTES)
        left = size - HEADER_BYTES - TAG_BYTES
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                raise DamagedFile(_("File %(sha)s… does not decrypt: its stored bytes were changed.")
                                  % {"sha": sha256[:12]})
            left -= len(chunk)
            out.write(decryptor.update(chunk))
        try:
            out.write(decryptor.finalize())
        except InvalidTag as exc:
            raise DamagedFile(_("File %(sha)s… does not decrypt: its stored bytes were changed.")
                              % {"sha": sha256[:12]}) from exc
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


# --- answering a download ------------------------------------------------------------------------------------

def ascii_filename(name: str) -> str:
    """The ASCII fallback of ``name`` for clients that ignore filename*: diacritics folded (đ -> d), anything else
    non-ASCII, quotes, backslashes and control characters replaced."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    out = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in folded)
    return out.strip() or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 Content-Disposition: an ASCII ``filename=`` for old clients and ``filename*=UTF-8''...``
    (RFC 5987) carrying the exact NFC name; never RFC 2047, which browsers save under the URL's last segment."""
    name = unicodedata.normalize("NFC", filename or "download")
    name = "".join(c for c in name if c.isprintable()) or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(source, *, filename: str, content_type: str | None = None,
                      inline: bool = False) -> HttpResponse | FileResponse:
    """The one answer to every download (documents, drafts, scans, slips, registers and exports; pages and API).

    ``source`` is a stored blob (streamed from its file, decrypted chunk-wise into a temporary file when
    encrypted), an open binary file (streamed, closed at the end), or bytes built in memory (an .xlsx, a PDF
    slip). Every path gets the same Content-Disposition."""
    if isinstance(source, (bytes, bytearray)):
        # Already whole in memory (an .xlsx, a PDF slip): streaming it would save nothing, and a plain response
        # keeps .content for its callers.
        response = HttpResponse(source, content_type=content_type or "application/octet-stream")
        response["Content-Disposition"] = content_disposition(filename, inline=inline)
        return response
    if hasattr(source, "storage_name") and hasattr(source, "sha256"):
        fileobj = open_blob(source)
        content_type = content_type or getattr(source, "content_type", None)
    else:
        fileobj = source
    response = FileResponse(fileobj, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
