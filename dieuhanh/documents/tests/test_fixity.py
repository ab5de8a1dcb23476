import io

import pytest
from django.core.management import CommandError, call_command

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents import services
from dieuhanh.documents.testing import make_pdf


def test_fixity_check_finds_changed_and_missing_files(org, media):
    good = services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(make_pdf("nguyen ven")))
    changed = services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(make_pdf("se bi sua")))
    missing = services.store_file(actor=org.clerk_a, fileobj=io.BytesIO(make_pdf("se bi xoa")))
    call_command("fixity", "check")
    (media / changed.storage_name).write_bytes(b"da bi sua")
    (media / missing.storage_name).unlink()
    with pytest.raises(CommandError) as exc:
        call_command("fixity", "check")
    assert "2 of 3" in str(exc.value)
    last = AuditEvent.objects.filter(action="fixity.check").order_by("-id").first()
    assert {p["sha256"] for p in last.data["problems"]} == {changed.sha256, missing.sha256}
    assert good.sha256 not in str(last.data)
