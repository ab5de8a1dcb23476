"""Pages for digitization: upload scans, follow a batch (htmx polling), review and confirm each scan."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from dieuhanh.accounts.models import Role
from dieuhanh.documents.storage import download_response
from dieuhanh.documents.views import pick_unit
from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.pagination import page_for_request

from . import policy, selectors, services
from .forms import ConfirmForm, DiscardForm
from .models import ImportBatch, ItemStatus, ScanItem

FLAG_LABELS = {
    "low-resolution": _l("Below 200 ppi"), "blank": _l("Blank page"), "unreadable": _l("Unreadable text"),
    "duplicate": _l("Possible duplicate"), "javascript": _l("Contains JavaScript"),
    "embedded-file": _l("Contains embedded files"), "launch-action": _l("Launches programs"),
    "open-action": _l("Runs an action when opened"), "rich-media": _l("Contains rich media"),
}


def _flag_labels(flags):
    return [str(FLAG_LABELS.get(f, f)) for f in flags]


@login_required
def index(request):
    units, unit = pick_unit(request, {Role.CLERK})
    errors = []
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        try:
            batch = services.import_files(actor=request.user, unit=unit, files=[(f.name, f) for f in uploads],
                                          label=request.POST.get("label", ""), limit=services.MAX_FILES_PER_UPLOAD)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(n)s files received; digitizing in the background.") % {
                "n": batch.items.count()})
            return redirect("digitization:batch", batch_id=batch.pk)
    page = page_for_request(selectors.batch_page, request, unit)
    batches = [(b, selectors.progress(b)) for b in page.items]
    waiting = selectors.awaiting_confirmation(unit, limit=50)
    return render(request, "digitization/index.html", {
        "units": units, "unit": unit, "page": page, "batches": batches, "waiting": waiting.items,
        "errors": errors}, status=400 if errors else 200)


def _batch_context(request, batch_id):
    batch = get_object_or_404(ImportBatch.objects.select_related("unit", "created_by"), pk=batch_id)
    if not policy.can_view_batch(request.user, batch):
        raise Http404
    items = selectors.batch_items(batch)
    for item in items:
        item.flag_labels = _flag_labels(item.flags)
    return {"batch": batch, "items": items, "progress": selectors.progress(batch)}


@login_required
def batch_detail(request, batch_id):
    return render(request, "digitization/batch.html", _batch_context(request, batch_id))


@login_required
def batch_progress(request, batch_id):
    """The progress fragment htmx polls while OCR runs; once nothing is pending it stops asking."""
    return render(request, "digitization/_progress.html", _batch_context(request, batch_id))


def _item(request, item_id):
    item = get_object_or_404(ScanItem.objects.select_related("unit", "batch", "original", "ocr_pdf", "entry",
                                                             "duplicate_of__document"), pk=item_id)
    if not policy.can_view_item(request.user, item):
        raise Http404
    return item


def _initial(item):
    data = item.extracted or {}
    initial = {"issuer_name": data.get("issuer_name") or "", "symbol": data.get("symbol") or "",
               "subject": data.get("subject") or "", "page_count": item.page_count or 1,
               "document_type": data.get("document_type_id")}
    initial.update({"signer_name": data.get("signer_name") or "", "signer_position": data.get("signer_position") or "",
                    "authority": data.get("authority") or ""})
    if data.get("issued_on"):
        try:
            initial["issued_on"] = datetime.date.fromisoformat(data["issued_on"])
        except ValueError:
            pass
    return initial


# extraction field -> form field, for marking what the extraction's own checks doubt
DOUBTFUL_FIELDS = {"symbol": "symbol", "issued_on": "issued_on", "issuer_name": "issuer_name",
                   "type_name": "document_type", "subject": "subject", "signer_name": "signer_name"}


def _mark_doubtful(form, names):
    """Mark the prefilled fields the extraction doubts (class and a note beside the field) and return their labels;
    Tesseract's confidence stays high on misread fields, so these checks are what tells the clerk where to look."""
    labels = []
    for name in names:
        field = form.fields.get(DOUBTFUL_FIELDS.get(name, ""))
        if field is None:
            continue
        field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " doubtful").strip()
        field.widget.attrs["data-doubtful"] = "1"
        field.widget.attrs["aria-describedby"] = "doubtful"  # the page's note naming the doubtful fields
        labels.append(str(field.label))
    return labels


@login_required
def item_detail(request, item_id):
    item = _item(request, item_id)
    form = ConfirmForm(request.POST or None, initial=_initial(item))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.confirm(
                    actor=request.user, item=item, document_type_id=data["document_type"].pk,
                    issuer_name=data["issuer_name"], symbol=data["symbol"], issued_on=data["issued_on"],
                    subject=data["subject"], arrived_on=data["arrived_on"], urgency=data["urgency"],
                    confidentiality=data["confidentiality"], page_count=data["page_count"],
                    confirm_duplicate=data["confirm_duplicate"], handler=data["handler"],
                    signer_name=data["signer_name"], signer_position=data["signer_position"],
                    authority=data["authority"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Registered as arrival no. %(n)s.") % {"n": entry.arrival_number})
                return redirect("digitization:batch", batch_id=item.batch_id)
        status = 400
    pages = [{**p, "flag_labels": _flag_labels(p.get("flags", []))} for p in item.pages or []]
    doubtful = _mark_doubtful(form, (item.extracted or {}).get("doubtful", []))
    return render(request, "digitization/item.html", {"doubtful": doubtful,
        "item": item, "form": form, "pages": pages, "flag_labels": _flag_labels(item.flags),
        "discard_form": DiscardForm(), "ready": item.status == ItemStatus.READY}, status=status)


@login_required
@require_POST
def item_discard(request, item_id):
    item = _item(request, item_id)
    form = DiscardForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.discard(actor=request.user, item=item, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The scan was set aside."))
    return redirect("digitization:batch", batch_id=item.batch_id)


@login_required
@require_POST
def item_retry(request, item_id):
    item = _item(request, item_id)
    try:
        services.retry(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("digitization:batch", batch_id=item.batch_id)


@login_required
def item_file(request, item_id, kind):
    item = _item(request, item_id)
    blob = {"original": item.original, "ocr": item.ocr_pdf}.get(kind)
    if blob is None:
        raise Http404
    name = item.name if kind == "original" else services.pdf_name(item.name)
    return download_response(blob, filename=name)
