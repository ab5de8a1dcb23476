"""The REST API under /api/v1: one NinjaAPI, one router per domain."""

from ninja import NinjaAPI

from dieuhanh.accounts import auth as accounts_auth
from dieuhanh.accounts.auth import READ_ONLY_MESSAGE, BearerToken, SessionAuth  # noqa: F401 (public names)
from dieuhanh.core import api_errors

# The authentication classes live in accounts, with the second-factor rule they enforce (decision 0028).
api = NinjaAPI(
    title="dieuhanh API",
    version="1",
    description=(
        "Official documents across a multi-level organization. Authenticate with a bearer token from "
        "`POST /api/v1/auth/token`, or with the browser session (CSRF token required). Errors have the shape "
        '`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.'
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
)
api_errors.install(api)
accounts_auth.install(api)


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
