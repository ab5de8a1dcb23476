"""Vietnamese first: the interface language is the one the person chose (cookie), else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most office machines run English
browsers; here a browser's preference never overrides the installation's default.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
