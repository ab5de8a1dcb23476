"""Backup and restore: a database dump, the file store and a manifest with the SHA-256 of every part.

A backup is a folder (or the same folder packed in a .tar)::

    manifest.json          format, version, time, database engine, row counts, and {path: {sha256, size}}
    database.sqlite3       SQLite: a consistent copy made with the sqlite3 online backup API
    database.pgdump        PostgreSQL: ``pg_dump --format=custom``
    blobs/ab/cd/<sha256>   the file store, byte for byte as stored (encrypted files stay encrypted)

The database is dumped first and the files are copied after it. Files are written before the row that refers to
them and are never deleted (decision 0008), so every file a dumped row names is in the backup; files stored while
the backup runs may be included too, which does no harm.

Restore checks the whole manifest before it touches anything, and refuses a backup with a missing, extra or
changed part. It restores only into an empty database and an empty file store.
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Blob, Document

FORMAT = "dieuhanh-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_DUMP = "database.sqlite3"
PG_DUMP = "database.pgdump"
CHUNK = 1024 * 1024
_PART = re.compile(r"^(database\.sqlite3|database\.pgdump|blobs/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64})$")


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why and what to do."""


# --- helpers ---------------------------------------------------------------------------------------------------

def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(alias="default"):
    engine = connections[alias].settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _blob_root():
    from django.core.files.storage import FileSystemStorage, default_storage

    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError("Files are kept in S3-compatible storage: back the bucket up with the storage's own "
                          "tools (versioning or replication); this command backs up files on local disk only.")
    return Path(settings.MEDIA_ROOT) / "blobs"


def _pg_env_args(db):
    """Environment and connection arguments for pg_dump/pg_restore from a Django database settings dict."""
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def _run(cmd, env):
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{cmd[0]} is not installed (Debian: apt install postgresql-client).") from exc
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[:2000]}")


def _counts(alias="default"):
    return {"documents": Document.objects.using(alias).count(), "files": Blob.objects.using(alias).count(),
            "audit_events": AuditEvent.objects.using(alias).count()}


# --- backup ----------------------------------------------------------------------------------------------------

def dump_database(dest_dir, alias="default"):
    """Write the database dump into ``dest_dir``; return its file name."""
    connection = connections[alias]
    engine = _engine(alias)
    if engine == "sqlite":
        target = Path(dest_dir) / SQLITE_DUMP
        connection.ensure_connection()
        out = sqlite3.connect(target)
        try:
            connection.connection.backup(out)  # online backup: a consistent copy while others keep writing
        finally:
            out.close()
        return SQLITE_DUMP
    db = connection.settings_dict
    env, args = _pg_env_args(db)
    target = Path(dest_dir) / PG_DUMP
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(target),
          db["NAME"]], env)
    return PG_DUMP


def copy_blobs(dest_dir, progress=None):
    """Copy every stored file into ``dest_dir/blobs``; return the relative paths copied."""
    root = _blob_root()
    copied = []
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            rel = "blobs/" + path.relative_to(root).as_posix()
            if not _PART.match(rel):
                continue  # a storage leftover (e.g. a temporary upload name), not a content-addressed file
            target = Path(dest_dir) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(rel)
            if progress and len(copied) % 1000 == 0:
                progress(len(copied))
    return copied


def write_manifest(folder, parts, engine, counts):
    folder = Path(folder)
    files = {}
    for rel in sorted(parts):
        path = folder / rel
        files[rel] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    manifest = {"format": FORMAT, "version": VERSION, "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "engine": engine, "database": SQLITE_DUMP if engine == "sqlite" else PG_DUMP, "counts": counts,
                "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def backup(dest, alias="default", progress=None):
    """Back up the database and the file store to ``dest`` (a new folder, or a file ending in .tar).

    Returns ``(path, manifest)``."""
    dest = Path(dest)
    if dest.exists() and (dest.is_file() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not empty: choose a new destination.")
    as_tar = dest.suffix == ".tar"
    dest.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="dieuhanh-backup-", dir=dest.parent)) if as_tar else dest
    try:
        folder.mkdir(parents=True, exist_ok=True)
        counts = _counts(alias)
        parts = [dump_database(folder, alias)]
        parts += copy_blobs(folder, progress)
        manifest = write_manifest(folder, parts, _engine(alias), counts)
        if as_tar:
            with tarfile.open(dest, "w") as tar:
                for rel in [MANIFEST, *sorted(manifest["files"])]:
                    tar.add(folder / rel, arcname=rel, recursive=False)
    except BaseException:
        if as_tar:
            dest.unlink(missing_ok=True)
        raise
    finally:
        if as_tar:
            shutil.rmtree(folder, ignore_errors=True)
    return dest, manifest


# --- verify and restore ----------------------------------------------------------------------------------------

def verify(folder):
    """Check a backup folder against its manifest. Returns the manifest; raises BackupError naming every
    problem (missing, extra or changed parts, an unreadable manifest)."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} holds no {MANIFEST}: it is not a dieuhanh backup.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} is not valid JSON: the backup is damaged.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(
            manifest.get("files"), dict):
        raise BackupError(f"{MANIFEST} is not a dieuhanh backup manifest.")
    if manifest.get("version") != VERSION:
        raise BackupError(f"Backup format version {manifest.get('version')} is not supported (expected {VERSION}).")
    if manifest.get("engine") not in {"sqlite", "postgresql"} or manifest.get("database") not in manifest["files"]:
        raise BackupError(f"{MANIFEST} names no database dump.")
    problems = []
    listed = manifest["files"]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    for rel in sorted(present - set(listed)):
        problems.append(f"{rel}: not in the manifest")
    for rel, meta in sorted(listed.items()):
        if not _PART.match(rel):
            problems.append(f"{rel}: not a valid part name")
        elif rel not in present:
            problems.append(f"{rel}: missing")
        elif not isinstance(meta, dict) or sha256_of(folder / rel) != meta.get("sha256"):
            problems.append(f"{rel}: SHA-256 does not match the manifest")
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise BackupError(f"The backup failed verification; nothing was restored. {len(problems)} problem(s):\n  "
                          f"{shown}")
    return manifest


def _unpack(tar_path, into):
    try:
        tar = tarfile.open(tar_path, "r")
    except tarfile.TarError as exc:
        raise BackupError(f"{tar_path} is not a readable .tar: {exc}") from exc
    with tar:
        for member in tar.getmembers():
            if not member.isfile() or (member.name != MANIFEST and not _PART.match(member.name)):
                raise BackupError(f"{tar_path} holds an unexpected entry {member.name!r}: not restoring it.")
        tar.extractall(into, filter="data")


def check(src):
    """Verify a backup folder or .tar without restoring it; returns the manifest."""
    src = Path(src)
    if not src.exists():
        raise BackupError(f"{src} does not exist.")
    if src.is_dir():
        return verify(src)
    with tempfile.TemporaryDirectory(prefix="dieuhanh-check-") as tmp:
        _unpack(src, tmp)
        return verify(tmp)


def database_is_empty(alias="default"):
    return not connections[alias].introspection.table_names()


def restore_database(folder, manifest, alias="default", db_settings=None):
    """Load the dump into the database ``alias`` (or, for PostgreSQL, the one described by ``db_settings``)."""
    dump = Path(folder) / manifest["database"]
    if manifest["engine"] == "sqlite":
        connection = connections[alias]
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    db = db_settings or connections[alias].settings_dict
    env, args = _pg_env_args(db)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args,
          "--dbname", db["NAME"], str(dump)], env)


def restore_blobs(folder, manifest):
    root = _blob_root()
    for rel in manifest["files"]:
        if rel.startswith("blobs/"):
            target = root / rel[len("blobs/"):]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(folder) / rel, target)


def restore(src, alias="default"):
    """Verify the backup at ``src`` (folder or .tar), then restore it into the empty database and file store.

    Returns the manifest. Nothing is changed when verification fails or a target is not empty."""
    src = Path(src)
    if not src.exists():
        raise BackupError(f"{src} does not exist.")
    tmp = None
    try:
        if src.is_file():
            tmp = tempfile.mkdtemp(prefix="dieuhanh-restore-")
            _unpack(src, tmp)
            folder = Path(tmp)
        else:
            folder = src
        manifest = verify(folder)
        engine = _engine(alias)
        if manifest["engine"] != engine:
            raise BackupError(f"The backup holds a {manifest['engine']} database; this installation uses {engine}.")
        if not database_is_empty(alias):
            raise BackupError("The database is not empty: restore only into a new, empty database "
                              "(SQLite: move the database file away; PostgreSQL: createdb a new one).")
        root = _blob_root()
        if root.is_dir() and any(p.is_file() for p in root.rglob("*")):
            raise BackupError(f"The file store {root} is not empty: restore only into an empty one.")
        restore_database(folder, manifest, alias)
        restore_blobs(folder, manifest)
        return manifest
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
