"""While the database cannot be reached, every request answers 503 with Retry-After (JSON on /api/, a page
elsewhere) instead of a 500, and the next request after it returns is served normally (decision 0033).

Two ways in, because Django turns an exception into a response at every middleware layer: a view's exception
reaches ``process_exception`` here; one raised by another middleware (loading the session or the user) reaches
the 500 handler, which asks ``unavailable_response`` first.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

# Seconds a client is told to wait; a restarted PostgreSQL usually answers again well within this.
RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for the errors a lost, refused or locked database connection raises (psycopg's connection errors
    and SQLite's unopenable or locked file are all OperationalError/InterfaceError through Django's wrapper)."""
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__
    return False


def _drop_broken_connections() -> None:
    """Close every connection that can no longer be used, so the next request opens a fresh one: recovery does
    not wait for the request signals (which the test client and some servers skip) or CONN_MAX_AGE."""
    for conn in connections.all(initialized_only=True):
        try:
            if conn.connection is not None and not conn.is_usable():
                conn.close()
        except Exception:  # noqa: BLE001 - the connection is already broken; there is nothing left to save
            conn.connection = None


# public for the health check, which reports a lost database itself and must leave the connection reusable
drop_broken_connections = _drop_broken_connections


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 itself: JSON in the API's error shape on /api/, the error page elsewhere."""
    _drop_broken_connections()
    message = _("The database cannot be reached at the moment. Please try again in a minute.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "errors": []}, status=503)
    else:
        # the page needs no database: base.html reads only the request and static files when no user is known
        if not hasattr(request, "user") or _user_needs_database(request):
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
        title = _("Service temporarily unavailable")
        try:
            response = render(request, "site/error.html", {"status": 503, "title": title, "message": message},
                              status=503)
        except (OperationalError, InterfaceError):
            # a context processor still reached for the database: a bare page says the same
            response = HttpResponse(f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
                                    f"<p>{escape(message)}</p>", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _user_needs_database(request: HttpRequest) -> bool:
    """True when ``request.user`` is still the lazy object that would query the database to load itself."""
    from django.utils.functional import LazyObject, empty

    user = request.__dict__.get("user")
    return isinstance(user, LazyObject) and getattr(user, "_wrapped", empty) is empty


def unavailable_response(request: HttpRequest) -> HttpResponse | None:
    """For the 500 handler: the 503 when the exception being handled is a lost database, else None."""
    exc = sys.exc_info()[1]
    if not is_database_unavailable(exc):
        return None
    log.error("Database unavailable: %s", exc)
    return database_unavailable_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        log.error("Database unavailable: %s", exception)
        return database_unavailable_response(request)
