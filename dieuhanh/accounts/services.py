"""Writes about people: accounts, memberships, passwords, sign-in and API tokens."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import record
from dieuhanh.core.text import nfc

from . import policy
from .models import ApiToken, LoginThrottle, Membership, Position, Role, User

TOKEN_PREFIX = "dh_"


class LockedOut(PermissionDenied):
    """Too many failed sign-ins for this username; carries when the lock ends."""

    def __init__(self, until):
        super().__init__("Too many failed sign-in attempts. Try again later.")
        self.until = until


@transaction.atomic
def create_user(*, actor, username, full_name, password, email="", unit=None, role=None, position=None,
                clearance=0):
    """Create an account, optionally with its first membership. Unit admins create people in their units."""
    if unit is not None:
        policy.require(policy.can_manage_unit(actor, unit), "You cannot add people to this unit.")
    else:
        policy.require(policy.is_system_admin(actor), "Only a system administrator can create unattached accounts.")
    username, full_name, email = nfc(username) or "", nfc(full_name) or "", nfc(email) or ""
    errors = {}
    if not username:
        errors["username"] = "This field is required."
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "This username is taken."
    if not full_name:
        errors["full_name"] = "This field is required."
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
def add_membership(*, actor, user, unit, role, position=None):
    policy.require(policy.can_manage_unit(actor, unit), "You cannot change the people of this unit.")
    if role not in Role.values:
        raise ValidationError({"role": f"Must be one of: {', '.join(Role.values)}."})
    if role == Role.SYSTEM_ADMIN and not policy.is_system_admin(actor):
        raise PermissionDenied("Only a system administrator can appoint system administrators.")
    if isinstance(position, str):
        position, _ = Position.objects.get_or_create(name=nfc(position))
    if Membership.objects.active().filter(user=user, unit=unit, role=role).exists():
        raise ValidationError({"role": "This person already holds this role in this unit."})
    membership = Membership.objects.create(user=user, unit=unit, role=role, position=position)
    policy.forget(user)
    record(actor=actor, action="membership.add", obj=membership, unit=unit,
           data={"user": user.username, "role": role, "position": str(position or "")})
    return membership


@transaction.atomic
def end_membership(*, actor, membership):
    """End a membership now; the person's rights in that unit stop on their next request."""
    membership = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
    policy.require(policy.can_manage_unit(actor, membership.unit), "You cannot change the people of this unit.")
    if membership.ended_at is not None:
        raise ValidationError({"membership": "This membership has already ended."})
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    policy.forget(membership.user)
    record(actor=actor, action="membership.end", obj=membership, unit=membership.unit,
           data={"user": membership.user.username, "role": membership.role})
    return membership


@transaction.atomic
def change_password(*, actor, old_password, new_password):
    if not actor.check_password(old_password or ""):
        raise ValidationError({"old_password": "The current password is wrong."})
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        raise ValidationError({"new_password": " ".join(exc.messages)}) from exc
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    record(actor=actor, action="user.password_change", obj=actor)
    return actor


def sign_in(request, *, username, password, channel="web"):
    """Check credentials with lockout. Returns the user, or raises LockedOut / ValidationError.

    Failures are counted per username whether or not the account exists, so the lock reveals nothing.
    """
    username = nfc(username) or ""
    now = timezone.now()
    # The raises come after each atomic block: the failure count and the audit row must survive them.
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(username=username.lower())
        locked_until = throttle.locked_until if throttle.locked_until and throttle.locked_until > now else None
        if locked_until:
            record(actor=None, action="auth.locked", data={"username": username, "channel": channel})
    if locked_until:
        raise LockedOut(locked_until)
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        throttle = LoginThrottle.objects.select_for_update().get(username=username.lower())
        if user is None:
            throttle.failures += 1
            throttle.last_failure_at = now
            if throttle.failures >= settings.DIEUHANH_LOGIN_MAX_FAILURES:
                throttle.locked_until = now + datetime.timedelta(seconds=settings.DIEUHANH_LOGIN_LOCKOUT_SECONDS)
                throttle.failures = 0
            throttle.save()
            record(actor=None, action="auth.failed", data={"username": username, "channel": channel})
        else:
            throttle.failures = 0
            throttle.locked_until = None
            throttle.save()
            record(actor=user, action="auth.login", obj=user, data={"channel": channel})
    if user is None:
        if throttle.locked_until and throttle.locked_until > now:
            raise LockedOut(throttle.locked_until)
        raise ValidationError({"password": "Wrong username or password."})
    return user


def _hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(*, actor, name=""):
    """Create an API token for ``actor``; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=nfc(name)[:100] if name else "",
        key_hash=_hash_token(raw),
        prefix=raw[:10],
        expires_at=timezone.now() + datetime.timedelta(days=settings.DIEUHANH_API_TOKEN_DAYS),
    )
    record(actor=actor, action="token.issue", obj=token, data={"prefix": token.prefix})
    return token, raw


@transaction.atomic
def revoke_token(*, actor, token):
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and not policy.is_system_admin(actor):
        raise PermissionDenied("You cannot revoke this token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, action="token.revoke", obj=token, data={"prefix": token.prefix})
    return token


def user_for_token(raw):
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
