"""/api/v1/drafts: drafting, versions and diffs, opinions, the sign flow, issuing, flow templates."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from dieuhanh.documents import storage
from dieuhanh.signatures.services import check_blob
from dieuhanh.units.selectors import get_unit

from . import files, policy, selectors, services
from .models import DraftStatus, FlowTemplate, Opinion, Signature, Step, StepAction, Taken

router = Router(tags=["drafts"])


class DraftFileRef(Schema):
    sha256: str = Field(..., min_length=64, max_length=64)
    name: str = Field("", max_length=255)


class DraftRecipientIn(Schema):
    unit_id: int | None = None
    external_code: str = Field("", max_length=13)
    name: str = Field("", max_length=255)
    channel: str | None = Field(None, max_length=10)  # DocumentRecipient.channel
    copies: int = Field(1, ge=1, le=999)


class DraftIn(Schema):
    unit_id: int = Field(..., description="The issuing unit")
    drafting_unit_id: int | None = Field(None, description="A department of the issuing unit (default: the unit)")
    document_type_id: int
    subject: str = Field(..., min_length=1, max_length=2000, examples=["Quyết định về việc điều động cán bộ"])
    urgency: int = 0
    confidentiality: int = 0
    due_date: datetime.date | None = None
    recipients: list[DraftRecipientIn] = Field([], max_length=200)
    file: DraftFileRef = Field(..., description="The draft file (.docx, .odt or PDF), uploaded first to POST /files")


class VersionIn(Schema):
    file: DraftFileRef | None = None
    note: str = Field("", max_length=500)
    subject: str | None = Field(None, min_length=1, max_length=2000)
    urgency: int | None = None
    confidentiality: int | None = None
    due_date: datetime.date | None = None
    recipients: list[DraftRecipientIn] | None = Field(None, max_length=200)


class ConsultIn(Schema):
    user_ids: list[int] = Field([], max_length=50)
    unit_ids: list[int] = Field([], max_length=50)
    due_date: datetime.date
    question: str = Field("", max_length=5000)


class AnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=20000)


class SubmitIn(Schema):
    next_user_id: int | None = None
    next_action: StepAction = StepAction.REVIEW
    template_id: int | None = None


class ActIn(Schema):
    taken: Taken = Field(..., description="approve, initial, forward or sign")
    comment: str = Field("", max_length=5000)
    next_user_id: int | None = None
    next_action: StepAction = StepAction.REVIEW
    passphrase: str = Field("", max_length=200, description="Unlocks the signer's key (sign only); never stored")
    position: str = Field("", max_length=150, examples=["Bí thư"])


class ReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000)
    to_step_id: int | None = Field(None, description="An earlier step (roll back); empty: back to the drafter")


class DraftReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000)


class DraftIssueIn(Schema):
    issued_on: datetime.date | None = None
    series_id: int | None = None
    signer_position: str = Field("", max_length=150)
    authority: str = Field("", max_length=5)


class TemplateStepIn(Schema):
    user_id: int
    action: StepAction


class TemplateIn(Schema):
    unit_id: int
    name: str = Field(..., min_length=1, max_length=200)
    steps: list[TemplateStepIn] = Field(..., min_length=1, max_length=20)


class DraftOut(Schema):
    id: int
    unit_id: int
    drafting_unit_id: int
    document_type: str
    subject: str
    urgency: int
    confidentiality: int
    due_date: datetime.date | None
    status: DraftStatus
    round: int
    created_by: str
    created_at: datetime.datetime
    document_id: int | None
    symbol: str


class DraftPage(Schema):
    items: list[DraftOut]
    next_cursor: str | None


def draft_out(d):
    return {"id": d.pk, "unit_id": d.unit_id, "drafting_unit_id": d.drafting_unit_id,
            "document_type": d.document_type.name, "subject": d.subject, "urgency": d.urgency,
            "confidentiality": d.confidentiality, "due_date": d.due_date, "status": d.status, "round": d.round,
            "created_by": d.created_by.full_name or d.created_by.username, "created_at": d.created_at,
            "document_id": d.document_id, "symbol": d.document.symbol if d.document_id else ""}


def step_out(s):
    return {"id": s.pk, "round": s.round, "order": s.order, "assignee_id": s.assignee_id,
            "assignee": s.assignee.full_name, "action": s.action, "state": s.state, "taken": s.taken,
            "comment": s.comment, "acted_at": s.acted_at}


def detail_out(d):
    return {
        **draft_out(d), "recipients": d.recipients,
        "versions": [{"number": v.number, "sha256": v.blob.sha256, "name": v.name, "conversion": v.conversion,
                      "pdf_sha256": v.pdf_blob.sha256 if v.pdf_blob_id else None, "note": v.note,
                      "created_by": v.created_by.full_name, "created_at": v.created_at}
                     for v in selectors.versions_of(d)],
        "steps": [step_out(s) for s in selectors.steps_of(d)],
        "consultations": [{"id": c.pk, "question": c.question, "due_date": c.due_date, "opinions": [
            {"id": o.pk, "user_id": o.user_id, "unit_id": o.unit_id, "answer": o.answer,
             "answered_by": o.answered_by.full_name if o.answered_by_id else None, "answered_at": o.answered_at}
            for o in c.opinion_list]} for c in selectors.consultations_of(d)],
        "signatures": [{"id": s.pk, "signer": s.signer.full_name, "organization": s.organization,
                        "version": s.version.number, "sha256": s.blob_after.sha256, "signed_at": s.signed_at,
                        "withdrawn_at": s.withdrawn_at, "withdrawn_reason": s.withdrawn_reason}
                       for s in selectors.signatures_of(d)],
    }


def visible_draft(request, draft_id):
    draft = selectors.get_draft(draft_id)
    if not policy.can_view(request.user, draft):
        raise Http404
    return draft


def _recipients(items):
    return [{k: v for k, v in r.dict().items() if v not in (None, "")} for r in items]


@router.get("/drafts", response=DraftPage, summary="My draft lists: mine, opinion, signature, returned, to_issue")
def draft_list(request, kind: str = "mine", cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    if kind not in selectors.LISTS:
        raise ValidationError({"kind": _("Must be one of: %(values)s.") % {"values": ", ".join(selectors.LISTS)}})
    page = selectors.draft_page(request.user, kind, cursor=cursor, limit=limit)
    return {"items": [draft_out(d) for d in page.items], "next_cursor": page.next_cursor}


@router.get("/drafts/counters", response=dict[str, int], summary="Counts of my draft lists (capped)")
def draft_counters(request):
    return selectors.counters(request.user)


@router.post("/drafts", response={201: DraftOut}, summary="Start a draft")
def create(request, payload: DraftIn):
    unit = get_unit(payload.unit_id)
    drafting_unit = get_unit(payload.drafting_unit_id) if payload.drafting_unit_id else None
    draft = services.create_draft(
        actor=request.user, unit=unit, drafting_unit=drafting_unit, document_type_id=payload.document_type_id,
        subject=payload.subject, urgency=payload.urgency, confidentiality=payload.confidentiality,
        due_date=payload.due_date, recipients=_recipients(payload.recipients),
        blob=services.blob_by_hash(payload.file.sha256), name=payload.file.name)
    return 201, draft_out(draft)


@router.get("/drafts/{draft_id}", response=dict, summary="A draft with versions, flow, opinions and signatures")
def detail(request, draft_id: int):
    return detail_out(visible_draft(request, draft_id))


@router.post("/drafts/{draft_id}/versions", response={201: dict}, summary="Upload a new version or change fields")
def new_version(request, draft_id: int, payload: VersionIn):
    draft = visible_draft(request, draft_id)
    fields = {k: v for k, v in payload.dict(exclude={"file", "note", "recipients"}).items() if v is not None}
    version = services.revise_draft(
        actor=request.user, draft=draft, blob=services.blob_by_hash(payload.file.sha256) if payload.file else None,
        name=payload.file.name if payload.file else "", note=payload.note,
        recipients=_recipients(payload.recipients) if payload.recipients is not None else None, **fields)
    return 201, {"number": version.number, "conversion": version.conversion}


@router.get("/drafts/{draft_id}/diff", response=dict, summary="What changed between two versions")
def diff(request, draft_id: int, old: int = Query(..., alias="from"), new: int = Query(..., alias="to")):
    draft = visible_draft(request, draft_id)
    versions = {v.number: v for v in draft.versions.filter(number__in=[old, new])}
    if old not in versions:
        raise ValidationError({"from": _("Version %(n)s does not exist.") % {"n": old}})
    if new not in versions:
        raise ValidationError({"to": _("Version %(n)s does not exist.") % {"n": new}})
    a, b = versions[old], versions[new]
    return {"metadata": [{"field": f, "from": x, "to": y} for f, x, y in files.metadata_diff(a.metadata, b.metadata)],
            "text": [{"op": op, "line": line} for op, line in files.text_diff(a.text, b.text)],
            "same_file": a.blob_id == b.blob_id}


@router.get("/drafts/{draft_id}/pdf", summary="The draft's current PDF (with the signatures given so far)")
def current_pdf(request, draft_id: int):
    draft = visible_draft(request, draft_id)
    blob = services.current_pdf(draft)
    if blob is None:
        raise Http404
    return pdf_response(blob, f"du-thao-{draft.pk}.pdf")


def pdf_response(blob, name):
    return storage.download_response(blob, filename=name, content_type="application/pdf", inline=True)


@router.post("/drafts/{draft_id}/check-signatures", response=dict, summary="Validate the current PDF's signatures")
def check_signatures(request, draft_id: int):
    draft = visible_draft(request, draft_id)
    blob = services.current_pdf(draft)
    if blob is None:
        raise ValidationError({"file": _("The draft has no PDF yet.")})
    check = check_blob(actor=request.user, blob=blob)
    return {"outcome": check.outcome, "signatures": check.results, "checked_at": check.checked_at}


@router.post("/drafts/{draft_id}/consultations", response={201: dict}, summary="Ask people or units for opinions")
def consult(request, draft_id: int, payload: ConsultIn):
    c = services.ask_opinions(actor=request.user, draft=visible_draft(request, draft_id), **payload.dict())
    return 201, {"id": c.pk, "opinions": list(c.opinions.values_list("id", flat=True))}


@router.post("/opinions/{opinion_id}", response=dict, summary="Give an opinion (once)")
def answer(request, opinion_id: int, payload: AnswerIn):
    opinion = get_object_or_404(Opinion.objects.select_related("consultation__draft"), pk=opinion_id)
    if not policy.can_view(request.user, opinion.consultation.draft):
        raise Http404
    opinion = services.give_opinion(actor=request.user, opinion=opinion, answer=payload.answer)
    return {"id": opinion.pk, "answered_at": opinion.answered_at}


@router.post("/drafts/{draft_id}/submit", response=dict, summary="Put the draft into the sign flow")
def submit(request, draft_id: int, payload: SubmitIn):
    step = services.submit(actor=request.user, draft=visible_draft(request, draft_id), **payload.dict())
    return step_out(step)


def _visible_step(request, step_id):
    step = get_object_or_404(Step.objects.select_related("draft", "assignee"), pk=step_id)
    visible_draft(request, step.draft_id)
    return step


@router.post("/draft-steps/{step_id}/act", response=dict,
             summary="Approve, initial, forward or sign the current step")
def act(request, step_id: int, payload: ActIn):
    step = _visible_step(request, step_id)
    nxt = services.act(actor=request.user, step=step, **payload.dict())
    step.draft.refresh_from_db()
    return {"status": step.draft.status, "next_step": step_out(nxt) if nxt else None}


@router.post("/draft-steps/{step_id}/return", response=dict,
             summary="Return to the drafter, or to an earlier step")
def give_back(request, step_id: int, payload: ReturnIn):
    step = _visible_step(request, step_id)
    again = services.return_draft(actor=request.user, step=step, **payload.dict())
    return {"status": selectors.get_draft(step.draft_id).status, "next_step": step_out(again) if again else None}


@router.post("/draft-signatures/{signature_id}/withdraw", response=dict, summary="Withdraw my signature")
def withdraw(request, signature_id: int, payload: DraftReasonIn):
    signature = get_object_or_404(Signature, pk=signature_id)
    visible_draft(request, signature.draft_id)
    step = services.withdraw_signature(actor=request.user, signature=signature, reason=payload.reason)
    return step_out(step)


@router.post("/drafts/{draft_id}/issue", response=dict, summary="Number, seal and issue the signed draft")
def issue(request, draft_id: int, payload: DraftIssueIn):
    document = services.issue_draft(actor=request.user, draft=visible_draft(request, draft_id), **payload.dict())
    return {"document_id": document.pk, "symbol": document.symbol, "issued_on": document.issued_on}


@router.post("/drafts/{draft_id}/refuse-number", response=DraftOut, summary="Refuse to number a signed draft")
def refuse(request, draft_id: int, payload: DraftReasonIn):
    return draft_out(services.refuse_number(actor=request.user, draft=visible_draft(request, draft_id),
                                            reason=payload.reason))


@router.post("/drafts/{draft_id}/cancel", response=DraftOut, summary="Cancel a draft")
def cancel(request, draft_id: int, payload: DraftReasonIn):
    return draft_out(services.cancel_draft(actor=request.user, draft=visible_draft(request, draft_id),
                                           reason=payload.reason))


@router.get("/flow-templates", response=list[dict], summary="Saved sign-flow routes of a unit")
def templates(request, unit_id: int):
    unit = get_unit(unit_id)
    if not (policy.can_draft(request.user, unit) or policy.belongs_to_tree(request.user, unit)):
        raise Http404
    return [{"id": t.pk, "name": t.name, "steps": t.steps} for t in FlowTemplate.objects.filter(unit=unit)
            .order_by("name")]


@router.post("/flow-templates", response={201: dict}, summary="Save a sign-flow route")
def save_template(request, payload: TemplateIn):
    template = services.save_template(actor=request.user, unit=get_unit(payload.unit_id), name=payload.name,
                                      steps=[s.dict() for s in payload.steps])
    return 201, {"id": template.pk, "name": template.name, "steps": template.steps}
