from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dieuhanh.accounts import policy
from dieuhanh.accounts.selectors import memberships_of
from dieuhanh.kernel import dbguard
from dieuhanh.notifications import selectors as notifications
from dieuhanh.notifications import services as notification_services

from .home import counters as work_counters
from .home import dashboard_url


@login_required
def home(request):
    return render(request, "site/home.html", {
        "memberships": memberships_of(request.user),
        "is_system_admin": policy.is_system_admin(request.user),
        "counters": work_counters(request.user),
        "dashboard_url": dashboard_url(request.user),
    })


@login_required
@require_GET
def notification_bell(request):
    """The bell's unread count; the page polls it with htmx, so it must stay cheap (one capped count)."""
    return render(request, "site/_bell.html", {"unread": notifications.unread_count(request.user),
                                               "cap": notifications.UNREAD_CAP})


@login_required
def notification_list(request):
    items = list(notifications.for_user(request.user, limit=50))
    notification_services.mark_seen(request.user)
    return render(request, "site/notifications.html", {"items": items})


def _error(request, status, title, message):
    return render(request, "site/error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        # the body is over the configured limits: 413 says so (and the API documents 413 on writes)
        return _error(request, 413, _("Request too large"), _("The request body is too large."))
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request, exception=None):
    return _error(request, 403, _("Access denied"), _("You do not have permission to open this page."))


def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found"), _("The page you asked for does not exist."))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the project's page (or the API's JSON, via ApiAnswersJsonMiddleware), not Django's."""
    return _error(request, 403, _("Access denied"),
                  _("The form has expired or was not sent from this site. Go back, reload the page and try again."))


def server_error(request):
    # a lost database is not a fault of the application: 503 with Retry-After (decision 0033)
    unavailable = dbguard.unavailable_response(request)
    if unavailable is not None:
        return unavailable
    return _error(request, 500, _("Something went wrong"), _("The error has been logged. Please try again."))
