"""Issue 21: the hand-written Prometheus exposition (counters, a cumulative histogram, registered collectors,
job failures counted through the queue storage) and who may scrape it."""

import pytest
from django.test import RequestFactory

from dieuhanh.kernel import metrics


@pytest.fixture(autouse=True)
def _fresh():
    metrics.REQUESTS.reset()
    yield
    metrics.REQUESTS.reset()


def _sample_lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_histogram_is_cumulative_and_inf_equals_count():
    for seconds in (0.001, 0.03, 0.03, 0.4, 20.0):
        metrics.REQUESTS.observe("GET", "/documents/<int:pk>/", 200, seconds)
    metrics.REQUESTS.observe("GET", "/documents/<int:pk>/", 404, 0.002)
    text = metrics.exposition()
    assert 'dieuhanh_http_requests_total{method="GET",route="/documents/<int:pk>/",status="200"} 5' in text
    assert 'dieuhanh_http_requests_total{method="GET",route="/documents/<int:pk>/",status="404"} 1' in text
    buckets = _sample_lines(text, "dieuhanh_http_request_duration_seconds_bucket")
    values = [float(line.rsplit(" ", 1)[1]) for line in buckets]
    assert values == sorted(values)  # cumulative
    by_le = {line.split('le="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1]) for line in buckets}
    assert by_le["0.005"] == 2 and by_le["0.05"] == 4 and by_le["0.5"] == 5 and by_le["10"] == 5
    assert by_le["+Inf"] == 6
    assert 'dieuhanh_http_request_duration_seconds_count{method="GET",route="/documents/<int:pk>/"} 6' in text


def test_label_values_are_escaped():
    metrics.REQUESTS.observe("GET", 'a"b\\c\nd', 200, 0.1)
    assert 'route="a\\"b\\\\c\\nd"' in metrics.exposition()


def test_collectors_registered_by_higher_layers_and_a_failing_one_is_skipped():
    metrics.register_collector("test_gauge", "A test gauge.", "gauge", lambda: [({"k": "v"}, 3.0)])

    def broken():
        raise ConnectionError("down")

    metrics.register_collector("test_broken", "Broken.", "gauge", broken)
    try:
        text = metrics.exposition()
    finally:
        metrics.COLLECTORS.pop("test_gauge")  # the test cleans up what it registered
        metrics.COLLECTORS.pop("test_broken")
    assert '# TYPE test_gauge gauge\ntest_gauge{k="v"} 3' in text
    assert "# HELP test_broken Broken. (unavailable at this scrape)" in text
    with pytest.raises(ValueError):
        metrics.register_collector("x", "x", "summary", lambda: [])


def test_job_failures_counted_in_queue_storage():
    from huey.contrib.djhuey import HUEY
    from huey.signals import SIGNAL_ERROR

    class Task:
        name = "documents.jobs.example"

    HUEY.storage.pop_data(metrics.JOB_FAILURES_KEY)
    try:
        metrics.record_job_failure("error", Task(), RuntimeError("x"))
        HUEY._signal.send(SIGNAL_ERROR, Task(), RuntimeError("y"))  # noqa: SLF001 - the path huey takes
        text = metrics.exposition()
    finally:
        HUEY.storage.pop_data(metrics.JOB_FAILURES_KEY)
    assert 'dieuhanh_job_failures_total{task="documents.jobs.example"} 2' in text


def test_route_template_not_raw_path(rf: RequestFactory):
    request = rf.get("/documents/123/")
    assert metrics.route_of(request) == "<unmatched>"


def test_scrape_allowed(rf: RequestFactory, settings):
    settings.DIEUHANH_METRICS_TOKEN = ""
    assert metrics.scrape_allowed(rf.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    assert metrics.scrape_allowed(rf.get("/metrics", REMOTE_ADDR="::1"))
    assert not metrics.scrape_allowed(rf.get("/metrics", REMOTE_ADDR="192.168.1.5"))
    assert not metrics.scrape_allowed(rf.get("/metrics", REMOTE_ADDR="garbage"))
    settings.DIEUHANH_METRICS_TOKEN = "t0ken"
    assert not metrics.scrape_allowed(rf.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    assert metrics.scrape_allowed(rf.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_AUTHORIZATION="Bearer t0ken"))
