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
from dieuhanh.kernel.pagination import capped_count, page_for_request

from . import policy, selectors, services
from .models import DepositStatus, FileListEntry, FileStatus, ListStatus, Loan

ALL_ROLES = set(Role.values)


def _int(value):
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _pick(request):
    """(units, unit, year) the page works for: ``?unit=`` among the person's units, ``?year=`` (default this year)."""
    units = units_with_roles(request.user, ALL_ROLES)
    if not units:
        raise PermissionDenied
    wanted = request.GET.get("unit") or request.POST.get("unit") or ""
    unit = next((u for u in units if str(u.pk) == wanted), units[0])
    year = _int(request.GET.get("year") or request.POST.get("year"))
    if year is None or not 1945 <= year <= 2200:
        year = timezone.localdate().year
    return units, unit, year


def _run(request, action):
    """Run ``action()``; returns (ok, status). Errors become a message and a 400/403 status."""
    try:
        message = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False, 400
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You do not have permission to do this."))
        return False, 403
    if message:
        messages.success(request, message)
    return True, 200


@login_required
def index(request):
    units, unit, year = _pick(request)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")

        def run():
            if action == "create_list":
                services.create_file_list(actor=request.user, unit=unit, year=year)
                return _("File list started.")
            if action == "open_file":
                services.open_file(actor=request.user, unit=unit, year=year, symbol=request.POST.get("symbol", ""),
                                   title=request.POST.get("title", ""),
                                   retention_id=_int(request.POST.get("retention")))
                return _("File opened.")
            raise ValidationError(_("Unknown action."))

        ok, status = _run(request, run)
        if ok:
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


@login_required
def list_detail(request, list_id):
    file_list = _visible_list(request, list_id)
    status = 200
    if request.method == "POST":
        post, user = request.POST, request.user
        action = post.get("action", "")

        def run():
            if action == "section":
                services.add_section(actor=user, file_list=file_list, title=post.get("title", ""))
                return _("Section added.")
            if action == "entry":
                services.add_entry(actor=user, file_list=file_list, symbol=post.get("symbol", ""),
                                   title=post.get("title", ""), retention_id=_int(post.get("retention")),
                                   section_id=_int(post.get("section")), responsible_name=post.get("responsible", ""),
                                   notes=post.get("notes", ""))
                return _("File added to the list.")
            if action == "delete_entry":
                entry = get_object_or_404(FileListEntry, pk=_int(post.get("entry_id")) or 0, file_list=file_list)
                services.delete_entry(actor=user, entry=entry)
                return _("File removed from the list.")
            if action == "approve":
                services.approve_list(actor=user, file_list=file_list)
                return _("File list approved.")
            if action == "copy":
                new = services.copy_list(actor=user, file_list=file_list)
                return _("Copied to %(year)s.") % {"year": new.year}
            if action == "open_file":
                entry = get_object_or_404(FileListEntry, pk=_int(post.get("entry_id")) or 0, file_list=file_list)
                file = services.open_file(actor=user, unit=file_list.unit, entry=entry)
                return _("File %(code)s opened.") % {"code": file.code}
            raise ValidationError(_("Unknown action."))

        ok, status = _run(request, run)
        if ok:
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


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValidationError({"due_on": _("Enter a valid date.")}) from exc


@login_required
def file_detail(request, file_id):
    file = _visible_file(request, file_id)
    status = 200
    if request.method == "POST":
        post, user = request.POST, request.user
        action = post.get("action", "")

        def run():
            if action == "attach":
                ids = post.get("document_ids", "").replace(",", " ").split()
                n = services.attach_documents(actor=user, file=file, document_ids=ids)
                return _("%(n)s documents attached.") % {"n": n}
            if action == "detach":
                services.detach_document(actor=user, file=file, document_id=_int(post.get("document_id")) or 0)
                return _("Document taken out of the file.")
            if action == "close":
                services.close_file(actor=user, file=file, title=post.get("title", ""),
                                    retention_id=_int(post.get("retention")))
                return _("File closed.")
            if action == "reopen":
                services.reopen_file(actor=user, file=file, reason=post.get("reason", ""))
                return _("File reopened.")
            if action == "hold":
                services.set_legal_hold(actor=user, file=file, hold=post.get("hold") == "1",
                                        reason=post.get("reason", ""))
                return _("Legal hold updated.")
            if action == "lend":
                services.lend_file(actor=user, file=file, purpose=post.get("purpose", ""),
                                   borrower_name=post.get("borrower", ""), due_on=_date(post.get("due_on")))
                return _("Loan recorded.")
            if action == "return":
                loan = get_object_or_404(Loan, pk=_int(post.get("loan_id")) or 0, file=file)
                services.return_loan(actor=user, loan=loan)
                return _("Return recorded.")
            raise ValidationError(_("Unknown action."))

        ok, status = _run(request, run)
        if ok:
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


def _workbench_post(request, unit, year):
    """The workbench's writes: one click on a suggested file (``one`` = "file:document"), the bulk attach (the
    chosen ``document``s to ``file``), the merge of a duplicate group (``kept`` among the ``member``s) and the undo
    of a duplicate mark (``mark``, with a ``reason``)."""
    if request.POST.get("action") == "unmark":
        from .models import DuplicateMark

        mark = DuplicateMark.objects.filter(pk=_int(request.POST.get("mark")) or 0, unit=unit).first()
        if mark is None:
            raise ValidationError({"mark": _("Choose a duplicate mark of this unit.")})
        document = services.unmark_duplicate(actor=request.user, mark=mark, reason=request.POST.get("reason", ""))
        return _("Document %(symbol)s is no longer marked as a duplicate; it is back among the documents in no "
                 "file.") % {"symbol": document.symbol or f"#{document.pk}"}
    if request.POST.get("action") == "merge":
        kept = _int(request.POST.get("kept"))
        if kept is None:
            raise ValidationError({"kept": _("Choose the document to keep.")})
        members = [_int(x) for x in request.POST.getlist("member")]
        if None in members:
            raise ValidationError({"member": _("Not a document of this group.")})
        n = services.mark_duplicates(actor=request.user, unit=unit, year=year, kept_id=kept,
                                     duplicate_ids=[m for m in members if m != kept])
        return ngettext("%(n)s document marked as a duplicate.", "%(n)s documents marked as duplicates.",
                        n) % {"n": n}
    one = request.POST.get("one")
    if one is not None:
        file_id, _sep, doc_id = one.partition(":")
        file_pk, ids = _int(file_id), [_int(doc_id)]
    else:
        file_pk, ids = _int(request.POST.get("file")), [_int(x) for x in request.POST.getlist("document")]
    file = selectors.files_of(unit).filter(pk=file_pk or 0).first()
    if file is None:
        raise ValidationError({"file": _("Choose an open file of this unit.")})
    n = services.attach_documents(actor=request.user, file=file, document_ids=[i for i in ids if i])
    return _("%(n)s documents attached to %(code)s.") % {"n": n, "code": file.code}


def _unmark_labels():
    return {"mark": _("Duplicate mark"), "reason": _("Reason for undoing"), "frozen": _("Frozen")}


@login_required
def workbench(request):
    units, unit, year = _pick(request)
    status, errors = 200, {}
    if request.method == "POST":
        if request.POST.get("action") == "unmark":
            # the undo form shows its errors beside its fields, each named
            ok, status, errors = _run_named(request, lambda: _workbench_post(request, unit, year),
                                            _unmark_labels())
        else:
            ok, status = _run(request, lambda: _workbench_post(request, unit, year))
        if ok:
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
        "failed_mark": _int(request.POST.get("mark")) if status != 200 else None,
        "form": request.POST if status != 200 else {},
    }, status=status)


@login_required
def deposits(request):
    units, unit, year = _pick(request)
    status = 200
    if request.method == "POST":
        post = request.POST

        def run():
            deposit = services.create_deposit(
                actor=request.user, unit=unit, file_ids=[i for i in map(_int, post.getlist("file")) if i],
                collection_name=post.get("collection_name", ""), giver_name=post.get("giver_name", ""),
                giver_position=post.get("giver_position", ""), basis=post.get("basis", ""),
                condition=post.get("condition", ""))
            return _("Deposit %(id)s submitted to the archive.") % {"id": deposit.pk}

        ok, status = _run(request, run)
        if ok:
            return redirect(f"{request.path}?unit={unit.pk}")
    page = page_for_request(selectors.deposit_page, request, unit)
    closed = selectors.files_of(unit, status=FileStatus.CLOSED).filter(deposit=None).order_by("code")[:200]
    return render(request, "records/deposits.html", {
        "units": units, "unit": unit, "year": year, "page": page, "closed": list(closed),
        "can_keep": policy.can_keep(request.user, unit), "user_name": request.user.full_name,
    }, status=status)


@login_required
def deposit_detail(request, deposit_id):
    deposit = selectors.get_deposit(deposit_id)
    policy.visible_or_404(request.user, deposit, deposit.unit)
    status = 200
    if request.method == "POST":
        post, action = request.POST, request.POST.get("action", "")

        def run():
            if action == "accept":
                services.accept_deposit(actor=request.user, deposit=deposit,
                                        receiver_name=post.get("receiver_name", ""),
                                        receiver_position=post.get("receiver_position", ""),
                                        condition=post.get("condition", ""))
                return _("Deposit accepted: every file matched its SHA-256.")
            if action == "refuse":
                services.refuse_deposit(actor=request.user, deposit=deposit, reason=post.get("reason", ""))
                return _("Deposit refused.")
            raise ValidationError(_("Unknown action."))

        ok, status = _run(request, run)
        if ok:
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

COUNCIL_ROWS = 5  # member rows offered by the decision form (at least three are required)


def _pick_visible(request):
    """Like ``_pick``, but ``?unit=`` may also be a unit the person reaches as an archivist of a unit above it (the
    agency archive works on its sub-units' files), as the API allows."""
    from dieuhanh.units.models import Unit

    units = units_with_roles(request.user, ALL_ROLES)
    wanted = _int(request.GET.get("unit") or request.POST.get("unit"))
    unit = next((u for u in units if u.pk == wanted), None)
    if unit is None and wanted:
        other = Unit.objects.filter(pk=wanted).first()
        if other is not None and policy.can_view_records(request.user, other):
            unit, units = other, [*units, other]
    if unit is None:
        if not units:
            raise PermissionDenied
        unit = units[0]
    year = _int(request.GET.get("year") or request.POST.get("year"))
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
    if parts[0] == "members" and len(parts) > 1 and parts[1].isdigit():
        which = {"name": _("name"), "position": _("position")}.get(parts[2] if len(parts) > 2 else "", "")
        label = _("Council member %(n)s") % {"n": int(parts[1]) + 1}
        return f"{label}: {which}" if which else label
    return _field_labels().get(parts[0], field)


def _run_named(request, action, labels=None):
    """Like ``_run``, but each error names its field; returns (ok, status, {field: message}) so the form shows each
    error beside its field. ``labels``: the form's field names, else those of the records pages."""
    try:
        message = action()
    except ValidationError as exc:
        errors = {}
        if hasattr(exc, "error_dict"):
            for field, msgs in exc.message_dict.items():
                # services translate their messages; a message raised elsewhere in English still comes out in
                # the page's language when the catalogue knows it
                errors[field] = " ".join(_(m) for m in msgs)
                label = labels.get(field) if labels is not None else (_label(field) if field != "__all__" else None)
                messages.error(request, f"{label}: {errors[field]}" if label else errors[field])
        else:
            messages.error(request, " ".join(exc.messages))
        return False, 400, errors
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You do not have permission to do this."))
        return False, 403, {}
    if message:
        messages.success(request, message)
    return True, 200, {}


def _parse_date(value, field):
    value = (value or "").strip()
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValidationError({field: _("Enter a valid date.")}) from exc


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


@login_required
def loans(request):
    """The usage register (sổ theo dõi khai thác): lend a deposited file, record its return, open and overdue
    loans as keyset pages."""
    units, unit, year = _pick_visible(request)
    show = request.GET.get("show") if request.GET.get("show") in LOAN_VIEWS else "all"
    status, errors = 200, {}
    if request.method == "POST":
        post, user, action = request.POST, request.user, request.POST.get("action", "")

        def run():
            if action == "lend":
                # the service checks the role on the file; asking first keeps a 403 a 403 for a bad code too
                if not policy.is_archivist_for(user, unit):
                    raise PermissionDenied(_("Only the archive records loans."))
                code = post.get("file_code", "").strip()
                file = selectors.files_of(unit).filter(code=code).first() if code else None
                if file is None:
                    raise ValidationError({"file": _("Choose a deposited file of this unit by its code.")
                                           if not code else _("No file %(code)s in %(unit)s.")
                                           % {"code": code, "unit": unit.name}})
                due_on = _parse_date(post.get("due_on"), "due_on")
                loan = services.lend_file(actor=user, file=file, purpose=post.get("purpose", ""),
                                          borrower_name=post.get("borrower", ""), due_on=due_on)
                return _("File %(code)s lent to %(name)s.") % {"code": file.code, "name": loan.borrower_name}
            if action == "return":
                loan = get_object_or_404(Loan.objects.select_related("file"), pk=_int(post.get("loan_id")) or 0,
                                         file__unit=unit)
                services.return_loan(actor=user, loan=loan)
                return _("Return of %(code)s recorded.") % {"code": loan.file.code}
            raise ValidationError(_("Unknown action."))

        ok, status, errors = _run_named(request, run)
        if ok:
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


def _members_from(post):
    """The council's members from the form's rows; blank rows are skipped, and an error names the row shown."""
    members, rows = [], []
    for i in range(COUNCIL_ROWS):
        name, position = post.get(f"member-{i}-name", ""), post.get(f"member-{i}-position", "")
        if name.strip() or position.strip():
            members.append({"name": name, "position": position})
            rows.append(i)
    return members, rows


@login_required
def appraisal(request):
    """Files past retention (thẩm định): legal holds placed and lifted with a reason, and the council's decision
    recorded with its members and the files chosen."""
    units, unit, year = _pick_visible(request)
    status, errors = 200, {}
    if request.method == "POST":
        post, user, action = request.POST, request.user, request.POST.get("action", "")
        chosen = [i for i in map(_int, post.getlist("file")) if i]
        recorded = {}

        def run():
            if action == "hold":
                file = get_object_or_404(selectors.files_of(unit), pk=_int(post.get("file_id")) or 0)
                hold = post.get("hold") == "1"
                services.set_legal_hold(actor=user, file=file, hold=hold, reason=post.get("reason", ""))
                return (_("Legal hold placed on %(code)s.") if hold else _("Legal hold on %(code)s lifted.")) % {
                    "code": file.code}
            if action == "decide":
                members, rows = _members_from(post)
                try:
                    decision = services.record_decision(
                        actor=user, unit=unit, number=post.get("number", ""),
                        decided_on=_parse_date(post.get("decided_on"), "decided_on"), members=members,
                        file_ids=chosen)
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        refusal = _hold_refusal(selectors.files_of(unit).filter(pk__in=chosen))
                        if refusal and "file_ids" in exc.error_dict:
                            raise ValidationError({"file_ids": refusal}) from exc
                        # member errors name the row as the form shows it
                        renamed = {}
                        for field, msgs in exc.message_dict.items():
                            parts = field.split(".")
                            if parts[0] == "members" and len(parts) > 1 and parts[1].isdigit():
                                parts[1] = str(rows[int(parts[1])])
                            renamed[".".join(parts)] = msgs
                        raise ValidationError(renamed) from exc
                    raise
                recorded["decision"] = decision
                return _("Decision %(number)s recorded.") % {"number": decision.number}
            raise ValidationError(_("Unknown action."))

        ok, status, errors = _run_named(request, run)
        if ok:
            if "decision" in recorded:
                return redirect("records:decision", decision_id=recorded["decision"].pk)
            return redirect(request.path + _query(unit, year))
    page = page_for_request(selectors.appraisal_page, request, unit)
    form = request.POST if status != 200 else {}
    member_rows = [{"i": i, "name": form.get(f"member-{i}-name", ""), "position": form.get(f"member-{i}-position", ""),
                    "error": " ".join(v for k, v in errors.items() if k.startswith(f"members.{i}."))}
                   for i in range(COUNCIL_ROWS)]
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


@login_required
def decision_detail(request, decision_id):
    """A council decision: its members and files, and the button that carries it out."""
    decision = selectors.get_decision(decision_id)
    policy.visible_or_404(request.user, decision, decision.unit)
    status, errors = 200, {}
    if request.method == "POST":
        def run():
            if request.POST.get("action") != "destroy":
                raise ValidationError(_("Unknown action."))
            try:
                files = services.destroy_files(actor=request.user, decision=decision)
            except ValidationError as exc:
                refusal = _hold_refusal(selectors.decision_files(decision))
                if refusal and hasattr(exc, "error_dict") and "file_ids" in exc.error_dict:
                    raise ValidationError({"file_ids": refusal}) from exc
                raise
            return ngettext("%(n)s file destroyed; its metadata is kept.",
                            "%(n)s files destroyed; their metadata is kept.", len(files)) % {"n": len(files)}

        ok, status, errors = _run_named(request, run)
        if ok:
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
