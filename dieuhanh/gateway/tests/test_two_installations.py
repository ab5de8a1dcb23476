"""Two installations on this machine (two databases, two gunicorn servers, their own ids, keys and organ codes)
exchange a real document over signed HTTP: A issues to B's organ, it arrives in B's awaiting-receipt queue, B
accepts and A sees 03; A recalls, B agrees, A sees the recall agreed and B's copy is withdrawn."""

import pytest
from django.db import connection

from .twoinstallations import make_pair


@pytest.fixture
def pair(tmp_path):
    # no test database of its own: the two installations get theirs, named after the configured one (h_xgw_a...)
    vendor = connection.vendor
    prefix = str(connection.settings_dict["NAME"]) if vendor == "postgresql" else "gw"
    a, b, dbs = make_pair(tmp_path, vendor, connection.settings_dict, db_prefix=prefix)
    try:
        a.start_server()
        b.start_server()
        yield a, b
    finally:
        a.stop()
        b.stop()
        dbs.drop_all()


def _pump(*installations):
    for one in installations:
        one.gateway_once()


def test_a_document_travels_between_installations_and_its_statuses_come_back(pair):
    a, b = pair
    issued = a.run("issue", b.code, "V/v phối hợp liên thông giữa hai hệ thống")
    _pump(a)  # A's worker posts the signed package to B's server
    [copy] = b.run("awaiting")["deliveries"]
    assert copy["subject"] == "V/v phối hợp liên thông giữa hai hệ thống"
    assert (copy["status"], copy["withdrawn"]) == ("01", False)
    _pump(b)  # B's 01 goes back to A
    assert a.run("outgoing", issued["document"])["deliveries"] == [
        {"organ": b.code, "status": "01", "withdrawn": False}]
    assert b.run("accept", copy["id"])["status"] == "03"
    _pump(b)
    assert a.run("outgoing", issued["document"])["deliveries"][0]["status"] == "03"
    # a second delivery of everything already sent changes nothing (the inbox de-duplicates)
    assert b.run("counts")["inbox"] == b.run("counts")["inbox_distinct"] == 1
    a.run("recall", issued["document"])
    _pump(a)  # 13 to B
    [copy] = b.run("awaiting")["deliveries"]
    b.run("answer_recall", copy["id"])
    _pump(b, a, b)  # 15 to A; A withdraws its copy and sends the revoke; B applies it
    [ours] = a.run("outgoing", issued["document"])["deliveries"]
    [theirs] = b.run("awaiting")["deliveries"]
    assert ours["withdrawn"] and theirs["withdrawn"], (ours, theirs)
    assert a.run("counts")["outbox"].get("failed") is None and b.run("counts")["outbox"].get("failed") is None
