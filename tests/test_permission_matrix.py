"""The permission matrix: every API operation and every page that takes an object id, asked about unit A's
objects by people who must not reach them (a sibling branch, its child unit, the parent unit, a department under
A, a colleague without the clearance), answers 403/404 or leaks nothing, and writes nothing.

The operations and pages are read from the OpenAPI document and the URL configuration, so a new endpoint is
checked the day it is added: a path parameter the world below does not know fails the test until it does.
"""

import datetime
import json
import re

import pytest

from conftest import PASSWORD, make_user
from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.testing import make_pdf
from dieuhanh.documents.tests.conftest import exchange, media  # noqa: F401 - fixtures
from dieuhanh.drafting.tests.conftest import drafting  # noqa: F401 - fixture

MARKER = "MTX7Q"
ALLOWED_GET = {400, 403, 404, 422}  # 400/422: a required query parameter is checked first
REFUSED_WRITE = {400, 403, 404, 405, 409, 422}  # not 401: the caller stays signed in


@pytest.fixture
def world(drafting):  # noqa: F811 - the fixture imported above
    """Objects of unit A, each carrying MARKER where it has text, and their ids by path parameter name."""
    from dieuhanh.accounts.models import Membership, Role
    from dieuhanh.accounts.services import issue_token
    from dieuhanh.digitization.models import ImportBatch, ScanItem
    from dieuhanh.documents import services as docs
    from dieuhanh.documents.models import Freeze, NumberSeries, Register
    from dieuhanh.drafting import services as drafting_services
    from dieuhanh.processing import services as processing
    from dieuhanh.search import services as search_services
    from dieuhanh.tasks import services as tasks

    d = drafting
    org = d.org
    clerk_a1 = make_user("clerk.a1", org.a1, Role.CLERK)
    leader_a1 = make_user("leader.a1", org.a1, Role.LEADER)
    doc = docs.issue_document(actor=org.clerk_a, document=d.exchange.outgoing(
        subject=f"{MARKER} Quyết định điều động", recipients=[{"unit_id": org.a1.pk}]))
    delivery = doc.deliveries.get()
    entry = docs.accept_delivery(actor=clerk_a1, delivery=delivery)
    flows = processing.assign(actor=leader_a1, entry=entry, direction=f"{MARKER} giao xử lý",
                              handlers=[{"user_id": org.spec_a1.pk, "role": "lead"}])
    secret = docs.create_outgoing(actor=org.clerk_a, unit=org.a, document_type_id=doc.document_type_id,
                                  subject=f"{MARKER} văn bản mật", confidentiality=1,
                                  files=[d.exchange.upload(org.clerk_a, make_pdf("mat"))], recipients=[])
    (task,) = tasks.assign_task(actor=org.leader_a, unit=org.a, title=f"{MARKER} nhiệm vụ",
                                start_date=datetime.date.today(),
                                deadline=datetime.date.today() + datetime.timedelta(days=10), unit_ids=[org.a1.pk])
    draft = d.new_draft(subject=f"{MARKER} dự thảo")
    drafting_services.ask_opinions(actor=d.spec, draft=draft, user_ids=[d.deputy.pk], question=f"{MARKER}?",
                                   due_date=datetime.date.today() + datetime.timedelta(days=3))
    step = drafting_services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk)
    saved = search_services.save_search(actor=org.clerk_a, name=f"{MARKER} tìm", params={"q": MARKER})
    batch = ImportBatch.objects.create(unit=org.a, label=f"{MARKER} lô", created_by=org.clerk_a)
    item = ScanItem.objects.create(batch=batch, unit=org.a, name=f"{MARKER}.pdf")
    ids = {
        "document_id": doc.pk, "file_id": doc.files.get().pk, "delivery_id": delivery.pk, "entry_id": entry.pk,
        "flow_id": flows[0].pk, "task_id": task.pk, "draft_id": draft.pk, "step_id": step.pk,
        "opinion_id": draft.consultations.get().opinions.get().pk, "saved_id": saved.pk,
        "register_id": Register.objects.filter(unit=org.a).first().pk,
        "series_id": NumberSeries.objects.filter(unit=org.a).first().pk,
        "batch_id": batch.pk, "item_id": item.pk, "number": 1, "kind": "original",
        "figure": "in_total",  # a count of the leaders' figures (reports.lists)
        "run_id": 1, "schedule_id": 1,  # a standard report's export run and schedule: any id will do
        # an edXML package that arrived for unit A; the outbox and the organ directory: any id will do
        "package_id": _arrival_for(org.a).pk, "sent_id": 1, "organ_id": 1,
        # the project registry is read by every member by design (duplicates are found across units): any id
        "project_id": 1,
        # objects only their owners may touch: any id of them will do
        "unit_id": org.a.pk, "user_id": org.clerk_a.pk, "token_id": issue_token(actor=org.clerk_a)[0].pk,
        "membership_id": Membership.objects.filter(user=org.clerk_a).first().pk, "request_id": 1, "report_id": 1,
        "signature_id": 1, "decision_id": 1, "credential_id": 1,
        # a freeze scoped to unit A, holding nothing, so the objects above stay writable for the test
        "freeze_id": Freeze.objects.create(unit=org.a, reason=f"{MARKER} thanh tra", created_by=org.uadmin_a).pk,
    }
    ids["records"] = _records_world(d, doc)
    r_leader = make_user("leader.r", org.root, Role.LEADER)
    clerk_b1 = make_user("clerk.b1", org.b1, Role.CLERK)
    spec_ad = make_user("spec.ad", org.ad, Role.SPECIALIST)
    outsiders = {"sibling clerk": org.clerk_b, "sibling leader": org.leader_b, "child of sibling": clerk_b1,
                 "parent unit leader": r_leader, "department under A": spec_ad,
                 "member of a merged unit": _merged_unit_member(org)}
    return ids, outsiders, secret, d


def _arrival_for(unit):
    """A package from outside addressed to ``unit``, imported into its awaiting-receipt queue."""
    from dieuhanh.exchange import services as exchange_services
    from dieuhanh.exchange.edxml import build_package
    from dieuhanh.exchange.tests import factories

    data = build_package(factories.package(subject=f"{MARKER} công văn liên thông",
                                           to=(factories.organ(unit.code, unit.name),)))
    package = exchange_services.receive_package(data=data, source="gateway")
    assert package.state == "imported"
    return package


def _merged_unit_member(org):
    """A ward under B merged into B1 (the 2025 reorganization): its clerk, moved to B1, reaches nothing of A."""
    from dieuhanh.accounts.models import Role
    from dieuhanh.reorg import services as reorg
    from dieuhanh.units import services as units

    ward = units.create_unit(actor=org.admin, parent=org.b, code="000.02.00.H79", name="Đảng ủy phường Bến Nghé",
                             short_name="ĐU", kind="commune", effective_from=datetime.date(2025, 7, 1))
    clerk = make_user("clerk.bennghe", ward, Role.CLERK)
    decision = reorg.record_decision(actor=org.admin, kind="merge", effective_on=datetime.date.today(),
                                     items=[{"old_unit_id": ward.pk, "successor_id": org.b1.pk}])
    reorg.execute(actor=org.admin, decision=decision)
    ward.refresh_from_db()
    assert ward.status == "merged" and clerk.memberships.filter(unit=org.b1).exists()
    return type(clerk).objects.get(pk=clerk.pk)


def _records_world(d, doc):
    """Records of unit A (their own parameter names: a record file is a ``file_id`` there, a list entry an
    ``entry_id``)."""
    from dieuhanh.records import services as records
    from dieuhanh.records.models import RetentionPeriod, seed_retention

    org = d.org
    seed_retention()
    ten = RetentionPeriod.objects.get(code="10")
    file_list = records.create_file_list(actor=d.spec, unit=org.a, year=datetime.date.today().year)
    section = records.add_section(actor=d.spec, file_list=file_list, title=f"{MARKER} I. Tổ chức")
    entry = records.add_entry(actor=d.spec, file_list=file_list, symbol="01.TCCB", title=f"{MARKER} hồ sơ",
                              retention_id=ten.pk, section_id=section.pk, responsible_id=d.spec.pk)
    records.approve_list(actor=org.leader_a, file_list=file_list)
    entry = type(entry).objects.get(pk=entry.pk)
    record_file = records.open_file(actor=d.spec, unit=org.a, entry=entry)
    records.attach_documents(actor=d.spec, file=record_file, document_ids=[doc.pk])
    records.close_file(actor=d.spec, file=record_file, title=record_file.title, retention_id=ten.pk)
    deposit = records.create_deposit(actor=d.spec, unit=org.a, file_ids=[record_file.pk],
                                     collection_name=f"{MARKER} phông", giver_name="Trần Thu Hà",
                                     giver_position="Chuyên viên")
    return {"list_id": file_list.pk, "entry_id": entry.pk, "file_id": record_file.pk, "document_id": doc.pk,
            "deposit_id": deposit.pk, "loan_id": 1, "decision_id": 1}


def _api_operations(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        if "{" in path:
            for method in operations:
                yield method, path


def _fill(path, ids, style):
    if "records/" in path:
        ids = ids["records"]
    pattern = r"\{(\w+)\}" if style == "api" else r"<(?:\w+:)?(\w+)>"
    missing = [name for name in re.findall(pattern, path) if name not in ids]
    assert not missing, f"{path}: teach the permission matrix about {missing}"
    return re.sub(pattern, lambda m: str(ids[m.group(1)]), path)


def _page_paths():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not pattern.startswith(("api/", "i18n/", "units/")):  # the directory is everyone's
                    yield from walk(entry, pattern)
            elif isinstance(entry, URLPattern) and "<" in pattern:
                yield pattern

    return list(walk(get_resolver()))


def test_outsiders_reach_nothing_of_unit_a(world, client):
    from dieuhanh.accounts.services import issue_token

    ids, outsiders, _secret, _d = world
    operations = list(_api_operations(client))
    pages = _page_paths()
    assert len(operations) > 40 and len(pages) > 20
    checked = 0
    for who, user in outsiders.items():
        _, raw = issue_token(actor=user)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        before = AuditEvent.objects.count()
        for method, path in operations:
            if path.startswith("/api/v1/units/") or path.startswith("/api/v1/users/"):
                continue  # the directory of units and people is shared by design (accounts tests cover edits)
            url = _fill(path, ids, "api")
            if method == "get":
                resp = client.get(url, **auth)
                assert resp.status_code in ALLOWED_GET or (
                    resp.status_code == 200 and MARKER.encode() not in resp.content), (who, url, resp.status_code)
            else:
                resp = getattr(client, method)(url, {}, content_type="application/json", **auth)
                assert resp.status_code in REFUSED_WRITE, (who, method, url, resp.status_code, resp.content[:200])
            checked += 1
        client.force_login(user)
        for pattern in pages:
            url = "/" + _fill(pattern, ids, "page")
            resp = client.get(url)
            assert resp.status_code in ALLOWED_GET | {405} or (
                resp.status_code in (200, 302) and MARKER.encode() not in resp.content), (who, url)
            resp = client.post(url, {"reason": "x", "action": "approve", "name": "x"})
            assert resp.status_code in REFUSED_WRITE | {302} and MARKER.encode() not in resp.content, (who, url)
            checked += 2
        client.logout()
        assert AuditEvent.objects.count() == before, f"{who} wrote something"
    assert checked > 300


def test_clearance_and_role_are_checked_per_object(world, api_client, client):
    ids, _outsiders, secret, d = world
    # a colleague in A without clearance: the secret document does not exist for them
    assert (d.spec.clearance or 0) == 0
    api = api_client.as_user(d.spec)
    assert api.get(f"/api/v1/documents/{secret.pk}").status_code == 404
    assert api.get(f"/api/v1/documents/{ids['document_id']}").status_code == 200  # their unit's own document
    client.force_login(d.spec)
    assert client.get(f"/documents/{secret.pk}/").status_code == 404
    # a specialist of A may read A's documents but not its registers or numbering series
    for path in (f"/api/v1/registers/{ids['register_id']}/entries", f"/api/v1/series/{ids['series_id']}/check"):
        assert api.get(path).status_code in (403, 404), path
    assert client.get(f"/documents/registers/{ids['register_id']}/").status_code in (403, 404)


def test_matrix_fails_when_a_check_is_removed(world, client, monkeypatch):
    """The matrix is not a test that cannot fail: open every document to everyone and it reports a leak."""
    from dieuhanh.documents import policy

    monkeypatch.setattr(policy, "can_view_document", lambda user, document: True)
    ids, outsiders, _secret, _d = world
    client.login(username=outsiders["sibling clerk"].username, password=PASSWORD)
    resp = client.get(f"/documents/{ids['document_id']}/")
    assert resp.status_code == 200 and MARKER.encode() in resp.content


@pytest.fixture
def successor_world(exchange):  # noqa: F811 - the fixture imported above
    """A1's closed collection (a document it issued to A, a secret one, a closed record file), then A1 merged into
    B1 (decision 0025)."""
    from dieuhanh.accounts.models import Role
    from dieuhanh.documents import services as docs
    from dieuhanh.records import services as records
    from dieuhanh.records.models import RetentionPeriod, seed_retention
    from dieuhanh.reorg import services as reorg

    org = exchange.org
    clerk_a1 = make_user("clerk.a1", org.a1, Role.CLERK, clearance=1)
    normal = docs.issue_document(actor=clerk_a1, document=exchange.outgoing(
        unit=org.a1, user=clerk_a1, subject=f"{MARKER} báo cáo của phường", recipients=[{"unit_id": org.a.pk}]))
    secret = docs.create_outgoing(actor=clerk_a1, unit=org.a1, document_type_id=normal.document_type_id,
                                  subject=f"{MARKER} văn bản mật của phường", confidentiality=1,
                                  files=[exchange.upload(clerk_a1, make_pdf("mat phuong"))], recipients=[])
    seed_retention()
    ten = RetentionPeriod.objects.get(code="10")
    file = records.open_file(actor=org.spec_a1, unit=org.a1, year=datetime.date.today().year, symbol="01.VP",
                             title=f"{MARKER} hồ sơ phường", retention_id=ten.pk)
    records.attach_documents(actor=org.spec_a1, file=file, document_ids=[normal.pk])
    records.close_file(actor=org.spec_a1, file=file, title=file.title, retention_id=ten.pk)
    people = {"successor clerk": make_user("clerk.b1", org.b1, Role.CLERK),
              "cleared successor specialist": make_user("spec.b1", org.b1, Role.SPECIALIST, clearance=1),
              "sibling clerk": org.clerk_b, "sibling of the old unit": make_user("clerk.ad", org.ad, Role.CLERK)}
    decision = reorg.record_decision(actor=org.admin, kind="merge", effective_on=datetime.date.today(),
                                     items=[{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}])
    return org, normal, secret, file, people, decision


def test_successor_reads_the_old_collection_and_writes_nothing(successor_world, api_client, client):
    from dieuhanh.documents.policy import can_view_document
    from dieuhanh.kernel import zones
    from dieuhanh.reorg import services as reorg

    org, normal, secret, file, people, decision = successor_world
    successor = people["successor clerk"]
    api = api_client.as_user(successor)
    assert api.get(f"/api/v1/documents/{normal.pk}").status_code == 404  # not before the execution
    reorg.execute(actor=org.admin, decision=decision)
    # the successor's clerk opens and finds the old unit's documents and record files
    assert api.get(f"/api/v1/documents/{normal.pk}").status_code == 200
    client.force_login(successor)
    assert client.get(f"/documents/{normal.pk}/").status_code == 200
    assert client.get(f"/records/files/{file.pk}/").status_code == 200
    assert api.get(f"/api/v1/records/files/{file.pk}").status_code == 200
    assert api.get(f"/api/v1/records/files?unit_id={org.a1.pk}").json()["items"][0]["id"] == file.pk
    found = api.get("/api/v1/search", QUERY_STRING=f"q={MARKER}").json()
    assert {h["id"] for h in found["items"]} == {normal.pk}
    # ... but not the secret one without clearance, and the cleared colleague only on the closed network
    assert api.get(f"/api/v1/documents/{secret.pk}").status_code == 404
    fresh = {k: type(u).objects.get(pk=u.pk) for k, u in people.items()}
    with zones.in_zone(zones.CLOSED):
        assert can_view_document(fresh["cleared successor specialist"], secret)
    with zones.in_zone(zones.INTERNET):
        assert not can_view_document(fresh["cleared successor specialist"], secret)
    # nobody gains a write: the closed file stays closed, nothing is attached, recalled or issued in A1's name
    before = AuditEvent.objects.count()
    for action in ({"action": "reopen", "reason": "x"}, {"action": "attach", "document_ids": str(normal.pk)},
                   {"action": "close", "title": "x"}, {"action": "lend", "purpose": "x", "borrower": "x"}):
        assert client.post(f"/records/files/{file.pk}/", action).status_code in REFUSED_WRITE
    for url in (f"/api/v1/records/files/{file.pk}/reopen", f"/api/v1/documents/{normal.pk}/recall"):
        assert api.post(url, {"reason": "x"}).status_code in REFUSED_WRITE, url
    assert AuditEvent.objects.count() == before
    # a sibling unit (and the old unit's sibling department) still reaches nothing
    for who in ("sibling clerk", "sibling of the old unit"):
        other = api_client.as_user(fresh[who])
        assert other.get(f"/api/v1/documents/{normal.pk}").status_code == 404, who
        assert other.get(f"/api/v1/records/files/{file.pk}").status_code == 404, who
        assert MARKER not in other.get("/api/v1/search", QUERY_STRING=f"q={MARKER}").content.decode(), who


# --- Lists: zone and clearance (issue 14, item 3) -------------------------------------------------------------------

SECRET = "TMX9K"
INTERNET_ADDR = "203.0.113.7"  # outside DIEUHANH_CLOSED_NETWORKS: the internet zone


@pytest.fixture
def secret_world(drafting):  # noqa: F811 - the fixture imported above
    """A Tối mật document sent by A to A1, registered, directed to a cleared handler with a deadline, a task and a
    draft; every text carries SECRET. Around it, people of A1 who may list A1's work but not this document."""
    from dieuhanh.accounts.models import Role
    from dieuhanh.documents import services as docs
    from dieuhanh.processing import services as processing

    d = drafting
    org = d.org
    for person in (org.clerk_a,):
        person.clearance = 3
        person.save(update_fields=["clearance"])
    clerk_a1 = make_user("clerk.a1", org.a1, Role.CLERK, clearance=3)
    leader_a1 = make_user("leader.a1", org.a1, Role.LEADER, clearance=3)
    handler = make_user("handler.a1", org.a1, Role.SPECIALIST, clearance=3)
    low_leader = make_user("deputy.a1", org.a1, Role.DEPUTY, clearance=1)
    low_spec = make_user("spec2.a1", org.a1, Role.SPECIALIST)
    low_clerk = make_user("clerk2.a1", org.a1, Role.CLERK, clearance=1)
    doc = docs.issue_document(actor=org.clerk_a, document=d.exchange.outgoing(
        subject=f"{SECRET} kế hoạch tối mật", recipients=[{"unit_id": org.a1.pk}], confidentiality=2))
    entry = docs.accept_delivery(actor=clerk_a1, delivery=doc.deliveries.get())
    processing.assign(actor=leader_a1, entry=entry, direction=f"{SECRET} giao xử lý",
                      handlers=[{"unit_id": org.a1.pk, "role": "lead"}, {"user_id": handler.pk, "role": "co"}],
                      deadline=datetime.date.today() + datetime.timedelta(days=2))
    doc.refresh_from_db()
    # a second one, never directed: it waits in A1's "awaiting direction" list
    waiting = docs.issue_document(actor=org.clerk_a, document=d.exchange.outgoing(
        subject=f"{SECRET} chờ giao", recipients=[{"unit_id": org.a1.pk}], confidentiality=2))
    docs.accept_delivery(actor=clerk_a1, delivery=waiting.deliveries.get())
    viewers = {"cleared handler": handler, "cleared leader": leader_a1, "cleared clerk": clerk_a1}
    too_low = {"deputy with Mật clearance": low_leader, "specialist without clearance": low_spec,
               "clerk with Mật clearance": low_clerk}
    return org, [doc, waiting], viewers, too_low


def _list_values(org, documents):
    """Values for the parameters of list endpoints; a list is tried value by value."""
    from dieuhanh.documents.models import Register
    from dieuhanh.drafting.selectors import LISTS as DRAFT_LISTS
    from dieuhanh.processing.selectors import LISTS as FLOW_LISTS
    from dieuhanh.processing.selectors import TRACKER_CELLS
    from dieuhanh.tasks.selectors import LISTS as TASK_LISTS

    today = datetime.date.today()
    return {
        "unit_id": [org.a1.pk], "unit": [org.a1.pk], "kind": sorted(set(FLOW_LISTS + TASK_LISTS + DRAFT_LISTS)),
        "start": [(today - datetime.timedelta(days=30)).isoformat()],
        "end": [(today + datetime.timedelta(days=30)).isoformat()], "cell": list(TRACKER_CELLS),
        "q": ["ke hoach"], "year": [today.year], "status": [""],
        "object_type": ["documents.document"], "object_id": [documents[0].pk],
        "register_id": list(Register.objects.filter(unit=org.a1).values_list("pk", flat=True)),
    }


CONTAINERS = {"unit_id", "register_id"}  # path parameters of lists (a unit's inbox, a register's entries, exports)


def _list_operations(client, values):
    """Every GET operation of the API without a path parameter or whose path names a container (a unit, a
    register), with each combination of its query parameters that the matrix knows; an unknown required parameter
    fails the test until the matrix is taught it."""
    spec = client.get("/api/v1/openapi.json").json()
    for template, operations in spec["paths"].items():
        op = operations.get("get")
        names = set(re.findall(r"\{(\w+)\}", template))
        if op is None or not names <= CONTAINERS:
            continue
        paths = [template]
        for name in names:
            paths = [p.replace(f"{{{name}}}", str(v)) for p in paths for v in values[name]]
        queries = [{}]
        for param in op.get("parameters", []):
            if param["in"] != "query":
                continue
            name = param["name"]
            if name not in values:
                assert not param.get("required"), f"{template}: teach the list matrix about ?{name}="
                continue
            queries = [{**q, name: v} for q in queries for v in values[name]]
        for path in paths:
            for query in queries:
                yield path, query


def _list_pages():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not pattern.startswith(("api/", "i18n/", "admin/")):
                    yield from walk(entry, pattern)
            elif isinstance(entry, URLPattern) and "<" not in pattern and "logout" not in pattern:
                yield "/" + pattern.lstrip("^").rstrip("$")

    return list(walk(get_resolver()))


def _leaks(content, documents):
    if content[:2] == b"PK":  # an .xlsx export: its sheets, unzipped
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(content)) as z:
            content = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    text = content.decode("utf-8", "replace")
    found = [SECRET] if SECRET in text else []
    for doc in documents:
        symbols = {doc.symbol, json.dumps(doc.symbol)[1:-1]}  # as written, and as JSON writes it
        patterns = [rf'"document_id":\s*{doc.pk}\b', rf'/documents/{doc.pk}/'] + [re.escape(s) for s in symbols]
        found += [p for p in patterns if doc.symbol and re.search(p, text)]
    return found


def test_no_list_names_a_secret_document_off_the_closed_network_or_below_clearance(secret_world, client):
    """Every list, counter and search of the API and of the pages, read from the URL configuration and the OpenAPI
    document (a new list is checked the day it is added): from the internet zone a cleared person, and on the
    closed network a person with too low a clearance, never see a Tối mật document's subject, symbol or id."""
    from dieuhanh.accounts.services import issue_token

    org, documents, viewers, too_low = secret_world
    values = _list_values(org, documents)
    operations = list(_list_operations(client, values))
    pages = _list_pages()
    assert len({p for p, _ in operations}) > 15 and len(pages) > 15
    # the lists do carry the documents for the cleared on the closed network: the check below can fail
    _, raw = issue_token(actor=viewers["cleared handler"])
    flows = client.get("/api/v1/processing/flows", HTTP_AUTHORIZATION=f"Bearer {raw}").content
    assert _leaks(flows, documents), "the cleared handler's list must show the document on the closed network"
    client.force_login(viewers["cleared handler"])
    assert _leaks(client.get("/processing/").content, documents)
    client.logout()
    cases = [(who, user, INTERNET_ADDR) for who, user in viewers.items()] + [
        (who, user, "127.0.0.1") for who, user in too_low.items()]
    checked = 0
    for who, user, addr in cases:
        _, raw = issue_token(actor=user)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "REMOTE_ADDR": addr}
        for path, query in operations:
            resp = client.get(path, query, **auth)
            assert resp.status_code < 500, (who, path, query, resp.status_code)
            assert not _leaks(resp.content, documents), (who, addr, path, query)
            checked += 1
        client.force_login(user)
        for path in pages:
            for query in ({}, {"unit": org.a1.pk}, *({"kind": k} for k in values["kind"]),
                          {"q": "ke hoach"}, {"unit": org.a1.pk, "start": values["start"][0], "end": values["end"][0]}):
                resp = client.get(path, query, REMOTE_ADDR=addr)
                assert resp.status_code < 500, (who, path, query, resp.status_code)
                assert not _leaks(resp.content, documents), (who, addr, path, query)
                checked += 1
        client.logout()
    assert checked > 500
