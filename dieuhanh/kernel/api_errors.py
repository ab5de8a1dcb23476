"""One error shape for the whole API: ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from django.http import HttpRequest, HttpResponse, JsonResponse
    from ninja import NinjaAPI

# Locations ninja prefixes to a field path; the client only needs the field itself.
_LOCATION_PREFIXES = {"body", "query", "path", "header", "cookie", "form", "payload", "data"}


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """``[{"field", "message"}]`` from a Django ValidationError."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": field if field != "__all__" else "", "message": " ".join(msgs)}
            for field, msgs in exc.message_dict.items()
        ]
    return [{"field": "", "message": " ".join(exc.messages)}]


def _ninja_field(loc: Sequence[object]) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in _LOCATION_PREFIXES:
        parts.pop(0)
    return ".".join(parts) or (str(loc[0]) if loc else "")


def id_out_of_range(exc: BaseException) -> bool:
    """True for the error a database raises on an id no row can have (beyond 64 bits): such an object does not
    exist, so the answer is 404, not a server error. Other data errors are real faults and stay 500."""
    from django.db import DataError

    return isinstance(exc, OverflowError) or (isinstance(exc, DataError) and "out of range" in str(exc))


def install(api: NinjaAPI) -> None:
    def validation_422(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [{"field": _ninja_field(e.get("loc", ())), "message": e.get("msg", _("Invalid value."))}
                  for e in exc.errors]
        return api.create_response(request, {"detail": _("Invalid input."), "errors": errors}, status=422)

    def service_400(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": _("Invalid input."), "errors": field_errors(exc)}, status=400)

    def forbidden_403(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or _("Forbidden.")}, status=403)

    def not_found_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    def out_of_range(request: HttpRequest, exc: Any) -> HttpResponse:
        if not id_out_of_range(exc):
            raise exc
        return not_found_404(request, exc)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        status = exc.status_code
        body = {"detail": exc.message if hasattr(exc, "message") else str(exc)}
        response = api.create_response(request, body, status=status)
        if isinstance(exc, AuthenticationError):
            response["WWW-Authenticate"] = "Bearer"
        return response

    api.add_exception_handler(NinjaValidationError, validation_422)
    api.add_exception_handler(ValidationError, service_400)
    api.add_exception_handler(PermissionDenied, forbidden_403)
    api.add_exception_handler(Http404, not_found_404)
    api.add_exception_handler(ObjectDoesNotExist, not_found_404)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(OverflowError, out_of_range)
    from django.db import DataError

    api.add_exception_handler(DataError, out_of_range)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def api_error_response(status: int, detail: str | None = None) -> JsonResponse:
    """The documented JSON error for ``status``, for answers made outside ninja (Django's error handlers)."""
    from http import HTTPStatus

    from django.http import JsonResponse

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return JsonResponse({"detail": detail or phrase, "errors": []}, status=status)


class ApiAnswersJsonMiddleware:
    """No /api/ path answers HTML, whatever happens below: Django's 404 for an unknown path, ninja's 405, a
    CSRF failure, a too-large body, a multipart body without boundary, an uncaught 500. Any error answer there
    that is not JSON is replaced by the documented ``{"detail", "errors"}`` with the same status and headers
    (Allow, Retry-After, WWW-Authenticate). Outermost, so it sees what every other layer answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_path(request.path) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").split(";")[0].strip() == "application/json":
            return response
        replacement = api_error_response(response.status_code, _generic_detail(response.status_code))
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Cache-Control", "Vary"):
            if header in response:
                replacement[header] = response[header]
        for header, value in response.headers.items():
            if header.lower() not in ("content-type", "content-length") and header not in replacement:
                replacement[header] = value
        replacement.cookies = response.cookies
        return replacement


def _generic_detail(status: int) -> str:
    from django.utils.translation import gettext

    return {
        400: gettext("The request could not be understood."),
        403: gettext("Forbidden."),
        404: gettext("Not found."),
        405: gettext("This method is not allowed on this path."),
        413: gettext("The request body is too large."),
        415: gettext("Unsupported content type."),
        500: gettext("Internal server error. The error has been logged."),
    }.get(status, "")
