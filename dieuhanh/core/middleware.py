"""Vietnamese first: the interface language is the one the person chose (cookie), else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most office machines run English
browsers; here a browser's preference never overrides the installation's default.
"""

import json

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

_SUPPORTED = {code for code, _ in settings.LANGUAGES}


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in _SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


# Everything the pages load comes from the application itself; no inline script or style is allowed anywhere.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'",
])


class SecurityHeadersMiddleware:
    """Content-Security-Policy and a few headers Django does not set by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class IdOutOfRangeMiddleware:
    """Pages take ids from the URL as unbounded integers; one too large for the database names nothing: 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import Http404

        from .api_errors import id_out_of_range

        if id_out_of_range(exception):
            raise Http404("No such object.") from exception
        return None


def _nul_field(value, path=""):
    """The path of the first key or text in ``value`` (parsed JSON) holding a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = _nul_field(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_field(item, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


class RejectNulMiddleware:
    """No text may carry a NUL character: PostgreSQL refuses to store one, so a form or API field holding it
    would end in a server error (found by schemathesis on the token endpoint). Query strings, form fields and
    JSON bodies are checked before any view runs and refused with 400, naming the field; uploaded files are
    binary and are not checked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _field_with_nul(request)
        if field is None:
            return self.get_response(request)
        message = gettext("Text cannot contain the NUL character.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": gettext("Invalid input."),
                                 "errors": [{"field": field, "message": message}]}, status=400)
        return HttpResponseBadRequest(f"{field}: {message}", content_type="text/plain; charset=utf-8")


def _field_with_nul(request):
    """The first query, form or JSON field of ``request`` holding a NUL character, or None."""
    for data in (request.GET,) + ((request.POST,) if request.method == "POST" else ()):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key
    # in JSON a NUL can only arrive escaped (a raw one is not JSON, and the endpoint refuses the body itself)
    if request.content_type == "application/json" and b"\\u0000" in request.body:
        try:
            return _nul_field(json.loads(request.body))
        except ValueError:
            return None
    return None
