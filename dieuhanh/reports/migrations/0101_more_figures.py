from django.db import migrations, models


def field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0)


class Migration(migrations.Migration):
    dependencies = [("reports", "0100_report_schedules")]

    operations = [
        migrations.AddField("dailyfigure", name, field())
        for name in ("in_exchanged", "in_done_days", "out_exchanged", "out_paper", "out_signed", "tasks_extended")
    ]
