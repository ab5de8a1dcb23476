"""Issue 14, item 5: Strict-Transport-Security when secure cookies are on, with a configurable max-age
(decision 0028)."""

import json
import os
import subprocess
import sys

import pytest


def _settings_under(env):
    """SECURE_HSTS_SECONDS as dieuhanh/settings.py computes it from ``env`` (a fresh interpreter: settings are read
    once, at import)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIEUHANH_")}
    code = ("import json, dieuhanh.settings as s; print(json.dumps([s.SECURE_HSTS_SECONDS, "
            "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE]))")
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_hsts_follows_secure_cookies_and_its_max_age_is_configurable():
    assert _settings_under({"DIEUHANH_SECURE_COOKIES": "true"}) == [31536000, False, True]
    assert _settings_under({"DIEUHANH_SECURE_COOKIES": "true", "DIEUHANH_HSTS_SECONDS": "600"})[0] == 600
    # without secure cookies the site may be plain HTTP: no HSTS, whatever the variable says
    assert _settings_under({"DIEUHANH_HSTS_SECONDS": "600"})[0] == 0
    assert _settings_under({})[0] == 0
    assert _settings_under({"DIEUHANH_SECURE_COOKIES": "true", "DIEUHANH_HSTS_SECONDS": "0"})[0] == 0


@pytest.mark.parametrize("secure", [True, False])
def test_pages_and_the_api_send_the_header(client, db, settings, secure):
    # TLS usually ends at the reverse proxy, so the request the application sees may look like plain HTTP;
    # browsers ignore the header on a plain HTTP answer, so it is safe to send on every response.
    settings.SECURE_HSTS_SECONDS = 600
    for path in ("/accounts/login/", "/api/v1/me", "/healthz"):
        resp = client.get(path, secure=secure)
        assert resp["Strict-Transport-Security"] == "max-age=600", path


def test_no_header_when_off(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in client.get("/accounts/login/", secure=True)
