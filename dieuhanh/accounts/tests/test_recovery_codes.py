"""Recovery codes are stored as passwords are (salted, slow hash), and codes stored the old way still work once
(decision 0039)."""

import hashlib
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.hashers import identify_hasher
from django.utils import timezone

from conftest import make_user
from dieuhanh.accounts import services, totp
from dieuhanh.accounts.models import RecoveryCode, TwoFactorDevice

migration = importlib.import_module("dieuhanh.accounts.migrations.0005_recovery_codes_hashed_as_passwords")


def _set_up(user):
    device = services.start_two_factor(actor=user)
    return services.confirm_two_factor(actor=user, code=totp.code_at(device.secret, totp.current_step()))


def _sha256(code):
    return hashlib.sha256(code.encode()).hexdigest()


def test_stored_value_is_a_salted_password_hash(org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # as in production
    codes = _set_up(org.clerk_a)
    stored = list(RecoveryCode.objects.filter(user=org.clerk_a).values_list("code_hash", flat=True))
    assert len(stored) == services.RECOVERY_CODES
    for code, value in zip(codes, stored, strict=True):
        assert value != _sha256(code) and _sha256(code) not in value and code not in value
        assert identify_hasher(value).algorithm == "argon2"


def test_the_same_code_is_stored_differently_for_two_people(org, monkeypatch):
    monkeypatch.setattr(services.secrets, "token_hex", lambda n: "0123456789")  # both are dealt the same codes
    assert _set_up(org.clerk_a)[0] == _set_up(org.clerk_b)[0] == "0123456789"
    a = RecoveryCode.objects.filter(user=org.clerk_a).values_list("code_hash", flat=True).first()
    b = RecoveryCode.objects.filter(user=org.clerk_b).values_list("code_hash", flat=True).first()
    assert a != b


def test_a_code_works_once(org):
    codes = _set_up(org.clerk_a)
    assert services.verify_second_factor(org.clerk_a, codes[3].upper() + " ") is True  # typed loosely
    assert services.verify_second_factor(org.clerk_a, codes[3]) is False  # used
    assert services.verify_second_factor(org.clerk_a, "ffffffffff") is False  # not one of them
    assert RecoveryCode.objects.filter(user=org.clerk_a, used_at__isnull=False).count() == 1


def test_codes_stored_as_sha256_before_the_migration_still_work_once(org):
    _set_up(org.clerk_a)
    RecoveryCode.objects.filter(user=org.clerk_a).delete()
    # rows as the old code wrote them: the bare SHA-256 of the code
    RecoveryCode.objects.bulk_create([RecoveryCode(user=org.clerk_a, code_hash=_sha256(c))
                                      for c in ("aaaaabbbbb", "cccccddddd")])
    used = RecoveryCode.objects.create(user=org.clerk_a, code_hash=_sha256("eeeeefffff"))
    RecoveryCode.objects.filter(pk=used.pk).update(used_at=timezone.now())
    other = make_user("other")
    TwoFactorDevice.objects.create(user=other, secret=totp.new_secret(), confirmed_at=timezone.now())
    migration.wrap_sha256_codes(apps, None)
    migration.wrap_sha256_codes(apps, None)  # a second run changes nothing
    stored = dict(RecoveryCode.objects.filter(user=org.clerk_a).values_list("pk", "code_hash"))
    assert all(_sha256(c) not in value for c in ("aaaaabbbbb", "cccccddddd", "eeeeefffff") for value in stored.values())
    assert stored[used.pk] == ""  # a used code keeps nothing
    assert services.verify_second_factor(org.clerk_a, "aaaaabbbbb") is True
    assert services.verify_second_factor(org.clerk_a, "aaaaabbbbb") is False
    assert services.verify_second_factor(other, "cccccddddd") is False  # another person's code
    assert services.verify_second_factor(org.clerk_a, "cccccddddd") is True
    assert services.verify_second_factor(org.clerk_a, "eeeeefffff") is False


@pytest.mark.parametrize("code", ["", "123456", "0123456789abcdef", None, "ｆｆｆｆｆｆｆｆｆｆ"])
def test_other_input_is_no_recovery_code(org, code):
    _set_up(org.clerk_a)
    assert services.matching_recovery_code(org.clerk_a, code) is None
