"""The directory of outside organs (issue 17): kept by system administrators, imported from a spreadsheet with a
row-by-row report of what was refused; recipient pickers offer it beside our units (documents.hooks)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import is_system_admin, require
from dieuhanh.audit.services import record
from dieuhanh.kernel.text import fold, nfc

from .models import ORGAN_CODE_RE, Organ, OrganChannel

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

MAX_ROWS = 20000
MAX_XLSX_BYTES = 10 * 1024 * 1024
_CODE = re.compile(ORGAN_CODE_RE)
# spreadsheet headings we understand (folded): Vietnamese or English
HEADINGS = {
    "code": {"code", "ma", "ma dinh danh", "ma co quan", "organid"},
    "parent_code": {"parent code", "ma cha", "ma co quan cap tren", "ma cap tren", "parent"},
    "name": {"name", "ten", "ten co quan", "organname"},
    "address": {"address", "dia chi"},
    "email": {"email", "e-mail", "thu dien tu"},
    "phone": {"phone", "dien thoai", "so dien thoai", "telephone"},
    "channel": {"channel", "kenh", "kenh gui"},
    "closed_network": {"closed network", "mang mat", "mang dien rong rieng"},
}
_CHANNELS = {"gateway": OrganChannel.GATEWAY, "truc": OrganChannel.GATEWAY, "lien thong": OrganChannel.GATEWAY,
             "email": OrganChannel.EMAIL, "e-mail": OrganChannel.EMAIL, "thu dien tu": OrganChannel.EMAIL,
             "paper": OrganChannel.PAPER, "giay": OrganChannel.PAPER}


def can_manage_organs(user: User) -> bool:
    return is_system_admin(user)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate one organ's fields; ValidationError names each wrong field."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    code = (nfc(str(data.get("code") or "")) or "").strip().upper()
    if not _CODE.match(code) or len(code) > 13:
        errors["code"] = _("An organ code looks like 000.00.00.G22 (at most 13 characters).")
    parent = (nfc(str(data.get("parent_code") or "")) or "").strip().upper()
    if parent and (not _CODE.match(parent) or len(parent) > 13):
        errors["parent_code"] = _("An organ code looks like 000.00.00.G22 (at most 13 characters).")
    name = (nfc(str(data.get("name") or "")) or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    for key, limit in (("name", 255), ("address", 255), ("email", 254), ("phone", 50)):
        value = (nfc(str(data.get(key) or "")) or "").strip()
        if len(value) > limit:
            errors[key] = _("At most %(n)s characters.") % {"n": limit}
        out[key] = value
    email = out.get("email", "")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        errors["email"] = _("Enter a valid e-mail address.")
    channel = data.get("channel") or OrganChannel.GATEWAY
    channel = _CHANNELS.get(fold(str(channel)), channel)
    if channel not in OrganChannel.values:
        errors["channel"] = _("Must be gateway, email or paper.")
    if errors:
        raise ValidationError(errors)
    closed = data.get("closed_network")
    if isinstance(closed, str):
        closed = fold(closed) in {"1", "x", "co", "yes", "true"}
    out.update(code=code, parent_code=parent, channel=channel, closed_network=bool(closed),
               active=data.get("active", True) is not False,
               search_text=fold(f"{code} {out['name']} {out['address']}")[:400])
    return out


@transaction.atomic
def save_organ(*, actor: User, data: dict[str, Any], organ: Organ | None = None) -> Organ:
    """Add an organ (``organ`` None) or change one; the code stays unique."""
    require(can_manage_organs(actor), _("Only a system administrator can change the directory of organs."))
    cleaned = _clean(data)
    clash = Organ.objects.filter(code=cleaned["code"])
    if organ is not None:
        clash = clash.exclude(pk=organ.pk)
    if clash.exists():
        raise ValidationError({"code": _("An organ with this code already exists.")})
    if organ is None:
        organ = Organ.objects.create(**cleaned)
        action = "organ.create"
    else:
        for key, value in cleaned.items():
            setattr(organ, key, value)
        organ.save()
        action = "organ.update"
    record(actor=actor, action=action, obj=organ, data={"code": organ.code, "name": organ.name,
                                                         "channel": organ.channel})
    return organ


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)  # {"row", "field", "message"}


def _headings(row: tuple[Any, ...]) -> dict[int, str]:
    found = {}
    for i, cell in enumerate(row):
        key = fold(str(cell or "")).strip()
        for name, spellings in HEADINGS.items():
            if key in spellings:
                found[i] = name
    return found


@transaction.atomic
def import_organs(*, actor: User, data: bytes) -> ImportReport:
    """Read an .xlsx (first sheet; a heading row naming at least code and name) and add or update each organ.
    A refused row is reported (row number, field, message) and the other rows still load."""
    require(can_manage_organs(actor), _("Only a system administrator can change the directory of organs."))
    if not data or len(data) > MAX_XLSX_BYTES:
        raise ValidationError({"file": _("Send an .xlsx file of at most %(mb)s MB.") % {
            "mb": MAX_XLSX_BYTES // (1024 * 1024)}})
    # function-level import: openpyxl is only needed here, and loading it costs a fraction of a second per process
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        heading = _headings(next(rows, ()) or ())
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": _("This is not a readable .xlsx workbook.")}) from exc
    if not {"code", "name"} <= set(heading.values()):
        raise ValidationError({"file": _("The first row must name the columns, at least code and name "
                                         "(Mã, Tên).")})
    report = ImportReport()
    existing = {o.code: o for o in Organ.objects.all()}
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            report.refused.append({"row": number, "field": "file", "message": _("Only the first %(n)s rows are read.")
                                   % {"n": MAX_ROWS}})
            break
        values = {heading[i]: v for i, v in enumerate(row) if i in heading and v not in (None, "")}
        if not values:
            continue
        try:
            cleaned = _clean(values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                report.refused.append({"row": number, "field": name, "message": " ".join(messages)})
            continue
        if cleaned["code"] in seen:
            report.refused.append({"row": number, "field": "code",
                                   "message": _("This code appears twice in the file.")})
            continue
        seen.add(cleaned["code"])
        organ = existing.get(cleaned["code"])
        if organ is None:
            Organ.objects.create(**cleaned)
            report.created += 1
        else:
            for key, value in cleaned.items():
                setattr(organ, key, value)
            organ.save()
            report.updated += 1
    record(actor=actor, action="organ.import", data={"created": report.created, "updated": report.updated,
                                                     "refused": len(report.refused)})
    return report


# ------------------------------------------------------------------------------------------------------ reads


def organs(*, query: str = "", active: bool | None = None) -> QuerySet[Organ]:
    qs = Organ.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    if query:
        folded = fold(query)
        qs = qs.filter(Q(search_text__contains=folded) | Q(code__startswith=query.strip().upper()))
    return qs.order_by("code")


def picker_choices() -> list[tuple[str, str]]:
    """The organs a recipient picker offers (registered in documents.hooks): active, reached by the gateway."""
    return list(Organ.objects.filter(active=True, channel=OrganChannel.GATEWAY).order_by("code")
                .values_list("code", "name")[:5000])


def require_manager(user: User) -> None:
    if not can_manage_organs(user):
        raise PermissionDenied(_("Only a system administrator can change the directory of organs."))
