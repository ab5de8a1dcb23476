"""Writes about people: accounts, memberships, passwords, sign-in and API tokens."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.audit.services import record
from dieuhanh.kernel.text import nfc

from . import policy, totp
from .models import (
    ApiToken,
    LoginThrottle,
    Membership,
    Position,
    RecoveryCode,
    Role,
    TokenScope,
    TwoFactorDevice,
    User,
    default_token_scopes,
)

if TYPE_CHECKING:
    from typing import Any

    from django.http import HttpRequest

TOKEN_PREFIX = "dh_"


class LockedOut(PermissionDenied):
    """Too many failed sign-ins for this username; carries when the lock ends."""

    def __init__(self, until: datetime.datetime | None) -> None:
        super().__init__(_("Too many failed sign-in attempts. Try again later."))
        self.until = until


@transaction.atomic
def create_user(*, actor: User, username: str, full_name: str, password: str, email: str = "", unit: Any = None,
                role: str | None = None, position: Position | None = None,
                clearance: int = 0) -> User:
    """Create an account, optionally with its first membership. Unit admins create people in their units."""
    if unit is not None:
        policy.require(policy.can_manage_unit(actor, unit), _("You cannot add people to this unit."))
    else:
        policy.require(policy.is_system_admin(actor), _("Only a system administrator can create unattached accounts."))
    username, full_name, email = nfc(username) or "", nfc(full_name) or "", nfc(email) or ""
    errors = {}
    if not username:
        errors["username"] = _("This field is required.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This username is taken.")
    if not full_name:
        errors["full_name"] = _("This field is required.")
    user = User(username=username, full_name=full_name, email=email, clearance=clearance)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    record(actor=actor, action="user.create", obj=user, unit=unit, data={"username": username})
    if unit is not None and role is not None:
        add_membership(actor=actor, user=user, unit=unit, role=role, position=position)
    return user


@transaction.atomic
def add_membership(*, actor: User, user: User, unit: Any, role: str, position: Position | None = None) -> Membership:
    policy.require(policy.can_manage_unit(actor, unit), _("You cannot change the people of this unit."))
    if role not in Role.values:
        raise ValidationError({"role": _("Must be one of: %(values)s.") % {"values": ", ".join(Role.values)}})
    if role == Role.SYSTEM_ADMIN and not policy.is_system_admin(actor):
        raise PermissionDenied(_("Only a system administrator can appoint system administrators."))
    if isinstance(position, str):
        position, _created = Position.objects.get_or_create(name=nfc(position))
    if Membership.objects.active().filter(user=user, unit=unit, role=role).exists():
        raise ValidationError({"role": _("This person already holds this role in this unit.")})
    membership = Membership.objects.create(user=user, unit=unit, role=role, position=position)
    policy.forget(user)
    record(actor=actor, action="membership.add", obj=membership, unit=unit,
           data={"user": user.username, "role": role, "position": str(position or "")})
    return membership


@transaction.atomic
def end_membership(*, actor: User, membership: Membership) -> Membership:
    """End a membership now; the person's rights in that unit stop on their next request."""
    membership = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
    policy.require(policy.can_manage_unit(actor, membership.unit), _("You cannot change the people of this unit."))
    if membership.ended_at is not None:
        raise ValidationError({"membership": _("This membership has already ended.")})
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    policy.forget(membership.user)
    record(actor=actor, action="membership.end", obj=membership, unit=membership.unit,
           data={"user": membership.user.username, "role": membership.role})
    return membership


@transaction.atomic
def change_password(*, actor: User, old_password: str, new_password: str) -> User:
    if not actor.check_password(old_password or ""):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        raise ValidationError({"new_password": " ".join(exc.messages)}) from exc
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    record(actor=actor, action="user.password_change", obj=actor)
    return actor


def sign_in(request: HttpRequest, *, username: str, password: str, channel: str = "web") -> User:
    """Check credentials with lockout. Returns the user, or raises LockedOut / ValidationError.

    Failures are counted per username whether or not the account exists, so the lock reveals nothing.
    """
    username = nfc(username) or ""
    now = timezone.now()
    # The raises come after each atomic block: the failure count and the audit row must survive them.
    with transaction.atomic():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(username=username.lower())
        locked_until = throttle.locked_at(now)
        if locked_until:
            record(actor=None, action="auth.locked", data={"username": username, "channel": channel})
    if locked_until:
        raise LockedOut(locked_until)
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        # get_or_create: the hourly purge may have removed the row since the first block
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(username=username.lower())
        if user is None:
            throttle.add_failure(now)
            throttle.save()
            record(actor=None, action="auth.failed", data={"username": username, "channel": channel})
        else:
            # only the password count: wrong codes stay counted until a right code (decision 0028)
            throttle.failures = 0
            throttle.locked_until = None
            throttle.save()
            record(actor=user, action="auth.login", obj=user, data={"channel": channel})
    if user is None:
        if throttle.locked_until and throttle.locked_until > now:
            raise LockedOut(throttle.locked_until)
        raise ValidationError({"password": _("Wrong username or password.")})
    return user


def _hash_token(raw: Any) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_scopes(scopes: Any) -> list[str]:
    """The scopes of a new token: ``None`` gives the default ("write"); anything unknown is refused."""
    if scopes is None:
        return default_token_scopes()
    if isinstance(scopes, str) or not isinstance(scopes, (list, tuple, set, frozenset)):
        raise ValidationError({"scopes": _("Give a list of scopes, e.g. [\"read\"].")})
    known = {s.value for s in TokenScope}
    unknown = [s for s in scopes if s not in known]
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope %(scope)s; the scopes are %(scopes)s.") % {
            "scope": repr(unknown[0]), "scopes": ", ".join(sorted(known))}})
    if not scopes:
        raise ValidationError({"scopes": _("Give at least one scope.")})
    return [s.value for s in TokenScope if s.value in scopes]  # fixed order, no repeats


@transaction.atomic
def issue_token(*, actor: User, name: str = "", scopes: Any = None, two_factor: bool = False) -> tuple[ApiToken, str]:
    """Create an API token for ``actor`` with ``scopes`` (default: "write"); the raw token is returned once and
    never stored, logged or audited. ``two_factor``: the request that asks for it passed a second factor; without
    it the token does not work for a person whose role requires one (decision 0028)."""
    scopes = clean_scopes(scopes)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=nfc(name)[:100] if name else "",
        key_hash=_hash_token(raw),
        prefix=raw[:10],
        expires_at=timezone.now() + datetime.timedelta(days=settings.DIEUHANH_API_TOKEN_DAYS),
        scopes=scopes,
        two_factor=bool(two_factor),
    )
    record(actor=actor, action="token.issue", obj=token,
           data={"prefix": token.prefix, "scopes": scopes, "two_factor": token.two_factor})
    return token, raw


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and not policy.is_system_admin(actor):
        raise PermissionDenied(_("You cannot revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, action="token.revoke", obj=token, data={"prefix": token.prefix})
    return token


def user_for_token(raw: Any) -> tuple[None, None] | tuple[User, ApiToken]:
    """The active user a bearer token belongs to, or None. Touches last_used_at at most once a minute."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None, None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None, None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


# --- Two-factor authentication (TOTP) ------------------------------------------------------------------------

RECOVERY_CODES = 10


def two_factor_required(user: User) -> bool:
    """Enforced for the roles in DIEUHANH_2FA_ROLES (and superusers) while DIEUHANH_2FA_ENFORCED is on."""
    if not settings.DIEUHANH_2FA_ENFORCED or not user.is_authenticated:
        return False
    return user.is_superuser or any(role in settings.DIEUHANH_2FA_ROLES for _, role in policy.grants(user))


def has_two_factor(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def start_two_factor(*, actor: User) -> TwoFactorDevice:
    """A new secret for the person's authenticator; it replaces an unconfirmed one, never a confirmed one."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=actor).first()
    if device is not None and device.confirmed_at is not None:
        raise ValidationError({"code": _("Two-factor authentication is already set up.")})
    if device is None:
        device = TwoFactorDevice(user=actor)
    device.secret = totp.new_secret()
    device.save()
    record(actor=actor, action="auth.2fa_start", obj=actor)
    return device


@transaction.atomic
def confirm_two_factor(*, actor: User, code: str) -> list[str]:
    """Confirm the authenticator with a first code; returns the recovery codes, shown once."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=actor, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationError({"code": _("Start the set-up first.")})
    step = totp.match(device.secret, code)
    if step is None:
        raise ValidationError({"code": _("The code is wrong or has expired.")})
    device.confirmed_at, device.last_step = timezone.now(), step
    device.save()
    codes = [secrets.token_hex(5) for _i in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=actor).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=actor, code_hash=hash_recovery_code(c)) for c in codes])
    record(actor=actor, action="auth.2fa_confirm", obj=actor)
    return codes


# A recovery code as shown to its owner: 10 hex digits (40 bits), so a TOTP code or junk costs no hashing.
RECOVERY_CODE = re.compile(r"[0-9a-f]{10}")
# Codes stored before migration 0005 held an unsalted SHA-256; it now wraps that digest: this prefix, then the
# digest hashed as a password (decision 0039).
LEGACY_RECOVERY_PREFIX = "sha256+"


def hash_recovery_code(code: str) -> str:
    """A recovery code stored as a password is: salted and slow (Django's first hasher, argon2)."""
    return make_password(code)


def recovery_code_matches(stored: str, code: str) -> bool:
    """Whether ``code`` is the recovery code ``stored`` holds, in the new form or the wrapped SHA-256 one."""
    if stored.startswith(LEGACY_RECOVERY_PREFIX):
        return check_password(hashlib.sha256(code.encode()).hexdigest(), stored[len(LEGACY_RECOVERY_PREFIX):])
    return check_password(code, stored)


def matching_recovery_code(user: User, code: object) -> RecoveryCode | None:
    """The unused recovery code of ``user`` that ``code`` is, locked (in primary-key order) for its use; None when
    it is none of them. Salted hashes cannot be looked up: each of the person's (at most ten) codes is checked."""
    code = str(code or "").strip().lower()
    if not RECOVERY_CODE.fullmatch(code):
        return None
    for spare in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True).order_by("pk"):
        if recovery_code_matches(spare.code_hash, code):
            return spare
    return None


def purge_login_throttles(now: datetime.datetime | None = None) -> int:
    """Delete the sign-in counters nobody needs any more: no lock in force and no failure within the lockout window
    (older failures are forgotten, decision 0039). Run hourly by ``accounts.jobs.hourly_throttle_purge``."""
    now = now or timezone.now()
    since = now - datetime.timedelta(seconds=settings.DIEUHANH_LOGIN_LOCKOUT_SECONDS)
    stale = (LoginThrottle.objects.filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
             .filter(Q(last_failure_at__isnull=True) | Q(last_failure_at__lt=since)))
    deleted, _by_model = stale.delete()
    return deleted


def verify_second_factor(user: User, code: str, channel: str = "web") -> bool:
    """Check a TOTP code (never the same time step twice) or an unused recovery code. Wrong codes are counted on
    their own (a right password does not clear them) and lock the username as wrong passwords do."""
    now = timezone.now()
    with transaction.atomic():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(username=user.username.lower())
        locked = bool(throttle.locked_until and throttle.locked_until > now)
        ok = False
        if not locked:
            device = TwoFactorDevice.objects.select_for_update().get(user=user, confirmed_at__isnull=False)
            step = totp.match(device.secret, code)
            if step is not None and step > device.last_step:
                device.last_step = step
                device.save(update_fields=["last_step"])
                ok = True
            else:
                spare = matching_recovery_code(user, code)
                if spare is not None:
                    spare.used_at = now
                    spare.save(update_fields=["used_at"])
                    ok = True
            if ok:
                throttle.code_failures = 0
            else:
                throttle.add_code_failure(now)
            throttle.save()
        record(actor=user if ok else None, action="auth.2fa_ok" if ok else "auth.2fa_failed", obj=user,
               data={"channel": channel, "locked": locked})
    if locked or (throttle.locked_until and throttle.locked_until > now):
        raise LockedOut(throttle.locked_until)
    return ok


# --- Reorganization (decision 0040) ------------------------------------------------------------------------------
# Set-based, in the caller's transaction: a reorganization ends an old unit's memberships in one statement per
# chunk, traces and audits the step itself, and drops the acting person's cached grants (policy.forget).

def end_memberships(*, membership_ids: list[int], at: datetime.datetime) -> int:
    """End the still active memberships ``membership_ids`` at ``at``. Returns how many ended."""
    return Membership.objects.filter(pk__in=membership_ids, ended_at__isnull=True).update(ended_at=at)


def add_memberships(*, unit_id: int, members: list[tuple[int, str, int | None]]) -> int:
    """Give each ``(user_id, role, position_id)`` of ``members`` that role in unit ``unit_id`` (a successor taking
    in an old unit's people); one already held is left as it is. Returns how many were created."""
    created = Membership.objects.bulk_create(
        [Membership(user_id=u, unit_id=unit_id, role=r, position_id=p) for u, r, p in members],
        batch_size=2000, ignore_conflicts=True)
    return len(created)


def deactivate_unplaced_users(*, user_ids: list[int]) -> int:
    """Deactivate the people of ``user_ids`` who hold no active membership any more. Returns how many."""
    still = set(Membership.objects.active().filter(user_id__in=user_ids).values_list("user_id", flat=True))
    gone = sorted(set(user_ids) - still)
    return User.objects.filter(pk__in=gone, is_active=True).update(is_active=False)
