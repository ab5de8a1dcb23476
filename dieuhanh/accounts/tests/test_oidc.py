"""OpenID Connect single sign-on against a fake provider: a local HTTP server thread with its own RSA key, JWKS,
discovery document and token endpoint (which checks PKCE). The browser's trip to the authorization endpoint is
played by the test: it reads the redirect and hands back a code."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from conftest import PASSWORD, make_user
from dieuhanh.accounts.models import LoginThrottle, Role
from dieuhanh.audit.models import AuditEvent

CLIENT_ID, CLIENT_SECRET = "dieuhanh-test", "s3cret"


class FakeProvider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, not published
        self.codes = {}
        self.token_requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.discovery_issuer = None  # to publish a wrong issuer
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def metadata(self):
        return {"issuer": self.discovery_issuer or self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"]}

    def authorize(self, location, key=None, **claims):
        """What the provider does when the person signs in: remember the request, return a code."""
        query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        assert location.startswith(f"{self.issuer}/authorize?")
        assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
        assert query["code_challenge_method"] == "S256" and query["code_challenge"] and query["nonce"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = (query, key or self.key, claims)
        return code, query["state"]

    def token(self, form, auth):
        query, key, overrides = self.codes.pop(form.get("code"), (None, None, None))
        if query is None:
            return 400, {"error": "invalid_grant"}
        if auth != "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode():
            return 401, {"error": "invalid_client"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != query["code_challenge"] or form.get("redirect_uri") != query["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE or redirect_uri"}
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "u-1", "iat": now, "exp": now + 300,
                  "nonce": query["nonce"], "preferred_username": "clerk.a", **overrides}
        claims = {k: v for k, v in claims.items() if v is not None}
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                     "id_token": id_token}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._send(200, provider.metadata())
                elif self.path == "/jwks":
                    self._send(200, {"keys": [provider.key.as_dict(private=False)]})
                else:
                    self._send(404, {})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                provider.token_requests.append(form)
                self._send(*provider.token(form, self.headers.get("Authorization", "")))

        return Handler


@pytest.fixture(scope="module")
def provider():
    p = FakeProvider()
    yield p
    p.server.shutdown()
    p.server.server_close()


@pytest.fixture
def sso(settings, provider, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    settings.DIEUHANH_OIDC_ISSUER, settings.DIEUHANH_OIDC_CLIENT_ID = provider.issuer, CLIENT_ID
    settings.DIEUHANH_OIDC_CLIENT_SECRET = CLIENT_SECRET
    provider.discovery_issuer = None
    return provider


def _sign_in(client, provider, next_url="", key=None, **claims):
    start = client.get("/accounts/oidc/login/" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    assert start.status_code == 302, start.content[:300]
    code, state = provider.authorize(start["Location"], key=key, **claims)
    return client.get("/accounts/oidc/callback/", {"code": code, "state": state})


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_disabled_by_default_the_sso_urls_are_404_and_no_button(client, db):
    assert client.get("/accounts/oidc/login/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    assert 'id="sso"' not in client.get("/accounts/login/").content.decode()


def test_valid_login_lands_signed_in_as_the_mapped_user(org, client, sso):
    page = client.get("/accounts/login/?next=/documents/inbox/").content.decode()
    assert 'id="sso"' in page and "next=/documents/inbox/" in page
    resp = _sign_in(client, sso, next_url="/documents/inbox/")
    assert resp.status_code == 302 and resp["Location"] == "/documents/inbox/"
    assert _signed_in_as(client) == str(org.clerk_a.pk)
    form = sso.token_requests[-1]
    assert form["grant_type"] == "authorization_code" and form["code_verifier"]
    event = AuditEvent.objects.get(action="auth.login", actor=org.clerk_a)
    assert event.data["channel"] == "oidc" and event.data["mfa"] is False
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("case", ["nonce", "signature", "audience", "expired", "issuer"])
def test_bad_id_tokens_are_refused(org, client, sso, case):
    claims = {"nonce": {"nonce": "not-the-one"}, "audience": {"aud": "another-client"},
              "expired": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000},
              "issuer": {"iss": "http://127.0.0.1:1"}, "signature": {}}[case]
    resp = _sign_in(client, sso, key=sso.other_key if case == "signature" else None, **claims)
    assert resp.status_code == 401 and 'id="sso-error"' in resp.content.decode()
    assert _signed_in_as(client) is None
    (event,) = AuditEvent.objects.filter(action="auth.failed", data__channel="oidc")
    expected = {"nonce": "nonce", "signature": "Signature", "audience": "aud", "expired": "Expired",
                "issuer": "iss"}[case]
    assert expected in event.data["reason"], event.data
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_wrong_or_missing_state_is_refused_without_calling_the_provider(org, client, sso):
    start = client.get("/accounts/oidc/login/")
    code, state = sso.authorize(start["Location"])
    before = len(sso.token_requests)
    for params in ({"code": code, "state": state + "x"}, {"code": code}, {"state": "", "code": ""}):
        resp = client.get("/accounts/oidc/callback/", params)
        assert resp.status_code == 400 and _signed_in_as(client) is None
    assert len(sso.token_requests) == before
    # a state is good for one try only
    assert client.get("/accounts/oidc/callback/", {"code": code, "state": state}).status_code == 302
    assert client.get("/accounts/oidc/callback/", {"code": code, "state": state}).status_code == 400
    # the provider's own refusal
    client.logout()
    start = client.get("/accounts/oidc/login/")
    _code, state = sso.authorize(start["Location"])
    resp = client.get("/accounts/oidc/callback/", {"error": "access_denied", "state": state})
    assert resp.status_code == 401 and _signed_in_as(client) is None


def test_unknown_and_deactivated_identities_are_refused(org, client, sso):
    resp = _sign_in(client, sso, preferred_username="nobody.here")
    assert resp.status_code == 401 and "nobody.here" in resp.content.decode()
    assert _signed_in_as(client) is None
    resp = _sign_in(client, sso, preferred_username=None)  # the claim is missing
    assert resp.status_code == 401 and _signed_in_as(client) is None
    gone = make_user("gone.a", org.a, Role.CLERK, is_active=False)
    resp = _sign_in(client, sso, preferred_username=gone.username)
    assert resp.status_code == 401 and gone.username in resp.content.decode()
    assert _signed_in_as(client) is None
    assert AuditEvent.objects.filter(action="auth.failed", data__reason="account deactivated").count() == 1


def test_mapping_by_verified_email(org, client, sso, settings):
    settings.DIEUHANH_OIDC_USERNAME_CLAIM = "email"
    org.leader_a.email = "Lanhdao@Example.vn"
    org.leader_a.save()
    resp = _sign_in(client, sso, email="lanhdao@example.vn", email_verified=False)
    assert resp.status_code == 401 and _signed_in_as(client) is None
    resp = _sign_in(client, sso, email="lanhdao@example.vn", email_verified=True)
    assert resp.status_code == 302 and _signed_in_as(client) == str(org.leader_a.pk)


def test_second_factor_local_step_unless_the_provider_asserts_it(org, client, sso, settings):
    from dieuhanh.accounts.models import TwoFactorDevice

    settings.DIEUHANH_2FA_ENFORCED = True
    TwoFactorDevice.objects.create(user=org.clerk_a, secret="JBSWY3DPEHPK3PXP", confirmed_at="2026-01-01T00:00Z")
    resp = _sign_in(client, sso)  # password-equivalent only: the local TOTP step follows
    assert resp.status_code == 302 and resp["Location"] == "/accounts/2fa/"
    assert _signed_in_as(client) is None and client.session["_2fa_user"] == org.clerk_a.pk
    resp = _sign_in(client, sso, amr=["pwd", "otp"])
    assert resp.status_code == 302 and _signed_in_as(client) == str(org.clerk_a.pk)
    # a leader without a local authenticator: asserted MFA lets them in, a plain sign-in sends them to set-up
    client.logout()
    _sign_in(client, sso, preferred_username=org.leader_a.username, amr=["mfa"])
    assert client.get("/").status_code == 200
    client.logout()
    _sign_in(client, sso, preferred_username=org.leader_a.username, amr=["pwd"])
    assert client.get("/")["Location"] == "/accounts/2fa/setup/"
    settings.DIEUHANH_OIDC_MFA_ACR = ["urn:example:loa:high"]
    client.logout()
    _sign_in(client, sso, preferred_username=org.leader_a.username, acr="urn:example:loa:high")
    assert client.get("/").status_code == 200


def test_lockout_applies_to_the_callback(org, client, sso, settings):
    settings.DIEUHANH_LOGIN_MAX_FAILURES = 3
    # a username locked by failed passwords cannot sign in through the provider either
    for _ in range(3):
        client.post("/accounts/login/", {"username": "clerk.a", "password": "wrong"})
    resp = _sign_in(client, sso)
    assert resp.status_code == 429 and _signed_in_as(client) is None
    assert AuditEvent.objects.filter(action="auth.locked", data__channel="oidc").exists()
    # repeated bad answers lock the client address before the provider is asked again
    for _ in range(3):
        assert _sign_in(client, sso, preferred_username=org.leader_a.username, aud="x").status_code == 401
    start = client.get("/accounts/oidc/login/")
    code, state = sso.authorize(start["Location"])
    before = len(sso.token_requests)
    resp = client.get("/accounts/oidc/callback/", {"code": code, "state": state})
    assert resp.status_code == 429 and len(sso.token_requests) == before
    assert LoginThrottle.objects.get(username="oidc:127.0.0.1").locked_until is not None


def test_misconfigured_or_unreachable_provider_is_a_readable_refusal(org, client, sso, settings):
    sso.discovery_issuer = "https://elsewhere.example"
    settings.DIEUHANH_OIDC_CLIENT_ID = "fresh-client"  # a new client: the discovery document is read again
    resp = client.get("/accounts/oidc/login/")
    assert resp.status_code == 400 and 'id="sso-error"' in resp.content.decode()
    settings.DIEUHANH_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    resp = client.get("/accounts/oidc/login/")
    assert resp.status_code == 400 and 'id="sso-error"' in resp.content.decode()


def test_wrong_codes_after_single_sign_on_count_with_those_after_passwords(org, client, sso, settings):
    """Issue 14, item 2: a fresh sign-in, by the provider or by password, never clears the count of wrong codes."""
    from dieuhanh.accounts.models import TwoFactorDevice

    settings.DIEUHANH_LOGIN_MAX_FAILURES = 3
    TwoFactorDevice.objects.create(user=org.clerk_a, secret="JBSWY3DPEHPK3PXP", confirmed_at="2026-01-01T00:00Z")
    assert _sign_in(client, sso)["Location"] == "/accounts/2fa/"
    assert client.post("/accounts/2fa/", {"code": "abcdef"}).status_code == 401
    client.post("/accounts/login/", {"username": org.clerk_a.username, "password": PASSWORD})
    assert client.post("/accounts/2fa/", {"code": "abcdef"}).status_code == 401
    assert _sign_in(client, sso)["Location"] == "/accounts/2fa/"
    assert client.post("/accounts/2fa/", {"code": "abcdef"}).status_code == 429
    # locked: the provider's sign-in is refused too
    assert _sign_in(client, sso).status_code == 429 and _signed_in_as(client) is None
    assert AuditEvent.objects.filter(action="auth.2fa_failed", data__channel="web").count() == 3
