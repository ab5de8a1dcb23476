from django.db import migrations


def seed(apps, schema_editor):
    from dieuhanh.documents.doctypes import seed_types

    seed_types(apps.get_model("documents", "DocumentType"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
