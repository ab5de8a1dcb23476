"""The holiday calendar after 2027 (decision 0039): years derived from the ``holidays`` package as provisional, the
decreed days loaded by an administrator, a warning while the table runs out, and a cache that follows changes."""

import datetime
import logging

import pytest
from django.core.management import call_command
from django.utils import translation

from dieuhanh.audit.models import AuditEvent
from dieuhanh.processing import calendar, jobs
from dieuhanh.processing import holidays as table
from dieuhanh.processing.models import Holiday

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh(db):
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def test_the_package_knows_vietnam_after_the_table():
    days = dict(table.from_package(2028))
    # Tết Nguyên đán 2028 is on 26 January (lunar 1/1), Giỗ Tổ Hùng Vương (lunar 10/3) on 4 April
    assert {D(2028, 1, 25), D(2028, 1, 26), D(2028, 1, 27), D(2028, 1, 28), D(2028, 1, 29)} <= set(days)
    assert "Tết Nguyên Đán" in days[D(2028, 1, 26)]
    assert "Hùng Vương" in days[D(2028, 4, 4)]
    assert {D(2028, 1, 1), D(2028, 4, 30), D(2028, 5, 1), D(2028, 9, 2)} <= set(days)
    # 30 April 2028 is a Sunday: the day off moves to Tuesday 2 May (1 May is a holiday too)
    assert D(2028, 5, 2) in days
    for year in range(2028, 2036):
        assert len(table.from_package(year)) >= 11  # 11 days a year under the Labour Code 2019, art. 112


def test_loading_a_year_the_table_lacks_takes_the_package_as_provisional():
    assert not Holiday.objects.filter(date__year=2028).exists()
    assert calendar.is_working_day(D(2028, 1, 26))  # cached: no holidays in 2028 yet
    count, provisional = calendar.load_year(2028)
    assert provisional and count == len(table.from_package(2028))
    assert set(Holiday.objects.filter(date__year=2028).values_list("provisional", flat=True)) == {True}
    assert not calendar.is_working_day(D(2028, 1, 26))  # the cache was cleared
    assert AuditEvent.objects.filter(action="holidays.replace").count() == 1


def test_a_decreed_year_loads_from_the_table():
    count, provisional = calendar.load_year(2026)
    assert not provisional and count == len(table.decreed(2026))
    assert not calendar.is_working_day(D(2026, 2, 16))


def test_the_decreed_days_replace_the_provisional_ones(tmp_path):
    calendar.load_year(2028)
    assert not calendar.is_working_day(D(2028, 11, 24))
    decreed = tmp_path / "2028.csv"
    decreed.write_text("# Thông báo nghỉ lễ năm 2028\n2028-01-01,Tết Dương lịch\n"
                       "22/01/2028,Tết Nguyên đán\n2028-01-24,Tết Nguyên đán\n2028-01-25,Tết Nguyên đán\n",
                       encoding="utf-8")
    call_command("holidays", "--year", "2028", "--file", str(decreed))
    assert set(Holiday.objects.filter(date__year=2028).values_list("provisional", flat=True)) == {False}
    assert Holiday.objects.filter(date__year=2028).count() == 4
    assert calendar.is_working_day(D(2028, 11, 24))  # no longer a holiday: the cache followed the change


def test_a_change_by_another_process_is_seen_after_the_cache_time(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(calendar.time, "monotonic", lambda: now[0])
    assert calendar.is_working_day(D(2029, 3, 5))
    Holiday.objects.create(date=D(2029, 3, 5), name="Ngày nghỉ")  # as another worker would, without clearing
    assert calendar.is_working_day(D(2029, 3, 5))  # still cached
    now[0] += calendar.CACHE_SECONDS + 1
    assert not calendar.is_working_day(D(2029, 3, 5))


def test_a_warning_while_the_table_runs_out(caplog):
    Holiday.objects.filter(date__year__gte=2028).delete()
    assert Holiday.objects.filter(date__year=2027).exists()
    assert calendar.coverage_warning(D(2027, 6, 1)) is None
    warning = calendar.coverage_warning(D(2027, 11, 1))  # 2028 starts within three months
    assert warning and "2028" in warning
    calendar.load_year(2028)
    with translation.override("en"):  # the words are checked in English; Vietnamese is the default
        warning = calendar.coverage_warning(D(2027, 11, 1))
    assert warning and "provisional" in warning and "2028" in warning
    Holiday.objects.filter(date__year=2028).update(provisional=False)
    assert calendar.coverage_warning(D(2027, 11, 1)) is None
    Holiday.objects.filter(date__year=2028).delete()
    with caplog.at_level(logging.WARNING):
        assert calendar.is_working_day(D(2028, 1, 26))
    assert "no days for 2028" in caplog.text


def test_the_daily_job_logs_the_warning(caplog, monkeypatch):
    monkeypatch.setattr(calendar.timezone, "localdate", lambda: D(2027, 11, 1))
    Holiday.objects.filter(date__year__gte=2028).delete()
    with caplog.at_level(logging.WARNING, logger="dieuhanh.processing.jobs"):
        jobs.daily_holiday_check()
    assert "2028" in caplog.text


def test_the_command_shows_the_calendar(capsys):
    call_command("holidays")
    out = capsys.readouterr().out
    assert "2025:" in out and "(decreed)" in out
    with pytest.raises(Exception, match="--file needs --year"):
        call_command("holidays", "--file", "x.csv")
