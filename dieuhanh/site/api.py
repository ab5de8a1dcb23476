"""The REST API under /api/v1: one NinjaAPI, one router per domain."""

import inspect
import re
from typing import Any

from ninja import NinjaAPI

from dieuhanh.accounts import auth as accounts_auth
from dieuhanh.accounts.api import router as accounts_router
from dieuhanh.accounts.auth import READ_ONLY_MESSAGE, BearerToken, SessionAuth  # noqa: F401 (public names)
from dieuhanh.digitization.api import router as digitization_router
from dieuhanh.documents import freeze_api
from dieuhanh.documents.api import install_handlers
from dieuhanh.documents.api import router as documents_router
from dieuhanh.drafting.api import router as drafting_router
from dieuhanh.exchange.api import router as exchange_router
from dieuhanh.gateway.api import router as gateway_router
from dieuhanh.intake.api import router as intake_router
from dieuhanh.kernel import api_errors
from dieuhanh.processing.api import router as processing_router
from dieuhanh.projects.api import router as projects_router
from dieuhanh.records.api import router as records_router
from dieuhanh.reorg.api import router as reorg_router
from dieuhanh.reports.api import router as reports_router
from dieuhanh.reports.report_api import router as standard_reports_router
from dieuhanh.search.api import router as search_router
from dieuhanh.signatures.api import router as signatures_router
from dieuhanh.site.home_api import router as core_router
from dieuhanh.tasks.api import router as tasks_router
from dieuhanh.units.api import people_router as units_people_router
from dieuhanh.units.api import router as units_router

# Statuses every operation can answer, whatever it does, from the exception handlers (kernel/api_errors.py,
# accounts/auth.py, kernel/dbguard.py): a service's ValidationError or an unreadable body, a permission, zone or
# two-factor refusal, a missing object, a schema mismatch, a lost database.
_ALWAYS = {
    "400": "Invalid input; `errors` names each field.",
    "403": "Not allowed: permission, clearance, network zone or two-factor authentication.",
    "404": "No such object, or not visible to you.",
    "422": "The request does not match the schema; `errors` names each field.",
    "503": "The database cannot be reached; retry after the Retry-After header's seconds.",
}
# Writes can also meet a frozen object or a duplicate (409) and a body over the upload limit (413).
_WRITES = {"409": "Conflict: the object is frozen, or the document is a duplicate.",
           "413": "The request body is too large."}
_AUTHENTICATED = {"401": "Not authenticated: no valid bearer token or session."}
_RAISED = re.compile(r"HttpError\(\s*(\d{3})")


class DieuhanhAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists every status an operation can answer (issue 14, item 21), each
    with the one error shape, so clients and the schema tests can rely on it (decision 0033)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_error_statuses(schema, self._view_functions())
        return schema

    def _view_functions(self) -> dict[str, Any]:
        found = {}
        for _prefix, router in self._routers:
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    op_id = operation.operation_id or self.get_openapi_operation_id(operation)
                    found[op_id] = operation.view_func
        return found


def document_error_statuses(schema: Any, views: dict[str, Any]) -> None:
    """Adds the error statuses to every operation of ``schema`` (those it already lists keep their own)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = dict(_ALWAYS)
            if method in ("post", "put", "patch", "delete"):
                statuses.update(_WRITES)
            if operation.get("security"):
                statuses.update(_AUTHENTICATED)
            view = views.get(operation.get("operationId"))
            for code in _raised_by(view):
                statuses.setdefault(code, "See `detail`.")
            responses = operation.setdefault("responses", {})
            listed = {str(code) for code in responses}  # ninja keys them by int
            for code, description in statuses.items():
                if code not in listed:
                    responses[code] = {"description": description,
                                       "content": {"application/json": {"schema": ref}}}


def _raised_by(view: Any) -> list[str]:
    """The statuses a view raises itself (``HttpError(429, ...)``), read from its source."""
    if view is None:
        return []
    try:
        return _RAISED.findall(inspect.getsource(view))
    except (OSError, TypeError):
        return []


ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            "required": ["field", "message"]}},
    },
    "required": ["detail"],
}

# The authentication classes live in accounts, with the second-factor rule they enforce (decision 0028).
api = DieuhanhAPI(
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
    api.add_router("/", accounts_router)
    api.add_router("/units", units_router)
    api.add_router("/", units_people_router)  # POST /users, /memberships: they look a unit up
    api.add_router("/", documents_router)
    install_handlers(api)
    api.add_router("/", processing_router)
    api.add_router("/", core_router)
    api.add_router("/", tasks_router)
    api.add_router("/", drafting_router)
    api.add_router("/", signatures_router)
    api.add_router("/", digitization_router)
    api.add_router("/", search_router)
    api.add_router("/", records_router)
    api.add_router("/", reorg_router)
    api.add_router("/", reports_router)
    api.add_router("/", standard_reports_router)
    api.add_router("/", freeze_api.router)
    api.add_router("/", exchange_router)
    api.add_router("/", intake_router)
    api.add_router("/", gateway_router)
    api.add_router("/", projects_router)
    freeze_api.install_handlers(api)


_register_routers()
