"""People and roles over the API; rights follow people at once."""

from dieuhanh.accounts.models import Membership, User
from dieuhanh.audit.models import AuditEvent


def test_unit_admin_adds_a_person_and_ending_the_role_removes_rights_at_once(org, api_client):
    api = api_client.as_user(org.uadmin_a)
    resp = api.post("/api/v1/users", {"username": "moi.a1", "full_name": "Nguyễn Thị Mới", "password": "Mat-khau-2026",
                                      "unit_id": org.a1.pk, "role": "clerk", "position": "Văn thư"})
    assert resp.status_code == 201, resp.content
    person = User.objects.get(username="moi.a1")
    membership = Membership.objects.get(user=person)
    assert (membership.unit, membership.role, membership.position.name) == (org.a1, "clerk", "Văn thư")
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"user.create", "membership.add"}

    second = api.post("/api/v1/memberships", {"user_id": person.pk, "unit_id": org.ad.pk, "role": "specialist"})
    assert second.status_code == 201
    theirs = api_client.as_user(person)
    assert {m["unit_id"] for m in theirs.get("/api/v1/me").json()["memberships"]} == {org.a1.pk, org.ad.pk}
    assert theirs.get(f"/api/v1/units/{org.ad.pk}/members").status_code == 200

    api_client.as_user(org.uadmin_a)
    assert api_client.delete(f"/api/v1/memberships/{second.json()['id']}").status_code == 204
    theirs = api_client.as_user(person)
    assert theirs.get(f"/api/v1/units/{org.ad.pk}/members").status_code == 403
    assert AuditEvent.objects.filter(action="membership.end").count() == 1


def test_only_system_admins_grant_system_admin(org, api_client):
    api = api_client.as_user(org.uadmin_a)
    resp = api.post("/api/v1/memberships", {"user_id": org.spec_a1.pk, "unit_id": org.a1.pk, "role": "system_admin"})
    assert resp.status_code == 403
    assert not Membership.objects.filter(role="system_admin").exists()


def test_role_held_twice_and_username_taken(org, api_client):
    api = api_client.as_user(org.uadmin_a)
    dup = api.post("/api/v1/memberships", {"user_id": org.clerk_a.pk, "unit_id": org.a.pk, "role": "clerk"})
    assert dup.status_code == 400 and dup.json()["errors"][0]["field"] == "role"
    taken = api.post("/api/v1/users", {"username": "CLERK.A", "full_name": "X", "password": "Mat-khau-2026",
                                       "unit_id": org.a.pk, "role": "clerk"})
    assert taken.status_code == 400 and taken.json()["errors"][0]["field"] == "username"
    weak = api.post("/api/v1/users", {"username": "weak", "full_name": "X", "password": "123",
                                      "unit_id": org.a.pk, "role": "clerk"})
    assert weak.status_code == 400 and weak.json()["errors"][0]["field"] == "password"
    assert not User.objects.filter(username__in=["weak"]).exists()


def test_people_are_visible_only_to_those_who_may_see_them(org, api_client):
    assert api_client.as_user(org.clerk_b).get(f"/api/v1/users/{org.clerk_a.pk}").status_code == 403
    assert api_client.as_user(org.leader_a).get(f"/api/v1/users/{org.spec_a1.pk}").status_code == 200
    assert api_client.as_user(org.spec_a1).get(f"/api/v1/users/{org.spec_a1.pk}").status_code == 200
