"""A user of one unit cannot read or change another unit's objects, through the API or the pages."""

import pytest

from conftest import PASSWORD
from dieuhanh.accounts.models import Membership
from dieuhanh.audit.models import AuditEvent
from dieuhanh.units.models import Unit


def snapshot():
    return (list(Unit.objects.order_by("id").values_list("code", "name", "status")),
            Membership.objects.count(), AuditEvent.objects.exclude(action="token.issue").count())


OUTSIDERS = ["clerk_b", "leader_b", "uadmin_b", "spec_a1"]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("target", ["a", "a1"])
def test_api_writes_to_another_branch_are_refused(org, api_client, who, target):
    unit = getattr(org, target)
    if who == "spec_a1" and target == "a1":
        pass  # a specialist of A1 may not manage A1 either
    before = snapshot()
    api = api_client.as_user(getattr(org, who))
    assert api.patch(f"/api/v1/units/{unit.pk}", {"name": "Chiếm quyền"}).status_code == 403
    assert api.post("/api/v1/units", {"code": "X1", "name": "X", "short_name": "X", "kind": "cell",
                                      "parent_id": unit.pk}).status_code == 403
    assert api.post("/api/v1/memberships", {"user_id": getattr(org, who).pk, "unit_id": unit.pk,
                                            "role": "leader"}).status_code == 403
    assert api.post("/api/v1/users", {"username": "x1", "full_name": "X", "password": "Mat-khau-2026",
                                      "unit_id": unit.pk, "role": "clerk"}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["clerk_b", "leader_b", "uadmin_b"])
def test_api_reads_of_people_in_another_branch_are_refused(org, api_client, who):
    api = api_client.as_user(getattr(org, who))
    resp = api.get(f"/api/v1/units/{org.a.pk}/members")
    assert resp.status_code == 403 and org.clerk_a.username not in resp.content.decode()
    membership = Membership.objects.get(user=org.clerk_a)
    assert api.delete(f"/api/v1/memberships/{membership.pk}").status_code == 403
    assert Membership.objects.get(pk=membership.pk).ended_at is None


@pytest.mark.parametrize("who", ["clerk_b", "leader_b", "uadmin_b"])
def test_pages_of_another_branch(org, client, who):
    client.login(username=getattr(org, who).username, password=PASSWORD)
    html = client.get(f"/units/{org.a.pk}/").content.decode()
    assert org.a.name in html  # the directory entry itself is public to signed-in people
    assert org.clerk_a.username not in html and org.leader_a.username not in html
    before = snapshot()
    assert client.get(f"/units/{org.a.pk}/edit/").status_code == 403
    assert client.post(f"/units/{org.a.pk}/edit/", {"code": org.a.code, "name": "Chiếm quyền", "short_name": "X",
                                                    "kind": "province", "status": "active",
                                                    "effective_from": "2025-07-01"}).status_code == 403
    assert client.get(f"/units/{org.a.pk}/new/").status_code == 403
    assert client.post(f"/units/{org.a.pk}/new/", {"code": "Z9", "name": "Z", "short_name": "Z", "kind": "cell",
                                                   "effective_from": "2025-07-01"}).status_code == 403
    assert snapshot() == before


def test_managers_and_overseers_inside_their_branch(org, api_client, client):
    api = api_client.as_user(org.uadmin_a)
    assert api.patch(f"/api/v1/units/{org.a1.pk}", {"name": "Đảng ủy phường Ba Đình mới"}).status_code == 200
    assert api.patch(f"/api/v1/units/{org.b1.pk}", {"name": "Không được"}).status_code == 403
    leader = api_client.as_user(org.leader_a)
    assert leader.get(f"/api/v1/units/{org.a1.pk}/members").status_code == 200  # oversight below
    assert leader.patch(f"/api/v1/units/{org.a1.pk}", {"name": "x"}).status_code == 403
    client.login(username=org.leader_a.username, password=PASSWORD)
    assert org.spec_a1.username in client.get(f"/units/{org.a1.pk}/").content.decode()


def test_anonymous_requests(org, client):
    assert client.get("/api/v1/units").status_code == 401
    assert client.get(f"/api/v1/units/{org.a.pk}").status_code == 401
    resp = client.get(f"/units/{org.a.pk}/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
