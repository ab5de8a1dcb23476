"""Document rules, built on the membership rules of :mod:`dieuhanh.accounts.policy`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.db.models import Q

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import grants, has_role_in, is_system_admin, remembered
from dieuhanh.kernel import zones
from dieuhanh.units.selectors import member_unit_ids, predecessor_ids

from . import hooks
from .models import Confidentiality, Delivery, IncomingEntry

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Document
    from dieuhanh.units.models import Unit

WRITERS = {Role.CLERK, Role.SPECIALIST, Role.LEADER, Role.DEPUTY}
CLERKS = {Role.CLERK}
REGISTER_READERS = {Role.CLERK, Role.LEADER, Role.DEPUTY, Role.ARCHIVIST, Role.UNIT_ADMIN}
RECALLERS = {Role.CLERK, Role.LEADER, Role.DEPUTY}


class Classified(Protocol):
    """Anything with a confidentiality level: a document, or a draft (drafting sits above documents, so the rule
    names the attribute it reads rather than the class)."""

    confidentiality: int


def reader_unit_ids(user: User) -> set[int]:
    """The units whose documents the user reads as a member: their own, and every unit whose collection passed to
    one of them through an executed reorganization (``Unit.successor``, decision 0025). A read grant only: every
    write asks for a role in the unit itself, and nobody holds one in an ended unit."""
    def compute() -> set[int]:
        units = member_unit_ids(user)
        return set(units) | (predecessor_ids(units) if units else set())

    return remembered(user, "reader_unit_ids", compute)


def cleared_for(user: User, document: Classified) -> bool:
    """The person's clearance covers the document, and a secret document is never served to the internet zone."""
    if document.confidentiality > 0 and zones.current() != zones.CLOSED:
        return False
    return (user.clearance or 0) >= document.confidentiality


def cleared_q(user: User, path: str = "") -> Q:
    """The rule of :func:`cleared_for` as a filter on any model that reaches a ``Document`` through ``path``
    (``"entry__document__"`` for a flow, ``""`` for a document or a draft): the one filter every list, counter,
    export and search result naming a document applies, so none shows what the document's page refuses
    (issue 14, item 3; decision 0034)."""
    clearance = (user.clearance or 0) if (user and user.is_authenticated) else 0
    if zones.current() != zones.CLOSED:
        clearance = 0  # secret documents are never served to the internet zone
    return Q(**{f"{path}confidentiality__lte": clearance})


def can_create_outgoing(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, WRITERS)


def can_issue(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, CLERKS)


def can_receive(user: User, unit: Unit) -> bool:
    return has_role_in(user, unit, CLERKS)


def can_open_secret_register(user: User) -> bool:
    """Secret books list secret documents: cleared people only, and never over the internet zone."""
    return (user.clearance or 0) >= Confidentiality.MAT and zones.current() == zones.CLOSED


def can_view_registers(user: User, unit: Unit) -> bool:
    return is_system_admin(user) or has_role_in(user, unit, REGISTER_READERS)


def can_view_document(user: User, document: Document) -> bool:
    """Members of the issuing unit, and of units it was delivered to (not withdrawn) or registered in; for a unit
    that was merged, split or dissolved, also the members of its successor (:func:`reader_unit_ids`).

    Secret documents also need the person's clearance; a system administrator gets no exemption from that.
    """
    if not (user and user.is_authenticated and user.is_active) or not cleared_for(user, document):
        return False
    if is_system_admin(user):
        return True
    if document.issuing_unit is not None and any(
            path == document.issuing_unit.path for path, _ in grants(user)):
        return True  # the common case for the sender, answered from the cached grants without a query
    units = reader_unit_ids(user)
    if not units:
        return False
    if document.issuing_unit_id in units:
        return True
    if (document.deliveries.filter(recipient_unit_id__in=units, withdrawn_at__isnull=True).exists()
            or document.incoming_entries.filter(unit_id__in=units, recalled_at__isnull=True).exists()):
        return True
    # grants of higher apps (processing: handlers see what they handle), registered in documents.hooks
    return any(grant.reads(user, document, units) for grant in hooks.reader_grants())


def visible_documents_q(user: User) -> Q:
    """The rule of :func:`can_view_document` as one filter on ``Document``, for lists and search: a person never
    sees, in results or counts, a document they could not open. Kept in step by a test that compares the two."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    cleared = cleared_q(user)
    if is_system_admin(user):
        return cleared
    units = reader_unit_ids(user)
    if not units:
        return Q(pk__in=[])
    reach = (Q(issuing_unit_id__in=units)
             | Q(pk__in=Delivery.objects.filter(recipient_unit_id__in=units, withdrawn_at__isnull=True)
                 .values("document_id"))
             | Q(pk__in=IncomingEntry.objects.filter(unit_id__in=units, recalled_at__isnull=True)
                 .values("document_id")))
    for grant in hooks.reader_grants():  # subqueries of the same single query
        reach |= Q(pk__in=grant.document_ids(user, units))
    return cleared & reach


def can_view_delivery(user: User, delivery: Delivery) -> bool:
    if not cleared_for(user, delivery.document):
        return False
    units = member_unit_ids(user)
    return is_system_admin(user) or delivery.sender_unit_id in units or delivery.recipient_unit_id in units


def can_request_recall(user: User, document: Document) -> bool:
    return document.issuing_unit is not None and has_role_in(user, document.issuing_unit, RECALLERS)
