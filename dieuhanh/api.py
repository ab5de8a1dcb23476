"""The REST API under /api/v1: one NinjaAPI, one router per domain."""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from dieuhanh.accounts.services import user_for_token
from dieuhanh.core import api_errors

READ_ONLY_MESSAGE = ("This API token is read-only (scope \"read\"): it may only make GET and HEAD requests. "
                     "Use a token with the \"write\" scope.")


class BearerToken(HttpBearer):
    """``Authorization: Bearer dh_...`` tokens from ``POST /api/v1/auth/token``.

    The token's scopes are enforced here, for every endpoint at once: a token without "write" is refused
    (403) any request but GET and HEAD, before the endpoint runs.
    """

    def authenticate(self, request, token):
        user, api_token = user_for_token(token)
        if user is None:
            return None
        if not api_token.allows(request.method):
            raise PermissionDenied(READ_ONLY_MESSAGE)
        request.user = user
        request.api_token = api_token
        return user


api = NinjaAPI(
    title="dieuhanh API",
    version="1",
    description=(
        "Official documents across a multi-level organization. Authenticate with a bearer token from "
        "`POST /api/v1/auth/token`, or with the browser session (CSRF token required). Errors have the shape "
        '`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.'
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)
api_errors.install(api)


def _register_routers():
    from dieuhanh.accounts.api import router as accounts_router
    from dieuhanh.core.api import router as core_router
    from dieuhanh.documents.api import router as documents_router
    from dieuhanh.processing.api import router as processing_router
    from dieuhanh.tasks.api import router as tasks_router
    from dieuhanh.units.api import router as units_router

    api.add_router("/", accounts_router)
    api.add_router("/units", units_router)
    api.add_router("/", documents_router)
    from dieuhanh.documents.api import install_handlers

    install_handlers(api)
    api.add_router("/", processing_router)
    api.add_router("/", core_router)
    api.add_router("/", tasks_router)
    from dieuhanh.drafting.api import router as drafting_router
    from dieuhanh.signatures.api import router as signatures_router

    api.add_router("/", drafting_router)
    api.add_router("/", signatures_router)
    api.add_router("/", __import__("dieuhanh.digitization.api", fromlist=["router"]).router)
    from dieuhanh.search.api import router as search_router

    api.add_router("/", search_router)
    api.add_router("/", __import__("dieuhanh.records.api", fromlist=["router"]).router)
    api.add_router("/", __import__("dieuhanh.reorg.api", fromlist=["router"]).router)
    from dieuhanh.documents import freeze_api

    api.add_router("/", freeze_api.router)
    freeze_api.install_handlers(api)


_register_routers()
