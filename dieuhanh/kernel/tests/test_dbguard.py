"""Issue 14, item 22: while the database cannot be reached every request answers 503 with Retry-After and a clear
message (JSON on /api/, a page elsewhere), and the first request after it returns is served normally."""

import socket

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from conftest import PASSWORD


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bearer(user) -> dict:
    from dieuhanh.accounts.services import issue_token

    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(actor=user)[1]}"}


def _assert_unavailable(client: Client, auth: dict) -> None:
    with translation.override("en"):
        api = client.get("/api/v1/me", **auth)
        assert api.status_code == 503, api.content[:300]
        assert api["Content-Type"].startswith("application/json")
        assert int(api["Retry-After"]) > 0
        assert "database cannot be reached" in api.json()["detail"]
        page = client.get("/documents/")
        assert page.status_code == 503, page.content[:300]
        assert page["Content-Type"].startswith("text/html")
        assert int(page["Retry-After"]) > 0
        assert b"database cannot be reached" in page.content
        assert client.get("/healthz").status_code == 503


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own connection loss")
@pytest.mark.django_db(transaction=True)
def test_postgresql_refused_then_back(org):
    """The server is pointed at a closed port (as when PostgreSQL is stopped), then back at the real one."""
    client = Client(raise_request_exception=False)
    auth = _bearer(org.clerk_a)
    client.login(username=org.clerk_a.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_closed_port())
    try:
        _assert_unavailable(client, auth)
    finally:
        connection.settings_dict["PORT"] = real_port
    # nothing else is done: the next request connects again by itself
    resp = client.get("/healthz")
    assert resp.status_code == 200, resp.content[:300]
    assert resp.json()["status"] == "ok"
    assert client.get("/api/v1/me", **auth).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own connection loss")
@pytest.mark.django_db(transaction=True)
def test_postgresql_backend_terminated_mid_connection(org):
    """An established connection whose backend is killed (as in a PostgreSQL restart) answers 503 once, and the
    next request is served on a new connection."""
    import psycopg

    client = Client(raise_request_exception=False)
    auth = _bearer(org.clerk_a)
    client.login(username=org.clerk_a.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    assert client.get("/healthz").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    with translation.override("en"):
        resp = client.get("/api/v1/me", **auth)
    assert resp.status_code == 503, resp.content[:300]
    assert resp["Retry-After"]
    resp = client.get("/healthz")
    assert resp.status_code == 200, resp.content[:300]
    assert connection.connection.info.backend_pid != pid


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own file loss")
@pytest.mark.django_db(transaction=True)  # a failed connect resets the connection's atomic-block state
def test_sqlite_file_unreachable_then_back(org, tmp_path):
    """The database file cannot be opened (a lost volume): 503; once it can, requests are served again."""
    client = Client(raise_request_exception=False)
    auth = _bearer(org.clerk_a)
    client.login(username=org.clerk_a.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    real_name = connection.settings_dict["NAME"]
    raw = connection.connection
    connection.connection = None
    connection.settings_dict["NAME"] = str(tmp_path / "missing-dir" / "db.sqlite3")
    try:
        _assert_unavailable(client, auth)
    finally:
        connection.settings_dict["NAME"] = real_name
        connection.connection = raw
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/me", **auth).status_code == 200
