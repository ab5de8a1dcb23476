"""Pages for records: the unit's records for a year, the file list, a file, the workbench, deposits.

Thin like the API: look the object up with a policy check (404 for what the person may not see), run one service
per posted action, show its error (400) or refusal (403) in the page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import units_with_roles
from dieuhanh.kernel.actions import LABELLED, Action, dispatch, run_action
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.pagination import capped_count, page_for_request
from dieuhanh.units.models import Unit

from . import forms, policy, selectors, services
from .models import DepositStatus, DuplicateMark, FileListEntry, FileStatus, ListStatus, Loan

ALL_ROLES = set(Role.values)


def _pick(request):
    """(units, unit, year) the page works for: ``?unit=`` among the person's units, ``?year=`` (default this year)."""
    units = units_with_roles(request.user, ALL_ROLES)
    if not units:
        raise PermissionDenied
    wanted = request.GET.get("unit") or request.POST.get("unit") or ""
    unit = next((u for u in units if str(u.pk) == wanted), units[0])
    year = parse_id(request.GET.get("year") or request.POST.get("year"))
    if year is None or not 1945 <= year <= 2200:
        year = timezone.localdate().year
    return units, unit, year


def _create_list(request, data, *, unit, year):
    services.create_file_list(actor=request.user, unit=unit, year=year)
    return _("File list started.")


def _open_ad_hoc(request, data, *, unit, year):
    services.open_file(actor=request.user, unit=unit, year=year, symbol=data["symbol"], title=data["title"],
                       retention_id=data["retention"])
    return _("File opened.")


INDEX_ACTIONS = {"create_list": Action(forms.NoFieldsForm, _create_list),
                 "open_file": Action(forms.OpenFileForm, _open_ad_hoc)}


@login_required
def index(request):
    units, unit, year = _pick(request)
    status = 200
    if request.method == "POST":
        outcome = dispatch(request, INDEX_ACTIONS, unit=unit, year=year)
        status = outcome.status
        if outcome.ok:
            return redirect(f"{request.path}?unit={unit.pk}&year={year}")
    # the files of every unit the person reads records of: their own and, after a reorganization, the old units
    # whose collection passed to one of them (decision 0025); each row names its unit
    readable = selectors.reader_units(request.user)
    page = page_for_request(selectors.reader_file_page, request, readable, year)
    return render(request, "records/index.html", {
        "units": units, "unit": unit, "year": year, "file_list": selectors.list_for(unit, year),
        "readable_units": readable,
        "page": page, "progress": selectors.progress(unit, year), "counts": selectors.file_counts(unit, year),
        "retentions": selectors.retention_periods(), "can_keep": policy.can_keep(request.user, unit),
        "is_archivist": policy.is_archivist_for(request.user, unit),
    }, status=status)


def _visible_list(request, list_id):
    file_list = selectors.get_list(list_id)
    return policy.visible_or_404(request.user, file_list, file_list.unit)


def _add_section(request, data, *, file_list):
    services.add_section(actor=request.user, file_list=file_list, title=data["title"])
    return _("Section added.")


def _add_entry(request, data, *, file_list):
    services.add_entry(actor=request.user, file_list=file_list, symbol=data["symbol"], title=data["title"],
                       retention_id=data["retention"], section_id=data["section"],
                       responsible_name=data["responsible"], notes=data["notes"])
    return _("File added to the list.")


def _entry(file_list, data):
    return get_object_or_404(FileListEntry, pk=data["entry_id"] or 0, file_list=file_list)


def _delete_entry(request, data, *, file_list):
    services.delete_entry(actor=request.user, entry=_entry(file_list, data))
    return _("File removed from the list.")


def _approve_list(request, data, *, file_list):
    services.approve_list(actor=request.user, file_list=file_list)
    return _("File list approved.")


def _copy_list(request, data, *, file_list):
    new = services.copy_list(actor=request.user, file_list=file_list)
    return _("Copied to %(year)s.") % {"year": new.year}


def _open_from_entry(request, data, *, file_list):
    file = services.open_file(actor=request.user, unit=file_list.unit, entry=_entry(file_list, data))
    return _("File %(code)s opened.") % {"code": file.code}


LIST_ACTIONS = {
    "section": Action(forms.SectionForm, _add_section), "entry": Action(forms.EntryForm, _add_entry),
    "delete_entry": Action(forms.EntryRefForm, _delete_entry), "approve": Action(forms.NoFieldsForm, _approve_list),
    "copy": Action(forms.NoFieldsForm, _copy_list), "open_file": Action(forms.EntryRefForm, _open_from_entry),
}


@login_required
def list_detail(request, list_id):
    file_list = _visible_list(request, list_id)
    status = 200
    if request.method == "POST":
        outcome = dispatch(request, LIST_ACTIONS, file_list=file_list)
        status = outcome.status
        if outcome.ok:
            return redirect("records:list", list_id=file_list.pk)
        file_list = selectors.get_list(file_list.pk)
    opened = set(selectors.files_of(file_list.unit, file_list.year).exclude(entry=None)
                 .values_list("entry_id", flat=True))
    return render(request, "records/list.html", {
        "file_list": file_list, "groups": selectors.sections_with_entries(file_list), "opened": opened,
        "sections": list(file_list.sections.all()), "retentions": selectors.retention_periods(),
        "drafted": file_list.status == ListStatus.DRAFTED,
        "can_keep": policy.can_keep(request.user, file_list.unit),
        "can_approve": policy.can_approve_list(request.user, file_list.unit),
    }, status=status)


def _visible_file(request, file_id):
    file = selectors.get_file(file_id)
    return policy.visible_or_404(request.user, file, file.unit)


def _attach(request, data, *, file):
    ids = data["document_ids"].replace(",", " ").split()
    n = services.attach_documents(actor=request.user, file=file, document_ids=ids)
    return _("%(n)s documents attached.") % {"n": n}


def _detach(request, data, *, file):
    services.detach_document(actor=request.user, file=file, document_id=data["document_id"] or 0)
    return _("Document taken out of the file.")


def _close(request, data, *, file):
    services.close_file(actor=request.user, file=file, title=data["title"], retention_id=data["retention"])
    return _("File closed.")


def _reopen(request, data, *, file):
    services.reopen_file(actor=request.user, file=file, reason=data["reason"])
    return _("File reopened.")


def _hold(request, data, *, file):
    services.set_legal_hold(actor=request.user, file=file, hold=data["hold"], reason=data["reason"])
    return _("Legal hold updated.")


def _lend(request, data, *, file):
    services.lend_file(actor=request.user, file=file, purpose=data["purpose"], borrower_name=data["borrower"],
                       due_on=data["due_on"])
    return _("Loan recorded.")


def _return(request, data, *, file):
    loan = get_object_or_404(Loan, pk=data["loan_id"] or 0, file=file)
    services.return_loan(actor=request.user, loan=loan)
    return _("Return recorded.")


FILE_ACTIONS = {
    "attach": Action(forms.AttachForm, _attach), "detach": Action(forms.DetachForm, _detach),
    "close": Action(forms.CloseForm, _close), "reopen": Action(forms.ReasonForm, _reopen),
    "hold": Action(forms.HoldForm, _hold), "lend": Action(forms.LendForm, _lend),
    "return": Action(forms.LoanRefForm, _return),
}


@login_required
def file_detail(request, file_id):
    file = _visible_file(request, file_id)
    status = 200
    if request.method == "POST":
        outcome = dispatch(request, FILE_ACTIONS, file=file)
        status = outcome.status
        if outcome.ok:
            return redirect("records:file", file_id=file.pk)
        file = selectors.get_file(file.pk)
    archivist = policy.is_archivist_for(request.user, file.unit)
    items = selectors.items_of(file)
    return render(request, "records/file.html", {
        "file": file, "items": items, "retentions": selectors.retention_periods(),
        # an open file's counts are stored only when it closes; until then they come from its documents
        "pages": sum(i.document.page_count or 0 for i in items),
        "is_open": file.status == FileStatus.OPEN, "can_keep": policy.can_keep(request.user, file.unit),
        "is_archivist": archivist, "loans": selectors.loans_of(file) if archivist else [],
    }, status=status)


def _suggestion_reasons():
    return {"handler": _("same handler"), "type": _("same document type"), "subject": _("similar subject")}


def _duplicate_reasons():
    return {"number": _("same number, symbol, issuer and date"), "file": _("same file content")}


def _unmark(request, data, *, unit, year):
    mark = DuplicateMark.objects.filter(pk=data["mark"] or 0, unit=unit).first()
    if mark is None:
        raise ValidationError({"mark": _("Choose a duplicate mark of this unit.")})
    document = services.unmark_duplicate(actor=request.user, mark=mark, reason=data["reason"])
    return _("Document %(symbol)s is no longer marked as a duplicate; it is back among the documents in no "
             "file.") % {"symbol": document.symbol or f"#{document.pk}"}


def _merge(request, data, *, unit, year):
    kept = data["kept"]
    if kept is None:
        raise ValidationError({"kept": _("Choose the document to keep.")})
    n = services.mark_duplicates(actor=request.user, unit=unit, year=year, kept_id=kept,
                                 duplicate_ids=[m for m in data["member"] if m != kept])
    return ngettext("%(n)s document marked as a duplicate.", "%(n)s documents marked as duplicates.",
                    n) % {"n": n}


def _attach_to_file(request, data, *, unit, year):
    if data["one"]:
        file_id, _sep, doc_id = data["one"].partition(":")
        file_pk, ids = parse_id(file_id), [parse_id(doc_id)]
    else:
        file_pk, ids = data["file"], data["document"]
    file = selectors.files_of(unit).filter(pk=file_pk or 0).first()
    if file is None:
        raise ValidationError({"file": _("Choose an open file of this unit.")})
    n = services.attach_documents(actor=request.user, file=file, document_ids=[i for i in ids if i])
    return _("%(n)s documents attached to %(code)s.") % {"n": n, "code": file.code}


# the workbench's writes: one click on a suggested file or the bulk attach (no action name), the merge of a
# duplicate group (``kept`` among the ``member``s) and the undo of a duplicate mark, whose form shows its errors
# beside its fields, each named
WORKBENCH_ACTIONS = {
    "": Action(forms.AttachToFileForm, _attach_to_file), "merge": Action(forms.MergeForm, _merge),
    "unmark": Action(forms.UnmarkForm, _unmark, flash=LABELLED),
}


def _unmark_labels():
    return {"mark": _("Duplicate mark"), "reason": _("Reason for undoing"), "frozen": _("Frozen")}


@login_required
def workbench(request):
    units, unit, year = _pick(request)
    status, errors = 200, {}
    if request.method == "POST":
        outcome = dispatch(request, WORKBENCH_ACTIONS, labels=_unmark_labels(), unit=unit, year=year)
        status, errors = outcome.status, outcome.errors
        if outcome.ok:
            return redirect(f"{request.path}?unit={unit.pk}&year={year}#marks")
    page = page_for_request(selectors.workbench_page, request, request.user, unit, year)
    labels = _suggestion_reasons()
    suggestions = selectors.suggestions_for(unit, year, page.items)
    for d in page.items:
        d.suggested = [{"file": s.file, "reasons": ", ".join(labels[r] for r in s.reasons)}
                       for s in suggestions.get(d.pk, [])]
    duplicate_labels = _duplicate_reasons()
    groups = [{"documents": g.documents, "kept": g.suggested,
               "reasons": ", ".join(duplicate_labels[r] for r in g.reasons)}
              for g in selectors.duplicate_groups(request.user, unit, year)]
    try:
        marks = selectors.duplicate_marks_page(request.user, unit, year, cursor=request.GET.get("marks_cursor"))
    except ValidationError:  # a mangled cursor starts from the first page
        marks = selectors.duplicate_marks_page(request.user, unit, year)
    return render(request, "records/workbench.html", {
        "units": units, "unit": unit, "year": year, "page": page, "progress": selectors.progress(unit, year),
        "open_files": list(selectors.files_of(unit, status=FileStatus.OPEN).order_by("code")[:200]),
        "can_keep": policy.can_keep(request.user, unit), "max_bulk": services.MAX_BULK,
        "duplicate_groups": groups, "marks": marks, "errors": errors,
        "failed_mark": parse_id(request.POST.get("mark")) if status != 200 else None,
        "form": request.POST if status != 200 else {},
    }, status=status)


@login_required
def deposits(request):
    units, unit, year = _pick(request)
    status = 200
    if request.method == "POST":
        def submit(data):
            deposit = services.create_deposit(
                actor=request.user, unit=unit, file_ids=data["file"], collection_name=data["collection_name"],
                giver_name=data["giver_name"], giver_position=data["giver_position"], basis=data["basis"],
                condition=data["condition"])
            return _("Deposit %(id)s submitted to the archive.") % {"id": deposit.pk}

        outcome = run_action(request, forms.DepositForm(request.POST), submit)
        status = outcome.status
        if outcome.ok:
            return redirect(f"{request.path}?unit={unit.pk}")
    page = page_for_request(selectors.deposit_page, request, unit)
    closed = selectors.files_of(unit, status=FileStatus.CLOSED).filter(deposit=None).order_by("code")[:200]
    return render(request, "records/deposits.html", {
        "units": units, "unit": unit, "year": year, "page": page, "closed": list(closed),
        "can_keep": policy.can_keep(request.user, unit), "user_name": request.user.full_name,
    }, status=status)


def _accept(request, data, *, deposit):
    services.accept_deposit(actor=request.user, deposit=deposit, receiver_name=data["receiver_name"],
                            receiver_position=data["receiver_position"], condition=data["condition"])
    return _("Deposit accepted: every file matched its SHA-256.")


def _refuse(request, data, *, deposit):
    services.refuse_deposit(actor=request.user, deposit=deposit, reason=data["reason"])
    return _("Deposit refused.")


DEPOSIT_ACTIONS = {"accept": Action(forms.AcceptDepositForm, _accept), "refuse": Action(forms.ReasonForm, _refuse)}


@login_required
def deposit_detail(request, deposit_id):
    deposit = selectors.get_deposit(deposit_id)
    policy.visible_or_404(request.user, deposit, deposit.unit)
    status = 200
    if request.method == "POST":
        outcome = dispatch(request, DEPOSIT_ACTIONS, deposit=deposit)
        status = outcome.status
        if outcome.ok:
            return redirect("records:deposit", deposit_id=deposit.pk)
        deposit = selectors.get_deposit(deposit.pk)
    return render(request, "records/deposit.html", {
        "deposit": deposit, "files": selectors.deposit_files(deposit),
        "can_decide": deposit.status == DepositStatus.SUBMITTED and policy.is_archivist_for(request.user,
                                                                                            deposit.unit),
    }, status=status)


# --- the archive: usage register, appraisal, destruction ---------------------------------------------------------
# Reads follow the API (anyone who may read the unit's records); every write is the service's, which checks the
# archivist's role. Errors name the field in the page's language, with status 400 and nothing written.

def _pick_visible(request):
    """Like ``_pick``, but ``?unit=`` may also be a unit the person reaches as an archivist of a unit above it (the
    agency archive works on its sub-units' files), as the API allows."""
    units = units_with_roles(request.user, ALL_ROLES)
    wanted = parse_id(request.GET.get("unit") or request.POST.get("unit"))
    unit = next((u for u in units if u.pk == wanted), None)
    if unit is None and wanted:
        other = Unit.objects.filter(pk=wanted).first()
        if other is not None and policy.can_view_records(request.user, other):
            unit, units = other, [*units, other]
    if unit is None:
        if not units:
            raise PermissionDenied
        unit = units[0]
    year = parse_id(request.GET.get("year") or request.POST.get("year"))
    if year is None or not 1945 <= year <= 2200:
        year = timezone.localdate().year
    return units, unit, year


def _field_labels():
    return {
        "file": _("File"), "file_code": _("File"), "borrower_name": _("Borrower"), "borrower_id": _("Borrower"),
        "purpose": _("Purpose"), "due_on": _("Due on"), "status": _("Status"), "reason": _("Reason for the hold"),
        "number": _("Decision number"), "decided_on": _("Decision date"), "members": _("Council members"),
        "file_ids": _("Files to destroy"), "loan_id": _("Loan"),
    }


def _label(field):
    """A readable name for a service's field path, e.g. ``members.1.name`` -> "Council member 2: name"."""
    parts = field.split(".")
    if parts[0] == "members" and len(parts) > 1 and parse_id(parts[1]) is not None:
        which = {"name": _("name"), "position": _("position")}.get(parts[2] if len(parts) > 2 else "", "")
        label = _("Council member %(n)s") % {"n": int(parts[1]) + 1}
        return f"{label}: {which}" if which else label
    return _field_labels().get(parts[0], field)


def _hold_refusal(files):
    """A readable refusal when chosen files are under legal hold (the services refuse them too)."""
    held = [f for f in files if f.legal_hold]
    if not held:
        return None
    names = "; ".join(f"{f.code} ({f.hold_reason})" for f in held)
    return _("Refused: under legal hold, these files cannot be destroyed: %(files)s. Lift the hold first or leave "
             "them out.") % {"files": names}


def _query(unit, year, **extra):
    from urllib.parse import urlencode

    return "?" + urlencode({"unit": unit.pk, "year": year, **{k: v for k, v in extra.items() if v}})


LOAN_VIEWS = ("all", "open", "overdue")


def _lend_by_code(request, data, *, unit):
    code = data["file_code"].strip()
    file = selectors.files_of(unit).filter(code=code).first() if code else None
    if file is None:
        raise ValidationError({"file": _("Choose a deposited file of this unit by its code.") if not code
                               else _("No file %(code)s in %(unit)s.") % {"code": code, "unit": unit.name}})
    loan = services.lend_file(actor=request.user, file=file, purpose=data["purpose"],
                              borrower_name=data["borrower"], due_on=data["due_on"])
    return _("File %(code)s lent to %(name)s.") % {"code": file.code, "name": loan.borrower_name}


def _return_to_register(request, data, *, unit):
    loan = get_object_or_404(Loan.objects.select_related("file"), pk=data["loan_id"] or 0, file__unit=unit)
    services.return_loan(actor=request.user, loan=loan)
    return _("Return of %(code)s recorded.") % {"code": loan.file.code}


LOAN_ACTIONS = {"lend": Action(forms.LendForm, _lend_by_code),
                "return": Action(forms.LoanRefForm, _return_to_register)}


@login_required
def loans(request):
    """The usage register (sổ theo dõi khai thác): lend a deposited file, record its return, open and overdue
    loans as keyset pages."""
    units, unit, year = _pick_visible(request)
    show = request.GET.get("show") if request.GET.get("show") in LOAN_VIEWS else "all"
    status, errors = 200, {}
    if request.method == "POST":
        if request.POST.get("action") == "lend" and not policy.is_archivist_for(request.user, unit):
            # asked first, so that a 403 stays a 403 whatever else was typed
            messages.error(request, _("Only the archive records loans."))
            status = 403
        else:
            outcome = dispatch(request, LOAN_ACTIONS, flash=LABELLED, labels=_label, unit=unit)
            status, errors = outcome.status, outcome.errors
            if outcome.ok:
                return redirect(request.path + _query(unit, year, show=show if show != "all" else ""))
    today = timezone.localdate()
    page = page_for_request(selectors.loan_page, request, unit, open_only=show == "open",
                            overdue_on=today if show == "overdue" else None)
    archivist = policy.is_archivist_for(request.user, unit)
    return render(request, "records/loans.html", {
        "units": units, "unit": unit, "year": year, "page": page, "show": show, "today": today,
        "open_count": capped_count(selectors.loans_q(unit, open_only=True)),
        "overdue_count": capped_count(selectors.loans_q(unit, overdue_on=today)),
        "is_archivist": archivist, "lendable": selectors.lendable_files(unit) if archivist else [],
        "errors": errors, "form": request.POST if status != 200 else {},
    }, status=status)


def _hold_file(request, data, *, unit, recorded):
    file = get_object_or_404(selectors.files_of(unit), pk=data["file_id"] or 0)
    services.set_legal_hold(actor=request.user, file=file, hold=data["hold"], reason=data["reason"])
    return (_("Legal hold placed on %(code)s.") if data["hold"] else _("Legal hold on %(code)s lifted.")) % {
        "code": file.code}


def _decide(request, data, *, unit, recorded):
    members, rows = forms.DecisionForm.members_of(data)
    chosen = [i for i in data["file"] if i]
    try:
        decision = services.record_decision(actor=request.user, unit=unit, number=data["number"],
                                            decided_on=data["decided_on"], members=members, file_ids=chosen)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            refusal = _hold_refusal(selectors.files_of(unit).filter(pk__in=chosen))
            if refusal and "file_ids" in exc.error_dict:
                raise ValidationError({"file_ids": refusal}) from exc
            # member errors name the row as the form shows it
            renamed = {}
            for field, msgs in exc.message_dict.items():
                parts = field.split(".")
                if parts[0] == "members" and len(parts) > 1 and parse_id(parts[1]) is not None:
                    parts[1] = str(rows[int(parts[1])])
                renamed[".".join(parts)] = msgs
            raise ValidationError(renamed) from exc
        raise
    recorded["decision"] = decision
    return _("Decision %(number)s recorded.") % {"number": decision.number}


APPRAISAL_ACTIONS = {"hold": Action(forms.HoldForm, _hold_file), "decide": Action(forms.DecisionForm, _decide)}


@login_required
def appraisal(request):
    """Files past retention (thẩm định): legal holds placed and lifted with a reason, and the council's decision
    recorded with its members and the files chosen."""
    units, unit, year = _pick_visible(request)
    status, errors = 200, {}
    if request.method == "POST":
        recorded = {}
        outcome = dispatch(request, APPRAISAL_ACTIONS, flash=LABELLED, labels=_label, unit=unit,
                           recorded=recorded)
        status, errors = outcome.status, outcome.errors
        if outcome.ok:
            if "decision" in recorded:
                return redirect("records:decision", decision_id=recorded["decision"].pk)
            return redirect(request.path + _query(unit, year))
    page = page_for_request(selectors.appraisal_page, request, unit)
    form = request.POST if status != 200 else {}
    member_rows = [{"i": i, "name": form.get(f"member-{i}-name", ""), "position": form.get(f"member-{i}-position", ""),
                    "error": " ".join(v for k, v in errors.items() if k.startswith(f"members.{i}."))}
                   for i in range(forms.COUNCIL_ROWS)]
    return render(request, "records/appraisal.html", {
        "units": units, "unit": unit, "year": year, "page": page,
        "is_archivist": policy.is_archivist_for(request.user, unit), "decisions": selectors.decisions_of(unit),
        "errors": errors, "form": form, "chosen": {str(i) for i in (form.getlist("file") if form else [])},
        "member_rows": member_rows, "today": timezone.localdate(),
    }, status=status)


def _dmy(value):
    try:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y") if value else "—"
    except (TypeError, ValueError):
        return str(value)


def _shown(records):
    """The kept metadata holds ISO dates (JSON); pages show them as dd/mm/yyyy."""
    for r in records:
        meta = r.metadata if isinstance(r.metadata, dict) else {}
        r.span = f"{_dmy(meta.get('start_date'))} – {_dmy(meta.get('end_date'))}"
        r.documents = [{**d, "shown_date": _dmy(d.get("date"))} for d in meta.get("documents") or []
                       if isinstance(d, dict)]
    return records


def _destroy(request, data, *, decision):
    try:
        files = services.destroy_files(actor=request.user, decision=decision)
    except ValidationError as exc:
        refusal = _hold_refusal(selectors.decision_files(decision))
        if refusal and hasattr(exc, "error_dict") and "file_ids" in exc.error_dict:
            raise ValidationError({"file_ids": refusal}) from exc
        raise
    return ngettext("%(n)s file destroyed; its metadata is kept.",
                    "%(n)s files destroyed; their metadata is kept.", len(files)) % {"n": len(files)}


@login_required
def decision_detail(request, decision_id):
    """A council decision: its members and files, and the button that carries it out."""
    decision = selectors.get_decision(decision_id)
    policy.visible_or_404(request.user, decision, decision.unit)
    status, errors = 200, {}
    if request.method == "POST":
        outcome = dispatch(request, {"destroy": Action(forms.NoFieldsForm, _destroy)}, flash=LABELLED,
                           labels=_label, decision=decision)
        status, errors = outcome.status, outcome.errors
        if outcome.ok:
            return redirect("records:decision", decision_id=decision.pk)
        decision = selectors.get_decision(decision.pk)
    records = _shown(list(decision.records.select_related("destroyed_by", "decision").order_by("id")))
    return render(request, "records/decision.html", {
        "decision": decision, "unit": decision.unit, "files": selectors.decision_files(decision),
        "records": records, "errors": errors,
        "can_destroy": decision.executed_at is None and policy.is_archivist_for(request.user, decision.unit),
    }, status=status)


@login_required
def destructions(request):
    """What stays of destroyed files: each one's metadata and list of documents, and the decision behind it."""
    units, unit, year = _pick_visible(request)
    page = page_for_request(selectors.destruction_page, request, unit)
    _shown(page.items)
    return render(request, "records/destructions.html", {"units": units, "unit": unit, "year": year, "page": page})
