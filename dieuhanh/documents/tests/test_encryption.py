"""Encryption at rest (DIEUHANH_FILE_KEY): files on disk are AES-256-GCM ciphertext, still addressed by the
SHA-256 of the plaintext; readers get the plaintext; plain and encrypted files live side by side."""

import base64
import hashlib
import io
import os

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dieuhanh.documents import services, storage
from dieuhanh.documents.models import DocumentFile
from dieuhanh.documents.testing import make_pdf

PLAIN = make_pdf("Quyết định về việc bảo mật tài liệu ".encode() * 50)


def new_key():
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def file_key(settings):
    settings.DIEUHANH_FILE_KEY = new_key()
    return settings.DIEUHANH_FILE_KEY


def store(org, content):
    return services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(content))


def test_stored_bytes_are_not_the_plaintext_and_read_back(org, media, file_key):
    blob = store(org, PLAIN)
    assert blob.sha256 == hashlib.sha256(PLAIN).hexdigest() and blob.size == len(PLAIN)
    on_disk = (media / blob.storage_name).read_bytes()
    assert on_disk.startswith(storage.MAGIC) and PLAIN not in on_disk and b"%PDF" not in on_disk
    assert len(on_disk) == len(PLAIN) + storage.HEADER_BYTES + storage.TAG_BYTES
    with storage.open_blob(blob) as fh:
        assert fh.read() == PLAIN
    storage.verify(blob)
    call_command("fixity", "check")
    # the same content uploaded again is the same blob and the same stored file
    assert store(org, PLAIN).pk == blob.pk


def test_download_of_an_encrypted_file_is_the_plaintext(exchange, client, file_key):
    org = exchange.org
    doc = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(content=PLAIN))
    doc_file = DocumentFile.objects.get(document=doc)
    assert PLAIN not in (storage.default_storage.open(doc_file.blob.storage_name).read())
    client.force_login(org.clerk_b)
    response = client.get(f"/documents/{doc.pk}/files/{doc_file.pk}/")
    assert response.status_code == 200 and response.getvalue() == PLAIN
    # accepting re-hashes the files through the decryption
    delivery = doc.deliveries.get(recipient_unit=org.b)
    services.accept_delivery(actor=org.clerk_b, delivery=delivery)


def test_plain_and_encrypted_files_live_side_by_side(org, media, settings):
    old = store(org, make_pdf("stored before the key was set"))
    settings.DIEUHANH_FILE_KEY = new_key()
    new = store(org, make_pdf("stored after the key was set"))
    assert (media / old.storage_name).read_bytes() == make_pdf("stored before the key was set")
    assert (media / new.storage_name).read_bytes().startswith(storage.MAGIC)
    for blob, content in ((old, make_pdf("stored before the key was set")),
                          (new, make_pdf("stored after the key was set"))):
        with storage.open_blob(blob) as fh:
            assert fh.read() == content
    call_command("fixity", "check")


@pytest.mark.parametrize("where", ["header key id", "nonce", "ciphertext", "tag"])
def test_a_flipped_byte_is_reported_by_the_fixity_check(org, media, file_key, where):
    good = store(org, make_pdf("untouched"))
    victim = store(org, PLAIN)
    path = media / victim.storage_name
    data = bytearray(path.read_bytes())
    offset = {"header key id": len(storage.MAGIC), "nonce": len(storage.MAGIC) + storage.KEY_ID_BYTES,
              "ciphertext": storage.HEADER_BYTES + 100, "tag": len(data) - 1}[where]
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError) as exc:
        call_command("fixity", "check")
    assert "1 of 2" in str(exc.value)
    with pytest.raises(storage.DamagedFile):
        storage.open_blob(victim)
    with storage.open_blob(good) as fh:
        assert fh.read() == make_pdf("untouched")


def test_missing_key_with_encrypted_files_is_a_clear_error(org, media, settings, file_key):
    blob = store(org, PLAIN)
    settings.DIEUHANH_FILE_KEY = ""
    with pytest.raises(CommandError, match="encrypted, but DIEUHANH_FILE_KEY is not set"):
        call_command("fixity", "check")
    with pytest.raises(storage.FileKeyMissing, match="DIEUHANH_FILE_KEY is not set"):
        storage.open_blob(blob)


def test_another_key_is_reported_not_mistaken_for_plaintext(org, media, settings, file_key):
    blob = store(org, PLAIN)
    settings.DIEUHANH_FILE_KEY = new_key()
    with pytest.raises(CommandError) as exc:
        call_command("fixity", "check")
    assert "1 of 1" in str(exc.value)
    with translation.override("en"), pytest.raises(storage.DamagedFile, match="another key"):
        storage.open_blob(blob)


def test_a_malformed_key_is_refused(org, media, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DIEUHANH_FILE_KEY = base64.b64encode(b"too short").decode()
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        store(org, PLAIN)
