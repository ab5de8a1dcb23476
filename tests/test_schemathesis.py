"""schemathesis against /api/v1/openapi.json: generated requests to every operation, signed in as a clerk, never
get a 500, and every answer matches the schema the API publishes: its status code is one the operation lists
(issue 14, item 21), its content type and its body."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dieuhanh.wsgi import application  # noqa: E402 - pytest-django has configured Django by now

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The app is called as plain WSGI, so Django's request signals run; as in Django's own test client, they must
    not close the connection that holds the test's transaction (PostgreSQL would lose it mid-test)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def clerk_token(org):
    from dieuhanh.accounts.services import issue_token

    return issue_token(actor=org.clerk_a)[1]


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_schema(case, clerk_token):
    if case.path.endswith("/auth/tokens/{token_id}") and case.method == "DELETE":
        return  # could revoke the token the test signs in with
    case.call_and_validate(headers={"Authorization": f"Bearer {clerk_token}"},
                           checks=[not_a_server_error, status_code_conformance, response_schema_conformance,
                                   content_type_conformance])


def test_schema_names_are_unique_across_the_api():
    """The OpenAPI document names each schema by its class name: two apps' ``FileOut`` would silently publish
    one shape for both (schemathesis caught /api/v1/files answering with documents' FileOut under records')."""
    import importlib
    import pkgutil

    from ninja import Schema

    import dieuhanh

    seen = {}
    for info in pkgutil.iter_modules(dieuhanh.__path__):
        try:
            module = importlib.import_module(f"dieuhanh.{info.name}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                assert name not in seen, f"{name} is defined in {seen.get(name)} and {module.__name__}"
                seen[name] = module.__name__
    assert len(seen) > 50


def test_every_operation_lists_the_error_statuses_it_can_answer(client):
    """Issue 14, item 21: whatever the exception handlers can produce is in each operation's responses, with the
    one error shape; operations that need a sign-in list 401, writes list 409 and 413, and a status a view raises
    itself (429 on the token endpoint) is listed for that operation."""
    spec = client.get("/api/v1/openapi.json").json()
    assert "ErrorOut" in spec["components"]["schemas"]
    count = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            listed = set(operation["responses"])
            assert {"400", "403", "404", "422", "503"} <= listed, (method, path, listed)
            if operation.get("security"):
                assert "401" in listed, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"409", "413"} <= listed, (method, path)
            count += 1
    assert count > 100
    assert "429" in spec["paths"]["/api/v1/auth/token"]["post"]["responses"]
    error = spec["paths"]["/api/v1/me"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorOut"}
