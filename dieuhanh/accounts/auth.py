"""Who may use a request: the enforced second factor (decision 0028) and the API's two authentication classes.

One rule for pages, the API and token minting: a person whose role requires two-factor authentication may act
only in a session that passed it (the code at sign-in, the set-up itself, or a provider that asserted it), and
with a token only if that token was minted after a second factor.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from . import services
from .models import ApiToken, User

# Set on a session once its person has given a second factor in it (sign-in code or set-up).
PASSED_SESSION_KEY = "_2fa_passed"
# Set on a session whose single sign-on provider asserted a second factor (decision 0024).
MFA_SESSION_KEY = "_oidc_mfa"

READ_ONLY_MESSAGE = ("This API token is read-only (scope \"read\"): it may only make GET and HEAD requests. "
                     "Use a token with the \"write\" scope.")


class TwoFactorRequired(PermissionDenied):
    """The person must set up (or pass) two-factor authentication before doing this; the API answers 403 with
    ``code: "two_factor_required"``."""

    code = "two_factor_required"

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Two-factor authentication is required for your role. Set it up (or sign in "
                                      "with your code) on the web first: %(url)s") % {"url": setup_url()})


def setup_url() -> str:
    return reverse("accounts:two_factor_setup")


def mark_session_passed(request: HttpRequest) -> None:
    """Record that this session's person has just given a second factor, under a new session key: more rights, new
    key; and a request still running with the old key (the bell's poll) cannot save over the marker."""
    request.session[PASSED_SESSION_KEY] = True
    request.session.cycle_key()


def session_passed(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and (session.get(PASSED_SESSION_KEY) or session.get(MFA_SESSION_KEY)))


def session_blocked(request: HttpRequest, user: User) -> bool:
    """True when ``user``'s role requires a second factor that this session has not given."""
    return services.two_factor_required(user) and not session_passed(request)


def token_blocked(user: User, token: ApiToken) -> bool:
    """True when ``user``'s role requires a second factor and ``token`` was minted without one. Such tokens stay
    refused even after the person sets up a device: they were never covered by a code."""
    return not token.two_factor and services.two_factor_required(user)


def request_passed(request: HttpRequest) -> bool:
    """Did this API request come with a second factor: a token minted after one, or a session that passed it?"""
    token = getattr(request, "api_token", None)
    return bool(token.two_factor) if token is not None else session_passed(request)


class BearerToken(HttpBearer):
    """``Authorization: Bearer dh_...`` tokens from ``POST /api/v1/auth/token``.

    The token's scopes and the second-factor rule are enforced here, for every endpoint at once: a token without
    "write" is refused (403) any request but GET and HEAD, and a token minted without a second factor is refused
    (403) for a person whose role requires one, before the endpoint runs.
    """

    def authenticate(self, request, token):
        user, api_token = services.user_for_token(token)
        if user is None:
            return None
        if token_blocked(user, api_token):
            raise TwoFactorRequired(_("This token was issued without a second factor, which your role requires. "
                                      "Get a new token with your code (POST /api/v1/auth/token with otp)."))
        if not api_token.allows(request.method):
            raise PermissionDenied(READ_ONLY_MESSAGE)
        request.user = user
        request.api_token = api_token
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser session (CSRF checked by ninja), refused with 403 until the session passed the second factor
    that the person's role requires."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and session_blocked(request, user):
            raise TwoFactorRequired()
        return user


def install(api) -> None:
    """The JSON answer for :class:`TwoFactorRequired`: the usual shape plus a code and the set-up address."""

    def two_factor_403(request, exc):
        return api.create_response(request, {"detail": str(exc.args[0]) if exc.args else "", "code": exc.code,
                                             "setup_url": setup_url()}, status=403)

    api.add_exception_handler(TwoFactorRequired, two_factor_403)
