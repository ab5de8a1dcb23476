"""Bad input gets a 4xx naming the field, writes nothing, and never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PASSWORD
from dieuhanh.accounts.models import Membership, User
from dieuhanh.audit.models import AuditEvent
from dieuhanh.units.models import Unit


def counts():
    return (Unit.objects.count(), User.objects.count(), Membership.objects.count(),
            AuditEvent.objects.exclude(action="token.issue").count())


GOOD_UNIT = {"code": "000.09.00.H01", "name": "Chi bộ mới", "short_name": "CB", "kind": "cell"}


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"code": 12}, 422, "code"),
    ({"code": "X" * 14}, 422, "code"),
    ({"name": ""}, 422, "name"),
    ({"kind": "planet"}, 422, "kind"),
    ({"effective_from": "2025-02-30"}, 422, "effective_from"),
    ({"effective_from": "2025-07-01", "effective_to": "2020-01-01"}, 400, "effective_to"),
    ({"parent_id": "abc"}, 422, "parent_id"),
    ({"code": "000.00.00.H01"}, 400, "code"),
])
def test_bad_unit_bodies_name_the_field(org, api_client, change, status, field):
    api = api_client.as_user(org.admin)
    before = counts()
    resp = api.post("/api/v1/units", {**GOOD_UNIT, "parent_id": org.a1.pk, **change})
    assert resp.status_code == status, resp.content
    assert field in [e["field"] for e in resp.json()["errors"]], resp.json()
    assert counts() == before


@pytest.mark.parametrize("raw", ["{", "[]", "null", "\"text\"", "{\"code\": [1, 2]}", "\x00"])
def test_malformed_json(org, api_client, raw):
    api = api_client.as_user(org.admin)
    before = counts()
    resp = api.call("post", "/api/v1/units", raw=raw)
    assert 400 <= resp.status_code < 500 and resp.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize("query", ["cursor=%%%", "cursor=WzFd", "limit=0", "limit=-5", "limit=99999", "limit=abc",
                                   "kind=planet", "parent_id=abc", "within=999999"])
def test_bad_list_parameters(org, api_client, query):
    resp = api_client.as_user(org.clerk_a).get(f"/api/v1/units?{query}")
    assert 400 <= resp.status_code < 500


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10)
unit_like = st.fixed_dictionaries({}, optional={
    "code": json_values | st.text(max_size=20), "name": json_values | st.text(max_size=300),
    "short_name": json_values, "kind": st.sampled_from(["cell", "commune", "x", ""]) | json_values,
    "parent_id": st.integers(-5, 10**12) | json_values, "effective_from": st.dates().map(str) | json_values,
    "effective_to": st.dates().map(str) | json_values, "status": st.sampled_from(["active", "merged", "?"])})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values | unit_like)
def test_fuzzed_unit_bodies_never_500(org, api_client, body):
    api = api_client.as_user(org.admin)
    for method, url in (("post", "/api/v1/units"), ("patch", f"/api/v1/units/{org.a1.pk}")):
        resp = api.call(method, url, raw=json.dumps(body))
        assert resp.status_code < 500, (method, body, resp.content)


form_values = st.text(max_size=40) | st.sampled_from(["", "2025-07-01", "9999-99-99", "cell", "active", "0" * 20])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries({}, optional={k: form_values for k in (
    "code", "name", "short_name", "kind", "status", "effective_from", "effective_to")}))
def test_fuzzed_unit_forms_never_500(org, client, data):
    client.login(username=org.uadmin_a.username, password=PASSWORD)
    for url in (f"/units/{org.a1.pk}/edit/", f"/units/{org.a1.pk}/new/"):
        resp = client.post(url, data)
        assert resp.status_code < 500, (url, data)
    client.logout()
