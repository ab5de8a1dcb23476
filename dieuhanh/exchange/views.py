"""Pages of the exchange: what arrived (refused ones with their reason; import a package file), what we sent
(failed sends with their reason and a retry button) and the directory of outside organs (list, add, import)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.pagination import keyset_page, page_for_request

from . import organs, policy, selectors, services
from .models import Organ, OrganChannel, PackageState, ReceivedPackage, SentPackage


class OrganForm(forms.Form):
    code = forms.CharField(label=_l("Code"), max_length=13, help_text=_l("For example 000.00.00.G22"))
    parent_code = forms.CharField(label=_l("Parent code"), max_length=13, required=False)
    name = forms.CharField(label=_l("Name"), max_length=255)
    address = forms.CharField(label=_l("Address"), max_length=255, required=False)
    email = forms.CharField(label=_l("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_l("Phone"), max_length=50, required=False)
    channel = forms.ChoiceField(label=_l("Channel"), choices=OrganChannel.choices)
    closed_network = forms.BooleanField(label=_l("Reached over a closed network (may receive secret documents)"),
                                        required=False)
    active = forms.BooleanField(label=_l("Active"), required=False, initial=True)


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def received(request):
    _need(policy.can_receive_packages(request.user))
    errors = []
    if request.method == "POST":
        upload = request.FILES.get("package")
        try:
            if upload is None:
                raise ValidationError({"package": _("Choose a package file.")})
            pkg = services.upload_package(actor=request.user, data=upload.read(services.edxml.DEFAULT_MAX_BYTES + 1),
                                          name=upload.name or "")
        except ValidationError as exc:
            errors = exc.messages
        else:
            if pkg.state == PackageState.IMPORTED:
                messages.success(request, _("Package imported: it awaits receipt in the addressed units."))
            else:
                messages.error(request, _("Package %(state)s: %(reason)s") % {
                    "state": pkg.get_state_display().lower(), "reason": pkg.reason})
            return redirect("exchange:received_detail", package_id=pkg.pk)
    state = request.GET.get("state", "")
    if state not in PackageState.values:
        state = ""
    page = page_for_request(selectors.received_page, request, request.user, state=state)
    return render(request, "exchange/received.html", {
        "page": page, "items": page.items, "state": state, "states": PackageState.choices, "errors": errors},
        status=400 if errors else 200)


@login_required
def received_detail(request, package_id):
    pkg = get_object_or_404(ReceivedPackage.objects.select_related("document", "duplicate_of"), pk=package_id)
    if not policy.can_view_received(request.user, pkg):
        raise Http404
    deliveries = list(pkg.deliveries.select_related("recipient_unit", "document"))
    return render(request, "exchange/received_detail.html", {"pkg": pkg, "deliveries": deliveries})


@login_required
def sent(request):
    _need(policy.can_receive_packages(request.user))
    failed = request.GET.get("failed") == "1"
    try:
        page, rows = selectors.sent_page(request.user, failed=failed, cursor=request.GET.get("cursor"))
    except ValidationError:
        page, rows = selectors.sent_page(request.user, failed=failed)
    return render(request, "exchange/sent.html", {"page": page, "rows": rows, "failed": failed})


@login_required
@require_POST
def sent_retry(request, sent_id):
    item = get_object_or_404(SentPackage, pk=sent_id)
    if not policy.can_retry(request.user, item):
        raise Http404
    try:
        services.retry_send(actor=request.user, sent=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The package is queued again."))
    return redirect("exchange:sent")


@login_required
def organ_list(request):
    _need(policy.can_view_organs(request.user))
    query = request.GET.get("q", "")[:100]
    page = page_for_request(lambda cursor=None: keyset_page(organs.organs(query=query), ["code", "id"],
                                                            cursor=cursor), request)
    return render(request, "exchange/organs.html", {"page": page, "items": page.items, "q": query,
                                                    "can_manage": policy.can_manage_organs(request.user)})


@login_required
def organ_edit(request, organ_id=None):
    _need(policy.can_manage_organs(request.user))
    organ = get_object_or_404(Organ, pk=organ_id) if organ_id else None
    initial = {f: getattr(organ, f) for f in OrganForm.base_fields} if organ else {"active": True}
    form = OrganForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organs.save_organ(actor=request.user, organ=organ, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("exchange:organs")
    return render(request, "exchange/organ_form.html", {"form": form, "organ": organ},
                  status=400 if form.errors else 200)


@login_required
def organ_import(request):
    _need(policy.can_manage_organs(request.user))
    report, errors = None, []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": _("Choose an .xlsx file.")})
            report = organs.import_organs(actor=request.user, data=upload.read(organs.MAX_XLSX_BYTES + 1))
        except ValidationError as exc:
            errors = exc.messages
    return render(request, "exchange/organ_import.html", {"report": report, "errors": errors},
                  status=400 if errors else 200)
