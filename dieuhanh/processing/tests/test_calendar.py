import datetime

import pytest

from dieuhanh.processing.calendar import (
    DeadlineState,
    add_working_days,
    clear_cache,
    deadline_state,
    is_working_day,
    working_days_between,
)
from dieuhanh.processing.models import Flow

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh(db):
    clear_cache()
    yield
    clear_cache()


def test_weekends_and_holidays_are_skipped():
    assert not is_working_day(D(2026, 11, 28))  # Saturday
    assert not is_working_day(D(2026, 9, 2))  # Quốc khánh
    assert not is_working_day(D(2026, 2, 17))  # Tết
    assert is_working_day(D(2026, 11, 24))


def test_adding_working_days_across_tet_2026():
    # Friday 13 Feb 2026 + 1 working day: Tết runs 14-22 Feb, so Monday 23 Feb.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 12), 3) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)


def test_adding_working_days_across_a_weekend_and_national_day():
    # Friday 28 Aug 2026; 31 Aug is a Monday, 1-2 Sep are days off.
    assert add_working_days(D(2026, 8, 28), 2) == D(2026, 9, 3)


def test_working_days_between_is_consistent_with_adding():
    start = D(2026, 1, 1)
    for n in range(0, 60, 7):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_deadline_states():
    today = D(2026, 11, 24)  # a Tuesday
    assert deadline_state(None, today) == DeadlineState.NONE
    assert deadline_state(D(2026, 11, 23), today) == DeadlineState.OVERDUE
    assert deadline_state(today, today) == DeadlineState.DUE_SOON
    assert deadline_state(D(2026, 11, 26), today) == DeadlineState.DUE_SOON
    assert deadline_state(D(2026, 11, 27), today) == DeadlineState.ON_TIME


def _holiday_ahead():
    """A weekday three weeks ahead made a public holiday, and the working day after it."""
    from dieuhanh.processing import calendar
    from dieuhanh.processing.models import Holiday

    day = datetime.date.today() + datetime.timedelta(days=21)
    while day.weekday() >= 4:  # Monday to Thursday, so the next working day is the day after
        day += datetime.timedelta(days=1)
    Holiday.objects.create(date=day, name="Ngày lễ thử")
    calendar.clear_cache()
    return day, day + datetime.timedelta(days=1)


def test_deadline_on_a_holiday_is_refused_with_the_next_working_day_then_kept_when_confirmed(received, api_client):
    """Issue 14 item 17: a deadline on a public holiday was accepted without a word."""
    from django.utils import translation

    r = received
    holiday, next_day = _holiday_ahead()
    api = api_client.as_user(r.org.leader_b)
    url = f"/api/v1/entries/{r.entry.pk}/assign"
    handlers = [{"unit_id": r.bd.pk, "role": "lead"}]
    with translation.override("en"):
        resp = api.post(url, {"handlers": handlers, "deadline": str(holiday)}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400, resp.content
    (error,) = resp.json()["errors"]
    assert error["field"] == "deadline" and f"{next_day:%d/%m/%Y}" in error["message"]
    assert not Flow.objects.exists()
    resp = api.post(url, {"handlers": handlers, "deadline": str(holiday), "confirm_non_working_day": True})
    assert resp.status_code == 201 and resp.json()[0]["deadline"] == str(holiday)


def test_deadline_as_working_days_on_the_api_and_the_page(received, api_client, client):
    from dieuhanh.processing import calendar

    r = received
    holiday, _next = _holiday_ahead()
    api = api_client.as_user(r.org.leader_b)
    handlers = [{"unit_id": r.bd.pk, "role": "lead"}]
    resp = api.post(f"/api/v1/entries/{r.entry.pk}/assign", {"handlers": handlers, "working_days": 5,
                                                              "deadline": str(holiday)})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "working_days"
    resp = api.post(f"/api/v1/entries/{r.entry.pk}/assign", {"handlers": handlers, "working_days": 0})
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "working_days"
    days = calendar.working_days_between(datetime.date.today(), holiday + datetime.timedelta(days=1))
    resp = api.post(f"/api/v1/entries/{r.entry.pk}/assign", {"handlers": handlers, "working_days": days})
    assert resp.status_code == 201, resp.content
    (lead,) = Flow.objects.filter(depth=1)
    # N working days skip the weekend and the holiday: the day after it
    assert lead.deadline == holiday + datetime.timedelta(days=1)
    # the page: a holiday is refused beside the field, with the next working day, and working days are accepted
    client.force_login(r.head)
    client.cookies["django_language"] = "en"
    resp = client.post(f"/processing/flows/{lead.pk}/", {"action": "forward", "lead": [f"p:{r.spec1.pk}"],
                                                          "deadline": str(holiday)})
    assert resp.status_code == 400
    assert "not a working day" in resp.content.decode() and f"{holiday + datetime.timedelta(days=1):%d/%m/%Y}" \
        in resp.content.decode()
    assert not Flow.objects.filter(parent=lead).exists()
    resp = client.post(f"/processing/flows/{lead.pk}/", {"action": "forward", "lead": [f"p:{r.spec1.pk}"],
                                                          "working_days": "2"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert Flow.objects.get(parent=lead).deadline == calendar.add_working_days(datetime.date.today(), 2)
