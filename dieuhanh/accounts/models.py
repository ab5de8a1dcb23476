"""People, their positions and their memberships in units, API tokens and sign-in throttling."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.kernel.text import fold, vi_sort_key


class Clearance(models.IntegerChoices):
    NONE = 0, _("Normal")
    MAT = 1, _("Secret (Mật)")
    TOI_MAT = 2, _("Top secret (Tối mật)")
    TUYET_MAT = 3, _("Absolute secret (Tuyệt mật)")


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150)
    # Highest confidentiality level this person may read (issue 7 enforces it on documents).
    clearance = models.PositiveSmallIntegerField(_("clearance"), choices=Clearance.choices, default=Clearance.NONE)
    search_text = models.CharField(max_length=400, editable=False, default="")
    sort_key = models.CharField(max_length=250, editable=False, default="")

    REQUIRED_FIELDS = ["email", "full_name"]

    # The per-request cache of accounts.policy.remembered (grants and the unit sets derived from them).
    _dh_cache: dict[str, Any]

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.full_name} {self.username} {self.email}")[:400]
        # Vietnamese names sort by the given name (last word), then the whole name.
        parts = (self.full_name or self.username).split()
        self.sort_key = vi_sort_key(" ".join(parts[-1:] + parts[:-1]))
        super().save(*args, **kwargs)

    def __str__(self):
        return self.full_name or self.username


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    SPECIALIST = "specialist", _("Specialist")
    ARCHIVIST = "archivist", _("Archivist")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class Position(models.Model):
    """A post title such as Bí thư, Phó Chánh Văn phòng or Chuyên viên; data, shared across units."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100, help_text=_("Lower ranks are listed first"))

    class Meta:
        ordering = ["rank", "name"]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """A person holding a role in a unit. Ending it (not deleting it) keeps the history of who held what."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("position"))
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="membership_unique_active_role",
            )
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} - {self.unit}"


class TokenScope(models.TextChoices):
    """What a token may do: ``read`` allows GET and HEAD only; ``write`` allows everything its person may do."""

    READ = "read", _("Read only (GET and HEAD)")
    WRITE = "write", _("Read and write")


# Methods a token needs no "write" scope for.
READ_METHODS = frozenset({"GET", "HEAD"})


def default_token_scopes():
    return [TokenScope.WRITE.value]


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # TokenScope values; tokens from before scopes existed could do everything, so the default is "write".
    scopes = models.JSONField(default=default_token_scopes)
    # Minted after a second factor (the code, or a session that passed it). A person whose role requires two-factor
    # authentication cannot use a token without it (decision 0028).
    two_factor = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    def allows(self, method):
        """May this token make a request with HTTP ``method``?"""
        return TokenScope.WRITE in self.scopes or (method.upper() in READ_METHODS and TokenScope.READ in self.scopes)


class LoginThrottle(models.Model):
    """Consecutive failed sign-ins per username; a username is locked for a while after too many.

    Wrong passwords and wrong second-factor codes are counted apart (decision 0028): a right password clears only
    ``failures``, so it cannot wipe the count of guessed codes; either count reaching the limit locks the username.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    code_failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def add_failure(self, now):
        """One more failed password or single sign-on; the lock starts at the limit. Not saved."""
        self.failures += 1
        self.last_failure_at = now
        if self.failures >= settings.DIEUHANH_LOGIN_MAX_FAILURES:
            self._lock(now)

    def add_code_failure(self, now):
        """One more wrong second-factor code; the same limit and lock as for passwords. Not saved."""
        self.code_failures += 1
        self.last_failure_at = now
        if self.code_failures >= settings.DIEUHANH_LOGIN_MAX_FAILURES:
            self._lock(now)

    def _lock(self, now):
        self.locked_until = now + datetime.timedelta(seconds=settings.DIEUHANH_LOGIN_LOCKOUT_SECONDS)
        self.failures = self.code_failures = 0

    def locked_at(self, now):
        """When the lock ends if it is in force at ``now``, else None."""
        return self.locked_until if self.locked_until and self.locked_until > now else None


class TwoFactorDevice(models.Model):
    """A person's authenticator (TOTP). Unconfirmed until the first correct code; the last step used is kept so
    a code cannot be replayed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost, stored as a password is (salted, slow); codes from
    before migration 0005 hold their old SHA-256 wrapped the same way (decision 0039)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=255)
    used_at = models.DateTimeField(null=True, blank=True)
