"""/api/v1/auth, /api/v1/me, /api/v1/users and /api/v1/memberships."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from . import auth, policy, selectors, services
from .models import ApiToken, Membership, Role, User

router = Router(tags=["accounts"])

Scope = Literal["read", "write"]
SCOPES_FIELD = Field(None, min_length=1, max_length=2, examples=[["read"]],
                     description='"read": GET and HEAD only; "write": everything the person may do. Default ["write"].')


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, examples=["vanthu.hanoi"])
    password: str = Field(..., min_length=1, max_length=4096)
    name: str = Field("", max_length=100, description="A label to recognise the token later")
    otp: str = Field("", max_length=20, description="Code from the authenticator, when two-factor is set up")
    scopes: list[Scope] | None = SCOPES_FIELD


class NewTokenIn(Schema):
    name: str = Field("", max_length=100, description="A label to recognise the token later")
    scopes: list[Scope] | None = SCOPES_FIELD


class TokenOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`; shown only once")
    token_id: int
    expires_at: datetime.datetime
    scopes: list[str]


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    scopes: list[str]


class MembershipOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    unit_code: str
    role: Role
    position: str | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    memberships: list[MembershipOut]
    is_system_admin: bool


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    full_name: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)
    email: str = Field("", max_length=254)
    unit_id: int | None = None
    role: Role | None = None
    position: str | None = Field(None, max_length=128)


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str


class MembershipIn(Schema):
    user_id: int
    unit_id: int
    role: Role
    position: str | None = Field(None, max_length=128)


class PasswordIn(Schema):
    old_password: str = Field(..., max_length=4096)
    new_password: str = Field(..., min_length=1, max_length=4096)


def membership_out(m) -> dict:
    return {"id": m.pk, "unit_id": m.unit_id, "unit_name": m.unit.name, "unit_code": m.unit.code,
            "role": m.role, "position": m.position.name if m.position else None}


@router.post("/auth/token", auth=None, response={201: TokenOut}, summary="Get an API token",
             openapi_extra={"responses": {401: {"description": "Wrong credentials"},
                                          400: {"description": "Wrong or missing second-factor code (field otp)"},
                                          403: {"description": "Two-factor authentication is required but not set "
                                                               "up"},
                                          429: {"description": "Locked out after repeated failures"}}})
def obtain_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token. Repeated failures lock the username for a while."""
    try:
        user = services.sign_in(request, username=payload.username, password=payload.password, channel="api")
    except services.LockedOut as exc:
        raise HttpError(429, _("Too many failed sign-in attempts. Try again later.")) from exc
    except ValidationError as exc:
        raise HttpError(401, _("Wrong username or password.")) from exc
    if services.has_two_factor(user):
        try:
            ok = services.verify_second_factor(user, payload.otp, channel="api")
        except services.LockedOut as exc:
            raise HttpError(429, _("Too many failed sign-in attempts. Try again later.")) from exc
        if not ok:
            raise ValidationError({"otp": _("The code is wrong or has expired.")})
    elif services.two_factor_required(user):
        raise auth.TwoFactorRequired()
    token, raw = services.issue_token(actor=user, name=payload.name, scopes=payload.scopes,
                                      two_factor=services.has_two_factor(user))
    return 201, _token_out(token, raw)


def _token_out(token, raw):
    return {"token": raw, "token_id": token.pk, "expires_at": token.expires_at, "scopes": token.scopes}


@router.get("/auth/tokens", response=list[TokenInfo], summary="My API tokens")
def list_tokens(request):
    return ApiToken.objects.filter(user=request.user).order_by("-id")


@router.post("/auth/tokens", response={201: TokenOut}, summary="Create another API token for myself",
             openapi_extra={"responses": {403: {"description": "A read-only token cannot create tokens; a person "
                                                           "whose role requires two-factor authentication has not "
                                                           "passed it (code two_factor_required)"}}})
def create_token(request, payload: NewTokenIn):
    """A new token for the signed-in person, e.g. a read-only one for a reporting script. It carries the second
    factor of the session or token that asks for it (decision 0028)."""
    token, raw = services.issue_token(actor=request.user, name=payload.name, scopes=payload.scopes,
                                      two_factor=auth.request_passed(request))
    return 201, _token_out(token, raw)


@router.delete("/auth/token", response={204: None}, summary="Revoke the token used for this request")
def revoke_current_token(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, _("This request was not authenticated with a token."))
    services.revoke_token(actor=request.user, token=token)
    return 204, None


@router.delete("/auth/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens")
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id)
    if token.user_id != request.user.pk and not policy.is_system_admin(request.user):
        raise Http404  # someone else's token: answer as if it did not exist
    services.revoke_token(actor=request.user, token=token)
    return 204, None


@router.get("/me", response=MeOut, summary="Who I am and where I work")
def me(request):
    user = request.user
    return {"id": user.pk, "username": user.username, "full_name": user.full_name, "email": user.email,
            "memberships": [membership_out(m) for m in selectors.memberships_of(user)],
            "is_system_admin": policy.is_system_admin(user)}


@router.post("/me/password", response={204: None}, summary="Change my password")
def change_password(request, payload: PasswordIn):
    services.change_password(actor=request.user, old_password=payload.old_password,
                             new_password=payload.new_password)
    return 204, None


# POST /users and POST /memberships (a person in a unit) are in units.api, which may look units up
# (units sits above accounts, decision 0042); their schemas are here.


@router.get("/users/{user_id}", response=UserOut, summary="One person")
def get_user(request, user_id: int):
    target = get_object_or_404(User, pk=user_id)
    visible = target.pk == request.user.pk or policy.can_manage_user(request.user, target) or any(
        policy.can_view_members(request.user, m.unit) for m in selectors.memberships_of(target)
    )
    if not visible:
        raise PermissionDenied(_("You cannot see this person."))
    return target


@router.delete("/memberships/{membership_id}", response={204: None}, summary="End a membership")
def end_membership(request, membership_id: int):
    membership = get_object_or_404(Membership.objects.select_related("unit"), pk=membership_id)
    services.end_membership(actor=request.user, membership=membership)
    return 204, None
