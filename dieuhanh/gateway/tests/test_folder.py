"""Folder drop: atomic writes out, each file in handed over once and moved to done/ or failed/ with a reason."""

import os

import pytest

from dieuhanh.gateway import inbound, services
from dieuhanh.gateway.models import InboxItem, OutboxItem
from dieuhanh.gateway.transports import folder

pytestmark = pytest.mark.django_db


def test_a_package_is_written_atomically_under_a_safe_name_and_read_back_once(settings, tmp_path, received):
    drop = tmp_path / "drop"
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "000.00.00.", "url": f"folder://{drop}"}]
    services.enqueue(destination="000.00.00.G22", package_id="G22/2026 ../x", payload=b"<edXML/>", kind="test")
    assert services.send_due() == {"sent": 1, "retrying": 0, "failed": 0}
    names = os.listdir(drop)
    assert names == ["G22%2F2026%20..%2Fx.test"]  # no path separator, no temporary file left
    settings.DIEUHANH_GATEWAY_INBOUND = [f"folder://{drop}"]
    assert inbound.read_inbound() == {"received": 1, "duplicates": 0, "refused": 0}
    assert [(p, a.package_id, a.source, a.transport, a.kind) for p, a in received] == [
        (b"<edXML/>", "G22/2026 ../x", "folder", "folder", "test")]
    assert sorted(os.listdir(drop / "done")) == names
    # the same file dropped again (a second copy carried over) is a duplicate: done, not handled twice
    (drop / names[0]).write_bytes(b"<edXML/>")
    assert inbound.read_inbound() == {"received": 0, "duplicates": 1, "refused": 0}
    assert len(received) == 1 and InboxItem.objects.count() == 1


def test_temporary_and_hidden_files_are_left_alone(tmp_path, received):
    (tmp_path / ".p1.test.123.tmp").write_bytes(b"half")
    assert folder.read_folder(tmp_path) == {"received": 0, "duplicates": 0, "refused": 0}
    assert received == []


def test_an_unreadable_file_goes_to_failed_with_its_reason(tmp_path, received, monkeypatch):
    from dieuhanh.gateway import hooks

    def refuse(payload, arrival):
        raise ValueError("not an edXML package: no envelope")

    hooks.register_receiver("bad", refuse)
    (tmp_path / "p1.bad").write_bytes(b"junk")
    (tmp_path / "p2.unknown").write_bytes(b"junk")
    (tmp_path / "noextension").write_bytes(b"junk")
    assert folder.read_folder(tmp_path) == {"received": 0, "duplicates": 0, "refused": 3}
    failed = tmp_path / "failed"
    assert (failed / "p1.bad.reason.txt").read_text().strip() == "not an edXML package: no envelope"
    assert "no receiver for packages of kind 'unknown'" in (failed / "p2.unknown.reason.txt").read_text()
    assert (failed / "p1.bad").read_bytes() == b"junk"
    assert not InboxItem.objects.exists()


def test_an_unwritable_out_folder_is_a_reason_and_a_retry(settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "", "url": f"folder://{blocker}/out"}]
    item = services.enqueue(destination="X", package_id="p", payload=b"x")
    assert services.send_due()["retrying"] == 1
    item = OutboxItem.objects.get(pk=item.pk)
    assert item.last_error.startswith(f"folder {blocker}/out") and item.state == "queued"
