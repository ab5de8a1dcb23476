"""Pages for freezing (decision 0022): the freezes, a new freeze, one freeze with what it covers and the lift form.

System administrators only (403 for everyone else, before any lookup). Every write goes through
``documents.freeze.freeze`` / ``lift``, which check permission, validate, write and audit in one transaction; the
page only turns what people type (ids, numbers and symbols, file codes, a unit code) into ids.
"""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.policy import is_system_admin
from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.pagination import keyset_page, page_for_request
from dieuhanh.kernel.text import nfc
from dieuhanh.units.models import Unit

from . import freeze as freezing
from . import hooks
from . import policy as doc_policy
from .models import Document, Freeze

# what the services call a field -> the field of the form that holds it
_SERVICE_FIELDS = {"document_ids": "documents", "file_ids": "files", "unit_id": "unit"}
_SPLIT = re.compile(r"[\n,;]+")


class FreezeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.CharField(label=gettext_lazy("Scope: unit code (empty: the whole installation)"), max_length=13,
                           required=False, widget=forms.TextInput(attrs={"placeholder": "000.00.00.H01"}))
    documents = forms.CharField(label=gettext_lazy("Documents: ids or numbers and symbols, one per line"),
                                max_length=20000, required=False,
                                widget=forms.Textarea(attrs={"rows": 3, "placeholder": "12/QĐ-UBND"}))
    files = forms.CharField(label=gettext_lazy("Record files: ids or file codes, one per line"), max_length=20000,
                            required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LiftForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for lifting"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _admin(request):
    if not is_system_admin(request.user):
        raise PermissionDenied


def _tokens(text):
    return [t for t in ((nfc(p) or "").strip() for p in _SPLIT.split(text or "")) if t]


def _document_ids(actor, text):
    """Ids as typed, or the one document (the actor may open) with that number and symbol."""
    ids = []
    for token in _tokens(text):
        if parse_id(token) is not None:
            ids.append(parse_id(token))
            continue
        matches = [d.pk for d in Document.objects.filter(symbol=token).only("pk", "confidentiality").order_by("pk")[:6]
                   if doc_policy.cleared_for(actor, d)]
        if not matches:
            raise ValidationError({"documents": _("No document has the number and symbol %(symbol)s.")
                                   % {"symbol": token}})
        if len(matches) > 1:
            raise ValidationError({"documents": _("%(symbol)s is the number and symbol of several documents (ids "
                                                  "%(ids)s): give the id instead.")
                                   % {"symbol": token, "ids": ", ".join(str(i) for i in matches[:5])}})
        ids.append(matches[0])
    return ids


def _file_ids(text):
    files = hooks.freezable_files()  # the records app (decision 0042)
    ids = []
    for token in _tokens(text):
        if parse_id(token) is not None:
            ids.append(parse_id(token))
            continue
        found = files.id_for_code(token) if files is not None else None
        if found is None:
            raise ValidationError({"files": _("No record file has the code %(code)s.") % {"code": token}})
        ids.append(found)
    return ids


def _unit(code):
    if not code:
        return None
    unit = Unit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise ValidationError({"unit": _("No unit has the code %(code)s.") % {"code": code.strip()}})
    return unit


def _show_errors(form, exc):
    if hasattr(exc, "error_dict"):
        exc = ValidationError({_SERVICE_FIELDS.get(k, k): v for k, v in exc.error_dict.items()})
    apply_service_errors(form, exc)


def _freeze_page(state, cursor=None, limit=50):
    qs = Freeze.objects.select_related("unit", "created_by", "lifted_by").filter(lifted_at__isnull=state != "lifted")
    return keyset_page(qs, ["-id"], cursor, limit)


@login_required
def index(request):
    """The freezes in force (or, with ``?state=lifted``, the lifted ones) and the form for a new freeze."""
    _admin(request)
    form = FreezeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = freezing.freeze(actor=request.user, reason=data["reason"], unit=_unit(data["unit"]),
                                      document_ids=_document_ids(request.user, data["documents"]),
                                      file_ids=_file_ids(data["files"]))
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("Freeze no. %(id)s is in force.") % {"id": row.pk})
                return redirect("freezes:detail", freeze_id=row.pk)
    state = "lifted" if request.GET.get("state") == "lifted" else "active"
    page = page_for_request(_freeze_page, request, state)
    items = page.items
    counts = _counts([f.pk for f in items]) if state == "active" else {}
    rows = [(f, counts.get(f.pk, (0, 0))) for f in items]
    return render(request, "documents/freezes.html", {"form": form, "page": page, "rows": rows, "state": state},
                  status=status)


def _counts(freeze_ids):
    """How many documents and files each freeze holds now: two grouped counts for the whole page."""
    from django.db.models import Count

    out = {i: [0, 0] for i in freeze_ids}
    for row in Document.objects.filter(freeze__in=freeze_ids).values("freeze").annotate(n=Count("id")):
        out[row["freeze"]][0] = row["n"]
    files = hooks.freezable_files()
    for freeze_id, n in (files.counts(freeze_ids) if files is not None and freeze_ids else {}).items():
        out[freeze_id][1] = n
    return {k: tuple(v) for k, v in out.items()}


@login_required
def detail(request, freeze_id):
    """One freeze: who, when, why, the documents and files it covers (by symbol and code, never by subject), and
    the lift form while it is in force."""
    from django.http import Http404

    _admin(request)
    row = Freeze.objects.select_related("unit", "created_by", "lifted_by").filter(pk=freeze_id).first()
    if row is None:
        raise Http404
    form = LiftForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                freezing.lift(actor=request.user, freeze=row, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("Freeze no. %(id)s was lifted.") % {"id": row.pk})
                return redirect("freezes:detail", freeze_id=row.pk)
    # in force: what is frozen now; lifted: what the freeze held
    documents = (Document.objects.filter(freeze=row) if row.active else Document.objects.filter(
        pk__in=row.document_ids)).select_related("issuing_unit").only(
        "pk", "symbol", "issuer_name", "issued_on", "status", "issuing_unit__name").order_by("pk")
    held_files = hooks.freezable_files()
    files = held_files.listing(row) if held_files is not None else []
    return render(request, "documents/freeze.html", {"freeze": row, "form": form, "documents": documents,
                                                     "files": files}, status=status)
