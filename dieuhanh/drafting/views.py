"""Pages for drafts: the lists, a new draft, a draft with its versions, opinions, flow and signatures."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dieuhanh.documents.services import store_file
from dieuhanh.documents.views import WRITER_ROLES, pick_unit
from dieuhanh.kernel.pagination import page_for_request
from dieuhanh.signatures import selectors as sig_selectors
from dieuhanh.signatures import services as sig_services
from dieuhanh.units.models import Unit, UnitStatus

from . import files, policy, selectors, services
from .api import pdf_response
from .forms import ConsultForm, DraftForm, RouteForm
from .models import EDITABLE, IN_FLOW, DraftStatus, FlowTemplate, Opinion, Signature, StepState


@login_required
def draft_list(request):
    kind = request.GET.get("kind", "mine")
    if kind not in selectors.LISTS:
        kind = "mine"
    page = page_for_request(selectors.draft_page, request, request.user, kind)
    counts = selectors.counters(request.user)
    tabs = [(k, str(selectors.LABELS[k]), counts[k]) for k in selectors.LISTS]
    return render(request, "drafting/list.html", {"kind": kind, "page": page, "tabs": tabs, "cap": 1000})


def _store(request, field="file"):
    upload = request.FILES.get(field)
    if upload is None:
        raise ValidationError({field: _("Choose a file.")})
    return store_file(actor=request.user, fileobj=upload, content_type=upload.content_type or ""), upload.name


def _form_error(form, exc):
    from dieuhanh.kernel.forms import apply_service_errors

    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key in list(exc.error_dict):
            if key.startswith("recipients"):
                exc.error_dict.setdefault("recipients", []).extend(exc.error_dict.pop(key))
    apply_service_errors(form, exc)


@login_required
def new_draft(request):
    units, unit = pick_unit(request, WRITER_ROLES)
    form = DraftForm(request.POST or None, request.FILES or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            blob, name = _store(request)
            draft = services.create_draft(
                actor=request.user, unit=unit, document_type_id=data["document_type"].pk, subject=data["subject"],
                blob=blob, name=name, recipients=form.recipient_list(), urgency=data["urgency"],
                confidentiality=data["confidentiality"], due_date=data["due_date"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("drafting:detail", draft_id=draft.pk)
    return render(request, "drafting/new.html", {"units": units, "unit": unit, "form": form},
                  status=400 if request.method == "POST" else 200)


def _people(draft):
    """Who may take a step: active people of the issuing unit and the units below it."""
    below = Unit.objects.filter(path__startswith=draft.unit.path, status=UnitStatus.ACTIVE)
    return (get_user_model().objects.filter(memberships__ended_at__isnull=True, memberships__unit__in=below,
                                            is_active=True, clearance__gte=draft.confidentiality)
            .distinct().order_by("sort_key")[:500])


def _visible(request, draft_id):
    draft = selectors.get_draft(draft_id)
    if not policy.can_view(request.user, draft):
        raise Http404
    return draft


def _int(value):
    return int(value) if str(value or "").isdigit() else None


def _post_action(request, draft, action):
    """Run one form action of the draft page; returns a success message."""
    user, post = request.user, request.POST
    if action == "revise":
        blob, name = _store(request) if request.FILES.get("file") else (None, "")
        services.revise_draft(actor=user, draft=draft, blob=blob, name=name, note=post.get("note", ""))
        return _("New version saved.")
    if action == "consult":
        form = ConsultForm(post)
        form.fields["people"].choices = [(str(p.pk), p.full_name) for p in _people(draft)]
        form.fields["units"].choices = [(u, u) for u in post.getlist("units")]
        if not form.is_valid():
            raise ValidationError({k: v for k, v in form.errors.items()})
        services.ask_opinions(actor=user, draft=draft, due_date=form.cleaned_data["due_date"],
                              user_ids=[int(p) for p in form.cleaned_data["people"]],
                              unit_ids=[_int(u) for u in form.cleaned_data["units"] if _int(u)],
                              question=form.cleaned_data["question"])
        return _("Opinions requested.")
    if action == "answer":
        opinion = get_object_or_404(Opinion, pk=_int(post.get("opinion_id")) or 0, consultation__draft=draft)
        services.give_opinion(actor=user, opinion=opinion, answer=post.get("answer", ""))
        return _("Opinion sent.")
    if action == "submit":
        services.submit(actor=user, draft=draft, next_user_id=_int(post.get("next_user")),
                        next_action=post.get("next_action") or "review", template_id=_int(post.get("template")))
        return _("Submitted.")
    step = selectors.current_step(draft)
    if action in ("approve", "initial", "forward", "sign"):
        if step is None:
            raise ValidationError({"step": _("This step is not waiting for action any more.")})
        services.act(actor=user, step=step, taken=action, comment=post.get("comment", ""),
                     next_user_id=_int(post.get("next_user")), next_action=post.get("next_action") or "review",
                     passphrase=post.get("passphrase", ""), position=post.get("position", ""))
        return _("Signed.") if action == "sign" else _("Passed on.")
    if action == "return":
        if step is None:
            raise ValidationError({"step": _("This step is not waiting for action any more.")})
        services.return_draft(actor=user, step=step, reason=post.get("reason", ""),
                              to_step_id=_int(post.get("to_step")))
        return _("Returned.")
    if action == "withdraw":
        signature = get_object_or_404(Signature, pk=_int(post.get("signature_id")) or 0, draft=draft)
        services.withdraw_signature(actor=user, signature=signature, reason=post.get("reason", ""))
        return _("Signature withdrawn.")
    if action == "issue":
        document = services.issue_draft(actor=user, draft=draft, signer_position=post.get("signer_position", ""),
                                        authority=post.get("authority", ""))
        return _("Issued as %(symbol)s.") % {"symbol": document.symbol}
    if action == "refuse":
        services.refuse_number(actor=user, draft=draft, reason=post.get("reason", ""))
        return _("Returned to the drafter.")
    if action == "cancel":
        services.cancel_draft(actor=user, draft=draft, reason=post.get("reason", ""))
        return _("Draft cancelled.")
    if action == "check":
        blob = services.current_pdf(draft)
        if blob is None:
            raise ValidationError({"file": _("The draft has no PDF yet.")})
        sig_services.check_blob(actor=user, blob=blob)
        return _("Signatures checked.")
    raise ValidationError(_("Unknown action."))


@login_required
def draft_detail(request, draft_id):
    draft = _visible(request, draft_id)
    status = 200
    if request.method == "POST":
        try:
            message = _post_action(request, draft, request.POST.get("action", ""))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or _("Not allowed."))
            messages.error(request, text)
            status = 400 if isinstance(exc, ValidationError) else 403
        else:
            messages.success(request, message)
            if policy.can_view(request.user, selectors.get_draft(draft.pk)):
                return redirect("drafting:detail", draft_id=draft.pk)
            return redirect("drafting:list")
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
    people = list(_people(draft)) if (is_drafter or my_turn) else []
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
        "route": RouteForm(people=people), "people": people,
        "templates": FlowTemplate.objects.filter(unit=draft.unit).order_by("name") if is_drafter else [],
        "consult_form": ConsultForm(initial={}) if is_drafter else None,
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
    from dieuhanh.documents import storage

    draft = _visible(request, draft_id)
    version = get_object_or_404(draft.versions.select_related("blob"), number=number)
    return storage.download_response(version.blob, filename=version.name)


@login_required
def version_diff(request, draft_id):
    draft = _visible(request, draft_id)
    versions = {v.number: v for v in selectors.versions_of(draft)}
    new = _int(request.GET.get("to")) or max(versions)
    old = _int(request.GET.get("from")) or new - 1
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
