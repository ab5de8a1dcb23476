"""Clean text stored before the control-character rule (issue 14, item 20; decision 0032).

Every text column of every dieuhanh app loses U+0001-U+001F other than tab, CR, LF (NUL cannot have been stored
on PostgreSQL). The audit log is left as written: its events are hash-chained, and a changed byte would be read
as tampering. Only the affected rows are read (a regex filter per column), so the run is short on a clean base.
"""

from django.db import migrations

# kept literal here: a migration must not change when core.text does later
PATTERN = "[\x01-\x08\x0b\x0c\x0e-\x1f]"
TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField"}
APPS = ["accounts", "core", "digitization", "documents", "drafting", "processing", "records", "reorg", "search",
        "signatures", "tasks", "units"]


def strip(apps, schema_editor):
    import re

    control = re.compile(PATTERN)
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            for field in model._meta.concrete_fields:
                if field.get_internal_type() not in TEXT_TYPES:
                    continue
                name = field.attname
                dirty = model._default_manager.filter(**{f"{name}__regex": PATTERN}).values_list("pk", name)
                for pk, value in dirty.iterator():
                    model._default_manager.filter(pk=pk).update(**{name: control.sub("", value)})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_notification_msgid"),
        ("accounts", "0004_two_factor_tokens_and_code_failures"),
        ("digitization", "0002_started_at"),
        ("documents", "0006_status_04_05_and_register_handler"),
        ("drafting", "0002_initial"),
        ("processing", "0003_remove_flow_flow_inbox_user_and_more"),
        ("records", "0006_loan_reminded_on"),
        ("reorg", "0003_backfill_successors"),
        ("search", "0006_escape_typed_zq_words"),
        ("signatures", "0002_credential_subject_approval"),
        ("tasks", "0001_initial"),
        ("units", "0002_unit_successor"),
    ]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop)]
