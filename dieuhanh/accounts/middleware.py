"""People whose roles require two-factor authentication can use no page until this session has passed it
(decision 0028): without a device they are sent to the set-up, with one to the code."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import auth, services

# The set-up itself, the code step, signing in and out, single sign-on; the rest of /accounts/ (e.g. the password
# page) is closed like any other page. The API refuses such sessions itself, as JSON (accounts.auth.SessionAuth).
ALLOWED_PREFIXES = ("/static/", "/i18n/", "/healthz", "/api/")
ALLOWED_NAMES = ("login", "logout", "two_factor", "two_factor_setup", "oidc_login", "oidc_callback")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES)
                and request.path not in self._allowed_paths() and auth.session_blocked(request, user)):
            if request.headers.get("HX-Request"):
                # a fragment (the bell on the set-up page itself): a redirect would swap a whole page into it,
                # whose bell asks again at once, without end; nothing to show yet
                return HttpResponse(status=204)
            if services.has_two_factor(user):
                # a session opened before the device was set up (elsewhere): it must give the code now
                request.session["_2fa_user"] = user.pk
                here = request.get_full_path() if request.method == "GET" else ""
                # "//elsewhere" is a path here but another site in a redirect
                safe = url_has_allowed_host_and_scheme(here, {request.get_host()}, require_https=request.is_secure())
                request.session["_2fa_next"] = here if safe else ""
                return redirect("accounts:two_factor")
            return redirect("accounts:two_factor_setup")
        return self.get_response(request)

    def _allowed_paths(self):
        if self.allowed_paths is None:
            self.allowed_paths = frozenset(reverse(f"accounts:{name}") for name in ALLOWED_NAMES)
        return self.allowed_paths


class StrictTransportSecurityMiddleware:
    """Strict-Transport-Security on every response while SECURE_HSTS_SECONDS is set (secure cookies on).

    Django's SecurityMiddleware adds it only when the request itself is HTTPS, which it is not behind a proxy that
    ends TLS; browsers ignore the header on plain HTTP answers (RFC 6797, 8.1), so sending it always is safe.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        seconds = settings.SECURE_HSTS_SECONDS
        if seconds and "Strict-Transport-Security" not in response:
            value = f"max-age={seconds}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                value += "; preload"
            response["Strict-Transport-Security"] = value
        return response
