"""Pages for drafts: the lists, a new draft, a draft with its versions, opinions, flow and signatures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dieuhanh.documents import storage
from dieuhanh.documents.services import store_file
from dieuhanh.documents.views import WRITER_ROLES, pick_unit
from dieuhanh.kernel.actions import Action, dispatch
from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.pagination import page_for_request
from dieuhanh.signatures import selectors as sig_selectors
from dieuhanh.signatures import services as sig_services

from . import files, forms, policy, selectors, services
from .api import pdf_response
from .models import EDITABLE, IN_FLOW, DraftStatus, FlowTemplate, Opinion, Signature, StepState


@login_required
def draft_list(request):
    kind = request.GET.get("kind", "mine")
    if kind not in selectors.LISTS:
        kind = "mine"
    page = page_for_request(selectors.draft_page, request, request.user, kind)
    counts = selectors.counters(request.user)
    tabs = [(k, str(selectors.LABELS[k]), counts[k]) for k in selectors.LISTS]
    return render(request, "drafting/list.html", {"kind": kind, "page": page, "tabs": tabs})


def _store(request, field="file"):
    upload = request.FILES.get(field)
    if upload is None:
        raise ValidationError({field: _("Choose a file.")})
    return store_file(actor=request.user, fileobj=upload, content_type=upload.content_type or ""), upload.name


@login_required
def new_draft(request):
    units, unit = pick_unit(request, WRITER_ROLES)
    form = forms.DraftForm(request.POST or None, request.FILES or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            blob, name = _store(request)
            draft = services.create_draft(
                actor=request.user, unit=unit, document_type_id=data["document_type"].pk, subject=data["subject"],
                blob=blob, name=name, recipients=form.recipient_list(), urgency=data["urgency"],
                confidentiality=data["confidentiality"], due_date=data["due_date"])
        except ValidationError as exc:
            apply_service_errors(form, exc, {"recipients.": "recipients"})
        else:
            messages.success(request, _("Draft saved."))
            return redirect("drafting:detail", draft_id=draft.pk)
    return render(request, "drafting/new.html", {"units": units, "unit": unit, "form": form},
                  status=400 if request.method == "POST" else 200)


def _visible(request, draft_id):
    draft = selectors.get_draft(draft_id)
    if not policy.can_view(request.user, draft):
        raise Http404
    return draft


# --- the actions of a draft's page: one form each (forms.py), one call of the service -----------------------------

def _revise(request, data, *, draft):
    blob, name = _store(request) if data["file"] else (None, "")
    services.revise_draft(actor=request.user, draft=draft, blob=blob, name=name, note=data["note"])
    return _("New version saved.")


def _consult(request, data, *, draft):
    services.ask_opinions(actor=request.user, draft=draft, due_date=data["due_date"], user_ids=data["people"],
                          unit_ids=[u for u in data["units"] if u], question=data["question"])
    return _("Opinions requested.")


def _answer(request, data, *, draft):
    opinion = get_object_or_404(Opinion, pk=data["opinion_id"] or 0, consultation__draft=draft)
    services.give_opinion(actor=request.user, opinion=opinion, answer=data["answer"])
    return _("Opinion sent.")


def _submit(request, data, *, draft):
    services.submit(actor=request.user, draft=draft, next_user_id=data["next_user"],
                    next_action=data["next_action"] or "review", template_id=data["template"])
    return _("Submitted.")


def _current_step(draft):
    step = selectors.current_step(draft)
    if step is None:
        raise ValidationError({"step": _("This step is not waiting for action any more.")})
    return step


def _step(taken):
    def run(request, data, *, draft):
        services.act(actor=request.user, step=_current_step(draft), taken=taken, comment=data["comment"],
                     next_user_id=data["next_user"], next_action=data["next_action"] or "review",
                     passphrase=data["passphrase"], position=data["position"])
        return _("Signed.") if taken == "sign" else _("Passed on.")
    return run


def _return(request, data, *, draft):
    services.return_draft(actor=request.user, step=_current_step(draft), reason=data["reason"],
                          to_step_id=data["to_step"])
    return _("Returned.")


def _withdraw(request, data, *, draft):
    signature = get_object_or_404(Signature, pk=data["signature_id"] or 0, draft=draft)
    services.withdraw_signature(actor=request.user, signature=signature, reason=data["reason"])
    return _("Signature withdrawn.")


def _issue(request, data, *, draft):
    document = services.issue_draft(actor=request.user, draft=draft, signer_position=data["signer_position"],
                                    authority=data["authority"])
    return _("Issued as %(symbol)s.") % {"symbol": document.symbol}


def _refuse(request, data, *, draft):
    services.refuse_number(actor=request.user, draft=draft, reason=data["reason"])
    return _("Returned to the drafter.")


def _cancel(request, data, *, draft):
    services.cancel_draft(actor=request.user, draft=draft, reason=data["reason"])
    return _("Draft cancelled.")


def _check(request, data, *, draft):
    blob = services.current_pdf(draft)
    if blob is None:
        raise ValidationError({"file": _("The draft has no PDF yet.")})
    sig_services.check_blob(actor=request.user, blob=blob)
    return _("Signatures checked.")


DRAFT_ACTIONS = {
    "revise": Action(forms.ReviseForm, _revise), "consult": Action(forms.ConsultForm, _consult),
    "answer": Action(forms.AnswerForm, _answer), "submit": Action(forms.SubmitForm, _submit),
    **{taken: Action(forms.StepForm, _step(taken)) for taken in ("approve", "initial", "forward", "sign")},
    "return": Action(forms.ReturnForm, _return), "withdraw": Action(forms.WithdrawForm, _withdraw),
    "issue": Action(forms.IssueForm, _issue), "refuse": Action(forms.ReasonForm, _refuse),
    "cancel": Action(forms.ReasonForm, _cancel), "check": Action(forms.NoFieldsForm, _check),
}


@login_required
def draft_detail(request, draft_id):
    draft = _visible(request, draft_id)
    status = 200
    if request.method == "POST":
        outcome = dispatch(request, DRAFT_ACTIONS, denied=_("Not allowed."), draft=draft)
        if outcome.ok:
            if policy.can_view(request.user, selectors.get_draft(draft.pk)):
                return redirect("drafting:detail", draft_id=draft.pk)
            return redirect("drafting:list")
        status = outcome.status
        draft = selectors.get_draft(draft.pk)
    return render(request, "drafting/detail.html", _detail_context(request, draft), status=status)


def _detail_context(request, draft):
    user = request.user
    steps = selectors.steps_of(draft)
    current = next((s for s in steps if s.state == StepState.CURRENT and s.round == draft.round), None)
    is_drafter = draft.created_by_id == user.pk
    my_turn = current is not None and current.assignee_id == user.pk and draft.status in IN_FLOW
    signatures = selectors.signatures_of(draft)
    pdf = services.current_pdf(draft)
    check = sig_selectors.latest_checks([pdf.pk]).get(pdf.pk) if pdf else None
    consultations = selectors.consultations_of(draft)
    people = list(forms.people_for(draft)) if (is_drafter or my_turn) else []
    return {
        "draft": draft, "steps": steps, "current": current, "versions": selectors.versions_of(draft),
        "consultations": consultations, "signatures": signatures, "pdf": pdf, "check": check,
        "is_drafter": is_drafter, "editable": is_drafter and draft.status in EDITABLE, "my_turn": my_turn,
        "earlier_steps": [s for s in steps if current and s.round == draft.round and s.order < current.order
                          and s.state == StepState.DONE] if my_turn and not draft.is_secret else [],
        "can_sign": my_turn and policy.can_sign_for(user, draft.unit),
        "has_credential": sig_services.current_credential(user=user) is not None,
        "can_issue": draft.status == DraftStatus.SIGNED and policy.can_issue(user, draft),
        "can_cancel": (is_drafter or policy.has_role_in(user, draft.unit, policy.OVERSEERS))
        and draft.status not in (DraftStatus.ISSUED, DraftStatus.CANCELLED),
        "my_opinions": [o for c in consultations for o in c.opinion_list if services.can_answer(user, o)],
        "withdrawable": [s for s in signatures if s.signer_id == user.pk and not s.organization
                         and s.withdrawn_at is None and draft.status in (*IN_FLOW, DraftStatus.SIGNED)],
        "route": forms.RouteForm(people=people), "people": people,
        "templates": FlowTemplate.objects.filter(unit=draft.unit).order_by("name") if is_drafter else [],
        "consult_form": forms.ConsultForm(initial={}) if is_drafter else None,
    }


@login_required
def draft_pdf(request, draft_id):
    draft = _visible(request, draft_id)
    blob = services.current_pdf(draft)
    if blob is None:
        raise Http404
    return pdf_response(blob, f"du-thao-{draft.pk}.pdf")


@login_required
def version_file(request, draft_id, number):
    draft = _visible(request, draft_id)
    version = get_object_or_404(draft.versions.select_related("blob"), number=number)
    return storage.download_response(version.blob, filename=version.name)


@login_required
def version_diff(request, draft_id):
    draft = _visible(request, draft_id)
    versions = {v.number: v for v in selectors.versions_of(draft)}
    new = parse_id(request.GET.get("to")) or max(versions)
    old = parse_id(request.GET.get("from")) or new - 1
    if old not in versions or new not in versions:
        raise Http404
    a, b = versions[old], versions[new]
    return render(request, "drafting/diff.html", {
        "draft": draft, "a": a, "b": b, "metadata": files.metadata_diff(a.metadata, b.metadata),
        "text": files.text_diff(a.text, b.text)})


@login_required
def my_certificate(request):
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": _("Choose a .p12 or .pfx file.")})
            sig_services.import_personal_credential(actor=request.user, p12=upload.read(sig_services.MAX_P12_BYTES + 1),
                                                    passphrase=request.POST.get("passphrase", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            messages.success(request, _("Certificate imported."))
            return redirect("drafting:certificate")
    credential = sig_services.current_credential(user=request.user)
    return render(request, "drafting/certificate.html", {"credential": credential}, status=status)
