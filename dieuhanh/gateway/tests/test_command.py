"""`dieuhanh gateway probe|once|status|public-key` and the minute job."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dieuhanh.gateway.jobs import gateway_tick
from dieuhanh.gateway.models import InboxItem, OutboxItem

pytestmark = pytest.mark.django_db


def _call(*args):
    out = StringIO()
    call_command("gateway", *args, stdout=out)
    return out.getvalue()


def test_a_probe_goes_round_a_folder_route_and_is_recorded(settings, tmp_path, own_key):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "", "url": f"folder://{tmp_path}"}]
    settings.DIEUHANH_GATEWAY_INBOUND = [f"folder://{tmp_path}"]
    package_id = _call("probe", "000.00.00.G22").strip()
    assert OutboxItem.objects.get().package_id == package_id
    report = json.loads(_call("once"))
    assert report["out"] == {"sent": 1, "retrying": 0, "failed": 0}
    assert report["in"] == {"received": 1, "duplicates": 0, "refused": 0}
    assert InboxItem.objects.get().package_id == package_id
    assert "sent: 1" in _call("status")
    assert _call("public-key").startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(CommandError):
        _call("probe")


def test_the_minute_job_sends_and_reads(settings, tmp_path, own_key):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "", "url": f"folder://{tmp_path}"}]
    settings.DIEUHANH_GATEWAY_INBOUND = [f"folder://{tmp_path}"]
    call_command("gateway", "probe", "X", stdout=StringIO())
    result = gateway_tick.call_local()
    assert result["out"]["sent"] == 1 and result["in"]["received"] == 1
