"""Who may see and do what in the exchange (issue 17): clerks see what arrived for their units and what their units
sent; an arrival that made no delivery (refused, or a duplicate of nothing here) belongs to no unit and may name
anyone's document, so only system administrators and the clerk who uploaded it see it; the directory of organs is
read by everyone signed in and changed by system administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dieuhanh.accounts.policy import is_system_admin, unit_ids_with_roles
from dieuhanh.documents.policy import CLERKS

from .models import PackageSource, PackageState, ReceivedPackage, SentPackage

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User


def clerk_unit_ids(user: User) -> list[int]:
    return unit_ids_with_roles(user, CLERKS) if user.is_authenticated else []


def can_manage_organs(user: User) -> bool:
    return is_system_admin(user)


def can_view_organs(user: User) -> bool:
    return bool(user.is_authenticated)


def can_receive_packages(user: User) -> bool:
    """Open the received packages and upload a package file: a clerk of some unit, or a system administrator."""
    return is_system_admin(user) or bool(clerk_unit_ids(user))


def received_q(user: User) -> Q:
    if is_system_admin(user):
        return Q()
    units = clerk_unit_ids(user)
    if not units:
        return Q(pk__in=[])
    mine = ReceivedPackage.deliveries.through.objects.filter(delivery__recipient_unit_id__in=units).values(
        "receivedpackage_id")
    unplaced = Q(state=PackageState.REFUSED) | Q(state=PackageState.DUPLICATE, document__isnull=True)
    # upload_package records the uploader as the first part of source_ref (usernames hold no "/")
    uploaded = Q(source=PackageSource.UPLOAD, source_ref__startswith=f"{user.username}/")
    return Q(pk__in=mine) | (unplaced & uploaded)


def can_view_received(user: User, package: ReceivedPackage) -> bool:
    return ReceivedPackage.objects.filter(received_q(user), pk=package.pk).exists()


def sent_q(user: User) -> Q:
    if is_system_admin(user):
        return Q()
    units = clerk_unit_ids(user)
    return Q(document__issuing_unit_id__in=units) | Q(delivery__recipient_unit_id__in=units)


def can_retry(user: User, sent: SentPackage) -> bool:
    return SentPackage.objects.filter(sent_q(user), pk=sent.pk).exists()
