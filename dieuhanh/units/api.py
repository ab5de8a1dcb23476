"""/api/v1/units: the directory of units; and /api/v1/users, /api/v1/memberships: a person given a role in a unit
(``people_router``, mounted at the root; here because only units may look a unit up, decision 0042)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from dieuhanh.accounts import policy
from dieuhanh.accounts import selectors as account_selectors
from dieuhanh.accounts import services as account_services
from dieuhanh.accounts.api import MembershipIn, MembershipOut, UserIn, UserOut, membership_out
from dieuhanh.accounts.models import User

from . import selectors, services
from .models import UnitKind, UnitStatus

router = Router(tags=["units"])
people_router = Router(tags=["accounts"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: UnitKind
    status: UnitStatus
    parent_id: int | None
    depth: int
    effective_from: datetime.date
    effective_to: datetime.date | None


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page")


class UnitIn(Schema):
    code: str = Field(..., min_length=1, max_length=13, examples=["000.00.01.H01"])
    name: str = Field(..., min_length=1, max_length=255, examples=["Đảng ủy phường Ba Đình"])
    short_name: str = Field(..., min_length=1, max_length=32, examples=["ĐU"])
    kind: UnitKind
    parent_id: int | None = None
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None


class UnitPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=13)
    name: str | None = Field(None, min_length=1, max_length=255)
    short_name: str | None = Field(None, min_length=1, max_length=32)
    kind: UnitKind | None = None
    status: UnitStatus | None = None
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None


class MemberOut(Schema):
    membership_id: int
    user_id: int
    username: str
    full_name: str
    role: str
    position: str | None


def _page(page):
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("", response=UnitPage, summary="List or search units")
def list_units(request, q: str = "", parent_id: int | None = None, roots: bool = False,
               kind: UnitKind | None = None, status: UnitStatus | None = None, within: int | None = None,
               cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    """Units in Vietnamese alphabetical order, keyset-paginated. ``q`` ignores diacritics: "ha noi" finds Hà Nội."""
    policy.require(policy.can_view_directory(request.user))
    within_unit = selectors.get_unit(within) if within is not None else None
    page = selectors.unit_page(query=q, parent_id=parent_id, roots_only=roots, kind=kind, status=status,
                               within=within_unit, cursor=cursor, limit=limit)
    return _page(page)


@router.get("/{unit_id}", response=UnitOut, summary="One unit")
def get_unit(request, unit_id: int):
    policy.require(policy.can_view_directory(request.user))
    return selectors.get_unit(unit_id)


@router.post("", response={201: UnitOut}, summary="Create a unit")
def create_unit(request, payload: UnitIn):
    data = payload.dict(exclude_unset=True)
    parent_id = data.pop("parent_id", None)
    parent = selectors.get_unit(parent_id) if parent_id is not None else None
    return 201, services.create_unit(actor=request.user, parent=parent, **data)


@router.patch("/{unit_id}", response=UnitOut, summary="Change a unit")
def update_unit(request, unit_id: int, payload: UnitPatch):
    unit = selectors.get_unit(unit_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items()
            if v is not None or k == "effective_to"}
    return services.update_unit(actor=request.user, unit=unit, **data)


@router.get("/{unit_id}/members", response=list[MemberOut], summary="People holding roles in a unit")
def list_members(request, unit_id: int):
    unit = selectors.get_unit(unit_id)
    if not policy.can_view_members(request.user, unit):
        raise PermissionDenied(_("You cannot see the people of this unit."))
    return [
        {"membership_id": m.pk, "user_id": m.user_id, "username": m.user.username, "full_name": m.user.full_name,
         "role": m.role, "position": m.position.name if m.position else None}
        for m in account_selectors.members_of(unit)
    ]


@people_router.post("/users", response={201: UserOut}, summary="Create a person (optionally with a first role)")
def create_user(request, payload: UserIn):
    unit = selectors.get_unit(payload.unit_id) if payload.unit_id is not None else None
    if (unit is None) != (payload.role is None):
        raise ValidationError({"role": _("Give both unit_id and role, or neither.")})
    user = account_services.create_user(actor=request.user, username=payload.username, full_name=payload.full_name,
                                        password=payload.password, email=payload.email, unit=unit,
                                        role=payload.role, position=payload.position)
    return 201, user


@people_router.post("/memberships", response={201: MembershipOut}, summary="Give a person a role in a unit")
def add_membership(request, payload: MembershipIn):
    unit = selectors.get_unit(payload.unit_id)
    user = get_object_or_404(User, pk=payload.user_id)
    membership = account_services.add_membership(actor=request.user, user=user, unit=unit, role=payload.role,
                                                 position=payload.position)
    return 201, membership_out(membership)
