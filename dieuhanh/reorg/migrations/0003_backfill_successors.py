"""Units reorganized before decision 0025 get the successor that holds their collection: the primary successor of
their item in an executed decision (the item that takes the rest, else the first)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Decision = apps.get_model("reorg", "Decision")
    DecisionItem = apps.get_model("reorg", "DecisionItem")
    Unit = apps.get_model("units", "Unit")
    for decision in Decision.objects.filter(status="executed").order_by("executed_at", "id"):
        chosen = {}
        for item in DecisionItem.objects.filter(decision=decision).order_by("order", "id"):
            if item.rule == "all" or item.old_unit_id not in chosen:
                chosen[item.old_unit_id] = item.successor_id
        for old, successor in chosen.items():
            Unit.objects.filter(pk=old, successor__isnull=True).update(successor_id=successor)


class Migration(migrations.Migration):
    dependencies = [
        ("reorg", "0002_decision_ref_and_sub_units"),
        ("units", "0002_unit_successor"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
