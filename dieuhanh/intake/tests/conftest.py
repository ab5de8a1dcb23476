import imaplib

import pytest

from dieuhanh.exchange.tests.conftest import ex, media  # noqa: F401  (the exchange's fixtures, reused)

from . import dovecot


@pytest.fixture(scope="session")
def imap_server():
    """A real dovecot for the session (throw-away: own config, passwd file, maildir, free port)."""
    why = dovecot.available()
    if why:
        pytest.skip(f"IMAP tests need dovecot: {why}")
    server = dovecot.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server, settings):
    """An empty INBOX on the test server, named "test" in the settings; ``append(raw)`` delivers a message."""
    conn = imaplib.IMAP4("127.0.0.1", imap_server.port)
    conn.login(imap_server.user, imap_server.password)
    conn.select("INBOX")
    status, data = conn.uid("SEARCH", None, "ALL")
    if data[0]:
        conn.uid("STORE", b",".join(data[0].split()).decode(), "+FLAGS", "(\\Deleted)")
        conn.expunge()
    settings.DIEUHANH_INTAKE_MAILBOXES = {"test": {
        "host": "127.0.0.1", "port": imap_server.port, "ssl": False, "user": imap_server.user,
        "password": imap_server.password, "folder": "INBOX"}}

    class Box:
        def append(self, raw: bytes) -> None:
            assert conn.append("INBOX", None, None, raw)[0] == "OK"

        def flags(self) -> list[bytes]:
            conn.select("INBOX")
            status, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            return [d for d in data if d]

        def unflag_all(self) -> None:
            conn.select("INBOX")
            conn.uid("STORE", "1:*", "-FLAGS", "(\\Seen DieuhanhDone)")

    yield Box()
    conn.logout()
