"""The controlled vocabulary of functions and the shared platforms, as data (decision 0051)."""

from django.db import migrations

from dieuhanh.projects.vocabulary import ensure


def seed(apps, schema_editor):
    ensure(apps.get_model("projects", "Function"), apps.get_model("projects", "SharedPlatform"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
