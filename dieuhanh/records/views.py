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

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import units_with_roles
from dieuhanh.core.pagination import page_for_request

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
    page = page_for_request(selectors.file_page, request, unit, year)
    return render(request, "records/index.html", {
        "units": units, "unit": unit, "year": year, "file_list": selectors.list_for(unit, year),
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
    return render(request, "records/file.html", {
        "file": file, "items": selectors.items_of(file), "retentions": selectors.retention_periods(),
        "is_open": file.status == FileStatus.OPEN, "can_keep": policy.can_keep(request.user, file.unit),
        "is_archivist": archivist, "loans": selectors.loans_of(file) if archivist else [],
    }, status=status)


@login_required
def workbench(request):
    units, unit, year = _pick(request)
    status = 200
    if request.method == "POST":
        def run():
            file = selectors.files_of(unit).filter(pk=_int(request.POST.get("file")) or 0).first()
            if file is None:
                raise ValidationError({"file": _("Choose an open file of this unit.")})
            ids = [_int(x) for x in request.POST.getlist("document")]
            n = services.attach_documents(actor=request.user, file=file, document_ids=[i for i in ids if i])
            return _("%(n)s documents attached to %(code)s.") % {"n": n, "code": file.code}

        ok, status = _run(request, run)
        if ok:
            return redirect(f"{request.path}?unit={unit.pk}&year={year}")
    page = page_for_request(selectors.workbench_page, request, request.user, unit, year)
    return render(request, "records/workbench.html", {
        "units": units, "unit": unit, "year": year, "page": page, "progress": selectors.progress(unit, year),
        "open_files": list(selectors.files_of(unit, status=FileStatus.OPEN).order_by("code")[:200]),
        "can_keep": policy.can_keep(request.user, unit), "max_bulk": services.MAX_BULK,
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
