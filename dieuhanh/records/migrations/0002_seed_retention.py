from django.db import migrations


def seed(apps, schema_editor):
    from dieuhanh.records.models import seed_retention

    seed_retention(apps.get_model("records", "RetentionPeriod"))


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
