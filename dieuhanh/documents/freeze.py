"""Freezing (đóng băng): sets of documents and record files made read-only until the freeze is lifted.

The one check every write service of documents calls is here: :func:`require_not_frozen`; records has its own
for record files (``records.freezing.require_files_not_frozen``). Both read the freeze column afresh (not the
possibly stale object the caller holds) and raise :class:`Frozen`, a ValidationError on the field ``frozen``, so
the service stops before it writes anything. :func:`freeze` and :func:`lift` are the services that set and lift
freezes: permission, validation, write and audit event in one transaction (decision 0022). Record files are held
through the records app's hook (``documents.hooks.register_freezable_files``, decision 0042), because records
sits above documents.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import can_manage_unit, is_system_admin, units_with_roles
from dieuhanh.audit.services import record
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.text import nfc

from . import hooks
from . import policy as doc_policy
from .models import Document, Freeze, IncomingEntry

MAX_OBJECTS = 500


class Frozen(ValidationError):
    """A write was refused because the object is frozen. The API answers 409, pages show the message."""

    def __init__(self, label, freeze):
        self.freeze = freeze
        super().__init__({"frozen": _(
            "%(object)s is frozen (freeze no. %(freeze)s of %(date)s: %(reason)s); it cannot be changed until "
            "the freeze is lifted.") % {"object": label, "freeze": freeze.pk,
                                        "date": timezone.localtime(freeze.created_at).strftime("%d/%m/%Y"),
                                        "reason": freeze.reason[:200]}})


def _document_label(document_id, symbol):
    return _("Document %(symbol)s") % {"symbol": symbol} if symbol else _("Document no. %(id)s") % {"id": document_id}


def require_not_frozen(*documents):
    """Refuse (raise :class:`Frozen`) if any of ``documents`` (objects or ids) is frozen."""
    ids = [d if isinstance(d, int) else d.pk for d in documents if d is not None]
    if not ids:
        return
    hit = (Document.objects.filter(pk__in=ids, freeze__isnull=False).select_related("freeze")
           .only("pk", "symbol", "freeze").order_by("pk").first())
    if hit is not None:
        raise Frozen(_document_label(hit.pk, hit.symbol), hit.freeze)


def is_frozen(obj):
    return getattr(obj, "freeze_id", None) is not None


# --- Who may freeze what --------------------------------------------------------------------------------------

def can_freeze(user, unit):
    """System administrators freeze anything (``unit`` None: installation-wide); unit administrators of
    ``unit`` or of a unit above it freeze within ``unit``."""
    if unit is None:
        return is_system_admin(user)
    return can_manage_unit(user, unit)


def can_lift(user, freeze):
    return can_freeze(user, freeze.unit)


def visible_freezes(user):
    """The freezes ``user`` may see and lift: all for system administrators, else those of units they manage."""
    if is_system_admin(user):
        return Freeze.objects.all()
    managed = units_with_roles(user, {Role.UNIT_ADMIN})
    if not managed:
        return Freeze.objects.none()
    q = Q()
    for unit in managed:
        q |= Q(unit__path__startswith=unit.path)
    return Freeze.objects.filter(q)


def _documents_in_scope(actor, unit, ids):
    """The documents of ``ids`` the actor may freeze within ``unit``: those issued in the unit's subtree or
    registered there, and cleared for the actor. Anything else is reported as unknown (nothing leaks)."""
    qs = Document.objects.select_for_update(of=("self",)).filter(pk__in=ids)
    if unit is not None:
        received = IncomingEntry.objects.filter(unit__path__startswith=unit.path, recalled_at__isnull=True)
        qs = qs.filter(Q(issuing_unit__path__startswith=unit.path) | Q(pk__in=received.values("document_id")))
    found = {d.pk: d for d in qs.order_by("pk")}
    for doc_id in ids:
        document = found.get(doc_id)
        if document is None or not doc_policy.cleared_for(actor, document):
            where = _(" within %(unit)s") % {"unit": unit.name} if unit is not None else ""
            raise ValidationError({"document_ids": _("Document %(id)s does not exist%(where)s or you cannot open "
                                                     "it.") % {"id": doc_id, "where": where}})
        if document.freeze_id is not None:
            raise ValidationError({"document_ids": _("Document %(id)s is already frozen (freeze no. %(freeze)s).")
                                   % {"id": doc_id, "freeze": document.freeze_id}})
    return [found[i] for i in ids]


def _file_codes_in_scope(unit, ids):
    """Lock the record files ``ids`` and return their codes (the records app checks scope and freezes)."""
    if not ids:
        return []
    files = hooks.freezable_files()
    if files is None:
        raise ValidationError({"file_ids": _("Record files cannot be frozen here.")})
    return files.lock(unit, ids)


def _clean_ids(values, field):
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise ValidationError({field: _("Give a list of ids.")})
    ids = []
    for v in values:
        if parse_id(v) is None:
            raise ValidationError({field: _("Not an id: %(value)s.") % {"value": str(v)[:20]}})
        ids.append(parse_id(v))
    if len(set(ids)) != len(ids):
        raise ValidationError({field: _("An id is listed twice.")})
    return ids


def _reason(reason, field="reason"):
    reason = (nfc(reason) or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({field: _("Give the reason.")})
    if len(reason) > 2000:
        raise ValidationError({field: _("At most 2000 characters.")})
    return reason


@transaction.atomic
def freeze(*, actor, reason, unit=None, document_ids=(), file_ids=()):
    """Freeze documents and record files. ``unit`` is the scope (every object must belong to it) and decides who
    may lift the freeze; without it, only a system administrator freezes, anywhere."""
    if not can_freeze(actor, unit):
        raise PermissionDenied(_("Only a system administrator, or an administrator of the unit, can freeze."))
    reason = _reason(reason)
    doc_ids, f_ids = _clean_ids(document_ids, "document_ids"), _clean_ids(file_ids, "file_ids")
    if not doc_ids and not f_ids:
        raise ValidationError({"document_ids": _("Choose at least one document or file.")})
    if len(doc_ids) + len(f_ids) > MAX_OBJECTS:
        raise ValidationError({"document_ids": _("At most %(n)s objects in one freeze.") % {"n": MAX_OBJECTS}})
    documents = _documents_in_scope(actor, unit, doc_ids)
    file_codes = _file_codes_in_scope(unit, f_ids)
    row = Freeze.objects.create(unit=unit, reason=reason, document_ids=doc_ids, file_ids=f_ids, created_by=actor)
    if doc_ids:
        Document.objects.filter(pk__in=doc_ids).update(freeze=row)
    if f_ids:
        hooks.freezable_files().hold(row, f_ids)
    record(actor=actor, action="freeze.create", obj=row, unit=unit,
           data={"reason": reason, "documents": doc_ids, "files": file_codes,
                 "symbols": [d.symbol for d in documents if d.symbol]})
    return row


@transaction.atomic
def lift(*, actor, freeze, reason):
    """Lift (unfreeze) a whole freeze: its documents and files can be changed again. Audited like the freeze."""
    row = Freeze.objects.select_for_update(of=("self",)).select_related("unit").get(pk=freeze.pk)
    if not can_lift(actor, row):
        raise PermissionDenied(_("Only a system administrator, or an administrator of the unit, can lift this "
                                 "freeze."))
    reason = _reason(reason)
    if row.lifted_at is not None:
        raise ValidationError({"status": _("This freeze was lifted already.")})
    held_files = hooks.freezable_files()
    documents = Document.objects.filter(freeze=row).update(freeze=None)
    files = held_files.release(row) if held_files is not None else 0
    row.lifted_at, row.lifted_by, row.lift_reason = timezone.now(), actor, reason
    row.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    record(actor=actor, action="freeze.lift", obj=row, unit=row.unit,
           data={"reason": reason, "documents": documents, "files": files})
    return row
