"""Migration core 0005 cleans control characters stored before the rule, in every app, and leaves the
hash-chained audit log as written (issue 14, item 20; decision 0032)."""

from importlib import import_module

import pytest
from django.apps import apps

from dieuhanh.accounts.models import User
from dieuhanh.audit.models import AuditEvent
from dieuhanh.units.models import Unit

pytestmark = pytest.mark.django_db


def test_stored_control_characters_are_stripped_except_tab_and_line_breaks(org):
    # .update() stores them as rows written before the rule were
    Unit.objects.filter(pk=org.a.pk).update(name="Văn phòng\x07 Tỉnh ủy\tA\r\nB")
    User.objects.filter(pk=org.clerk_a.pk).update(first_name="\x1bLan")
    event = AuditEvent.objects.order_by("-pk").first()
    action = event.action if event else None
    import_module("dieuhanh.notifications.migrations.0005_strip_control_characters").strip(apps, None)
    assert Unit.objects.get(pk=org.a.pk).name == "Văn phòng Tỉnh ủy\tA\r\nB"
    assert User.objects.get(pk=org.clerk_a.pk).first_name == "Lan"
    if event:
        assert AuditEvent.objects.get(pk=event.pk).action == action
