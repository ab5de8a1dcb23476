"""The five standard reports (issue 16): every cell equals a brute-force recount of the raw tables on seeded data
that holds secret documents; an uncleared reader, and a cleared one over the internet zone, count none of them;
bad input names its field; the API answers in the OpenAPI shape."""

import datetime
import random
from collections import defaultdict
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.documents.models import (
    Blob,
    Channel,
    Delivery,
    DeliveryEvent,
    Document,
    DocumentFile,
    DocumentStatus,
    IncomingEntry,
)
from dieuhanh.drafting.models import Draft, DraftStatus, DraftVersion, Signature
from dieuhanh.kernel import zones
from dieuhanh.processing.calendar import add_working_days
from dieuhanh.processing.models import Flow
from dieuhanh.reports import services, standard
from dieuhanh.reports.testing import seed
from dieuhanh.signatures.models import CheckOutcome, Credential, CredentialKind, SignatureCheck
from dieuhanh.tasks.models import Task
from dieuhanh.units.models import Unit


def _aware(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def enrich(org, today, rng):
    """What the shared seed leaves out: exchange events (02, 03 early and late, 13), copies to outside, copies made
    on various days, signatures (personal, organization, a verified file), extended tasks, a task from a secret
    document, a second handler."""
    deliveries = list(Delivery.objects.exclude(channel=Channel.PAPER).order_by("pk"))
    for i, d in enumerate(deliveries):
        made = today - datetime.timedelta(days=rng.randrange(0, 60))
        Delivery.objects.filter(pk=d.pk).update(created_at=_aware(made, 8))
        fate = i % 6
        if fate in (0, 1, 2):  # accepted: the same day, the day after, or a week later
            ev = DeliveryEvent.objects.create(delivery=d, status="03", kind="status")
            accepted = made + datetime.timedelta(days=(0, 1, 7)[fate])
            DeliveryEvent.objects.filter(pk=ev.pk).update(at=_aware(accepted, 16))
        elif fate == 3:
            ev = DeliveryEvent.objects.create(delivery=d, status="02", kind="status")
            DeliveryEvent.objects.filter(pk=ev.pk).update(at=_aware(made, 17))
        elif fate == 4:
            ev = DeliveryEvent.objects.create(delivery=d, status="13", kind="status")
            DeliveryEvent.objects.filter(pk=ev.pk).update(at=_aware(made, 18))
    for d in deliveries[::7]:
        if not Delivery.objects.filter(document=d.document_id, recipient_unit=d.recipient_unit_id,
                                       channel=Channel.GATEWAY).exists():
            Delivery.objects.filter(pk=d.pk).update(channel=Channel.GATEWAY, external_code="000.00.00.X99")
    # incoming electronic registrations linked to the copy they came from (an internal one: not "from outside")
    for entry in IncomingEntry.objects.filter(origin="electronic").order_by("pk")[::4]:
        d = Delivery.objects.filter(recipient_unit=entry.unit_id, channel=Channel.INTERNAL,
                                    incoming_entry__isnull=True).first()
        if d is not None:
            IncomingEntry.objects.filter(pk=entry.pk).update(delivery=d)
    blob = Blob.objects.create(sha256="0" * 64, size=1, content_type="application/pdf", storage_name="x")
    credential = Credential.objects.create(kind=CredentialKind.PERSONAL, certificate_pem="-", subject="s", serial="1",
                                           fingerprint="f", not_after=_aware(today + datetime.timedelta(days=400)))
    issued = list(Document.objects.filter(status=DocumentStatus.ISSUED).order_by("pk"))
    for i, doc in enumerate(issued[::3]):
        draft = Draft.objects.create(unit_id=doc.issuing_unit_id, drafting_unit_id=doc.issuing_unit_id,
                                     created_by=org.admin, document_type_id=doc.document_type_id, subject="d",
                                     status=DraftStatus.ISSUED, document=doc)
        version = DraftVersion.objects.create(draft=draft, number=1, blob=blob, name="d.pdf", created_by=org.admin)
        kinds = [(False, None), (True, None), (False, None), (True, None)][: 1 + i % 4]
        if i % 5 == 0:
            kinds.append((True, timezone.now()))  # a withdrawn organization signature does not count
        for organization, withdrawn in kinds:
            Signature.objects.create(draft=draft, version=version, organization=organization, signer=org.admin,
                                     credential=credential, blob_before=blob, blob_after=blob, withdrawn_at=withdrawn)
    for doc in issued[1::11]:
        checked = Blob.objects.create(sha256=f"{doc.pk:064d}", size=1, content_type="application/pdf",
                                      storage_name=f"c{doc.pk}")
        DocumentFile.objects.create(document=doc, blob=checked, name="vb.pdf", is_main=True)
        SignatureCheck.objects.create(blob=checked, outcome=CheckOutcome.VALID if doc.pk % 2 else CheckOutcome.INVALID)
    Task.objects.filter(pk__in=list(Task.objects.order_by("pk").values_list("pk", flat=True)[::4])).update(extensions=1)
    secret_doc = Document.objects.filter(confidentiality=2).first()
    for task in Task.objects.order_by("pk")[::9]:
        Task.objects.filter(pk=task.pk).update(origin_document=secret_doc, origin="document")
    second = make_user("spec.second", org.a1, Role.SPECIALIST)
    Flow.objects.filter(pk__in=list(Flow.objects.filter(handler_user__isnull=False).order_by("pk")
                                    .values_list("pk", flat=True)[::2])).update(handler_user=second, role="co")


@pytest.fixture
def world(org):
    today = timezone.localdate()
    units = list(Unit.objects.all())
    seed(units, org.admin, per_unit=18, today=today, span_days=60)
    enrich(org, today, random.Random(7))
    services.refresh(unit_ids=None, days=None, today=today)
    cleared = make_user("leader.a.cleared", org.a, Role.LEADER, clearance=3)
    return SimpleNamespace(org=org, today=today, cleared=cleared, uncleared=org.leader_a,
                           start=today - datetime.timedelta(days=45), end=today)


# --- brute force -------------------------------------------------------------------------------------------------

def _row_of(unit, target):
    """The row a unit's work goes to in ``unit``'s report: "own", a child's id, or None (outside the subtree)."""
    if target.pk == unit.pk:
        return "own"
    if not target.path.startswith(unit.path):
        return None
    return target.path[:len(unit.path) + 4]


def _units_rows(section, unit):
    """{row key: values} of a table by unit: "own", then each child by its path."""
    children = list(Unit.objects.filter(parent=unit).order_by("sort_key", "id"))
    keys = ["own"] + [c.path for c in children]
    assert len(section.rows) == len(keys)
    return {k: row[1:] for k, row in zip(keys, section.rows, strict=True)}


def _check(section, expected, keys, names):
    """Each row and the totals row equal the recount (the totals: the sum of the counted rows)."""
    rows = _units_rows(section, section_unit[0]) if keys is None else {
        k: row[1:] for k, row in zip(keys, section.rows, strict=True)}
    for key, values in rows.items():
        assert list(values[:len(names)]) == [expected.get(key, {}).get(n, 0) for n in names], (section.key, key)
    total = [sum(e.get(n, 0) for e in expected.values()) for n in names]
    assert list(section.totals[1:len(names) + 1]) == total, section.key


section_unit = [None]


def visible(user, confidentiality):
    clearance = (user.clearance or 0) if zones.current() == zones.CLOSED else 0
    return confidentiality <= clearance


def recount_documents(user, unit, start, end):
    by_unit, by_type, by_urgency = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int)), \
        defaultdict(lambda: defaultdict(int))
    for e in IncomingEntry.objects.select_related("document", "unit", "delivery"):
        row = _row_of(unit, e.unit)
        if row is None or e.recalled_at or not start <= e.arrived_on <= end or not visible(
                user, e.document.confidentiality):
            continue
        c = by_unit[row]
        c["in_total"] += 1
        c["in_electronic"] += e.origin == "electronic"
        c["in_paper"] += e.origin == "paper"
        c["in_exchanged"] += e.origin == "electronic" and (e.delivery is None or e.delivery.channel == "gateway")
        by_type[e.document.document_type_id]["in_total"] += 1
        by_urgency[e.document.urgency]["in_total"] += 1
    channels = defaultdict(set)
    for d in Delivery.objects.all():
        channels[d.document_id].add(d.channel)
    for doc in Document.objects.filter(status="issued").select_related("issuing_unit"):
        row = _row_of(unit, doc.issuing_unit)
        if row is None or not start <= doc.issued_on <= end or not visible(user, doc.confidentiality):
            continue
        c, ch = by_unit[row], channels[doc.pk]
        c["out_total"] += 1
        c["out_electronic"] += bool(ch) and "paper" not in ch
        c["out_paper"] += "paper" in ch
        c["out_exchanged"] += "gateway" in ch
        by_type[doc.document_type_id]["out_total"] += 1
        by_urgency[doc.urgency]["out_total"] += 1
    return by_unit, by_type, by_urgency


def _flow_state(f, today, c):
    done = timezone.localdate(f.completed_at) if f.completed_at else None
    if f.status == "completed":
        if f.deadline is None or (done is not None and done <= f.deadline):
            c["in_on_time"] += 1
        elif done is not None:
            c["in_late"] += 1
    elif f.status in ("pending", "in_progress"):
        c["in_overdue" if f.deadline is not None and f.deadline < today else "in_open"] += 1


def recount_processing(user, unit, start, end, today):
    by_unit, by_person = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    roots = {f.entry_id: f for f in Flow.objects.filter(parent__isnull=True)}
    for e in IncomingEntry.objects.select_related("document", "unit"):
        row = _row_of(unit, e.unit)
        if row is None or e.recalled_at or not start <= e.arrived_on <= end or not visible(
                user, e.document.confidentiality):
            continue
        c = by_unit[row]
        c["in_total"] += 1
        root = roots.get(e.pk)
        if root is None:
            c["in_unassigned"] += 1
        else:
            _flow_state(root, today, c)
    for f in Flow.objects.select_related("entry__document", "entry__unit").filter(handler_user__isnull=False):
        e = f.entry
        if (f.role not in ("lead", "co") or f.status == "recalled" or e.recalled_at or _row_of(unit, e.unit) is None
                or not start <= e.arrived_on <= end or not visible(user, e.document.confidentiality)):
            continue
        c = by_person[f.handler_user_id]
        c["in_total"] += 1
        _flow_state(f, today, c)
    return by_unit, by_person


def recount_tasks(user, unit, start, end, today):
    by_leader, by_unit = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    for t in Task.objects.select_related("executing_unit", "assigning_unit", "origin_document"):
        inside = _row_of(unit, t.executing_unit) is not None or _row_of(unit, t.assigning_unit) is not None
        if not inside or not start <= t.start_date <= end or (
                t.origin_document is not None and not visible(user, t.origin_document.confidentiality)):
            continue
        for c in (by_leader[t.assigned_by_id], by_unit[t.executing_unit_id]):
            c["given"] += 1
            c["extended"] += t.extensions > 0
            if t.status in ("completed", "closed"):
                c["on_time" if timezone.localdate(t.completed_at or t.status_at) <= t.deadline else "late"] += 1
            else:
                c["overdue" if t.deadline < today else "open"] += 1
    return by_leader, by_unit


def _signed(doc_id):
    if Signature.objects.filter(draft__document=doc_id, organization=True, withdrawn_at__isnull=True).exists():
        return True
    blobs = DocumentFile.objects.filter(document=doc_id).values_list("blob_id", flat=True)
    return SignatureCheck.objects.filter(blob_id__in=list(blobs), outcome="valid").exists()


def recount_exchange(user, unit, start, end, today, late_days):
    by_unit = defaultdict(lambda: defaultdict(int))
    for d in Delivery.objects.select_related("document", "sender_unit", "recipient_unit").exclude(channel="paper"):
        made = timezone.localdate(d.created_at)
        if not start <= made <= end or not visible(user, d.document.confidentiality):
            continue
        row = _row_of(unit, d.sender_unit)
        if row is not None:
            c = by_unit[row]
            statuses = {e.status: timezone.localdate(e.at) for e in d.events.order_by("-at")}
            c["sent"] += 1
            c["refused"] += "02" in statuses
            c["recalled"] += "13" in statuses
            signed = _signed(d.document_id)
            c["signed"] += signed
            c["unsigned"] += not signed
            limit = add_working_days(made, late_days)
            accepted = statuses.get("03")
            c["late"] += bool((accepted and accepted > limit) or (not accepted and "02" not in statuses
                                                                  and today > limit))
        if d.recipient_unit is not None and _row_of(unit, d.recipient_unit) is not None:
            by_unit[_row_of(unit, d.recipient_unit)]["received"] += 1
    return by_unit


def recount_digitization(user, unit, start, end):
    by_unit, _t, _u = recount_documents(user, unit, start, end)
    for doc in Document.objects.filter(status="issued").select_related("issuing_unit"):
        row = _row_of(unit, doc.issuing_unit)
        if row is None or not start <= doc.issued_on <= end or not visible(user, doc.confidentiality):
            continue
        sigs = Signature.objects.filter(draft__document=doc, withdrawn_at__isnull=True)
        personal, organization = sigs.filter(organization=False).exists(), sigs.filter(organization=True).exists()
        by_unit[row]["out_personal"] += personal
        by_unit[row]["out_organization"] += organization
        by_unit[row]["out_both"] += personal and organization
    return by_unit


# --- the tests ---------------------------------------------------------------------------------------------------

def _report(user, kind, unit, w, late_days=1):
    params = standard.parse(user, kind=kind, unit=unit.pk, start=w.start.isoformat(), end=w.end.isoformat(),
                            late_days=late_days)
    report = standard.build(user, params)
    return {s.key: s for s in report.sections}


def _assert_by_unit(section, unit, expected, names):
    section_unit[0] = unit
    expected = {("own" if k == "own" else k): v for k, v in expected.items()}
    _check(section, expected, None, names)


IN_NAMES = ["in_total", "in_electronic", "in_paper", "in_exchanged", "out_total", "out_electronic", "out_paper",
            "out_exchanged"]


@pytest.mark.parametrize("reader", ["cleared", "uncleared", "cleared_internet"])
def test_every_cell_equals_a_recount(world, reader):
    w = world
    user = w.uncleared if reader == "uncleared" else w.cleared
    zone = zones.INTERNET if reader == "cleared_internet" else zones.CLOSED
    with zones.in_zone(zone):
        for unit in (w.org.a, w.org.a1):
            # 1. documents in and out
            s = _report(user, "documents", unit, w)
            by_unit, by_type, by_urgency = recount_documents(user, unit, w.start, w.end)
            _assert_by_unit(s["by_unit"], unit, by_unit, IN_NAMES)
            assert {row[0]: row[1:] for row in s["by_type"].rows} == {
                __import__("dieuhanh.documents.models", fromlist=["x"]).DocumentType.objects.get(pk=k).name:
                    [v.get("in_total", 0), v.get("out_total", 0)] for k, v in by_type.items()}
            urg = {row[0]: row[1:] for row in s["by_urgency"].rows}
            from dieuhanh.documents.models import Urgency
            for value, label in Urgency.choices:
                assert urg[str(label)] == [by_urgency.get(value, {}).get("in_total", 0),
                                           by_urgency.get(value, {}).get("out_total", 0)]
            # 2. processing: by unit (the rollups) and by person
            s = _report(user, "processing", unit, w)
            p_unit, p_person = recount_processing(user, unit, w.start, w.end, w.today)
            names = ["in_total", "in_on_time", "in_late", "in_open", "in_overdue", "in_unassigned"]
            _assert_by_unit(s["by_unit"], unit, p_unit, names)
            for row in s["by_unit"].rows:
                done = row[2] + row[3]
                assert row[-1] == (round(100 * row[2] / done) if done else 0)
            people = list(p_person)
            from dieuhanh.accounts.models import User
            keys = [u.pk for u in User.objects.filter(pk__in=people).order_by("full_name", "username", "id")]
            _check(s["by_person"], p_person, keys, names[:-1])
            # 3. tasks
            s = _report(user, "tasks", unit, w)
            t_leader, t_unit = recount_tasks(user, unit, w.start, w.end, w.today)
            tnames = ["given", "on_time", "late", "open", "overdue", "extended"]
            keys = [u.pk for u in User.objects.filter(pk__in=list(t_leader)).order_by("full_name", "username", "id")]
            _check(s["by_leader"], t_leader, keys, tnames)
            keys = [u.pk for u in Unit.objects.filter(pk__in=list(t_unit)).order_by("sort_key", "id")]
            _check(s["by_lead_unit"], t_unit, keys, tnames)
            # 4. exchange, with N = 1 and N = 3 working days
            for n in (1, 3):
                s = _report(user, "exchange", unit, w, late_days=n)
                e_unit = recount_exchange(user, unit, w.start, w.end, w.today, n)
                _assert_by_unit(s["by_unit"], unit, e_unit,
                                ["sent", "received", "refused", "recalled", "late", "signed", "unsigned"])
            # 5. digitization
            s = _report(user, "digitization", unit, w)
            d_unit = recount_digitization(user, unit, w.start, w.end)
            _assert_by_unit(s["by_unit"], unit, d_unit,
                            ["in_total", "in_electronic", "in_paper", "out_total", "out_electronic", "out_personal",
                             "out_organization", "out_both", "out_paper"])


def test_the_seed_exercises_every_column(world):
    """The recount above compares something: secret documents, every exchange fate, signatures, extensions."""
    w = world
    s = _report(w.cleared, "exchange", w.org.a, w)["by_unit"]
    assert all(v > 0 for v in s.totals[1:6]), s.totals
    d = _report(w.cleared, "digitization", w.org.a, w)["by_unit"]
    assert all(v > 0 for v in d.totals[1:10]), d.totals
    t = _report(w.cleared, "tasks", w.org.a, w)["by_lead_unit"]
    assert all(v > 0 for v in t.totals[1:7]), t.totals
    docs_cleared = _report(w.cleared, "documents", w.org.a, w)["by_unit"].totals
    docs_uncleared = _report(w.uncleared, "documents", w.org.a, w)["by_unit"].totals
    assert docs_cleared[1] > docs_uncleared[1] and docs_cleared[5] > docs_uncleared[5]  # secret ones exist
    with zones.in_zone(zones.INTERNET):
        assert _report(w.cleared, "documents", w.org.a, w)["by_unit"].totals == docs_uncleared
    assert all(v > 0 for v in docs_cleared[1:9]), docs_cleared


def test_a_leader_reads_their_subtree_only(world):
    w = world
    with pytest.raises(PermissionDenied):
        standard.parse(w.uncleared, kind="documents", unit=w.org.b.pk, start=w.start, end=w.end)
    with pytest.raises(PermissionDenied):
        standard.parse(w.uncleared, kind="documents", unit=w.org.root.pk, start=w.start, end=w.end)
    with pytest.raises(PermissionDenied):
        standard.parse(w.org.spec_a1, kind="documents", unit=w.org.a1.pk, start=w.start, end=w.end)
    assert standard.parse(w.org.admin, kind="tasks", unit=w.org.root.pk, start=w.start, end=w.end).unit == w.org.root


@pytest.mark.parametrize("values, field", [
    ({"kind": "budget"}, "kind"),
    ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
    ({"start": "2026-13-01"}, "start"),
    ({"start": ""}, "start"),
    ({"end": "soon"}, "end"),
    ({"start": "2000-01-01", "end": "2026-01-01"}, "end"),
    ({"unit": "abc"}, "unit"),
    ({"unit": "99999999999999999999999"}, "unit"),
    ({"unit": ""}, "unit"),
    ({"late_days": "-1"}, "late_days"),
    ({"late_days": "x"}, "late_days"),
])
def test_bad_input_names_its_field(org, values, field):
    args = {"kind": "documents", "unit": org.a.pk, "start": "2026-01-01", "end": "2026-01-31", **values}
    with pytest.raises(ValidationError) as exc:
        standard.parse(org.leader_a, **args)
    assert field in exc.value.message_dict


def test_the_api_answers_each_report_and_refuses_bad_input(world, api_client):
    w = world
    api_client.as_user(w.uncleared)
    q = f"unit={w.org.a.pk}&start={w.start}&end={w.end}"
    for kind in standard.KINDS:
        r = api_client.get(f"/api/v1/reports/standard/{kind}?{q}")
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["kind"] == kind and body["sections"][0]["columns"][0]
        assert body["sections"][0]["totals"][0]
    r = api_client.get(f"/api/v1/reports/standard/budget?{q}")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "kind"
    r = api_client.get(f"/api/v1/reports/standard/documents?unit={w.org.a.pk}&start={w.end}&end={w.start}")
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["end"]
    r = api_client.get(f"/api/v1/reports/standard/documents?unit={w.org.b.pk}&start={w.start}&end={w.end}")
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "unit"
    r = api_client.get(f"/api/v1/reports/me?start={w.start}&end={w.end}")
    assert r.status_code == 200 and set(r.json()["flows"]) >= {"in_on_time", "in_late"}
    r = api_client.get("/api/v1/reports/me?start=2026-02-01&end=2026-01-01")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "end"
    schema = api_client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/reports/standard/{kind}", "/api/v1/reports/exports", "/api/v1/reports/exports/{run_id}",
                 "/api/v1/reports/schedules", "/api/v1/reports/me"):
        assert path in schema["paths"], path


def test_the_page_shows_the_report_and_messages_beside_fields(world, client):
    w = world
    client.force_login(w.uncleared)
    r = client.get(f"/reports/standard/?kind=processing&unit={w.org.a.pk}&start={w.start}&end={w.end}")
    assert r.status_code == 200
    assert 'id="section-by_unit"' in r.content.decode() and 'id="section-by_person"' in r.content.decode()
    assert f"unit={w.org.a1.pk}" in r.content.decode()  # the drill-down link to A1
    r = client.get(f"/reports/standard/?kind=processing&unit={w.org.a.pk}&start={w.end}&end={w.start}")
    assert r.status_code == 400
    html = r.content.decode()
    assert 'class="field invalid"' in html and html.index('id="id_end"') < html.index('class="error"')
    r = client.get(f"/reports/standard/?kind=processing&unit={w.org.b.pk}&start={w.start}&end={w.end}")
    assert r.status_code == 403 and 'class="error"' in r.content.decode()
    r = client.get(f"/reports/standard/?kind=nope&unit={w.org.a.pk}&start={w.start}&end={w.end}")
    assert r.status_code == 400


def test_a_specialists_own_page_counts_their_flows_and_tasks(world, client):
    w = world
    person = Flow.objects.filter(handler_user__isnull=False).values_list("handler_user", flat=True).first()
    from dieuhanh.accounts.models import User
    user = User.objects.get(pk=person)
    figures = standard.own_figures(user, w.start, w.end)
    flows = [f for f in Flow.objects.select_related("entry__document").filter(handler_user=user)
             if f.status != "recalled" and f.entry.recalled_at is None and w.start <= f.entry.arrived_on <= w.end
             and visible(user, f.entry.document.confidentiality)]
    c = defaultdict(int)
    for f in flows:
        _flow_state(f, w.today, c)
    assert figures["flows"]["in_total"] == len(flows)
    assert {k: figures["flows"][k] for k in c} == dict(c)
    client.force_login(user)
    r = client.get(f"/reports/standard/me/?start={w.start}&end={w.end}")
    assert r.status_code == 200 and f'id="flows-total">{len(flows)}<' in r.content.decode()
    r = client.get("/reports/standard/me/?start=2026-02-01&end=2026-01-01")
    assert r.status_code == 400 and 'class="error"' in r.content.decode()
