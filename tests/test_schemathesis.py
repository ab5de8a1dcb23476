"""schemathesis against /api/v1/openapi.json: generated requests to every operation, signed in as a clerk, never
get a 500, and every answer matches the schema the API publishes (status code, content type, body)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

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
                           checks=[not_a_server_error, response_schema_conformance, content_type_conformance])


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
