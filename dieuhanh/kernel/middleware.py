"""Vietnamese first: the interface language is the one the person chose (cookie), else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most office machines run English
browsers; here a browser's preference never overrides the installation's default.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from .api_errors import id_out_of_range
from .text import has_control, strip_control

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from django.http import HttpRequest, HttpResponse

_SUPPORTED = {code for code, _ in settings.LANGUAGES}


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class IdOutOfRangeMiddleware:
    """Pages take ids from the URL as unbounded integers; one too large for the database names nothing: 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if id_out_of_range(exception):
            raise Http404("No such object.") from exception
        return None


def _control_field(value: Any, path: str = "") -> str | None:
    """The path of the first key or text in ``value`` (parsed JSON) holding a control character, or None."""
    if isinstance(value, str):
        return path if has_control(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if has_control(str(key)):
                return where
            found = _control_field(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _control_field(item, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


# a control character can only reach parsed JSON escaped (raw ones are not JSON): \u0000-\u001f minus \t \n \r
_JSON_CONTROL = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")


class RejectNulMiddleware:
    """One rule for control characters (U+0000-U+001F except tab, CR, LF) in every text that arrives over HTTP
    (decision 0032). PostgreSQL cannot store NUL and openpyxl refuses the others, so one such subject made a
    whole register unexportable. Query strings and JSON bodies (machine input) are refused with 400 naming the
    field; page form fields lose them (pasted from Word/PDF, invisible to the clerk), except NUL, refused.
    Uploaded files are binary and are not checked.

    The guard never consumes a body a view needs: it reads request.POST only for form content types (Django
    parses once and keeps the result for the view) and request.body only for JSON; a JSON endpoint given a form
    body then finds the stream read, which is answered as the 415 it is (process_exception)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        try:
            field = _field_with_control(request)
        except MultiPartParserError:
            if api:
                return JsonResponse({"detail": gettext("Invalid input."), "errors": [
                    {"field": "body", "message": gettext("The multipart body cannot be read (boundary missing or "
                                                         "malformed).")}]}, status=400)
            return HttpResponseBadRequest(gettext("The multipart body cannot be read."),
                                          content_type="text/plain; charset=utf-8")
        if field is None:
            return self.get_response(request)
        message = gettext("Text cannot contain the NUL character or other control characters (U+0000-U+001F other "
                          "than tab and line breaks).")
        if api:
            return JsonResponse({"detail": gettext("Invalid input."),
                                 "errors": [{"field": field, "message": message}]}, status=400)
        return HttpResponseBadRequest(f"{field}: {message}", content_type="text/plain; charset=utf-8")

    def process_exception(self, request: HttpRequest, exception: Exception) -> JsonResponse | None:
        # ninja reads request.body for a JSON operation; after a form body was parsed the stream is gone
        if isinstance(exception, RawPostDataException) and request.path.startswith("/api/"):
            return JsonResponse({"detail": gettext("This operation takes a JSON body (Content-Type: "
                                                   "application/json).")}, status=415)
        return None


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _field_with_control(request: HttpRequest) -> str | None:
    """The first query or JSON field of ``request`` holding a control character (or form field holding NUL),
    or None; other control characters are removed from form fields in place."""
    for key, values in request.GET.lists():
        if has_control(key) or any(has_control(v) for v in values):
            return key
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        post = request.POST
        dirty = False
        for key, values in post.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key
            dirty = dirty or has_control(key) or any(has_control(v) for v in values)
        if dirty:
            clean = QueryDict(mutable=True)
            for key, values in post.lists():
                clean.setlist(strip_control(key), [strip_control(v) for v in values])
            clean._mutable = False
            request.POST = clean  # type: ignore[assignment]  # a read-only QueryDict, as Django builds it
    elif request.content_type == "application/json" and _JSON_CONTROL.search(request.body):
        try:
            return _control_field(json.loads(request.body))
        except ValueError:
            return None
    return None
