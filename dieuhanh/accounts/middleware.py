"""People whose roles require two-factor authentication cannot use the pages until they have set it up."""

from django.shortcuts import redirect

from . import services
from .oidc import MFA_SESSION_KEY

ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/api/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES)
                and services.two_factor_required(user) and not services.has_two_factor(user)
                # the single sign-on provider asserted a second factor for this session (decision 0024)
                and not request.session.get(MFA_SESSION_KEY)):
            return redirect("accounts:two_factor_setup")
        return self.get_response(request)
