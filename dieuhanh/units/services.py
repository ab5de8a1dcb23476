"""Writes to the unit directory. Each function checks permission, validates, writes and audits atomically."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts import policy
from dieuhanh.audit.services import record
from dieuhanh.kernel.text import nfc

from .models import PATH_MAX, STEP_WIDTH, Unit, UnitKind, UnitStatus

if TYPE_CHECKING:
    from typing import Any

    from dieuhanh.accounts.models import User

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
EDITABLE_FIELDS = ("code", "name", "short_name", "kind", "effective_from", "effective_to", "status")


def encode_step(n: int) -> str:
    """Fixed-width base-36 path step for the n-th child (1-based)."""
    if not 0 < n < 36**STEP_WIDTH:
        raise ValueError("step out of range")
    digits = []
    for _step in range(STEP_WIDTH):
        n, r = divmod(n, 36)
        digits.append(_B36[r])
    return "".join(reversed(digits))


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Normalize and validate the user-editable fields; raise ValidationError naming each bad field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in ("code", "name", "short_name"):
        if field in data:
            value = nfc(data[field]) or ""
            if not value:
                errors[field] = _("This field is required.")
            cleaned[field] = value
        elif not partial:
            errors[field] = _("This field is required.")
    if "code" in cleaned and len(cleaned["code"]) > 13:
        errors["code"] = _("At most %(n)s characters.") % {"n": 13}
    if "short_name" in cleaned and len(cleaned["short_name"]) > 32:
        errors["short_name"] = _("At most %(n)s characters.") % {"n": 32}
    if "name" in cleaned and len(cleaned["name"]) > 255:
        errors["name"] = _("At most %(n)s characters.") % {"n": 255}
    if "kind" in data:
        if data["kind"] not in UnitKind.values:
            errors["kind"] = _("Must be one of: %(values)s.") % {"values": ", ".join(UnitKind.values)}
        cleaned["kind"] = data["kind"]
    elif not partial:
        errors["kind"] = _("This field is required.")
    if "status" in data:
        if data["status"] not in UnitStatus.values:
            errors["status"] = _("Must be one of: %(values)s.") % {"values": ", ".join(UnitStatus.values)}
        cleaned["status"] = data["status"]
    for field in ("effective_from", "effective_to"):
        if field in data:
            value = data[field]
            if isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value) if value else None
                except ValueError:
                    errors[field] = _("Enter a date as YYYY-MM-DD.")
                    continue
            cleaned[field] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_dates(unit: Unit) -> None:
    if unit.effective_from is None:
        raise ValidationError({"effective_from": _("This field is required.")})
    if unit.effective_to is not None and unit.effective_to < unit.effective_from:
        raise ValidationError({"effective_to": _("Must not be before the effective-from date.")})


def _next_path(parent: Unit | None) -> tuple[str, int]:
    """Allocate the next child path. The parent row (or, for roots, the first root) is locked meanwhile."""
    if parent is not None:
        locked = Unit.objects.select_for_update().get(pk=parent.pk)
        locked.child_counter += 1
        Unit.objects.filter(pk=locked.pk).update(child_counter=locked.child_counter)
        path = locked.path + encode_step(locked.child_counter)
        if len(path) > PATH_MAX:
            raise ValidationError({"parent_id": _("The tree is too deep here.")})
        return path, locked.depth + 1
    last = Unit.objects.select_for_update().filter(depth=1).order_by("-path").first()
    index = _B36_to_int(last.path) + 1 if last else 1
    return encode_step(index), 1


def _B36_to_int(step: Any) -> int:
    return int(step, 36)


@transaction.atomic
def create_unit(*, actor: User, parent: Unit | None = None, **data: Any) -> Unit:
    """Create a unit under ``parent`` (or a root unit when ``parent`` is None)."""
    if parent is None:
        policy.require(policy.can_create_root_unit(actor),
                       _("Only a system administrator can create a top-level unit."))
    else:
        policy.require(policy.can_manage_unit(actor, parent), _("You cannot create units under this unit."))
    cleaned = _clean(data, partial=False)
    cleaned.setdefault("effective_from", datetime.date.today())
    if Unit.objects.filter(code=cleaned["code"]).exists():
        raise ValidationError({"code": _("A unit with this code already exists.")})
    path, depth = _next_path(parent)
    unit = Unit(parent=parent, path=path, depth=depth, **cleaned)
    _check_dates(unit)
    unit.refresh_derived()
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise ValidationError({"code": _("A unit with this code already exists.")}) from exc
    record(actor=actor, action="unit.create", obj=unit, unit=unit, data={"code": unit.code, "name": unit.name})
    return unit


@transaction.atomic
def update_unit(*, actor: User, unit: Unit, **data: Any) -> Unit:
    """Change a unit's directory entry. Moving a unit in the tree is a reorganization, not an edit."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    policy.require(policy.can_manage_unit(actor, unit), _("You cannot change this unit."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    cleaned = _clean(data, partial=True)
    if "code" in cleaned and Unit.objects.filter(code=cleaned["code"]).exclude(pk=unit.pk).exists():
        raise ValidationError({"code": _("A unit with this code already exists.")})
    changes = {}
    for field, value in cleaned.items():
        if getattr(unit, field) != value:
            changes[field] = [str(getattr(unit, field)), str(value)]
            setattr(unit, field, value)
    _check_dates(unit)
    if changes:
        unit.refresh_derived()
        unit.save()
        record(actor=actor, action="unit.update", obj=unit, unit=unit, data={"changes": changes})
    return unit


@transaction.atomic
def move_subtree(*, actor: User | None, unit: Unit, new_parent: Any, permission_checked: bool = False,
                 reason: str = "") -> int:
    """Put ``unit`` and everything under it below ``new_parent``: one statement rewrites the path and depth of
    every descendant, whatever the depth. Moving is a reorganization (decision 0002), so it is the system
    administrator's; ``permission_checked``: a reorganization's execution, which checked it before its first step
    (and which the installation's operator may run from the console without an ``actor``).

    The new prefix is a fresh step of ``new_parent`` (taken under its row lock), which no existing path starts
    with, so the rewrite never collides with the unique path index mid-statement. Returns the number of units
    moved (0 when ``unit`` is already there)."""
    if not permission_checked:
        policy.require(policy.is_system_admin(actor), _("Only a system administrator moves units in the tree."))
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if new_parent is None:
        raise ValidationError({"parent_id": _("Choose the unit to move it under.")})
    target = Unit.objects.get(pk=new_parent.pk)
    if target.path.startswith(unit.path):
        raise ValidationError({"parent_id": _("%(target)s is %(unit)s or one of its sub-units: a unit cannot move "
                                              "under itself.") % {"target": target.name, "unit": unit.name}})
    if target.status != UnitStatus.ACTIVE:
        raise ValidationError({"parent_id": _("%(unit)s is not active.") % {"unit": target.name}})
    if unit.parent_id == target.pk:
        return 0
    old_path, old_depth = unit.path, unit.depth
    below = Unit.objects.filter(path__gte=old_path, path__lt=old_path + "~")
    deepest = max(len(p) for p in below.values_list("path", flat=True))
    new_path, new_depth = _next_path(target)
    if deepest - len(old_path) + len(new_path) > PATH_MAX:
        raise ValidationError({"parent_id": _("The tree is too deep there.")})
    moved = below.update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                         depth=F("depth") + (new_depth - old_depth), updated_at=timezone.now())
    old_parent_id = unit.parent_id
    Unit.objects.filter(pk=unit.pk).update(parent=target)
    unit.refresh_from_db()
    record(actor=actor, action="unit.move", obj=unit, unit=unit,
           data={"from_parent": old_parent_id, "to_parent": target.pk, "from_path": old_path, "to_path": new_path,
                 "units": moved, "reason": nfc(reason or "")[:500]})
    return moved


@transaction.atomic
def seed_synthetic_tree(*, actor: User, count: int, branching: int = 12, code_prefix: str = "S") -> tuple[Unit, int]:
    """Bulk-create a synthetic tree of ``count`` units for benchmarks, breadth first, in batches.

    One audit event records the whole load; the units carry the prefix ``code_prefix`` in their codes.
    """
    policy.require(policy.can_create_root_unit(actor), _("Only a system administrator can seed units."))
    kinds = [UnitKind.CENTRAL, UnitKind.PROVINCE, UnitKind.COMMUNE, UnitKind.CELL]
    today = datetime.date.today()
    last_root = Unit.objects.filter(depth=1).order_by("-path").first()
    root_index = _B36_to_int(last_root.path) + 1 if last_root else 1
    start = Unit.objects.filter(code__startswith=code_prefix).count()

    def make(parent_path: str, depth: int, step: int, serial: int, parent_id: int | None) -> Unit:
        n = start + serial
        unit = Unit(
            code=f"{code_prefix}{n:012d}"[-13:],
            name=f"Đơn vị thử nghiệm {n} cấp {depth}",
            short_name=f"DV{n}",
            kind=kinds[min(depth - 1, len(kinds) - 1)],
            parent_id=parent_id,
            path=parent_path + encode_step(step),
            depth=depth,
            effective_from=today,
        )
        unit.refresh_derived()
        return unit

    root = make("", 1, root_index, 0, None)
    root.save()
    created, frontier, serial = 1, [root], 1
    while created < count and frontier:
        batch: list[Unit] = []
        for parent in frontier:
            kids = min(branching, count - created - len(batch))
            for step in range(1, kids + 1):
                batch.append(make(parent.path, parent.depth + 1, step, serial, parent.pk))
                serial += 1
            Unit.objects.filter(pk=parent.pk).update(child_counter=kids)
            if created + len(batch) >= count:
                break
        frontier = Unit.objects.bulk_create(batch, batch_size=2000)
        if not frontier or frontier[0].pk is None:  # backends without RETURNING: re-read the batch
            frontier = list(Unit.objects.filter(path__in=[u.path for u in batch]))
        created += len(batch)
    record(actor=actor, action="unit.seed", obj=root, unit=root, data={"count": created})
    return root, created


# --- Reorganization (decision 0040) ------------------------------------------------------------------------------
# In the caller's transaction, which has locked the unit's row and traces and audits the step.

def set_successor(*, unit: Unit, successor: Unit, at: datetime.datetime) -> None:
    """``successor`` now holds ``unit``'s collection: its people read it (decision 0025)."""
    Unit.objects.filter(pk=unit.pk).update(successor=successor, updated_at=at)


def end_unit(*, unit: Unit, status: str, effective_to: datetime.date, at: datetime.datetime) -> None:
    """Mark ``unit`` merged or dissolved, its last day ``effective_to``."""
    if status not in (UnitStatus.MERGED, UnitStatus.DISSOLVED):
        raise ValueError(f"A unit ends merged or dissolved, not {status!r}.")
    Unit.objects.filter(pk=unit.pk).update(status=status, effective_to=effective_to, updated_at=at)
