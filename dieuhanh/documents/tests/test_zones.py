"""Documents marked Mật or above never go to the internet zone, in pages, API and lists alike."""

import pytest

from dieuhanh.documents import services

INTERNET = {"REMOTE_ADDR": "203.0.113.7"}
CLOSED = {"REMOTE_ADDR": "10.1.2.3"}


@pytest.fixture
def docs(exchange):
    org = exchange.org
    normal = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Thường"))
    secret = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Mật", confidentiality=1))
    return org, normal, secret


def test_secret_documents_are_refused_over_the_internet(docs, api_client):
    org, normal, secret = docs
    api = api_client.as_user(org.clerk_b)
    assert api.get(f"/api/v1/documents/{secret.pk}", **CLOSED).status_code == 200
    assert api.get(f"/api/v1/documents/{secret.pk}", **INTERNET).status_code == 404
    assert api.get(f"/api/v1/documents/{normal.pk}", **INTERNET).status_code == 200
    inbox = api.get(f"/api/v1/units/{org.b.pk}/inbox", **INTERNET).json()["items"]
    assert [d["document_id"] for d in inbox] == [normal.pk]
    delivery = secret.deliveries.get(recipient_unit=org.b)
    assert api.post(f"/api/v1/deliveries/{delivery.pk}/accept", {}, **INTERNET).status_code == 404


def test_pages_follow_the_same_rule(docs, client):
    from conftest import PASSWORD

    org, _normal, secret = docs
    client.login(username=org.clerk_b.username, password=PASSWORD)
    assert client.get(f"/documents/{secret.pk}/", **CLOSED).status_code == 200
    assert client.get(f"/documents/{secret.pk}/", **INTERNET).status_code == 404
    assert "Mật" not in client.get(f"/documents/?unit={org.b.pk}", **INTERNET).content.decode().split("<main")[1]


def test_zone_header_is_trusted_only_from_the_proxy(docs, api_client, settings):
    org, _normal, secret = docs
    settings.DIEUHANH_TRUSTED_PROXIES = ["10.9.9.9/32"]
    api = api_client.as_user(org.clerk_b)
    url = f"/api/v1/documents/{secret.pk}"
    assert api.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_NETWORK_ZONE="internet").status_code == 404
    assert api.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_NETWORK_ZONE="closed").status_code == 200
    assert api.get(url, REMOTE_ADDR="203.0.113.7", HTTP_X_NETWORK_ZONE="closed").status_code == 404
