from django.db import migrations


def seed(apps, schema_editor):
    from dieuhanh.processing.holidays import all_holidays

    Holiday = apps.get_model("processing", "Holiday")
    for day, name in all_holidays():
        Holiday.objects.get_or_create(date=day, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("processing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
