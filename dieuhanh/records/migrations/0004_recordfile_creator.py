from django.db import migrations, models


def fill_creator(apps, schema_editor):
    """Existing files: the person responsible, else the one who opened the file."""
    RecordFile = apps.get_model("records", "RecordFile")
    User = apps.get_model("accounts", "User")
    for file in RecordFile.objects.filter(creator="").only("id", "responsible_id", "opened_by_id").iterator():
        user = User.objects.filter(pk=file.responsible_id or file.opened_by_id).first()
        if user is not None:
            name = (user.full_name or user.username)[:150]
            RecordFile.objects.filter(pk=file.pk).update(creator=name)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("records", "0003_freeze"),
    ]

    operations = [
        migrations.AddField(
            model_name="recordfile",
            name="creator",
            field=models.CharField(blank=True, max_length=150, verbose_name="creator"),
        ),
        migrations.RunPython(fill_creator, migrations.RunPython.noop),
    ]
