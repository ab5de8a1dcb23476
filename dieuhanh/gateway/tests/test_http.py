"""HTTP between installations: signed POSTs, refusals for a bad signature, an unknown peer, a malformed request;
duplicates answered 200 and handled once; the sending side end to end against a live server."""

import base64

import pytest

from dieuhanh.gateway import services, signing
from dieuhanh.gateway.models import InboxItem, OutboxItem
from dieuhanh.gateway.transports.http import signed_headers

URL = "/api/v1/gateway/inbox"


def _post(client, payload, headers):
    return client.post(URL, payload, content_type="application/octet-stream",
                       headers={k: v for k, v in headers.items() if k != "Content-Type"})


@pytest.mark.django_db
def test_a_signed_package_is_received_once_and_a_duplicate_answers_200(client, own_key, received):
    headers = signed_headers(package_id="A/1", kind="test", payload=b"<p/>")
    first = _post(client, b"<p/>", headers)
    again = _post(client, b"<p/>", headers)
    assert (first.status_code, first.json()) == (200, {"package_id": "A/1", "duplicate": False})
    assert (again.status_code, again.json()) == (200, {"package_id": "A/1", "duplicate": True})
    assert [(p, a.source, a.transport) for p, a in received] == [(b"<p/>", "A", "http")]


@pytest.mark.django_db
def test_refusals(client, own_key, received, settings):
    headers = signed_headers(package_id="A/1", kind="test", payload=b"<p/>")
    tampered = _post(client, b"<p>changed</p>", headers)
    assert tampered.status_code == 401 and "signature" in tampered.json()["detail"]
    other = dict(headers, **{"X-Dieuhanh-Package-Id": "A/2"})  # the signature covers the id
    assert _post(client, b"<p/>", other).status_code == 401
    junk = dict(headers, **{"X-Dieuhanh-Signature": "%%%not base64"})
    assert _post(client, b"<p/>", junk).status_code == 401
    stranger = dict(headers, **{"X-Dieuhanh-Installation": "Z"})
    answer = _post(client, b"<p/>", stranger)
    assert answer.status_code == 403 and "'Z'" in answer.json()["detail"]
    missing = {k: v for k, v in headers.items() if k != "X-Dieuhanh-Kind"}
    answer = _post(client, b"<p/>", missing)
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["X-Dieuhanh-Kind"]
    unknown_kind = signed_headers(package_id="A/3", kind="nope", payload=b"<p/>")
    answer = _post(client, b"<p/>", unknown_kind)
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "X-Dieuhanh-Kind"
    assert received == [] and not InboxItem.objects.exists()


@pytest.mark.django_db
def test_a_receiver_that_raises_answers_422_with_the_reason_and_records_nothing(client, own_key, received):
    from dieuhanh.gateway import hooks

    def refuse(payload, arrival):
        raise RuntimeError("store unavailable")

    hooks.register_receiver("test", refuse)
    answer = _post(client, b"<p/>", signed_headers(package_id="A/1", kind="test", payload=b"<p/>"))
    assert (answer.status_code, answer.json()["detail"]) == (422, "store unavailable")
    assert not InboxItem.objects.exists()


def test_the_key_is_made_once_with_private_permissions(own_key):
    path = signing.key_path()
    assert path.stat().st_mode & 0o777 == 0o600
    assert signing.private_key() is own_key
    text = signing.signed_text(source="A", package_id="p", kind="k", payload=b"x")
    sig = signing.sign(package_id="p", kind="k", payload=b"x")
    own_key.public_key().verify(base64.b64decode(sig), text)


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_over_http_to_a_live_peer(live_server, own_key, received, settings):
    settings.DIEUHANH_GATEWAY_ROUTES = [{"prefix": "000.", "url": f"{live_server.url}{URL}"}]
    for n in range(3):
        services.enqueue(destination="000.00.00.G22", package_id=f"A/{n}", payload=b"x" * n, kind="test")
    assert services.send_due() == {"sent": 3, "retrying": 0, "failed": 0}
    assert sorted(a.package_id for _, a in received) == ["A/0", "A/1", "A/2"]
    # the peer no longer trusts us: the refusal is kept as the reason and retried later
    settings.DIEUHANH_GATEWAY_PEERS = {}
    item = services.enqueue(destination="000.00.00.G22", package_id="A/9", payload=b"x", kind="test")
    assert services.send_due()["retrying"] == 1
    item = OutboxItem.objects.get(pk=item.pk)
    assert "answered 403" in item.last_error and "Unknown installation 'A'" in item.last_error
