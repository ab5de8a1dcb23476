# Recovery codes were stored as an unsalted SHA-256 of 40 bits (decision 0039). The codes themselves are not known,
# so each stored digest is wrapped: "sha256+" followed by the digest hashed as a password. Login checks a wrapped
# code by hashing what the person types with SHA-256 first, so nobody's codes stop working.

import re

from django.contrib.auth.hashers import make_password
from django.db import migrations, models

LEGACY_PREFIX = "sha256+"  # accounts.services.LEGACY_RECOVERY_PREFIX, frozen here as migrations must be
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def wrap_sha256_codes(apps, schema_editor):
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    # unused codes only: a used one never verifies again, and its digest can go
    RecoveryCode.objects.filter(used_at__isnull=False, code_hash__regex=r"^[0-9a-f]{64}$").update(code_hash="")
    for code in RecoveryCode.objects.filter(used_at__isnull=True).only("pk", "code_hash").order_by("pk").iterator():
        if SHA256_HEX.fullmatch(code.code_hash):
            RecoveryCode.objects.filter(pk=code.pk).update(code_hash=LEGACY_PREFIX + make_password(code.code_hash))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_two_factor_tokens_and_code_failures'),
    ]

    operations = [
        migrations.AlterField(
            model_name='recoverycode',
            name='code_hash',
            field=models.CharField(max_length=255),
        ),
        # not reversible: the unsalted digests are not kept anywhere
        migrations.RunPython(wrap_sha256_codes, elidable=False),
    ]
