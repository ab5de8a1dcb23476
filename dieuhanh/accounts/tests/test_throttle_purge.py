"""The sign-in counters are purged once nothing needs them (decision 0039): no lock in force, no failure within
the lockout window."""

import datetime

from django.utils import timezone

from dieuhanh.accounts import jobs, services
from dieuhanh.accounts.models import LoginThrottle


def test_purge_keeps_locks_and_recent_failures(db, settings):
    settings.DIEUHANH_LOGIN_LOCKOUT_SECONDS = 900
    now = timezone.now()
    minutes = lambda m: now - datetime.timedelta(minutes=m)  # noqa: E731
    LoginThrottle.objects.bulk_create([
        LoginThrottle(username="never.failed"),  # a successful sign-in leaves a row with nothing in it
        LoginThrottle(username="failed.long.ago", failures=4, last_failure_at=minutes(60 * 24 * 400)),
        LoginThrottle(username="failed.recently", failures=2, last_failure_at=minutes(5)),
        LoginThrottle(username="code.failed.recently", code_failures=2, last_failure_at=minutes(14)),
        LoginThrottle(username="locked", locked_until=now + datetime.timedelta(minutes=10),
                      last_failure_at=minutes(20)),
        LoginThrottle(username="lock.ended", locked_until=minutes(1), last_failure_at=minutes(16)),
    ])
    assert services.purge_login_throttles(now) == 3
    assert set(LoginThrottle.objects.values_list("username", flat=True)) == {
        "failed.recently", "code.failed.recently", "locked"}


def test_the_hourly_job_purges(db):
    LoginThrottle.objects.create(username="never.failed")
    jobs.hourly_throttle_purge()  # runs inline in tests
    assert not LoginThrottle.objects.exists()


def test_a_purge_between_the_two_steps_of_a_sign_in_is_harmless(org, client, monkeypatch):
    authenticate = services.authenticate

    def purge_meanwhile(*args, **kwargs):
        services.purge_login_throttles()  # the job runs while the password is being checked
        return authenticate(*args, **kwargs)

    monkeypatch.setattr(services, "authenticate", purge_meanwhile)
    resp = client.post("/accounts/login/", {"username": org.clerk_a.username, "password": "wrong-password"})
    assert resp.status_code in (200, 400, 401)
    assert LoginThrottle.objects.get(username=org.clerk_a.username).failures == 1
