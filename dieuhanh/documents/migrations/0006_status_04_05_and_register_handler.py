"""Issue 14, items 12 and 13: deliveries stored as 05 at a leader's direction become 04 unless a handler has
already given an opinion, forwarded or read it; the incoming register gets its handler and date passed on."""

from django.db import migrations, models
from django.utils import timezone

STATUS_CHOICES = [("01", "01 Arrived"), ("02", "02 Refused"), ("03", "03 Accepted"),
                  ("04", "04 Assigned for processing"), ("05", "05 Being processed"), ("06", "06 Done"),
                  ("13", "13 Recall requested"), ("15", "15 Recall agreed"), ("16", "16 Recall refused")]


def forwards(apps, schema_editor):
    Delivery = apps.get_model("documents", "Delivery")
    DeliveryEvent = apps.get_model("documents", "DeliveryEvent")
    IncomingEntry = apps.get_model("documents", "IncomingEntry")
    Flow = apps.get_model("processing", "Flow")
    FlowNote = apps.get_model("processing", "FlowNote")
    FlowRead = apps.get_model("processing", "FlowRead")

    # The direction's own event said 05: it was the 04 of QCVN 102.
    DeliveryEvent.objects.filter(kind="status", status="05", note="assigned").update(status="04")

    # Handler work under the receiving unit's root flow: an opinion, a forward (depth 2+) or a handler's read.
    worked = set(FlowNote.objects.filter(flow__depth__gte=1, flow__entry__delivery__status="05")
                 .values_list("flow__entry__delivery_id", flat=True))
    worked |= set(Flow.objects.filter(depth__gte=2, entry__delivery__status="05")
                  .values_list("entry__delivery_id", flat=True))
    worked |= set(FlowRead.objects.filter(flow__depth__gte=1, flow__entry__delivery__status="05")
                  .exclude(user_id=models.F("flow__assigned_by_id"))
                  .values_list("flow__entry__delivery_id", flat=True))
    Delivery.objects.filter(status="05").exclude(pk__in=worked).update(status="04")
    have_05 = set(DeliveryEvent.objects.filter(delivery_id__in=worked, status="05").values_list("delivery_id",
                                                                                               flat=True))
    DeliveryEvent.objects.bulk_create([DeliveryEvent(delivery_id=pk, status="05", kind="status",
                                                     note="processing (corrected by migration)")
                                       for pk in sorted(worked - have_05)])

    # Register columns: the leads of the first direction and the day of that direction.
    tz = timezone.get_current_timezone()
    leads = (Flow.objects.filter(depth=1, role="lead").filter(models.Q(entry__handler="")
                                                             | models.Q(entry__passed_on__isnull=True))
             .select_related("handler_unit", "handler_user").order_by("entry_id", "id"))
    found = {}
    for flow in leads.iterator(chunk_size=2000):
        names, first = found.setdefault(flow.entry_id, ([], None))
        name = flow.handler_unit.name if flow.handler_unit_id else flow.handler_user.full_name
        if name not in names:
            names.append(name)
        day = flow.created_at.astimezone(tz).date()
        found[flow.entry_id] = (names, day if first is None or day < first else first)
    entries = list(IncomingEntry.objects.filter(pk__in=found))
    for entry in entries:
        names, day = found[entry.pk]
        entry.handler = entry.handler or "; ".join(names)[:255]
        entry.passed_on = entry.passed_on or day
    IncomingEntry.objects.bulk_update(entries, ["handler", "passed_on"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_freeze"),
        ("processing", "0003_remove_flow_flow_inbox_user_and_more"),
    ]

    operations = [
        migrations.AlterField(model_name="delivery", name="status",
                              field=models.CharField(choices=STATUS_CHOICES, default="01", max_length=2)),
        migrations.AlterField(model_name="deliveryevent", name="status",
                              field=models.CharField(blank=True, choices=STATUS_CHOICES, max_length=2)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
