"""Issue 21: the load balancer's health check (database, Redis, file store) and the Prometheus scrape; and while
the database is down, a walk over pages and API routes meets 503 with Retry-After, never a 500."""

import socket

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from conftest import PASSWORD


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REDIS_URL = ""
    return tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/api/v1/health"])
def test_health_ok_without_sign_in(client, media, path):
    resp = client.get(path)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "files"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert "no-cache" in resp["Cache-Control"] or "max-age=0" in resp["Cache-Control"]
    assert not list((media / "media" / "health").iterdir())  # the probe file is removed


@pytest.mark.django_db
def test_health_file_store_unwritable_is_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker)
    settings.REDIS_URL = ""
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert int(resp["Retry-After"]) > 0
    body = resp.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["files"]["status"] == "fail"
    assert str(tmp_path) not in resp.content.decode()  # the error's class, not its message with the path


@pytest.mark.django_db
def test_health_redis_refused_is_503(client, media, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    resp = client.get("/api/v1/health")
    assert resp.status_code == 503
    assert resp["Retry-After"]
    assert resp.json()["checks"]["redis"] == {"status": "fail", "error": "ConnectionError",
                                               "ms": resp.json()["checks"]["redis"]["ms"]}
    assert "127.0.0.1" not in resp.content.decode()


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 6379")
@pytest.mark.django_db
def test_health_redis_ok(client, media, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    resp = client.get("/healthz")
    assert resp.status_code == 200, resp.content
    assert resp.json()["checks"]["redis"]["status"] == "ok"


@pytest.mark.django_db
def test_health_post_refused(client, media):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_metrics_lists_requests_queue_failures_and_exchange_backlog(client, media):
    client.get("/healthz")
    client.get("/api/v1/health")
    resp = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/plain; version=0.0.4")
    text = resp.content.decode()
    assert 'dieuhanh_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'dieuhanh_http_requests_total{method="GET",route="/api/v1/health",status="200"}' in text
    assert 'dieuhanh_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}' in text
    assert "# TYPE dieuhanh_huey_queue_depth gauge" in text
    assert "\ndieuhanh_huey_queue_depth " in text
    assert "# TYPE dieuhanh_job_failures_total counter" in text
    for state in ("queued", "sending", "failed"):
        assert f'dieuhanh_exchange_backlog{{state="{state}"}} 0' in text


@pytest.mark.django_db
def test_metrics_exchange_backlog_counts_outbox(client, media, org):
    from django.utils import timezone

    from dieuhanh.gateway.models import OutboxItem

    OutboxItem.objects.create(destination="000.00.00.H99", package_id="p-1", state="failed",
                              next_attempt_at=timezone.now(), payload=b"")
    text = client.get("/metrics").content.decode()
    assert 'dieuhanh_exchange_backlog{state="failed"} 1' in text


@pytest.mark.django_db
def test_metrics_closed_to_other_hosts_and_open_with_token(client, media, settings):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    settings.DIEUHANH_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403  # a token set: even localhost must give it
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200
    assert "s3cret" not in ok.content.decode()


# --- the database is down: a walk over pages and API routes


def _plain_paths(resolver=None, prefix="") -> list[str]:
    """Every page path without a parameter (a path converter or regex group)."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(" in route or "^" in route or "\\" in route:
            continue
        if isinstance(entry, URLResolver):
            if route.startswith("api/"):
                continue
            found += _plain_paths(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return found


def _api_paths() -> list[str]:
    from dieuhanh.site.api import api

    schema = api.get_openapi_schema()
    return [path for path, ops in schema["paths"].items() if "{" not in path and "get" in ops][:40]


def _break_database():
    """Point the connection where nothing answers; return the function that puts it back."""
    if connection.vendor == "postgresql":
        real = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = str(_closed_port())

        def restore():
            connection.settings_dict["PORT"] = real
        return restore
    real_name = connection.settings_dict["NAME"]
    raw = connection.connection
    connection.connection = None
    connection.settings_dict["NAME"] = "/nonexistent-dir/for-dieuhanh-tests/db.sqlite3"

    def restore():
        connection.settings_dict["NAME"] = real_name
        connection.connection = raw
    return restore


@pytest.mark.django_db(transaction=True)
def test_database_down_walk_answers_503_never_500(org, media):
    signed_in = Client(raise_request_exception=False)
    signed_in.login(username=org.clerk_a.username, password=PASSWORD)
    signed_in.cookies["django_language"] = "en"
    anonymous = Client(raise_request_exception=False)
    pages = _plain_paths()
    api_paths = _api_paths()
    assert len(pages) > 20 and len(api_paths) > 5
    restore = _break_database()
    seen: dict[str, int] = {}
    try:
        with translation.override("en"):
            for who, client in (("signed-in", signed_in), ("anonymous", anonymous)):
                for path in pages:
                    seen[f"{who} GET {path}"] = client.get(path).status_code
                for path in api_paths:
                    resp = client.get(path)
                    seen[f"{who} GET {path}"] = resp.status_code
                    assert resp["Content-Type"].startswith("application/json"), path
                for path in ("/accounts/login/", "/api/v1/documents/incoming"):
                    seen[f"{who} POST {path}"] = client.post(path, {"username": "x", "password": "y"}).status_code
            health = anonymous.get("/healthz")
            assert health.status_code == 503
            assert health["Retry-After"]
            assert health.json()["checks"]["database"]["status"] == "fail"
            assert anonymous.get("/metrics").status_code == 200  # the scrape still answers, without the backlog
            unavailable = signed_in.get("/documents/")
    finally:
        restore()
    errors = {key: status for key, status in seen.items() if status >= 500 and status != 503}
    assert not errors, errors
    assert unavailable.status_code == 503 and int(unavailable["Retry-After"]) > 0
    assert b"database cannot be reached" in unavailable.content
    # nothing to repair: served again at once
    assert anonymous.get("/healthz").status_code == 200
