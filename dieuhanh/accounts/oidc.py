"""OpenID Connect single sign-on (decision 0024): the provider client and the sign-in service.

Off unless ``DIEUHANH_OIDC_ISSUER`` and ``DIEUHANH_OIDC_CLIENT_ID`` are set. The flow is the authorization code
flow with PKCE (S256). authlib keeps the state, the nonce and the code verifier in the session, refuses an unknown
state and verifies the ID token's signature against the provider's JWKS; :func:`complete` hands it the claims
that must match (issuer, audience, expiry, subject; the nonce is checked by authlib itself).

An identity maps to an existing active account only (by ``DIEUHANH_OIDC_USERNAME_CLAIM``); nothing is ever
created. Refusals, lockouts and sign-ins are audited like the password sign-in, on the channel ``oidc``.
"""

import threading
import time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.audit.services import record
from dieuhanh.kernel import zones
from dieuhanh.kernel.text import nfc

# Set on a session whose sign-in the provider asserted as multi-factor: the local TOTP set-up is not forced on it.
from .auth import MFA_SESSION_KEY  # noqa: F401 (the views set it)
from .models import LoginThrottle, User
from .services import LockedOut

CHANNEL = "oidc"
NEXT_KEY = "_oidc_next"
_STATE_PREFIX = "_state_oidc_"
# Only asymmetric algorithms: a provider's discovery document cannot switch us to "none" or to a shared secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
METADATA_SECONDS = 3600  # discovery and JWKS are fetched again after this (an unknown key id refetches at once)
HTTP_TIMEOUT = 10
LEEWAY_SECONDS = 60


class Refused(Exception):
    """The sign-in was refused. ``message`` is for the person, ``reason`` for the audit log."""

    def __init__(self, message, reason, status=401):
        super().__init__(reason)
        self.message, self.reason, self.status = message, reason, status


def enabled():
    return bool(settings.DIEUHANH_OIDC_ISSUER and settings.DIEUHANH_OIDC_CLIENT_ID)


_lock = threading.Lock()
_clients = {}


def client():
    """The authlib client for the configured provider; rebuilt when the settings change or the metadata is old."""
    from authlib.integrations.django_client import OAuth

    config = (settings.DIEUHANH_OIDC_ISSUER, settings.DIEUHANH_OIDC_CLIENT_ID,
              settings.DIEUHANH_OIDC_CLIENT_SECRET, settings.DIEUHANH_OIDC_SCOPES)
    issuer, client_id, secret, scopes = config
    if "openid" not in scopes.split():  # without it there is no ID token and no nonce
        scopes = f"openid {scopes}"
    with _lock:
        hit = _clients.get(config)
        if hit is None or time.monotonic() - hit[1] > METADATA_SECONDS:
            app = OAuth().register(
                "oidc", client_id=client_id, client_secret=secret or None,
                server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
                client_kwargs={"scope": scopes, "code_challenge_method": "S256", "default_timeout": HTTP_TIMEOUT,
                               # without a secret we are a public client: PKCE alone binds the code to us
                               "token_endpoint_auth_method": "client_secret_basic" if secret else "none"})
            _clients.clear()
            _clients[config] = hit = (app, time.monotonic())
    return hit[0]


def _unreachable():
    return Refused(_("The single sign-on service cannot be reached now. Try again later or sign in with your "
                     "password."), "provider unreachable", status=400)


def _metadata(app):
    """The provider's discovery document, checked: it must name our issuer exactly (OpenID Connect Discovery 4.3),
    and the ID token algorithms are narrowed to asymmetric ones."""
    import requests

    try:
        metadata = app.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc
    if metadata.get("issuer") != settings.DIEUHANH_OIDC_ISSUER:
        raise Refused(_("The single sign-on service is not configured correctly. Ask an administrator."),
                      "discovery issuer mismatch", status=400)
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    allowed = [a for a in offered if a in SIGNING_ALGORITHMS] or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = allowed
    return metadata


def redirect_uri():
    """The callback address registered with the provider: fixed by DIEUHANH_BASE_URL, not by the Host header."""
    return settings.DIEUHANH_BASE_URL.rstrip("/") + reverse("accounts:oidc_callback")


def start(request, next_url=""):
    """The redirect to the provider's authorization endpoint. One pending sign-in per session: older states go,
    so repeated starts cannot grow the session."""
    app = client()
    _metadata(app)
    for key in [k for k in request.session.keys() if k.startswith(_STATE_PREFIX)]:
        del request.session[key]
    request.session[NEXT_KEY] = next_url
    try:
        return app.authorize_redirect(request, redirect_uri())
    except RuntimeError as exc:  # no authorization endpoint in the discovery document
        raise _unreachable() from exc


# --- The callback ---------------------------------------------------------------------------------------------

def _address_key(request):
    # ":" cannot occur in a username, so these rows never collide with a person's own lockout
    return f"oidc:{zones.client_address(request)}"[:150]


def _locked_until(key, now):
    row = LoginThrottle.objects.filter(username=key).only("locked_until").first()
    return row.locked_at(now) if row is not None else None


def _count_failure(key, now):
    """One more failure for ``key`` (the same rule as the password sign-in); returns when it is locked, or None."""
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(username=key)
    throttle.add_failure(now)
    throttle.save()
    return throttle.locked_at(now)


def _refuse(request, refused, *, count=True, username=""):
    """Audit the refusal, count it against the client address (and the claimed username), and raise it."""
    now = timezone.now()
    with transaction.atomic():
        if count:
            _count_failure(_address_key(request), now)
            if username:
                _count_failure(username.lower()[:150], now)
        record(actor=None, action="auth.failed", data={"username": username, "channel": CHANNEL,
                                                       "reason": refused.reason})
    raise refused


def _claims_options():
    return {"iss": {"essential": True, "value": settings.DIEUHANH_OIDC_ISSUER},
            "aud": {"essential": True, "value": settings.DIEUHANH_OIDC_CLIENT_ID},
            "sub": {"essential": True}, "exp": {"essential": True}}


def mfa_asserted(claims):
    """True when the provider says the person used more than a password: an ``amr`` value listed in
    DIEUHANH_OIDC_MFA_AMR, or an ``acr`` listed in DIEUHANH_OIDC_MFA_ACR."""
    amr = claims.get("amr")
    amr = amr if isinstance(amr, list) else []
    acr = claims.get("acr")
    return (any(isinstance(v, str) and v in settings.DIEUHANH_OIDC_MFA_AMR for v in amr)
            or (isinstance(acr, str) and acr in settings.DIEUHANH_OIDC_MFA_ACR))


def _find_user(request, claims):
    claim = settings.DIEUHANH_OIDC_USERNAME_CLAIM
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        _refuse(request, Refused(_("The single sign-on service did not send the %(claim)s of your account.")
                                 % {"claim": claim}, f"claim {claim} missing"))
    value = (nfc(value) or "").strip()
    if claim == "email":
        # an address the provider has not verified proves nothing about who owns it
        if claims.get("email_verified") is not True:
            _refuse(request, Refused(_("The single sign-on service has not verified the e-mail address %(value)s.")
                                     % {"value": value}, "email not verified"), username=value)
        users = list(User.objects.filter(email__iexact=value)[:2])
    else:
        users = list(User.objects.filter(username__iexact=value)[:2])
    if len(users) != 1:
        _refuse(request, Refused(_("%(value)s is not linked to an account here. Ask your administrator to create "
                                   "your account (or to correct it).") % {"value": value}, "unknown identity"),
                username=value)
    user = users[0]
    if not user.is_active:
        _refuse(request, Refused(_("The account %(username)s is deactivated.") % {"username": user.username},
                                 "account deactivated"), username=user.username)
    return user


def complete(request):
    """Finish the sign-in at the callback. Returns ``(user, mfa)`` or raises :class:`Refused` /
    :class:`~dieuhanh.accounts.services.LockedOut`. Never signs anybody in by itself."""
    import requests
    from authlib.integrations.base_client.errors import OAuthError
    from joserfc.errors import JoseError

    now = timezone.now()
    locked = _locked_until(_address_key(request), now)
    if locked:  # before anything is sent to the provider
        with transaction.atomic():
            record(actor=None, action="auth.locked", data={"username": "", "channel": CHANNEL})
        raise LockedOut(locked)
    app = client()
    state = request.GET.get("state") or ""
    if not state or app.framework.get_state_data(request.session, state) is None:
        # no pending sign-in in this session: nothing was sent to the provider, so nothing to count
        _refuse(request, Refused(_("This sign-in link has expired or was not started here. Start again."),
                                 "state mismatch", status=400), count=False)
    if request.GET.get("error"):
        app.framework.clear_state_data(request.session, state)
        _refuse(request, Refused(_("The single sign-on service did not sign you in (%(error)s).")
                                 % {"error": request.GET["error"][:80]}, "provider error"), count=False)
    try:
        _metadata(app)
    except Refused as refused:
        _refuse(request, refused, count=False)
    try:
        token = app.authorize_access_token(request, claims_options=_claims_options(), leeway=LEEWAY_SECONDS)
    except requests.RequestException:
        _refuse(request, _unreachable())
    except (OAuthError, JoseError, ValueError, KeyError, TypeError) as exc:
        _refuse(request, Refused(_("The single sign-on service's answer could not be verified. Start again."),
                                 f"invalid response: {type(exc).__name__}: {str(exc)[:200]}"))
    claims = token.get("userinfo") if isinstance(token, dict) else None
    if not claims:  # authlib verifies an ID token only when one came back: without it there is nothing to trust
        _refuse(request, Refused(_("The single sign-on service's answer could not be verified. Start again."),
                                 "no id token"))
    user = _find_user(request, claims)
    mfa = mfa_asserted(claims)
    with transaction.atomic():
        locked = _locked_until(user.username.lower(), now)
        if locked:
            record(actor=None, action="auth.locked", data={"username": user.username, "channel": CHANNEL})
        else:
            LoginThrottle.objects.filter(username=_address_key(request)).update(failures=0)
            record(actor=user, action="auth.login", obj=user,
                   data={"channel": CHANNEL, "sub": str(claims.get("sub"))[:255], "mfa": mfa})
    if locked:
        raise LockedOut(locked)
    return user, mfa
