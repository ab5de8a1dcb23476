import datetime

from django.utils import timezone

from dieuhanh.processing import selectors, services
from dieuhanh.processing.models import Flow


def test_tracker_counts_and_drill_down(received):
    r = received
    today = timezone.localdate()
    flows = services.assign(actor=r.org.leader_b, entry=r.entry, deadline=r.soon,
                            handlers=[{"user_id": r.spec_b.pk, "role": "lead"}, {"user_id": r.spec1.pk, "role": "co"},
                                      {"user_id": r.deputy_b.pk, "role": "info"}])
    lead, co, _info = flows
    services.complete(actor=r.spec1, flow=co, result="Phối hợp xong")
    Flow.objects.filter(pk=lead.pk).update(deadline=today - datetime.timedelta(days=1))  # now overdue
    rows = {row["handler"]: row for row in selectors.tracker(r.org.b, today, today, r.org.admin)}
    assert set(rows) == {r.spec_b.full_name, r.spec1.full_name}  # for-information flows are not work
    assert rows[r.spec_b.full_name]["open_overdue"] == 1
    assert rows[r.spec1.full_name]["completed_on_time"] == 1
    assert sum(rows[r.spec1.full_name][c] for c in selectors.TRACKER_CELLS) == 1
    items = list(selectors.tracker_items(r.org.b, today, today, "open_overdue", user=r.org.admin,
                                         handler_user_id=r.spec_b.pk))
    assert items == [Flow.objects.get(pk=lead.pk)]
    # completing late moves the flow to the "completed late" column
    services.complete(actor=r.spec_b, flow=lead, result="Xong muộn")
    rows = {row["handler"]: row for row in selectors.tracker(r.org.b, today, today, r.org.admin)}
    assert rows[r.spec_b.full_name]["completed_late"] == 1 and rows[r.spec_b.full_name]["open_overdue"] == 0
    assert selectors.tracker(r.org.a, today, today, r.org.admin) == []


def test_tracker_pages_for_leaders_only(received, client):
    from conftest import PASSWORD

    r = received
    today = timezone.localdate()
    (lead,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    client.login(username=r.org.leader_b.username, password=PASSWORD)
    html = client.get("/processing/tracker/").content.decode()
    assert r.spec_b.full_name in html
    url = f"/processing/tracker/items/?unit={r.org.b.pk}&from={today}&to={today}&cell=open_on_time&user={r.spec_b.pk}"
    assert f"/processing/flows/{lead.pk}/" in client.get(url).content.decode()
    assert client.get(f"/processing/tracker/?unit={r.org.b.pk}&from=garbage").status_code == 200
    assert client.get(f"/processing/tracker/items/?unit={r.org.b.pk}&cell=nonsense").status_code == 404
    assert client.get(f"/processing/tracker/?unit={r.org.a.pk}").status_code == 404  # not their unit
    client.logout()
    client.login(username=r.spec_b.username, password=PASSWORD)
    assert client.get(f"/processing/tracker/?unit={r.org.b.pk}").status_code == 404
    assert client.get("/processing/tracker/").status_code == 403
