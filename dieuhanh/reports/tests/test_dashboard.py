"""The leaders' dashboard page and API (issue 16, decision 0048): who sees what, the period's errors beside their
fields, the children's table sorted on the server, every number a link to its list, the charts and their tables."""

import datetime
import re

import pytest
from django.utils import translation

from dieuhanh.kernel import zones
from dieuhanh.reports import charts, dashboard, lists, selectors, services
from dieuhanh.reports.testing import seed
from dieuhanh.units.models import Unit


@pytest.fixture
def world(reorg_world):
    w = reorg_world
    seed(list(Unit.objects.all()), w.org.admin, per_unit=12, today=w.today)
    services.refresh_changed(today=w.today)
    w.dates = f"period=dates&start={w.today - datetime.timedelta(days=90)}&end={w.today}"
    return w


def _get(client, user, url):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        return client.get(url)


def test_leader_sees_health_children_ranking_and_charts_whose_numbers_link_to_their_lists(client, world):
    w = world
    org = w.org
    resp = _get(client, org.leader_a, f"/reports/units/{org.a.pk}/?{w.dates}")
    assert resp.status_code == 200
    html = resp.content.decode()
    start = w.today - datetime.timedelta(days=90)
    with zones.in_zone(zones.CLOSED):
        figures = selectors.unit_figures(org.leader_a, org.a, start, w.today)
    # the health tile of each count shows the number and links to its list with the same period
    for figure in lists.listed_figures():
        link = re.search(rf'href="(/reports/units/{org.a.pk}/figures/{figure}/\?[^"]+)" data-figure="{figure}">'
                         rf'<span class="n">(\d+)</span>', html)
        assert link, figure
        assert int(link.group(2)) == figures[figure]
        listed = _get(client, org.leader_a, link.group(1).replace("&amp;", "&"))
        assert listed.status_code == 200
        assert f'id="figure-total">{figures[figure]}<' in listed.content.decode()
        if figures[figure] <= 50:
            assert listed.content.decode().count("<tr><td data-label=") == figures[figure], figure
    # one row per unit directly below, each name drilling down one level
    for child in (org.a1, org.ad):
        assert f'href="/reports/units/{child.pk}/?{w.dates.replace("&", "&amp;")}" class="drill"' in html
    assert 'id="ranking"' in html and "<svg" in html and 'id="chart-in-out"' in html
    charts_html = html.split('id="charts-title"')[1]
    assert charts_html.count("<svg") == 2 and "style=" not in charts_html
    # the drill-down one level
    assert _get(client, org.leader_a, f"/reports/units/{org.a1.pk}/?{w.dates}").status_code == 200


def test_children_sorted_on_the_server(client, world):
    w = world
    org = w.org
    for sort, direction in (("in_total", "desc"), ("in_total", "asc"), ("name", "desc"), ("in_on_time_percent", "")):
        html = _get(client, org.admin, f"/reports/units/{org.root.pk}/?{w.dates}&sort={sort}&dir={direction}"
                    ).content.decode()
        names = re.findall(r'class="drill">([^<]+)</a>', html)
        assert sorted(names) == sorted([org.a.name, org.b.name])
        rows = dashboard.children(org.admin, org.root, w.today - datetime.timedelta(days=90), w.today)
        expected = [r["unit"].name for r in dashboard.sort_children(rows, sort, direction == "desc")]
        assert names == expected, (sort, direction)
    # a column nobody knows sorts by name, no error
    assert _get(client, org.admin, f"/reports/units/{org.root.pk}/?sort=nope").status_code == 200


def test_a_unit_the_reader_may_not_see_is_refused_with_a_readable_page(client, world):
    w = world
    org = w.org
    for user, unit in ((org.leader_a, org.b), (org.leader_a, org.root), (w.leader_a1, org.a), (org.clerk_a, org.a)):
        resp = _get(client, user, f"/reports/units/{unit.pk}/")
        assert resp.status_code == 403 and "units you lead" in resp.content.decode()
        assert _get(client, user, f"/reports/units/{unit.pk}/figures/in_total/").status_code == 403
    assert _get(client, org.leader_a, "/reports/units/999999/").status_code == 404
    assert _get(client, org.leader_a, "/reports/units/²/").status_code == 404
    assert _get(client, org.leader_a, f"/reports/units/{org.a.pk}/figures/nothing/").status_code == 404
    assert _get(client, org.leader_a, f"/reports/units/{org.a.pk}/figures/in_on_time_percent/").status_code == 404


def test_a_bad_period_shows_its_message_beside_the_field(client, world):
    org = world.org
    for query, field, words in (("period=dates&start=2026-03-01&end=2026-02-01", "end", "ends before it starts"),
                                ("period=dates&start=2026-02-30&end=2026-03-01", "start", "Not a date"),
                                ("period=dates&end=2026-03-01", "start", "Give a date"),
                                ("period=decade", "period", "Choose")):
        resp = _get(client, org.leader_a, f"/reports/units/{org.a.pk}/?{query}")
        assert resp.status_code == 400, query
        html = resp.content.decode()
        assert re.search(rf'id="err-{field}">[^<]*{words}', html), query
        resp = _get(client, org.leader_a, f"/reports/units/{org.a.pk}/figures/in_total/?{query}")
        assert resp.status_code == 400 and f'id="err-{field}"' in resp.content.decode()


def test_periods_of_the_calendar(client, world):
    org = world.org
    for period in ("week", "month", "quarter", "year"):
        assert _get(client, org.leader_a, f"/reports/units/{org.a.pk}/?period={period}").status_code == 200


def test_home_links_the_dashboard_for_leaders_and_unit_admins_only(client, world):
    org = world.org
    for user in (org.leader_a, org.uadmin_a, org.admin):
        assert 'id="dashboard-link"' in _get(client, user, "/").content.decode()
    for user in (org.clerk_a, org.spec_a1):
        assert 'id="dashboard-link"' not in _get(client, user, "/").content.decode()
    # a leader of one unit lands on that unit's dashboard; a unit admin who leads nothing sees what awaits them
    resp = _get(client, org.leader_a, "/reports/?period=year")
    assert resp.status_code == 302 and resp["Location"] == f"/reports/units/{org.a.pk}/?period=year"
    resp = _get(client, org.uadmin_a, "/reports/")
    assert resp.status_code == 200 and 'id="no-figures"' in resp.content.decode()
    assert 'id="awaits"' in resp.content.decode()


def test_awaits_count_what_their_lists_show(client, world):
    from dieuhanh.processing import services as processing
    from dieuhanh.processing.models import Flow

    w = world
    awaits = {a.key: a for a in dashboard.awaits(w.leader_a1, w.org.a1)}
    assert {"to_assign", "reports", "drafts", "extensions", "overdue", "due_soon"} <= set(awaits)
    assert all(a.url for a in awaits.values()) and awaits["extensions"].count == 0
    # the specialist asks the leader who assigned the flow for more time: it awaits the leader, and its list shows it
    flow = Flow.objects.get(entry=w.entry, parent__isnull=False, handler_user=w.org.spec_a1)
    Flow.objects.filter(pk=flow.pk).update(deadline=w.today + datetime.timedelta(days=3))
    processing.request_extension(actor=w.org.spec_a1, flow=Flow.objects.get(pk=flow.pk),
                                 new_deadline=w.today + datetime.timedelta(days=6), reason="Chờ ý kiến phối hợp")
    awaits = {a.key: a for a in dashboard.awaits(w.leader_a1, w.org.a1)}
    assert awaits["extensions"].count == 1
    html = _get(client, w.leader_a1, awaits["extensions"].url).content.decode()
    assert f'href="/processing/flows/{flow.pk}/"' in html and w.entry.document.subject in html
    others = {a.key: a.count for a in dashboard.awaits(w.org.leader_a, w.org.a)}
    assert others["extensions"] == 0  # not theirs to decide


def test_charts_scale_and_escape():
    months = [charts.Month(datetime.date(2026, m, 1), m * 3, m, None if m == 4 else 50 + m) for m in range(1, 13)]
    svg = charts.bars(months, title="<in & out>", incoming_label="Văn bản đến", outgoing_label="Văn bản đi")
    assert svg.startswith("<svg") and 'viewBox="0 0 360 210"' in svg and "&lt;in &amp; out&gt;" in svg
    assert svg.count('class="bar in"') == 13  # twelve months and the legend
    line = charts.line(months, title="%")
    assert line.count("<polyline") == 2 and line.count("<circle") == 11  # April has nothing finished: a gap


def test_api_dashboard_and_items(world, api_client):
    w = world
    org = w.org
    api = api_client.as_user(org.leader_a)
    base = f"/api/v1/reports/units/{org.a.pk}"
    resp = api.get(f"{base}/dashboard?{w.dates}")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert {c["unit_id"] for c in body["children"]} == {org.a1.pk, org.ad.pk} and len(body["months"]) == 12
    assert body["figures"]["in_total"] > 0 and {a["key"] for a in body["awaits"]} >= {"reports", "drafts"}
    for figure in lists.listed_figures():
        items, cursor = [], ""
        while True:
            page = api.get(f"{base}/figures/{figure}/items?{w.dates}&limit=200{cursor}")
            assert page.status_code == 200, page.content
            items += page.json()["items"]
            if not page.json()["next_cursor"]:
                break
            cursor = f"&cursor={page.json()['next_cursor']}"
        assert len(items) == body["figures"][figure], figure
    assert api.get(f"{base}/dashboard?period=month").status_code == 200
    for query, field in (("period=dates&start=2026-03-01&end=2026-02-01", "end"), ("period=dates&end=2026-01-01",
                                                                                    "start"),
                         ("period=decade", "period")):
        for url in (f"{base}/dashboard?{query}", f"{base}/figures/in_total/items?{query}"):
            resp = api.get(url)
            assert resp.status_code == 400 and field in {e["field"] for e in resp.json()["errors"]}, url
    resp = api.get(f"{base}/figures/nothing/items?{w.dates}")
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "figure"
    resp = api.get(f"{base}/figures/in_total/items?{w.dates}&cursor=@@")
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "cursor"
    for url in (f"/api/v1/reports/units/{org.b.pk}/dashboard?{w.dates}",
                f"/api/v1/reports/units/{org.b.pk}/figures/in_total/items?{w.dates}"):
        resp = api.get(url)
        assert resp.status_code == 403 and resp.json()["errors"][0]["field"] == "unit_id"
    assert api.get(f"/api/v1/reports/units/999999/dashboard?{w.dates}").status_code == 404
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/reports/units/{unit_id}/dashboard" in paths
    assert "/api/v1/reports/units/{unit_id}/figures/{figure}/items" in paths


def test_the_monthly_tables_numbers_open_the_months_lists(client, world):
    w = world
    org = w.org
    html = _get(client, org.leader_a, f"/reports/units/{org.a.pk}/?period=year").content.decode()
    table = html.split('id="chart-in-out"')[1].split("</table>")[0]
    links = re.findall(r'<a href="([^"]+)">(\d+)</a>', table)
    assert len(links) == 24
    for url, number in links:
        listed = _get(client, org.leader_a, url.replace("&amp;", "&"))
        assert listed.status_code == 200
        if int(number) <= 50:
            assert listed.content.decode().count("<tr><td data-label=") == int(number), url


def test_a_leader_of_two_units_lands_on_the_first_with_a_tab_for_each(client, world):
    from conftest import make_user
    from dieuhanh.accounts.models import Membership, Role

    org = world.org
    both = make_user("leader.ab", org.a, Role.LEADER)
    Membership.objects.create(user=both, unit=org.b, role=Role.DEPUTY)
    resp = _get(client, both, "/reports/")
    assert resp.status_code == 302 and resp["Location"] == f"/reports/units/{org.a.pk}/"
    html = _get(client, both, resp["Location"]).content.decode()
    tabs = html.split('id="dashboard-units"')[1].split("</nav>")[0]
    assert f'/reports/units/{org.a.pk}/' in tabs and f'/reports/units/{org.b.pk}/' in tabs
    assert _get(client, both, f"/reports/units/{org.b1.pk}/").status_code == 200
