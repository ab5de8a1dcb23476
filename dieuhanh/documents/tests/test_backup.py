"""dieuhanh backup / restore: make data, back up, wipe, restore, and get the same documents and files back.

These tests commit (transactional), because a backup reads what other connections can see.
"""

import hashlib
import json
import shutil
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dieuhanh.audit.chain import verify as verify_audit
from dieuhanh.documents import services, storage
from dieuhanh.documents.models import Blob, Document
from dieuhanh.documents.testing import make_pdf
from dieuhanh.operations import backup

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="in-process restore is the SQLite path")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL on PostgreSQL")


def _make_data(exchange):
    org = exchange.org
    issued = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Về việc sao lưu"))
    exchange.outgoing(subject="Dự thảo chưa ban hành", content=make_pdf("second file"))
    services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Mật", confidentiality=1,
                                                                          content=make_pdf("secret file")))
    return issued


def _snapshot():
    docs = sorted(Document.objects.values_list("id", "symbol", "subject", "status", "confidentiality"))
    files = {}
    for blob in Blob.objects.all():
        with storage.open_blob(blob) as fh:
            files[blob.sha256] = hashlib.sha256(fh.read()).hexdigest()
    return docs, files


def _wipe(media):
    """Drop every table and delete the file store: what a new, empty installation looks like."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in connection.introspection.table_names():
            cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        cursor.execute("PRAGMA foreign_keys = ON")
    shutil.rmtree(media, ignore_errors=True)
    assert backup.database_is_empty()


@sqlite_only
def test_backup_wipe_restore_gives_back_the_same_documents_and_files(exchange, media, tmp_path):
    _make_data(exchange)
    before = _snapshot()
    assert len(before[0]) == 3 and len(before[1]) == 3
    call_command("backup", str(tmp_path / "bk"))
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite" and manifest["counts"]["documents"] == 3
    assert {rel for rel in manifest["files"] if rel.startswith("blobs/")} == {
        b.storage_name for b in Blob.objects.all()}
    for rel, meta in manifest["files"].items():
        assert hashlib.sha256((tmp_path / "bk" / rel).read_bytes()).hexdigest() == meta["sha256"]

    # a tampered copy is refused, with nothing written to the empty targets
    shutil.copytree(tmp_path / "bk", tmp_path / "forged")
    victim = next(rel for rel in manifest["files"] if rel.startswith("blobs/"))
    (tmp_path / "forged" / victim).write_bytes(make_pdf("forged"))
    _wipe(media)
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(tmp_path / "forged"))
    assert "failed verification" in str(exc.value) and victim in str(exc.value)
    assert "nothing was restored" in str(exc.value)
    assert backup.database_is_empty() and not media.exists()

    call_command("restore", str(tmp_path / "bk"))
    assert _snapshot() == before
    assert verify_audit()[0] == []
    call_command("fixity", "check")  # every restored file matches its SHA-256

    # a second restore is refused: the database and the file store are no longer empty
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "bk"))
    assert _snapshot() == before


@sqlite_only
def test_tar_backup_round_trip(exchange, media, tmp_path):
    _make_data(exchange)
    before = _snapshot()
    call_command("backup", str(tmp_path / "daily.tar"))
    with tarfile.open(tmp_path / "daily.tar") as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names and "database.sqlite3" in names
    call_command("restore", str(tmp_path / "daily.tar"), "--check")
    _wipe(media)
    call_command("restore", str(tmp_path / "daily.tar"))
    assert _snapshot() == before


def _tamper(folder, how):
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    blob = next(rel for rel in manifest["files"] if rel.startswith("blobs/"))
    if how == "changed file":
        path = folder / blob
        data = bytearray(path.read_bytes())
        data[-1] ^= 1
        path.write_bytes(bytes(data))
        return blob
    if how == "changed database":
        with open(folder / manifest["database"], "ab") as fh:
            fh.write(b"\0")
        return manifest["database"]
    if how == "missing file":
        (folder / blob).unlink()
        return blob
    if how == "extra file":
        extra = folder / "blobs" / "00" / "00" / ("0" * 64)
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_bytes(b"planted")
        return "blobs/00/00/" + "0" * 64
    if how == "edited manifest":
        manifest["files"][blob]["sha256"] = "f" * 64
        manifest_path.write_text(json.dumps(manifest))
        return blob
    if how == "no manifest":
        manifest_path.unlink()
        return "manifest.json"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["changed file", "changed database", "missing file", "extra file",
                                 "edited manifest", "no manifest"])
def test_a_tampered_backup_is_refused_before_anything_changes(exchange, media, tmp_path, how):
    _make_data(exchange)
    call_command("backup", str(tmp_path / "bk"))
    named = _tamper(tmp_path / "bk", how)
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(tmp_path / "bk"), "--check")
    assert named in str(exc.value)
    before = _snapshot()
    with pytest.raises(CommandError):  # refused on the manifest, before the "not empty" check
        call_command("restore", str(tmp_path / "bk"))
    assert _snapshot() == before


def test_backup_refuses_a_destination_that_is_not_empty(exchange, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "old").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "bk"))


def test_a_tar_with_unexpected_entries_is_refused(exchange, media, tmp_path):
    (tmp_path / "evil").write_text("x")
    with tarfile.open(tmp_path / "evil.tar", "w") as tar:
        tar.add(tmp_path / "evil", arcname="../../etc/evil")
    with pytest.raises(CommandError, match="unexpected entry"):
        call_command("restore", str(tmp_path / "evil.tar"))


@postgres_only
def test_postgres_dump_verifies_and_restores_into_a_scratch_database(exchange, media, tmp_path):
    import psycopg

    _make_data(exchange)
    expected = sorted(Document.objects.values_list("id", "subject"))
    _, manifest = backup.backup(tmp_path / "bk")
    assert manifest["engine"] == "postgresql"
    dump = tmp_path / "bk" / "database.pgdump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert backup.verify(tmp_path / "bk")["files"]["database.pgdump"]["size"] == dump.stat().st_size

    db = {**connection.settings_dict, "NAME": connection.settings_dict["NAME"] + "_restore"}
    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
              "password": db["PASSWORD"] or None}
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    try:
        backup.restore_database(tmp_path / "bk", manifest, db_settings=db)
        with psycopg.connect(dbname=db["NAME"], **params) as scratch:
            rows = scratch.execute("SELECT id, subject FROM documents_document ORDER BY id").fetchall()
        assert sorted(rows) == expected
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')

    # a changed dump is refused
    with open(dump, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(backup.BackupError, match="database.pgdump: SHA-256 does not match"):
        backup.verify(tmp_path / "bk")
