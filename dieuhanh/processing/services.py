"""Writes for processing incoming documents: direct, forward, give opinions, extend, return, complete.

Completion propagates upwards: when every lead flow under a flow has completed, that flow completes and
its still-open co-handling and for-information flows close; when the receiving unit's root flow completes,
the sender's delivery becomes 06 (done).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dieuhanh.accounts.policy import require
from dieuhanh.audit.services import record
from dieuhanh.documents.freeze import require_not_frozen
from dieuhanh.documents.models import Delivery, DeliveryStatus, Document, IncomingEntry
from dieuhanh.documents.policy import can_view_document
from dieuhanh.documents.services import resolve_blobs
from dieuhanh.documents.services import set_delivery_status as _set_status
from dieuhanh.kernel.text import nfc
from dieuhanh.kernel.writeorder import index_last
from dieuhanh.notifications.services import label, notify_unit, notify_user
from dieuhanh.units.models import Unit

from . import calendar, policy
from .models import (
    OPEN_STATUSES,
    ExtensionRequest,
    Flow,
    FlowFile,
    FlowNote,
    FlowRead,
    FlowRole,
    FlowStatus,
    Reminder,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from dieuhanh.accounts.models import User

MAX_HANDLERS = 100


def _today() -> datetime.date:
    return timezone.localdate()


def _check_deadline(deadline: datetime.date | None, parent_deadline: Any, field: str = "deadline") -> None:
    if deadline is None:
        return
    if deadline < _today():
        raise ValidationError({field: _("The deadline cannot be in the past.")})
    if parent_deadline is not None and deadline > parent_deadline:
        raise ValidationError({field: _("The deadline cannot be later than the deadline above (%(date)s).") % {
            "date": f"{parent_deadline:%d/%m/%Y}"}})


def _resolve_handlers(handlers: Any, reach_paths: Any, document: Document) -> list[dict[str, Any]]:
    """Validate ``[{"unit_id"|"user_id", "role"}]``: known, within reach, cleared, one lead at least, no repeats."""
    if not handlers:
        raise ValidationError({"handlers": _("Name at least one handler.")})
    if len(handlers) > MAX_HANDLERS:
        raise ValidationError({"handlers": _("At most %(n)s handlers at once.") % {"n": MAX_HANDLERS}})
    User = get_user_model()
    resolved, seen = [], set()
    for i, h in enumerate(handlers):
        field = f"handlers.{i}"
        if not isinstance(h, dict) or h.get("role") not in FlowRole.values:
            raise ValidationError({field: _("Give a role: %(values)s.") % {"values": ", ".join(FlowRole.values)}})
        unit_id: Any = h.get("unit_id")  # raw JSON: checked just below
        user_id: Any = h.get("user_id")
        if (unit_id is None) == (user_id is None):
            raise ValidationError({field: _("Give either unit_id or user_id.")})
        if not isinstance(unit_id or user_id, int):
            raise ValidationError({field: _("Ids are numbers.")})
        target: dict[str, object]
        if unit_id is not None:
            unit = Unit.objects.filter(pk=unit_id).first()
            if unit is None or not policy.in_reach(reach_paths, unit):
                raise ValidationError({field: _("This unit is outside your reach.")})
            key, target = ("unit", unit.pk), {"handler_unit": unit}
        else:
            person = User.objects.filter(pk=user_id, is_active=True).first()
            if person is None or not policy.person_in_reach(reach_paths, person):
                raise ValidationError({field: _("This person is outside your reach.")})
            if (person.clearance or 0) < document.confidentiality:
                raise ValidationError({field: _("%(name)s is not cleared for this document.") % {
                    "name": person.full_name}})
            key, target = ("user", person.pk), {"handler_user": person}
        if key in seen:
            raise ValidationError({field: _("This handler is named twice.")})
        seen.add(key)
        resolved.append({**target, "role": h["role"]})
    if not any(r["role"] == FlowRole.LEAD for r in resolved):
        raise ValidationError({"handlers": _("Name at least one lead handler (chủ trì).")})
    return resolved


def _create_children(*, actor: User, parent: Flow, handlers: Any, direction: str, deadline: datetime.date | None,
                     on_behalf_of: User | None = None) -> list[Flow]:
    now = timezone.now()
    flows = []
    for h in handlers:
        flow = Flow.objects.create(
            entry=parent.entry, unit=parent.unit, parent=parent, depth=parent.depth + 1, role=h["role"],
            handler_unit=h.get("handler_unit"), handler_user=h.get("handler_user"), assigned_by=actor,
            on_behalf_of=on_behalf_of, direction=direction, deadline=deadline, urgency=parent.urgency,
            status=FlowStatus.PENDING, status_at=now,
        )
        flows.append(flow)
        params = {"document": parent.entry.document.symbol or parent.entry.document.subject[:80],
                  "role": label(FlowRole(flow.role).label)}
        if deadline:
            msgid, params["deadline"] = gettext_noop("%(document)s: %(role)s, deadline %(deadline)s"), \
                f"{deadline:%d/%m/%Y}"
        else:
            msgid = gettext_noop("%(document)s: %(role)s")
        if flow.handler_user is not None:
            notify_user(flow.handler_user, msgid, params, link=f"/processing/flows/{flow.pk}/",
                        confidentiality=_secrecy(flow))
        elif flow.handler_unit is not None:
            notify_unit(flow.handler_unit, msgid, params, link=f"/processing/flows/{flow.pk}/",
                        confidentiality=_secrecy(flow))
    return flows


def _secrecy(flow: Flow) -> int:
    """The confidentiality of the document a flow is about, carried by every notification of it."""
    return flow.entry.document.confidentiality


def _touch(flow: Flow, status: str) -> None:
    flow.status = status
    flow.status_at = timezone.now()
    if status in (FlowStatus.COMPLETED, FlowStatus.CLOSED):
        flow.completed_at = flow.status_at


@transaction.atomic
@index_last()
def assign(*, actor: User, entry: IncomingEntry, handlers: Any, direction: str = "",
           deadline: datetime.date | None = None, on_behalf_of: User | None = None) -> list[Flow]:
    """A leader's direction on a registered document: lead, co-handling and for-information handlers.

    A clerk may record it for a leader of the unit (``on_behalf_of``), and the flow remembers that.
    """
    entry = _lock_entry(entry.pk)
    unit = entry.unit
    leader = actor
    if on_behalf_of is not None:
        require(policy.can_direct_on_behalf(actor, unit), _("Only the unit's clerk records directions for a leader."))
        if not policy.can_direct(on_behalf_of, unit):
            raise ValidationError({"on_behalf_of": _("That person is not a leader of this unit.")})
        leader = on_behalf_of
    else:
        require(policy.can_direct(actor, unit), _("Only a leader of the receiving unit directs its documents."))
    require(policy.cleared_for_entry(actor, entry), _("Your clearance does not allow this document."))
    require_not_frozen(entry.document_id)
    if entry.recalled_at is not None:
        raise ValidationError({"entry": _("The issuer recalled this document.")})
    _check_deadline(deadline, entry.document.due_date if entry.document.due_date and
                    entry.document.due_date >= _today() else None)
    resolved = _resolve_handlers(handlers, [unit.path], entry.document)
    root = Flow.objects.filter(entry=entry, parent__isnull=True).first()
    if root is None:
        root = Flow.objects.create(
            entry=entry, unit=unit, depth=0, role=FlowRole.LEAD, handler_unit=unit, assigned_by=leader,
            on_behalf_of=None, direction=nfc(direction) or "", deadline=deadline, urgency=entry.document.urgency,
            status=FlowStatus.IN_PROGRESS, status_at=timezone.now(),
        )
    elif not root.is_open:
        raise ValidationError({"entry": _("Processing of this document has ended.")})
    elif deadline and (root.deadline is None or deadline > root.deadline):
        root.deadline = deadline
        root.save(update_fields=["deadline"])
    flows = _create_children(actor=leader, parent=root, handlers=resolved, direction=nfc(direction) or "",
                             deadline=deadline, on_behalf_of=actor if on_behalf_of is not None else None)
    if entry.delivery is not None and entry.delivery.status == DeliveryStatus.ACCEPTED:
        _set_status(entry.delivery, DeliveryStatus.ASSIGNED, actor, "assigned")
    _fill_register(entry, flows)
    record(actor=actor, action="flow.assign", obj=root, unit=unit,
           data={"entry": entry.pk, "handlers": len(flows), "deadline": str(deadline or ""),
                 "on_behalf_of": on_behalf_of.username if on_behalf_of else ""})
    return flows


def handler_label(flow: Flow) -> str:
    """How the incoming register names a handler: the unit's name or the person's full name."""
    if flow.handler_unit is not None:
        return flow.handler_unit.name
    assert flow.handler_user is not None  # a flow names a unit or a person
    return flow.handler_user.full_name


def _fill_register(entry: IncomingEntry, flows: list[Flow]) -> None:
    """The register's "Đơn vị hoặc người nhận" gets the leads of the direction (beside what the clerk typed) and
    "Ngày chuyển" the day it was first passed on."""
    names = [n for n in (entry.handler or "").split("; ") if n]
    names += [label for label in (handler_label(f) for f in flows if f.role == FlowRole.LEAD) if label not in names]
    entry.handler = "; ".join(names)[:255]
    entry.passed_on = entry.passed_on or _today()
    entry.save(update_fields=["handler", "passed_on"])


def _mark_processing(flow: Flow, actor: User) -> None:
    """04 -> 05 at the first opinion, forward or read of a handler below the receiving unit's own root flow."""
    if flow.depth == 0 or not flow.entry.delivery_id:
        return
    delivery = (Delivery.objects.select_for_update(of=("self",))
                .filter(pk=flow.entry.delivery_id, status=DeliveryStatus.ASSIGNED).first())
    if delivery is not None:
        _set_status(delivery, DeliveryStatus.PROCESSING, actor, "processing")


def _lock_entry(entry_id: int) -> IncomingEntry:
    """Lock what a write on an entry's processing may change, in the one lock order (decision 0038): parents before
    children (the delivery, whose status the sender reads, then the entry, then its flows), the flows in primary-key
    order. Two writes on one entry then queue on its delivery or entry instead of meeting in a cycle; the search
    row comes last (``index_last``)."""
    delivery_id = IncomingEntry.objects.filter(pk=entry_id).values_list("delivery_id", flat=True).first()
    if delivery_id is not None:
        list(Delivery.objects.select_for_update().filter(pk=delivery_id).values_list("pk", flat=True))
    entry = IncomingEntry.objects.select_for_update(of=("self",)).select_related("document", "unit", "delivery") \
        .get(pk=entry_id)
    list(Flow.objects.select_for_update().filter(entry_id=entry_id).order_by("pk").values_list("pk", flat=True))
    return entry


def _locked(flow: Flow) -> Flow:
    """The flow, locked for a write on it with its entry's rows (:func:`_lock_entry`); refused while its document is
    frozen (every flow write comes here)."""
    _lock_entry(Flow.objects.filter(pk=flow.pk).values_list("entry_id", flat=True).get())
    flow = Flow.objects.select_related("entry__document", "unit", "handler_unit", "handler_user", "parent") \
        .get(pk=flow.pk)
    require_not_frozen(flow.entry.document_id)
    return flow


def _require_open_and_actor(actor: User, flow: Flow) -> None:
    require(policy.can_act(actor, flow), _("Only the handler can act on this flow."))
    if not flow.is_open:
        raise ValidationError({"status": _("This flow is %(status)s.") % {"status": flow.get_status_display().lower()}})


@transaction.atomic
@index_last()
def forward(*, actor: User, flow: Flow, handlers: Any, direction: str = "",
            deadline: datetime.date | None = None) -> list[Flow]:
    """Hand work further down: sub-units or people below the handler, deadlines not later than this flow's."""
    flow = _locked(flow)
    _require_open_and_actor(actor, flow)
    if flow.role == FlowRole.INFO:
        raise ValidationError({"handlers": _("A for-information flow is not forwarded.")})
    _check_deadline(deadline, flow.deadline)
    paths = policy.reach_units(actor, flow)
    if not paths:
        raise ValidationError({"handlers": _("There is nobody below you to forward to.")})
    resolved = _resolve_handlers(handlers, paths, flow.entry.document)
    if any(h.get("handler_user") == actor or h.get("handler_unit") == flow.handler_unit for h in resolved):
        raise ValidationError({"handlers": _("Forward to someone else, not to yourself.")})
    children = _create_children(actor=actor, parent=flow, handlers=resolved, direction=nfc(direction) or "",
                                deadline=deadline or flow.deadline)
    _mark_processing(flow, actor)
    if flow.status == FlowStatus.PENDING:
        _touch(flow, FlowStatus.IN_PROGRESS)
        flow.save(update_fields=["status", "status_at"])
    record(actor=actor, action="flow.forward", obj=flow, unit=flow.unit, data={"handlers": len(children)})
    return children


def _note(flow: Flow, actor: User, kind: str, text: str, files: Any) -> FlowNote:
    note = FlowNote.objects.create(flow=flow, kind=kind, author=actor, text=text)
    for blob, name, _is_main in resolve_blobs(list(files)):
        FlowFile.objects.create(note=note, blob=blob, name=name[:255])
    return note


@transaction.atomic
@index_last()
def add_opinion(*, actor: User, flow: Flow, text: str, files: Iterable[dict[str, Any]] = ()) -> FlowNote:
    flow = _locked(flow)
    require(policy.can_act(actor, flow) or policy.can_view_flow(actor, flow),
            _("You cannot comment on this flow."))
    text = nfc(text) or ""
    if not text:
        raise ValidationError({"text": _("Write the opinion.")})
    note = _note(flow, actor, FlowNote.Kind.OPINION, text, files)
    if policy.can_act(actor, flow):
        _mark_processing(flow, actor)
        if flow.status == FlowStatus.PENDING:
            _touch(flow, FlowStatus.IN_PROGRESS)
            flow.save(update_fields=["status", "status_at"])
    record(actor=actor, action="flow.opinion", obj=flow, unit=flow.unit, data={"note": note.pk})
    return note


@transaction.atomic
@index_last()
def mark_read(*, actor: User, flow: Flow) -> FlowRead:
    """Record that ``actor`` read the document of ``flow``; the flow stays as it is, but a handler's first read
    tells the sender 05."""
    require(policy.can_view_flow(actor, flow), _("You cannot see this flow."))
    read = FlowRead.objects.filter(flow=flow, user=actor).first()
    if read is not None:  # read before: nothing to lock or write
        return read
    _lock_entry(flow.entry_id)  # a first read may move the delivery to 05: lock in the one order first
    read, created = FlowRead.objects.get_or_create(flow=flow, user=actor)
    if created and policy.can_act(actor, flow):
        _mark_processing(flow, actor)
    if created:
        record(actor=actor, action="flow.read", obj=flow, unit=flow.unit)
    return read


def _descendants(flow: Flow) -> list[Flow]:
    """Open flows below ``flow`` (breadth first, one query per level)."""
    found: list[Flow] = []
    frontier = [flow.pk]
    while frontier:
        level = list(Flow.objects.filter(parent_id__in=frontier).order_by("pk"))  # locked by _lock_entry
        found.extend(f for f in level if f.status in OPEN_STATUSES)
        frontier = [f.pk for f in level]
    return found


def _end_open_below(flow: Flow, status: str, reason: str = "") -> None:
    for child in _descendants(flow):
        _touch(child, status)
        child.reason = reason
        child.save(update_fields=["status", "status_at", "completed_at", "reason"])
        if child.handler_user is not None:
            notify_user(child.handler_user, gettext_noop("%(status)s: %(subject)s"),
                        {"status": label(FlowStatus(child.status).label),
                         "subject": flow.entry.document.subject[:120]}, confidentiality=_secrecy(flow))


@transaction.atomic
@index_last()
def return_flow(*, actor: User, flow: Flow, reason: str) -> Flow:
    """Give the work back to the assigner; everything this handler forwarded is recalled."""
    flow = _locked(flow)
    _require_open_and_actor(actor, flow)
    reason = nfc(reason) or ""
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning.")})
    if flow.parent_id is None:
        raise ValidationError({"flow": _("The receiving unit's own flow is not returned; the leader reassigns.")})
    _end_open_below(flow, FlowStatus.RECALLED, f"Recalled: {reason}")
    _touch(flow, FlowStatus.RETURNED)
    flow.reason = reason
    flow.save(update_fields=["status", "status_at", "reason"])
    if flow.role == FlowRole.LEAD:
        # a returned lead no longer counts: if the other leads have all completed, the level is done
        assert flow.parent is not None  # checked above: the root flow is never returned
        _complete_if_leads_done(flow.parent, actor)
    notify_user(flow.assigned_by, gettext_noop("Returned by %(handler)s: %(reason)s"),
                {"handler": flow.handler_name, "reason": reason}, link=f"/processing/flows/{flow.pk}/",
                confidentiality=_secrecy(flow))
    record(actor=actor, action="flow.return", obj=flow, unit=flow.unit, data={"reason": reason})
    return flow


@transaction.atomic
@index_last()
def complete(*, actor: User, flow: Flow, result: Any, files: Iterable[dict[str, Any]] = (),
             reply_document_id: int | None = None) -> Flow:
    """Finish this handler's part; completion of the last lead propagates upwards."""
    flow = _locked(flow)
    _require_open_and_actor(actor, flow)
    result = nfc(result) or ""
    if not result and flow.role != FlowRole.INFO:
        raise ValidationError({"result": _("Describe the result.")})
    reply = None
    if reply_document_id is not None:
        reply = Document.objects.filter(pk=reply_document_id).first()
        if reply is None or not can_view_document(actor, reply):
            raise ValidationError({"reply_document_id": _("Unknown reply document.")})
    if result or files:
        _note(flow, actor, FlowNote.Kind.RESULT, result or "—", files)
    _end_open_below(flow, FlowStatus.CLOSED, "Closed: the handler above completed")
    _finish(flow, actor, result, reply)
    record(actor=actor, action="flow.complete", obj=flow, unit=flow.unit,
           data={"reply_document": reply.pk if reply else None})
    return flow


def _finish(flow: Flow, actor: User, result: Any, reply: Any = None) -> None:
    _touch(flow, FlowStatus.COMPLETED)
    flow.result, flow.reply_document = result, reply
    flow.save(update_fields=["status", "status_at", "completed_at", "result", "reply_document"])
    _propagate(flow, actor)


def _propagate(flow: Flow, actor: User) -> None:
    parent = flow.parent
    if parent is None:
        delivery = flow.entry.delivery
        if delivery is not None and delivery.status not in (DeliveryStatus.DONE, DeliveryStatus.RECALL_AGREED):
            _set_status(delivery, DeliveryStatus.DONE, actor, "processing completed")
            if delivery.sender_unit is not None:  # a copy from outside: its sender hears the 06 status package
                notify_unit(delivery.sender_unit, gettext_noop("%(unit)s completed %(symbol)s"),
                            {"unit": flow.unit.name, "symbol": flow.entry.document.symbol},
                            confidentiality=_secrecy(flow))
        return
    if flow.role == FlowRole.LEAD:
        _complete_if_leads_done(parent, actor)


def _complete_if_leads_done(parent: Flow, actor: User) -> None:
    """Complete ``parent`` when every lead under it that still counts (not returned or recalled) has completed."""
    # the entry's flows are locked already (_lock_entry): read them again, as they are now
    parent = Flow.objects.get(pk=parent.pk)
    siblings = list(Flow.objects.filter(parent=parent).order_by("pk"))
    leads = [s for s in siblings if s.role == FlowRole.LEAD and s.status not in (FlowStatus.RETURNED,
                                                                                   FlowStatus.RECALLED)]
    if not parent.is_open or not leads or any(s.status != FlowStatus.COMPLETED for s in leads):
        return
    for sibling in siblings:
        if sibling.role != FlowRole.LEAD and sibling.is_open:
            _touch(sibling, FlowStatus.CLOSED)
            sibling.reason = "Closed: the lead handlers completed"
            sibling.save(update_fields=["status", "status_at", "completed_at", "reason"])
            _end_open_below(sibling, FlowStatus.CLOSED, sibling.reason)
    _finish(parent, actor, "Completed by the lead handlers")


# --- Extensions -------------------------------------------------------------------------------------------------


@transaction.atomic
@index_last()
def request_extension(*, actor: User, flow: Flow, new_deadline: Any, reason: str) -> ExtensionRequest:
    flow = _locked(flow)
    _require_open_and_actor(actor, flow)
    reason = nfc(reason) or ""
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if flow.parent_id is None:
        raise ValidationError({"flow": _("The receiving unit's own deadline is set by its leader.")})
    if flow.deadline is None:
        raise ValidationError({"new_deadline": _("This flow has no deadline to extend.")})
    if new_deadline <= flow.deadline:
        raise ValidationError({"new_deadline": _("The new deadline must be later than the current one.")})
    if new_deadline > flow.deadline + datetime.timedelta(days=settings.DIEUHANH_MAX_EXTENSION_DAYS):
        raise ValidationError({"new_deadline": _("An extension is at most %(days)s days.") % {
            "days": settings.DIEUHANH_MAX_EXTENSION_DAYS}})
    if flow.extensions >= settings.DIEUHANH_MAX_EXTENSIONS:
        raise ValidationError({"new_deadline": _("At most %(n)s extensions.") % {
            "n": settings.DIEUHANH_MAX_EXTENSIONS}})
    if flow.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError({"new_deadline": _("An extension request is already pending.")})
    req = ExtensionRequest.objects.create(flow=flow, requested_by=actor, current_deadline=flow.deadline,
                                          requested_deadline=new_deadline, reason=reason)
    notify_user(flow.assigned_by, gettext_noop("Extension requested by %(handler)s to %(deadline)s"),
                {"handler": flow.handler_name, "deadline": f"{new_deadline:%d/%m/%Y}"},
                link=f"/processing/flows/{flow.pk}/", confidentiality=_secrecy(flow))
    record(actor=actor, action="flow.extension_request", obj=flow, unit=flow.unit,
           data={"to": str(new_deadline), "reason": reason})
    return req


def can_decide_extension(user: User, flow: Flow) -> bool:
    """The assigner decides, or whoever acts for the flow above."""
    return flow.assigned_by_id == user.pk or (flow.parent is not None and policy.can_act(user, flow.parent))


@transaction.atomic
@index_last()
def decide_extension(*, actor: User, request: ExtensionRequest, approve: bool, note: str = "") -> ExtensionRequest:
    # the flow's rows first, then the request, their child (decision 0038)
    flow = _locked(ExtensionRequest.objects.select_related("flow").get(pk=request.pk).flow)
    req = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    require(can_decide_extension(actor, flow), _("Only the assigner decides on this extension."))
    if req.status != ExtensionRequest.Status.PENDING:
        raise ValidationError({"status": _("This request has been decided.")})
    parent = flow.parent
    if approve and parent and parent.deadline and req.requested_deadline > parent.deadline:
        if parent.parent_id is not None:
            raise ValidationError({"new_deadline": _("Extend the flow above first: this would pass its deadline.")})
        # the root's deadline is the leader's own: approving moves it too
        Flow.objects.filter(pk=parent.pk).update(deadline=req.requested_deadline)
    req.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), nfc(note) or ""
    req.save()
    if approve:
        flow.deadline = req.requested_deadline
        flow.extensions += 1
        flow.save(update_fields=["deadline", "extensions"])
    target = flow.handler_user
    msgid = gettext_noop("Extension approved: %(subject)s") if approve else \
        gettext_noop("Extension refused: %(subject)s")
    params = {"subject": flow.entry.document.subject[:100]}
    if target:
        notify_user(target, msgid, params, link=f"/processing/flows/{flow.pk}/", confidentiality=_secrecy(flow))
    elif flow.handler_unit is not None:
        notify_unit(flow.handler_unit, msgid, params, link=f"/processing/flows/{flow.pk}/",
                    confidentiality=_secrecy(flow))
    record(actor=actor, action="flow.extension_" + ("approve" if approve else "refuse"), obj=flow, unit=flow.unit,
           data={"request": req.pk})
    return req




# --- Reminders (run daily by a background job) ------------------------------------------------------------------


def send_reminders(today: datetime.date | None = None) -> int:
    """Remind handlers before and at the deadline; escalate overdue flows to the assigner. Each reminder
    is sent once per flow, kind and deadline (a moved deadline earns new reminders)."""
    today = today or timezone.localdate()
    horizon = calendar.add_working_days(today, settings.DIEUHANH_DUE_SOON_DAYS)
    sent = 0
    flows = (Flow.objects.filter(status__in=OPEN_STATUSES, depth__gt=0, deadline__isnull=False,
                                 deadline__lte=horizon)
             .select_related("entry__document", "handler_user", "handler_unit", "assigned_by"))
    for flow in flows.iterator(chunk_size=500):
        assert flow.deadline is not None  # selected with a deadline
        params = {"deadline": f"{flow.deadline:%d/%m/%Y}", "subject": flow.entry.document.subject[:150]}
        if flow.deadline < today:
            kind, target, msgid = "overdue", flow.assigned_by, gettext_noop(
                "Overdue since %(deadline)s: %(handler)s: %(subject)s")
            params["handler"] = flow.handler_name
        elif flow.deadline == today:
            kind, target, msgid = "due_today", None, gettext_noop("Due today: %(subject)s")
        else:
            kind, target, msgid = "due_soon", None, gettext_noop("Due on %(deadline)s: %(subject)s")
        try:
            with transaction.atomic():
                Reminder.objects.create(flow=flow, kind=kind, deadline=flow.deadline)
                link = f"/processing/flows/{flow.pk}/"
                secrecy = _secrecy(flow)
                if target is not None:
                    notify_user(target, msgid, params, link=link, confidentiality=secrecy)
                elif flow.handler_user is not None:
                    notify_user(flow.handler_user, msgid, params, link=link, confidentiality=secrecy)
                elif flow.handler_unit is not None:
                    notify_unit(flow.handler_unit, msgid, params, link=link, confidentiality=secrecy)
                record(actor=None, action=f"flow.reminder_{kind}", obj=flow, unit=flow.unit)
            sent += 1
        except IntegrityError:
            continue  # already reminded
    return sent


# --- Reorganization (decision 0040) ------------------------------------------------------------------------------

REASSIGNABLE = ("unit", "handler_unit")


def reassign_unit(*, flow_ids: list[int], field: str, source: Unit, target: Unit) -> int:
    """Point ``field`` (``unit`` or ``handler_unit``) of the flows ``flow_ids`` still at ``source`` to ``target``, in
    one statement; a reorganization hands an old unit's open work to its successor. Runs in the caller's
    transaction, which traces and audits the move and refreshes the search rows whose readers changed."""
    if field not in REASSIGNABLE:
        raise ValueError(f"A flow's {field!r} is not a unit a reorganization moves.")
    return Flow.objects.filter(pk__in=flow_ids, **{field: source}).update(**{field: target})
