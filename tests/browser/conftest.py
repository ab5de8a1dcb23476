"""Playwright driving Debian's chromium (/usr/bin/chromium); no tool ever downloads a browser."""

import os
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
# Without the background-networking switches chromium tries to reach Google's hosts at every start.
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_sqlite():
    """On SQLite the live server's threads share the test database's one in-memory connection, and two requests
    at once (the bell's poll during a sign-in) fail with "database table is locked". Serve one request at a
    time there; PostgreSQL keeps the threaded server (each thread has its own connection)."""
    from django.db import connection
    from django.test import testcases

    if connection.vendor != "sqlite":
        yield
        return
    threaded = testcases.LiveServerThread.server_class
    testcases.LiveServerThread.server_class = OneAtATimeWSGIServer
    yield
    testcases.LiveServerThread.server_class = threaded


class OneAtATimeWSGIServer(WSGIServer):
    """Django's WSGIServer (one request at a time, ``Connection: close``), taking the argument the live server
    passes to its threaded one."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def watched_page(browser, size, **context_args):
    """A new page at ``size`` ("phone" or "desktop") and the list that collects its Content-Security-Policy
    violations, which the tests assert stays empty."""
    context = browser.new_context(viewport=VIEWPORTS[size], is_mobile=size == "phone", **context_args)
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return context, page, violations


def login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
