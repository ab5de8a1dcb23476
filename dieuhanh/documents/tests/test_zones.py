"""Documents marked Mật or above never go to the internet zone, in pages, API and lists alike."""


from dieuhanh.documents import services

INTERNET = {"REMOTE_ADDR": "203.0.113.7"}
CLOSED = {"REMOTE_ADDR": "10.1.2.3"}


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


def test_secret_registers_stay_on_the_closed_network(docs, api_client, client):
    from conftest import PASSWORD
    from dieuhanh.documents.models import Register

    org, _normal, _secret = docs
    book = Register.objects.get(unit=org.a, kind="outgoing", secret=True)
    api = api_client.as_user(org.clerk_a)  # cleared for Mật
    assert api.get(f"/api/v1/registers/{book.pk}/entries", **CLOSED).status_code == 200
    for path in ("entries", "check", "export.xlsx"):
        assert api.get(f"/api/v1/registers/{book.pk}/{path}", **INTERNET).status_code == 404, path
    client.login(username=org.clerk_a.username, password=PASSWORD)
    assert client.get(f"/documents/registers/{book.pk}/", **CLOSED).status_code == 200
    assert client.get(f"/documents/registers/{book.pk}/export.xlsx", **INTERNET).status_code == 404
    listing = client.get(f"/documents/registers/?unit={org.a.pk}", **INTERNET).content.decode()
    assert f"/documents/registers/{book.pk}/" not in listing


def test_notifications_about_secret_documents_are_not_mailed_nor_shown_off_the_closed_network(
        docs, api_client, settings, mailoutbox, django_capture_on_commit_callbacks):
    from dieuhanh.kernel import zones
    from dieuhanh.notifications import selectors
    from dieuhanh.processing import services as processing

    settings.DIEUHANH_EMAIL_NOTIFICATIONS = True
    org, normal, secret = docs
    org.leader_b.clearance = 1
    org.leader_b.save()
    org.clerk_b.email = "vanthu.b@example.vn"
    org.clerk_b.save()
    entries = []
    for doc in (normal, secret):
        entries.append(services.accept_delivery(actor=org.clerk_b, delivery=doc.deliveries.get(recipient_unit=org.b),
                                                confirm_duplicate=True))
    with django_capture_on_commit_callbacks(execute=True):
        for entry in entries:
            processing.assign(actor=org.leader_b, entry=entry, handlers=[{"user_id": org.clerk_b.pk, "role": "lead"}])
    assert len(mailoutbox) == 1 and "Mật" not in mailoutbox[0].body  # only the normal document was mailed
    clerk = type(org.clerk_b).objects.get(pk=org.clerk_b.pk)
    assert normal.symbol == secret.symbol  # the first number of each series: the messages differ by secrecy only
    shown = [n.message for n in selectors.for_user(clerk)]
    assert sum(secret.symbol in m for m in shown) == 2  # cleared, on the closed network: both as written
    with zones.in_zone(zones.INTERNET):
        shown = [n.message for n in selectors.for_user(clerk)]
    assert sum(secret.symbol in m for m in shown) == 1 and str(selectors.WITHHELD) in shown
