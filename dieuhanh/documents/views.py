"""Pages for the exchange: queues for clerks, new and paper documents, the sender's trail, the registers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import units_with_roles
from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.ids import parse_id, parse_ids
from dieuhanh.kernel.pagination import COUNT_CAP, page_for_request

from . import exports, selectors, services
from . import policy as doc_policy
from .forms import OutgoingForm, PaperForm, ReasonForm, uploaded_files
from .models import DeliveryStatus, DocumentFile, RegisterKind
from .storage import download_response

WRITER_ROLES = {Role.CLERK, Role.SPECIALIST, Role.LEADER, Role.DEPUTY}


def pick_unit(request, roles):
    """The unit a page works for: ``?unit=`` among the user's units with ``roles``, else the first one."""
    units = units_with_roles(request.user, roles)
    if not units:
        raise PermissionDenied
    wanted = request.GET.get("unit") or request.POST.get("unit") or ""
    return units, next((u for u in units if str(u.pk) == wanted), units[0])


@login_required
def inbox(request):
    units, unit = pick_unit(request, {Role.CLERK})
    page = page_for_request(selectors.awaiting_receipt, request, unit, request.user)
    return render(request, "documents/inbox.html", {"units": units, "unit": unit, "page": page, "items": page.items,
                                                    "max_bulk": services.MAX_BULK})


def _accept_error(request, exc):
    if isinstance(exc, services.DuplicateDocument):
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def accept(request, delivery_id):
    delivery = selectors.get_delivery(delivery_id)
    if not doc_policy.can_view_delivery(request.user, delivery):
        raise Http404
    try:
        entry = services.accept_delivery(actor=request.user, delivery=delivery,
                                         confirm_duplicate=request.POST.get("confirm_duplicate") == "1")
    except ValidationError as exc:
        _accept_error(request, exc)
        return render_inbox_error(request, delivery, exc)
    messages.success(request, _("Registered as arrival no. %(n)s.") % {"n": entry.arrival_number})
    return redirect(f"/documents/?unit={delivery.recipient_unit_id}")


def render_inbox_error(request, delivery, exc):
    """Back to the queue with a 4xx and, for a duplicate, the button to register it anyway."""
    unit = delivery.recipient_unit
    units = units_with_roles(request.user, {Role.CLERK})
    page = selectors.awaiting_receipt(unit, request.user)
    duplicate = delivery.pk if isinstance(exc, services.DuplicateDocument) else None
    return render(request, "documents/inbox.html", {"units": units, "unit": unit, "page": page, "items": page.items,
                                                    "max_bulk": services.MAX_BULK, "duplicate": duplicate},
                  status=409 if duplicate else 400)


@login_required
@require_POST
def accept_many(request):
    ids = parse_ids(request.POST.getlist("delivery"))
    deliveries = [selectors.get_delivery(i) for i in dict.fromkeys(ids)]
    if any(not doc_policy.can_view_delivery(request.user, d) for d in deliveries):
        raise Http404
    unit_id = deliveries[0].recipient_unit_id if deliveries else request.POST.get("unit", "")
    try:
        result = services.accept_many(actor=request.user, deliveries=deliveries)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"/documents/?unit={unit_id}")
    messages.success(request, _("%(n)s documents registered.") % {"n": len(result.entries)})
    by_id = {d.pk: d for d in deliveries}
    for refused in result.refused:
        # the others went in; each one left in the queue says why, by its symbol
        messages.warning(request, _("%(symbol)s was not registered: %(reason)s") % {
            "symbol": by_id[refused["delivery_id"]].document.symbol, "reason": refused["message"]})
    return redirect(f"/documents/?unit={unit_id}")


@login_required
@require_POST
def give_back(request, delivery_id):
    delivery = selectors.get_delivery(delivery_id)
    if not doc_policy.can_view_delivery(request.user, delivery):
        raise Http404
    try:
        services.return_delivery(actor=request.user, delivery=delivery, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render_inbox_error(request, delivery, exc)
    messages.success(request, _("Returned to the sender."))
    return redirect(f"/documents/?unit={delivery.recipient_unit_id}")


@login_required
@require_POST
def recall_answer(request, delivery_id):
    delivery = selectors.get_delivery(delivery_id)
    if not doc_policy.can_view_delivery(request.user, delivery):
        raise Http404
    try:
        services.answer_recall(actor=request.user, delivery=delivery, agree=request.POST.get("agree") == "1",
                               reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        if request.POST.get("next") == "recalls":  # back to the list, the reason shown beside that row's field
            unit = delivery.recipient_unit
            page = selectors.pending_recalls(unit, request.user)
            return render(request, "documents/recalls.html", {
                "units": units_with_roles(request.user, {Role.CLERK}), "unit": unit, "page": page,
                "error_for": delivery.pk, "errors": exc.message_dict if hasattr(exc, "error_dict") else {}},
                status=400)
        messages.error(request, " ".join(exc.messages))
    if request.POST.get("next") == "recalls":
        messages.success(request, _("Your answer was sent to the sender."))
        return redirect(f"/documents/recalls/?unit={delivery.recipient_unit_id}")
    return redirect("documents:detail", document_id=delivery.document_id)


@login_required
def recalls(request):
    """Recalls the unit's senders wait on: agree (15) or refuse with a reason (16)."""
    units, unit = pick_unit(request, {Role.CLERK})
    page = page_for_request(selectors.pending_recalls, request, unit, request.user)
    return render(request, "documents/recalls.html", {"units": units, "unit": unit, "page": page})


@login_required
def outbox(request):
    units, unit = pick_unit(request, {Role.CLERK, Role.LEADER, Role.DEPUTY})
    status = request.GET.get("status") or None
    if status not in DeliveryStatus.values:
        status = None
    page = page_for_request(selectors.outbox, request, unit, request.user, status=status)
    counts = selectors.outbox_status_counts(unit, request.user)
    tabs = [(code, label, counts.get(code, 0)) for code, label in DeliveryStatus.choices]
    return render(request, "documents/outbox.html", {"units": units, "unit": unit, "page": page, "status": status,
                                                     "tabs": tabs, "cap": COUNT_CAP})


@login_required
def approved(request):
    units, unit = pick_unit(request, {Role.CLERK})
    page = page_for_request(selectors.approved_documents, request, unit, request.user)
    return render(request, "documents/approved.html", {"units": units, "unit": unit, "page": page})


@login_required
def new_document(request):
    units, unit = pick_unit(request, WRITER_ROLES)
    form = OutgoingForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            doc = services.create_outgoing(
                actor=request.user, unit=unit, document_type_id=data["document_type"].pk, subject=data["subject"],
                files=uploaded_files(request), recipients=form.recipient_list(), signer_name=data["signer_name"],
                signer_position=data["signer_position"], authority=data["authority"] or "",
                urgency=data["urgency"], confidentiality=data["confidentiality"], page_count=data["page_count"],
                due_date=data["due_date"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The document is ready to be issued."))
            return redirect("documents:detail", document_id=doc.pk)
    return render(request, "documents/new.html", {"units": units, "unit": unit, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def paper(request):
    units, unit = pick_unit(request, {Role.CLERK})
    form = PaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.register_paper(
                actor=request.user, unit=unit, document_type_id=data["document_type"].pk,
                issuer_name=data["issuer_name"], symbol=data["symbol"], issued_on=data["issued_on"],
                subject=data["subject"], arrived_on=data["arrived_on"], files=uploaded_files(request),
                urgency=data["urgency"], confidentiality=data["confidentiality"], page_count=data["page_count"],
                confirm_duplicate=data["confirm_duplicate"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Registered as arrival no. %(n)s.") % {"n": entry.arrival_number})
            return redirect(f"/documents/registers/{entry.register_id}/")
    return render(request, "documents/paper.html", {"units": units, "unit": unit, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def detail(request, document_id):
    doc = selectors.document_detail(document_id)
    if not doc_policy.can_view_document(request.user, doc):
        raise Http404
    user = request.user
    issuer_clerk = doc.issuing_unit_id is not None and doc_policy.can_issue(user, doc.issuing_unit)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "issue" and issuer_clerk:
                services.issue_document(actor=user, document=doc)
                messages.success(request, _("Issued."))
            elif action == "cancel" and issuer_clerk:
                services.cancel_issue(actor=user, document=doc, reason=request.POST.get("reason", ""))
                messages.success(request, _("The issue has been cancelled."))
            elif action == "recall" and doc_policy.can_request_recall(user, doc):
                services.request_recall(actor=user, document=doc, reason=request.POST.get("reason", ""))
                messages.success(request, _("Recall requested."))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            return redirect("documents:detail", document_id=doc.pk)
    services.record_read(actor=user, document=doc, via="page")
    my_units = doc_policy.member_unit_ids(user)
    deliveries = list(doc.deliveries.all())
    recall_pending = [d for d in deliveries if d.status == DeliveryStatus.RECALL_REQUESTED
                      and d.recipient_unit_id in my_units and doc_policy.can_receive(user, d.recipient_unit)]
    return render(request, "documents/detail.html", {
        "doc": doc, "deliveries": deliveries, "issuer_clerk": issuer_clerk,
        "can_recall": doc_policy.can_request_recall(user, doc), "recall_pending": recall_pending,
        "reason_form": ReasonForm(),
    }, status=status)


@login_required
def download(request, document_id, file_id):
    doc = selectors.get_document(document_id)
    if not doc_policy.can_view_document(request.user, doc):
        raise Http404
    doc_file = get_object_or_404(DocumentFile.objects.select_related("blob"), pk=file_id, document=doc)
    services.record_read(actor=request.user, document=doc, via="download", doc_file=doc_file)
    return download_response(doc_file.blob, filename=doc_file.name)


@login_required
def registers(request):
    units, unit = pick_unit(request, doc_policy.REGISTER_READERS)
    year = request.GET.get("year", "")
    year = parse_id(year) if parse_id(year) is not None else timezone.localdate().year
    books = [r for r in selectors.registers_of(unit, year=year)
             if not r.secret or doc_policy.can_open_secret_register(request.user)]
    return render(request, "documents/registers.html", {"units": units, "unit": unit, "year": year, "books": books})


def _register(request, register_id):
    register = selectors.get_register(register_id)
    if not doc_policy.can_view_registers(request.user, register.unit) or (
            register.secret and not doc_policy.can_open_secret_register(request.user)):
        raise Http404
    return register


@login_required
def register_view(request, register_id):
    register = _register(request, register_id)
    incoming = register.kind == RegisterKind.INCOMING
    fn = selectors.incoming_entries if incoming else selectors.outgoing_entries
    page = page_for_request(fn, request, register, request.user)
    return render(request, "documents/register.html", {"register": register, "page": page, "incoming": incoming})


@login_required
def register_check(request, register_id):
    register = _register(request, register_id)
    incoming = register.kind == RegisterKind.INCOMING
    report = selectors.check_incoming_register(register) if incoming else selectors.check_outgoing_register(register)
    return render(request, "documents/register_check.html", {"register": register, "report": report,
                                                             "incoming": incoming})


@login_required
def register_export(request, register_id):
    return exports.xlsx_response(_register(request, register_id), request.user)
