import datetime

from dieuhanh.tasks.models import Task


def test_task_flow_over_the_api(work, api_client):
    api = api_client.as_user(work.org.leader_a)
    resp = api.post("/api/v1/tasks", {"unit_id": work.org.a.pk, "title": "Tổng kết năm", "start_date": str(work.today),
                                      "deadline": str(work.soon), "unit_ids": [work.ad2.pk], "origin": "meeting",
                                      "origin_text": "Kết luận hội nghị ngày 20/11"})
    assert resp.status_code == 201, resp.content
    task_id = resp.json()[0]["id"]
    spec = api_client.as_user(work.spec_ad2)
    assert spec.get("/api/v1/tasks/counters").json()["open"] == 1
    assert [t["id"] for t in spec.get("/api/v1/tasks?kind=open").json()["items"]] == [task_id]
    r = spec.post(f"/api/v1/tasks/{task_id}/reports", {"kind": "complete", "text": "Xong"})
    assert r.status_code == 201 and r.json()["stage"] == "awaiting_unit_leader"
    head = api_client.as_user(work.head_ad2)
    assert head.post(f"/api/v1/tasks/reports/{r.json()['id']}/decide", {"approve": True}).status_code == 200
    leader = api_client.as_user(work.org.leader_a)
    assert leader.get("/api/v1/tasks?kind=awaiting_my_approval").json()["items"][0]["id"] == task_id
    decided = leader.post(f"/api/v1/tasks/reports/{r.json()['id']}/decide", {"approve": True})
    assert decided.json()["stage"] == "approved"
    assert Task.objects.get(pk=task_id).status == "completed"
    rows = leader.get(f"/api/v1/tasks/tracker?unit_id={work.org.a.pk}&start={work.today}&end={work.soon}").json()
    assert rows[0]["completed_on_time"] == 1


def test_bad_input_and_outsiders(work, api_client):
    api = api_client.as_user(work.org.leader_a)
    yesterday = str(work.today - datetime.timedelta(days=1))
    base = {"unit_id": work.org.a.pk, "title": "X", "start_date": str(work.today), "deadline": str(work.soon),
            "unit_ids": [work.ad2.pk]}
    cases = (({"deadline": yesterday}, 400, "deadline"), ({"unit_ids": [work.org.b.pk]}, 400, "unit_ids.0"),
             ({"title": ""}, 422, "title"), ({"deadline": "soon"}, 422, "deadline"))
    for change, status, field in cases:
        resp = api.post("/api/v1/tasks", {**base, **change})
        assert resp.status_code == status and field in [e["field"] for e in resp.json()["errors"]], resp.content
    assert not Task.objects.exists()
    task_id = api.post("/api/v1/tasks", base).json()[0]["id"]
    outsider = api_client.as_user(work.org.clerk_b)
    assert outsider.get(f"/api/v1/tasks/{task_id}").status_code == 404
    assert outsider.post(f"/api/v1/tasks/{task_id}/reports", {"kind": "progress", "text": "x", "percent": 5}
                         ).status_code == 404
    assert api_client.as_user(work.spec_ad2).get("/api/v1/tasks?kind=bogus").status_code == 400


def test_recurrence_endpoint_is_reachable(work, api_client):
    """POST /tasks/recurrences used to be shadowed by GET /tasks/{task_id} and answered 405."""
    r = api_client.as_user(work.org.leader_a).post("/api/v1/tasks/recurrences", {
        "unit_id": work.org.a.pk, "title": "Báo cáo tuần", "frequency": "weekly",
        "first_run": str(work.today), "executing_unit_id": work.ad2.pk, "working_days": 3})
    assert r.status_code == 201, r.content
    assert r.json()["next_run"]


def test_task_deadline_on_a_holiday_and_in_working_days(work, api_client, client):
    """Issue 14 item 17: tasks too (API and page): a holiday deadline is refused with the next working day named,
    unless confirmed; "N working days" counts from the start date, skipping weekends and holidays."""
    from django.utils import translation

    from dieuhanh.processing import calendar
    from dieuhanh.processing.models import Holiday
    from dieuhanh.tasks.models import Task

    holiday = work.today + datetime.timedelta(days=21)
    while holiday.weekday() >= 4:
        holiday += datetime.timedelta(days=1)
    Holiday.objects.create(date=holiday, name="Ngày lễ thử")
    calendar.clear_cache()
    api = api_client.as_user(work.org.leader_a)
    base = {"unit_id": work.org.a.pk, "title": "Báo cáo quý", "start_date": str(work.today),
            "unit_ids": [work.ad2.pk]}
    with translation.override("en"):
        resp = api.post("/api/v1/tasks", {**base, "deadline": str(holiday)}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400
    (error,) = resp.json()["errors"]
    assert error["field"] == "deadline" and f"{holiday + datetime.timedelta(days=1):%d/%m/%Y}" in error["message"]
    assert not Task.objects.exists()
    assert api.post("/api/v1/tasks", base).json()["errors"][0]["field"] == "deadline"
    resp = api.post("/api/v1/tasks", {**base, "working_days": 3})
    assert resp.status_code == 201, resp.content
    assert resp.json()[0]["deadline"] == str(calendar.add_working_days(work.today, 3))
    resp = api.post("/api/v1/tasks", {**base, "deadline": str(holiday), "confirm_non_working_day": True})
    assert resp.status_code == 201 and resp.json()[0]["deadline"] == str(holiday)
    # the page
    client.force_login(work.org.leader_a)
    client.cookies["django_language"] = "en"
    page = {"title": "Tổng hợp", "start_date": str(work.today), "units": [str(work.ad2.pk)]}
    resp = client.post("/tasks/new/", {**page, "deadline": str(holiday)})
    assert resp.status_code in (200, 400) and "not a working day" in resp.content.decode()
    resp = client.post("/tasks/new/", {**page, "working_days": "4"})
    assert resp.status_code == 302
    assert Task.objects.get(title="Tổng hợp").deadline == calendar.add_working_days(work.today, 4)
