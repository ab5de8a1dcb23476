from conftest import PASSWORD
from dieuhanh.tasks.models import Report, Task


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def test_assign_report_and_approve_through_pages(work, client):
    login(client, work.org.leader_a)
    assert client.get("/tasks/new/").status_code == 200
    resp = client.post(f"/tasks/new/?unit={work.org.a.pk}", {"title": "Tổng kết năm", "start_date": str(work.today),
                                                             "deadline": str(work.soon), "units": [str(work.ad2.pk)]})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    task = Task.objects.get()
    login(client, work.spec_ad2)
    assert f"/tasks/{task.pk}/" in client.get("/tasks/").content.decode()
    bad = client.post(f"/tasks/{task.pk}/", {"action": "report", "kind": "progress", "text": "x", "percent": "150"})
    assert bad.status_code == 400
    done = client.post(f"/tasks/{task.pk}/", {"action": "report", "kind": "complete", "text": "Xong"})
    assert done.status_code == 302
    report = Report.objects.get()
    login(client, work.head_ad2)
    assert "Approve" in client.get(f"/tasks/{task.pk}/").content.decode() or \
        "Đồng ý" in client.get(f"/tasks/{task.pk}/").content.decode()
    client.post(f"/tasks/{task.pk}/", {"action": "decide", "report_id": report.pk, "approve": "1"})
    login(client, work.org.leader_a)
    client.post(f"/tasks/{task.pk}/", {"action": "decide", "report_id": report.pk, "approve": "1"})
    assert Task.objects.get().status == "completed"


def test_outsiders_and_bad_posts(work, client):
    from dieuhanh.tasks import services

    (task,) = services.assign_task(actor=work.org.leader_a, unit=work.org.a, title="X", start_date=work.today,
                                   deadline=work.soon, unit_ids=[work.ad2.pk])
    login(client, work.org.clerk_b)
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    assert client.get("/tasks/new/").status_code == 403
    login(client, work.spec_ad2)
    assert client.post(f"/tasks/{task.pk}/", {"action": "decide", "report_id": "x", "approve": "1"}).status_code == 404
    assert client.post(f"/tasks/{task.pk}/", {"action": "??"}).status_code == 400
    login(client, work.org.leader_a)
    resp = client.post(f"/tasks/new/?unit={work.org.a.pk}", {"title": "Y", "start_date": str(work.today),
                                                             "deadline": "2000-01-01", "units": [str(work.ad2.pk)]})
    assert resp.status_code == 400 and Task.objects.count() == 1


def test_the_refuse_button_refuses(work, client):
    """The page posts approve=0 for "Refuse": it must refuse, never approve (a BooleanField read "0" as True)."""
    from dieuhanh.tasks import services
    from dieuhanh.tasks.models import Stage

    (task,) = services.assign_task(actor=work.org.leader_a, unit=work.org.a, title="X", start_date=work.today,
                                   deadline=work.soon, unit_ids=[work.ad2.pk])
    login(client, work.spec_ad2)
    assert client.post(f"/tasks/{task.pk}/", {"action": "report", "kind": "complete", "text": "Xong"}).status_code \
        == 302
    report = Report.objects.get()
    login(client, work.head_ad2)
    resp = client.post(f"/tasks/{task.pk}/", {"action": "decide", "report_id": report.pk, "approve": "0",
                                              "note": "Thiếu số liệu"})
    assert resp.status_code == 302
    assert Report.objects.get().stage == Stage.REFUSED
    assert Task.objects.get().status != "completed"
