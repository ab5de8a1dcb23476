# Written by hand (issue 16): only the standard reports' own models, ReportSchedule and ReportRun.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
        ("units", "0002_unit_successor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportSchedule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16)),
                ("frequency", models.CharField(choices=[("weekly", "Weekly (the week before)"),
                                                        ("monthly", "Monthly (the month before)")], max_length=8)),
                ("late_days", models.PositiveSmallIntegerField(default=1)),
                ("next_run", models.DateField()),
                ("active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to="units.unit")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "indexes": [models.Index(fields=["active", "next_run"], name="report_schedule_due"),
                            models.Index(fields=["user", "id"], name="report_schedule_user")],
            },
        ),
        migrations.CreateModel(
            name="ReportRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16)),
                ("start", models.DateField()),
                ("end", models.DateField()),
                ("late_days", models.PositiveSmallIntegerField(default=1)),
                ("status", models.CharField(choices=[("queued", "Queued"), ("running", "Being produced"),
                                                     ("done", "Ready"), ("failed", "Failed")],
                                            default="queued", max_length=8)),
                ("progress", models.PositiveSmallIntegerField(default=0)),
                ("xlsx", models.BinaryField(blank=True, null=True)),
                ("pdf", models.BinaryField(blank=True, null=True)),
                ("error", models.CharField(blank=True, max_length=500)),
                ("zone", models.CharField(default="closed", max_length=8)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("schedule", models.ForeignKey(blank=True, null=True,
                                               on_delete=django.db.models.deletion.SET_NULL, related_name="runs",
                                               to="reports.reportschedule")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to="units.unit")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "indexes": [models.Index(fields=["user", "-id"], name="report_run_user")],
            },
        ),
    ]
