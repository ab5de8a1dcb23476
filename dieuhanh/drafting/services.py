"""Writes for drafts: one function per action (check permission, validate, write, audit, in one transaction).

The flow: the drafter submits to a first handler; each handler approves, initials, forwards or signs and picks
the next hand (or the next step of a saved template runs); anyone in the flow may return the draft to the drafter
(the flow stops) or, for non-secret drafts, to an earlier step (the flow rolls back), always with a reason. A
signer may withdraw the signature until the next person acts. The clerk then numbers and issues the signed draft,
applying the organization's signature with the number, symbol and date in its appearance.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dieuhanh.accounts.policy import has_role_in, require
from dieuhanh.audit.services import record
from dieuhanh.documents import services as doc_services
from dieuhanh.documents import storage
from dieuhanh.documents.models import Blob, Confidentiality, Urgency
from dieuhanh.documents.services import active_document_type, attach_files, clean_recipients
from dieuhanh.kernel.pdf import long_date
from dieuhanh.kernel.text import nfc
from dieuhanh.notifications.services import label, notify_unit, notify_user
from dieuhanh.signatures import pades
from dieuhanh.signatures import services as sig_services
from dieuhanh.signatures.jobs import check_document_files
from dieuhanh.units.models import Unit, UnitStatus
from dieuhanh.units.selectors import member_unit_ids

from . import files, policy
from .models import (
    EDITABLE,
    IN_FLOW,
    Consultation,
    Conversion,
    Draft,
    DraftStatus,
    DraftVersion,
    FlowTemplate,
    Opinion,
    Signature,
    Step,
    StepAction,
    StepState,
    Taken,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date
    from typing import Any

    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Document

MAX_OPINIONS = 50
MAX_TEMPLATE_STEPS = 20


def _locked(draft: Draft) -> Draft:
    return Draft.objects.select_for_update(of=("self",)).select_related(
        "unit", "drafting_unit", "document_type").get(pk=draft.pk)


def _link(draft: Draft) -> str:
    return f"/drafts/{draft.pk}/"


def _label(draft: Draft) -> str:
    """What a notification may say about a draft: a secret draft's subject never leaves the page."""
    return f"#{draft.pk}" if draft.is_secret else f"«{draft.subject[:120]}»"


def _require_view(actor: User, draft: Draft) -> None:
    if not policy.can_view(actor, draft):
        raise PermissionDenied(_("You cannot see this draft."))


def _clean(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if "subject" in data or not partial:
        subject = nfc(data.get("subject") or "").strip()
        if not subject:
            errors["subject"] = _("This field is required.")
        elif len(subject) > 2000:
            errors["subject"] = _("At most %(n)s characters.") % {"n": 2000}
        cleaned["subject"] = subject
    for field, choices in (("urgency", Urgency), ("confidentiality", Confidentiality)):
        if field in data:
            if data[field] not in choices.values:
                errors[field] = _("Must be one of: %(values)s.") % {"values": ", ".join(map(str, choices.values))}
            cleaned[field] = data[field]
    if "due_date" in data:
        cleaned["due_date"] = data["due_date"] or None
    if errors:
        raise ValidationError(errors)
    return cleaned


def _checked_recipients(unit: Unit, recipients: Any, *, secret: Any) -> list[dict[str, Any]]:
    """Validate with the exchange's own rules and keep the input shape."""
    out = []
    for item in clean_recipients(unit, list(recipients or []), secret=secret):
        out.append({"unit_id": item["unit"].pk if item["unit"] else None, "external_code": item["external_code"],
                    "name": item["name"], "channel": item["channel"], "copies": item["copies"]})
    return out


def _metadata(draft: Draft) -> dict[str, str]:
    return {"type": draft.document_type.name, "subject": draft.subject, "urgency": draft.get_urgency_display(),
            "confidentiality": draft.get_confidentiality_display(),
            "due_date": draft.due_date.isoformat() if draft.due_date else "",
            "recipients": "; ".join(r["name"] for r in draft.recipients)}


def _check_file(blob: Blob) -> None:
    if blob.content_type not in files.DRAFT_TYPES:
        raise ValidationError({"file": _("A draft is a .docx, .odt or PDF file.")})


def _new_version(draft: Draft, actor: User, blob: Blob, name: str, note: str = "") -> DraftVersion:
    _check_file(blob)
    number = (draft.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    with storage.open_blob(blob) as fh:
        data = fh.read()
    is_pdf = blob.content_type == files.PDF
    version = DraftVersion.objects.create(
        draft=draft, number=number, blob=blob, name=name[:255] or f"du-thao-v{number}", note=nfc(note)[:500],
        pdf_blob=blob if is_pdf else None, conversion=Conversion.NONE if is_pdf else Conversion.PENDING,
        text=files.extract_text(data, blob.content_type), metadata=_metadata(draft), created_by=actor)
    if not is_pdf:
        from .jobs import convert_version  # cycle: jobs imports services

        transaction.on_commit(lambda: convert_version(version.pk))
    return version


@transaction.atomic
def create_draft(*, actor: User, unit: Unit, document_type_id: int, subject: str, blob: Blob, name: str = "",
                 drafting_unit: Unit | None = None, recipients: Iterable[dict[str, Any]] = (),
                 **fields: Any) -> Draft:
    """A new draft of ``unit``'s outgoing document, written in ``drafting_unit`` (a department, or the unit)."""
    drafting_unit = drafting_unit or unit
    require(policy.can_draft(actor, drafting_unit), _("You cannot draft documents in this unit."))
    if drafting_unit.pk != unit.pk and not drafting_unit.is_descendant_of(unit):
        raise ValidationError({"drafting_unit_id": _("The drafting unit must be the issuing unit or one below it.")})
    if unit.status != UnitStatus.ACTIVE:
        raise ValidationError({"unit": _("%(unit)s is %(status)s and issues nothing.") % {
            "unit": unit.name, "status": unit.get_status_display().lower()}})
    doc_type = active_document_type(document_type_id)
    cleaned = _clean({"subject": subject, **fields})
    if cleaned.get("confidentiality", 0) > (actor.clearance or 0):
        raise PermissionDenied(_("Your clearance does not allow this confidentiality level."))
    draft = Draft(unit=unit, drafting_unit=drafting_unit, created_by=actor, document_type=doc_type, **cleaned)
    draft.recipients = _checked_recipients(unit, recipients, secret=draft.is_secret)
    require(policy.can_view(actor, draft), _("Secret drafts are written on the closed network only."))
    draft.save()
    version = _new_version(draft, actor, blob, name)
    record(actor=actor, action="draft.create", obj=draft, unit=unit,
           data={"type": doc_type.name, "version": version.number, "sha256": blob.sha256})
    return draft


@transaction.atomic
def revise_draft(*, actor: User, draft: Draft, blob: Blob | None = None, name: str = "", note: str = "",
                 recipients: Any = None, **fields: Any) -> DraftVersion:
    """A new version: a new file and/or changed fields. Only the drafter, and only while the draft is theirs."""
    draft = _locked(draft)
    require(draft.created_by_id == actor.pk and policy.can_view(actor, draft), _("Only the drafter can revise."))
    if draft.status not in EDITABLE:
        raise ValidationError({"status": _("The draft is %(status)s; it can be revised when it is back with you.") % {
            "status": draft.get_status_display().lower()}})
    cleaned = _clean(fields, partial=True)
    if cleaned.get("confidentiality", draft.confidentiality) > (actor.clearance or 0):
        raise PermissionDenied(_("Your clearance does not allow this confidentiality level."))
    for key, value in cleaned.items():
        setattr(draft, key, value)
    if recipients is not None:
        draft.recipients = _checked_recipients(draft.unit, recipients, secret=draft.is_secret)
    elif "confidentiality" in cleaned:
        draft.recipients = _checked_recipients(draft.unit, draft.recipients, secret=draft.is_secret)
    draft.save()
    previous = latest_version(draft)
    version = _new_version(draft, actor, blob or previous.blob, name or previous.name, note)
    record(actor=actor, action="draft.revise", obj=draft, unit=draft.unit,
           data={"version": version.number, "sha256": version.blob.sha256, "fields": sorted(cleaned)})
    return version


def latest_version(draft: Draft) -> DraftVersion:
    version = draft.versions.order_by("-number").first()
    assert version is not None  # a draft is created with its first version
    return version


def current_pdf(draft: Draft, version: DraftVersion | None = None) -> Blob | None:
    """The PDF people read and sign: the latest signature's output on the latest version, else its PDF."""
    version = version or latest_version(draft)
    last = (Signature.objects.filter(draft=draft, version=version, withdrawn_at__isnull=True)
            .select_related("blob_after").order_by("-id").first())
    return last.blob_after if last is not None else version.pdf_blob


@transaction.atomic
def record_conversion(*, version_id: int, pdf_bytes: bytes | None = None, error: str = "") -> DraftVersion:
    """Store the result of the background conversion of a version (called by the job)."""
    version = DraftVersion.objects.select_for_update().select_related("draft", "created_by").get(pk=version_id)
    if pdf_bytes is not None:
        blob = doc_services.store_file(actor=version.created_by, fileobj=io.BytesIO(pdf_bytes),
                                       content_type=files.PDF)
        version.pdf_blob, version.conversion, version.conversion_error = blob, Conversion.DONE, ""
    else:
        version.conversion, version.conversion_error = Conversion.FAILED, error[:300]
    version.save(update_fields=["pdf_blob", "conversion", "conversion_error"])
    record(actor=None, action="draft.convert", obj=version.draft, unit=version.draft.unit,
           data={"version": version.number, "ok": pdf_bytes is not None, "error": error[:300]})
    return version


# --- Consultation ------------------------------------------------------------------------------------------------

@transaction.atomic
def ask_opinions(*, actor: User, draft: Draft, due_date: date, user_ids: Sequence[int] = (),
                 unit_ids: Sequence[int] = (), question: str = "") -> Consultation:
    draft = _locked(draft)
    require(draft.created_by_id == actor.pk and policy.can_view(actor, draft), _("Only the drafter asks for opinions."))
    if draft.status not in EDITABLE:
        raise ValidationError({"status": _("Opinions are asked before the draft goes into the sign flow.")})
    user_ids, unit_ids = list(dict.fromkeys(user_ids or [])), list(dict.fromkeys(unit_ids or []))
    if not user_ids and not unit_ids:
        raise ValidationError({"user_ids": _("Name at least one person or unit.")})
    if len(user_ids) + len(unit_ids) > MAX_OPINIONS:
        raise ValidationError({"user_ids": _("At most %(n)s addressees at once.") % {"n": MAX_OPINIONS}})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The date for opinions cannot be in the past.")})
    users = get_user_model().objects.in_bulk([i for i in user_ids if isinstance(i, int)])
    units = Unit.objects.in_bulk([i for i in unit_ids if isinstance(i, int)])
    for i, uid in enumerate(user_ids):
        person = users.get(uid)
        if person is None or not person.is_active:
            raise ValidationError({f"user_ids.{i}": _("Unknown person %(id)s.") % {"id": uid}})
        if draft.is_secret and not (policy.belongs_to_tree(person, draft.unit)
                                    and (person.clearance or 0) >= draft.confidentiality):
            raise ValidationError({f"user_ids.{i}": _("A secret draft is discussed only within the unit, with "
                                                      "cleared people.")})
    for i, uid in enumerate(unit_ids):
        unit = units.get(uid)
        if unit is None or unit.status != UnitStatus.ACTIVE:
            raise ValidationError({f"unit_ids.{i}": _("Unknown or inactive unit %(id)s.") % {"id": uid}})
        if draft.is_secret and not (unit.pk == draft.unit.pk or unit.is_descendant_of(draft.unit)):
            raise ValidationError({f"unit_ids.{i}": _("A secret draft is discussed only within the unit.")})
    consultation = Consultation.objects.create(draft=draft, asked_by=actor, question=nfc(question)[:5000],
                                               due_date=due_date, version=latest_version(draft))
    Opinion.objects.bulk_create([Opinion(consultation=consultation, user=users[u]) for u in user_ids]
                                + [Opinion(consultation=consultation, unit=units[u]) for u in unit_ids])
    if draft.status == DraftStatus.NOT_SUBMITTED:
        draft.status = DraftStatus.CONSULTING
        draft.save(update_fields=["status", "updated_at"])
    msgid, due = gettext_noop("Your opinion is asked on draft %(draft)s by %(date)s"), f"{due_date:%d/%m/%Y}"
    for uid in user_ids:
        _notify(users[uid], draft, msgid, date=due)
    for uid in unit_ids:
        _notify(units[uid], draft, msgid, date=due)
    record(actor=actor, action="draft.consult", obj=consultation, unit=draft.unit,
           data={"draft": draft.pk, "users": user_ids, "units": unit_ids, "due_date": due_date})
    return consultation


def can_answer(user: User, opinion: Opinion) -> bool:
    return opinion.answered_at is None and (
        opinion.user_id == user.pk or (opinion.unit_id is not None and opinion.unit_id in member_unit_ids(user)))


@transaction.atomic
def give_opinion(*, actor: User, opinion: Opinion, answer: str) -> Opinion:
    opinion = Opinion.objects.select_for_update(of=("self",)).select_related(
        "consultation__draft__unit").get(pk=opinion.pk)
    draft = opinion.consultation.draft
    if not policy.can_view(actor, draft, involved=True) or not (
            opinion.user_id == actor.pk or can_answer(actor, opinion) or opinion.answered_at is not None):
        raise PermissionDenied(_("This request for an opinion is not addressed to you."))
    if opinion.answered_at is not None:
        raise ValidationError({"answer": _("This opinion was already given; each addressee answers once.")})
    if not can_answer(actor, opinion):
        raise PermissionDenied(_("This request for an opinion is not addressed to you."))
    answer = nfc(answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write your opinion (or “Nhất trí”).")})
    if len(answer) > 20000:
        raise ValidationError({"answer": _("At most %(n)s characters.") % {"n": 20000}})
    opinion.answer, opinion.answered_by, opinion.answered_at = answer, actor, timezone.now()
    opinion.save(update_fields=["answer", "answered_by", "answered_at"])
    _notify(draft.created_by, draft, gettext_noop("An opinion was given on draft %(draft)s"))
    record(actor=actor, action="draft.opinion", obj=opinion, unit=draft.unit, data={"draft": draft.pk})
    return opinion


# --- The sign flow -----------------------------------------------------------------------------------------------

def _check_assignee(draft: Draft, user_id: Any, action: Any, field: str) -> User:
    person = get_user_model().objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if person is None:
        raise ValidationError({field: _("Choose the next person.")})
    if action not in StepAction.values:
        raise ValidationError({f"{field.rsplit('_', 1)[0]}_action" if "_" in field else "action":
                               _("Must be one of: %(values)s.") % {"values": ", ".join(StepAction.values)}})
    if not policy.belongs_to_tree(person, draft.unit):
        raise ValidationError({field: _("%(person)s does not work in %(unit)s.") % {
            "person": person.full_name, "unit": draft.unit.name}})
    if (person.clearance or 0) < draft.confidentiality:
        raise ValidationError({field: _("%(person)s is not cleared for this draft.") % {"person": person.full_name}})
    if action == StepAction.SIGN and not policy.can_sign_for(person, draft.unit):
        raise ValidationError({field: _("%(person)s does not sign for %(unit)s.") % {
            "person": person.full_name, "unit": draft.unit.name}})
    if action == StepAction.FORMAT_CHECK and not policy.can_issue(person, draft):
        raise ValidationError({field: _("The format check is done by a clerk of the issuing unit.")})
    return person


def _add_step(draft: Draft, *, assignee: User, action: str, routed_by: User, state: str,
              order: int | None = None) -> Step:
    if order is None:
        order = (draft.steps.filter(round=draft.round).order_by("-order").values_list("order", flat=True).first()
                 or 0) + 1
    return Step.objects.create(draft=draft, round=draft.round, order=order, assignee=assignee, action=action,
                               state=state, routed_by=routed_by, version=latest_version(draft))


def _notify(target: Any, draft: Draft, msgid: str, **params: Any) -> None:
    """Tell a person or a unit about ``draft`` (``msgid``'s %(draft)s: its label): a link to it, and its
    confidentiality (no mail, and text withheld off the closed network, when it is secret)."""
    send = notify_unit if isinstance(target, Unit) else notify_user
    send(target, msgid, {"draft": _label(draft), **params}, link=_link(draft), confidentiality=draft.confidentiality)


def _tell(step: Step, draft: Draft) -> None:
    _notify(step.assignee, draft, gettext_noop("Draft %(draft)s awaits you (%(action)s)"),
            action=label(StepAction(step.action).label))


def _template_steps(template: Any, draft: Draft) -> list[tuple[int, Any, Any]]:
    if template.unit_id != draft.unit_id:
        raise ValidationError({"template_id": _("This template belongs to another unit.")})
    return [(i, s["user_id"], s["action"]) for i, s in enumerate(template.steps)]


@transaction.atomic
def submit(*, actor: User, draft: Draft, next_user_id: int | None = None, next_action: str = StepAction.REVIEW,
           template_id: int | None = None) -> Step:
    """Put the draft into the sign flow: to one person (step by step) or along a saved template."""
    draft = _locked(draft)
    require(draft.created_by_id == actor.pk and policy.can_view(actor, draft), _("Only the drafter submits."))
    if draft.status not in EDITABLE:
        raise ValidationError({"status": _("The draft is %(status)s.") % {
            "status": draft.get_status_display().lower()}})
    version = latest_version(draft)
    if version.pdf_blob_id is None:
        raise ValidationError({"file": _("The draft's PDF is not ready yet (conversion pending or failed).")})
    if template_id is not None:
        template = FlowTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise ValidationError({"template_id": _("Unknown template.")})
        planned = [(_check_assignee(draft, uid, action, f"template.steps.{i}"), action)
                   for i, uid, action in _template_steps(template, draft)]
    else:
        planned = [(_check_assignee(draft, next_user_id, next_action, "next_user_id"), next_action)]
    resubmitted = draft.status in (DraftStatus.RETURNED, DraftStatus.NUMBER_REFUSED)
    draft.round += 1
    draft.status = DraftStatus.RESUBMITTED if resubmitted else DraftStatus.IN_PROCESS
    draft.save(update_fields=["round", "status", "updated_at"])
    steps = [_add_step(draft, assignee=person, action=action, routed_by=actor, order=i + 1,
                       state=StepState.CURRENT if i == 0 else StepState.WAITING)
             for i, (person, action) in enumerate(planned)]
    _tell(steps[0], draft)
    record(actor=actor, action="draft.submit", obj=draft, unit=draft.unit,
           data={"round": draft.round, "steps": [[p.pk, a] for p, a in planned], "template": template_id})
    return steps[0]


def _current_step(draft: Draft) -> Step | None:
    return draft.steps.filter(round=draft.round, state=StepState.CURRENT).select_related("assignee").first()


def _locked_step(step: Step, actor: User) -> tuple[Step, Draft]:
    draft = _locked(step.draft)  # the draft before its step (parents before children, decision 0038)
    step = Step.objects.select_for_update(of=("self",)).get(pk=step.pk)
    if step.state != StepState.CURRENT or step.round != draft.round or draft.status not in IN_FLOW:
        raise ValidationError({"step": _("This step is not waiting for action any more.")})
    if step.assignee_id != actor.pk or not policy.can_view(actor, draft, involved=True):
        raise PermissionDenied(_("This step is assigned to someone else."))
    return step, draft


def _signature_lines(actor: User, draft: Draft, position: str) -> list[str]:
    return [f"Ký bởi: {actor.full_name}", position or "", draft.unit.name,
            f"Ngày ký: {timezone.localtime():%d/%m/%Y %H:%M}"]


def _apply_personal_signature(*, actor: User, draft: Draft, step: Step, passphrase: str, position: str) -> Signature:
    credential = sig_services.current_credential(user=actor)
    if credential is None:
        raise ValidationError({"passphrase": _("You have no valid signing certificate. Import one first.")})
    version = latest_version(draft)
    before = current_pdf(draft, version)
    assert before is not None  # submit() refused a draft whose PDF was not ready
    with storage.open_blob(before) as fh:
        data = fh.read()
    slot = Signature.objects.filter(draft=draft, version=version, withdrawn_at__isnull=True,
                                    organization=False).count()
    signed = sig_services.sign_bytes(data, credential=credential, passphrase=passphrase,
                                     field_name=f"KyDuyet{draft.round}_{step.order}_{slot + 1}",
                                     lines=_signature_lines(actor, draft, position),
                                     placement=pades.Placement(slot=slot), reason="Ký duyệt văn bản")
    after = doc_services.store_file(actor=actor, fileobj=io.BytesIO(signed), content_type=files.PDF)
    return Signature.objects.create(draft=draft, step=step, version=version, signer=actor, credential=credential,
                                    blob_before=before, blob_after=after)


@transaction.atomic
def act(*, actor: User, step: Step, taken: str, comment: str = "", next_user_id: int | None = None,
        next_action: str = StepAction.REVIEW, passphrase: str = "",
        position: str = "") -> Step | None:
    """The current handler approves, initials, forwards or signs. After a signature the flow ends (the draft
    awaits its number) unless a next step is named; after the others the flow goes on to the next step."""
    step, draft = _locked_step(step, actor)
    if taken not in (Taken.APPROVE, Taken.INITIAL, Taken.FORWARD, Taken.SIGN):
        raise ValidationError({"taken": _("Choose approve, initial, forward or sign.")})
    if taken == Taken.SIGN and not policy.can_sign_for(actor, draft.unit):
        raise PermissionDenied(_("You do not sign for %(unit)s.") % {"unit": draft.unit.name})
    comment = nfc(comment or "").strip()[:5000]
    planned = draft.steps.filter(round=draft.round, state=StepState.WAITING).order_by("order").first()
    following = None
    if next_user_id is not None:
        following = _check_assignee(draft, next_user_id, next_action, "next_user_id")
    elif planned is None and taken != Taken.SIGN:
        raise ValidationError({"next_user_id": _("Choose who handles the draft next.")})
    signature = None
    if taken == Taken.SIGN:
        signature = _apply_personal_signature(actor=actor, draft=draft, step=step, passphrase=passphrase,
                                              position=position)
    step.state, step.taken, step.comment, step.acted_at = StepState.DONE, taken, comment, timezone.now()
    step.save(update_fields=["state", "taken", "comment", "acted_at"])
    if following is not None:
        order = None
        if planned is not None:  # an inserted step runs before the planned ones: make room for it
            order = planned.order
            for waiting in draft.steps.filter(round=draft.round, state=StepState.WAITING).order_by("-order"):
                waiting.order += 1
                waiting.save(update_fields=["order"])
        nxt = _add_step(draft, assignee=following, action=next_action, routed_by=actor, state=StepState.CURRENT,
                        order=order)
    elif planned is not None:
        planned.state = StepState.CURRENT
        planned.save(update_fields=["state"])
        nxt = planned
    else:
        nxt = None
    if nxt is not None:
        _tell(nxt, draft)
    else:  # signed, nothing planned after: the clerks number and issue it
        draft.status = DraftStatus.SIGNED
        draft.save(update_fields=["status", "updated_at"])
        _notify(draft.unit, draft, gettext_noop("Draft %(draft)s is signed and awaits a number"))
        _notify(draft.created_by, draft, gettext_noop("Draft %(draft)s has been signed"))
    record(actor=actor, action=f"draft.step.{taken}", obj=step, unit=draft.unit,
           data={"draft": draft.pk, "round": step.round, "order": step.order,
                 "next": nxt.assignee_id if nxt else None, "signature": signature.pk if signature else None,
                 "sha256": signature.blob_after.sha256 if signature else None})
    return nxt



def _reason(reason: str) -> str:
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    return reason[:5000]


@transaction.atomic
def return_draft(*, actor: User, step: Step, reason: str, to_step_id: int | None = None) -> Step | None:
    """Send the draft back: to the drafter (the flow stops) or to an earlier step of this round (it rolls back:
    that person gets it again and everything after is cancelled). Secret drafts go back only to the drafter."""
    step, draft = _locked_step(step, actor)
    reason = _reason(reason)
    now = timezone.now()
    open_steps = draft.steps.filter(round=draft.round, state__in=[StepState.CURRENT, StepState.WAITING])
    if to_step_id is None:
        open_steps.exclude(pk=step.pk).update(state=StepState.CANCELLED)
        step.state, step.taken, step.comment, step.acted_at = StepState.DONE, Taken.RETURN, reason, now
        step.save(update_fields=["state", "taken", "comment", "acted_at"])
        draft.status = DraftStatus.RETURNED
        draft.save(update_fields=["status", "updated_at"])
        # the round's signatures are void once the drafter has it back
        Signature.objects.filter(draft=draft, withdrawn_at__isnull=True, organization=False).update(
            withdrawn_at=now, withdrawn_reason="Trả lại người soạn thảo")
        _notify(draft.created_by, draft, gettext_noop("Draft %(draft)s was returned: %(reason)s"), reason=reason[:200])
        record(actor=actor, action="draft.return", obj=draft, unit=draft.unit,
               data={"round": draft.round, "step": step.order, "reason": reason})
        return None
    if draft.is_secret:
        raise ValidationError({"to_step_id": _("A secret draft goes back only to its drafter.")})
    target = draft.steps.filter(pk=to_step_id if isinstance(to_step_id, int) else 0, round=draft.round,
                                state=StepState.DONE, order__lt=step.order).first()
    if target is None:
        raise ValidationError({"to_step_id": _("Choose an earlier step of this flow.")})
    open_steps.exclude(pk=step.pk).update(state=StepState.CANCELLED)
    step.state, step.taken, step.comment, step.acted_at = StepState.DONE, Taken.ROLLBACK, reason, now
    step.save(update_fields=["state", "taken", "comment", "acted_at"])
    # signatures given after the target step no longer stand: the content may change
    Signature.objects.filter(draft=draft, withdrawn_at__isnull=True, step__round=draft.round,
                             step__order__gte=target.order).update(withdrawn_at=now,
                                                                    withdrawn_reason="Trả lại bước trước")
    again = _add_step(draft, assignee=target.assignee, action=target.action, routed_by=actor,
                      state=StepState.CURRENT)
    _notify(again.assignee, draft, gettext_noop("Draft %(draft)s is back with you to redo: %(reason)s"),
            reason=reason[:200])
    record(actor=actor, action="draft.rollback", obj=draft, unit=draft.unit,
           data={"round": draft.round, "from": step.order, "to": target.order, "reason": reason})
    return again


@transaction.atomic
def withdraw_signature(*, actor: User, signature: Signature, reason: str) -> Step:
    """The signer takes the signature back while nobody has acted after it; the step is theirs again."""
    draft = _locked(signature.draft)  # the draft before its signature (parents before children, decision 0038)
    signature = Signature.objects.select_for_update(of=("self",)).select_related("step").get(pk=signature.pk)
    if signature.signer_id != actor.pk or signature.organization:
        raise PermissionDenied(_("Only the signer can withdraw this signature."))
    if signature.withdrawn_at is not None:
        raise ValidationError({"signature": _("This signature was already withdrawn.")})
    step = signature.step
    assert step is not None  # only the organization's seal has no step, and it was refused above
    reason = _reason(reason)
    later = draft.steps.filter(round=step.round, order__gt=step.order)
    if (draft.status not in (*IN_FLOW, DraftStatus.SIGNED) or step.round != draft.round
            or later.filter(state=StepState.DONE).exists()):
        raise ValidationError({"signature": _("The next person has already acted; ask them to return the draft.")})
    now = timezone.now()
    signature.withdrawn_at, signature.withdrawn_reason = now, reason
    signature.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    current = later.filter(state=StepState.CURRENT).first()
    if current is not None:  # the next person had not acted: the step goes back to the signer
        if current.routed_by_id == actor.pk and current.order == step.order + 1 and not later.filter(
                state=StepState.WAITING).exists():
            current.state = StepState.CANCELLED
        else:
            current.state = StepState.WAITING
        current.save(update_fields=["state"])
    step.state, step.taken, step.acted_at = StepState.CURRENT, "", None
    step.comment = ""
    step.save(update_fields=["state", "taken", "acted_at", "comment"])
    draft.status = DraftStatus.RESUBMITTED if draft.round > 1 else DraftStatus.IN_PROCESS
    draft.save(update_fields=["status", "updated_at"])
    record(actor=actor, action="draft.signature.withdraw", obj=signature, unit=draft.unit,
           data={"draft": draft.pk, "reason": reason})
    return step


@transaction.atomic
def refuse_number(*, actor: User, draft: Draft, reason: str) -> Draft:
    """The clerk will not number the signed draft (wrong format, missing pieces): back to the drafter."""
    draft = _locked(draft)
    require(policy.can_issue(actor, draft) and policy.can_view(actor, draft),
            _("Only a clerk of the unit can do this."))
    if draft.status != DraftStatus.SIGNED:
        raise ValidationError({"status": _("Only a signed draft awaits a number.")})
    reason = _reason(reason)
    draft.status = DraftStatus.NUMBER_REFUSED
    draft.save(update_fields=["status", "updated_at"])
    _notify(draft.created_by, draft, gettext_noop("The clerk refused to number draft %(draft)s: %(reason)s"),
            reason=reason[:200])
    record(actor=actor, action="draft.refuse_number", obj=draft, unit=draft.unit, data={"reason": reason})
    return draft


@transaction.atomic
def cancel_draft(*, actor: User, draft: Draft, reason: str) -> Draft:
    draft = _locked(draft)
    require(draft.created_by_id == actor.pk or has_role_in(actor, draft.unit, policy.OVERSEERS),
            _("Only the drafter or a leader can cancel a draft."))
    if draft.status in (DraftStatus.ISSUED, DraftStatus.CANCELLED):
        raise ValidationError({"status": _("The draft is %(status)s.") % {
            "status": draft.get_status_display().lower()}})
    reason = _reason(reason)
    draft.steps.filter(state__in=[StepState.CURRENT, StepState.WAITING]).update(state=StepState.CANCELLED)
    draft.status = DraftStatus.CANCELLED
    draft.save(update_fields=["status", "updated_at"])
    record(actor=actor, action="draft.cancel", obj=draft, unit=draft.unit, data={"reason": reason})
    return draft


def _signer_of(draft: Draft) -> Signature | None:
    signature = (Signature.objects.filter(draft=draft, organization=False, withdrawn_at__isnull=True,
                                          version=latest_version(draft))
                 .select_related("signer", "step").order_by("-id").first())
    return signature


@transaction.atomic
def issue_draft(*, actor: User, draft: Draft, issued_on: date | None = None, series_id: int | None = None,
                signer_position: str = "", authority: str = "") -> Document:
    """Number and issue the signed draft: the outgoing document is created and issued (register row, deliveries),
    then the organization's signature is applied with the number, symbol and date in its appearance."""
    draft = _locked(draft)
    require(policy.can_issue(actor, draft) and policy.can_view(actor, draft), _("Only a clerk of the unit can issue."))
    if draft.status != DraftStatus.SIGNED:
        raise ValidationError({"status": _("Only a signed draft can be issued.")})
    signature = _signer_of(draft)
    if signature is None:
        raise ValidationError({"status": _("The draft carries no valid signature.")})
    credential = sig_services.current_credential(unit=draft.unit)
    if credential is None:
        raise ValidationError({"credential": _("%(unit)s has no organization certificate; an administrator imports it "
                                               "first.") % {"unit": draft.unit.name}})
    position = nfc(signer_position or "").strip()  # too long is refused by create_outgoing, naming it
    document = doc_services.create_outgoing(
        actor=actor, unit=draft.unit, document_type_id=draft.document_type_id, subject=draft.subject,
        drafting_unit=draft.drafting_unit if draft.drafting_unit_id != draft.unit_id else None,
        recipients=draft.recipients, urgency=draft.urgency, confidentiality=draft.confidentiality,
        signer_name=signature.signer.full_name, signer_position=position, authority=authority or "",
        due_date=draft.due_date)
    document = doc_services.issue_document(actor=actor, document=document, issued_on=issued_on, series_id=series_id)
    before = signature.blob_after
    with storage.open_blob(before) as fh:
        data = fh.read()
    assert document.issued_on is not None  # issue_document() dated it
    symbol = ("Số: " if document.document_type.system == "state" else "Số ") + document.symbol
    signed = sig_services.sign_bytes(
        data, credential=credential, passphrase=sig_services.server_passphrase(), field_name="DonVi",
        lines=[draft.unit.name, symbol, f"{document.place or ''} {long_date(document.issued_on)}".strip(),
               f"Văn thư: {actor.full_name}"],
        placement=pades.Placement(slot=0, organization=True), reason="Ban hành văn bản")
    # raises, and the transaction gives back the number and every row written above
    sig_services.require_valid_signatures(signed, required=True)
    after = doc_services.store_file(actor=actor, fileobj=io.BytesIO(signed), content_type=files.PDF)
    Signature.objects.create(draft=draft, version=signature.version, organization=True, signer=actor,
                             credential=credential, blob_before=before, blob_after=after)
    attach_files(document, [(after, f"{document.symbol.replace('/', '-')}.pdf", True)])
    draft.status, draft.document = DraftStatus.ISSUED, document
    draft.save(update_fields=["status", "document", "updated_at"])
    record(actor=actor, action="draft.issue", obj=draft, unit=draft.unit,
           data={"document": document.pk, "symbol": document.symbol, "sha256": after.sha256})
    transaction.on_commit(lambda: check_document_files(document.pk))
    return document


@transaction.atomic
def save_template(*, actor: User, unit: Unit, name: str, steps: Any) -> FlowTemplate:
    require(policy.can_draft(actor, unit) or has_role_in(actor, unit, policy.OVERSEERS),
            _("You cannot save flows for this unit."))
    name = nfc(name or "").strip()
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    if not steps or len(steps) > MAX_TEMPLATE_STEPS:
        raise ValidationError({"steps": _("Give between 1 and %(n)s steps.") % {"n": MAX_TEMPLATE_STEPS}})
    probe = Draft(unit=unit, confidentiality=0)
    cleaned = []
    for i, s in enumerate(steps):
        if not isinstance(s, dict):
            raise ValidationError({f"steps.{i}": _("Give user_id and action.")})
        person = _check_assignee(probe, s.get("user_id"), s.get("action"), f"steps.{i}")
        cleaned.append({"user_id": person.pk, "action": s["action"]})
    template = FlowTemplate.objects.create(unit=unit, name=name[:200], steps=cleaned, created_by=actor)
    record(actor=actor, action="draft.template.save", obj=template, unit=unit, data={"steps": cleaned})
    return template


def blob_by_hash(sha256: Any) -> Blob:
    blob = Blob.objects.filter(sha256=(sha256 or "").lower()).first()
    if blob is None:
        raise ValidationError({"file": _("Unknown file: upload it first.")})
    return blob


# --- Reorganization (decision 0040) ------------------------------------------------------------------------------

REASSIGNABLE = ("unit", "drafting_unit")


def reassign_unit(*, draft_ids: list[int], field: str, source: Unit, target: Unit) -> int:
    """Point ``field`` (``unit`` or ``drafting_unit``) of the drafts ``draft_ids`` still at ``source`` to ``target``,
    in one statement; a reorganization hands an old unit's open drafts to its successor. Runs in the caller's
    transaction, which traces and audits the move."""
    if field not in REASSIGNABLE:
        raise ValueError(f"A draft's {field!r} is not a unit a reorganization moves.")
    return Draft.objects.filter(pk__in=draft_ids, **{field: source}).update(**{field: target})
