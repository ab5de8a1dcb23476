"""Reliability of the gateway between two installations on this machine (issue 17, decision 0049).

A batch of packages goes from A to B over signed HTTP while A's gateway worker is killed (SIGKILL) in the middle
and restarted, then B's server is killed in the middle and restarted. At the end every package must have arrived
exactly once: A's outbox all sent, B's inbox one row per package, none missing, none doubled.

    .venv/bin/python bench/gateway_fault.py [--count 1000] [--pg postgres://postgres@127.0.0.1:5432/x --db-prefix h_xgw]
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dieuhanh.gateway.tests.twoinstallations import make_pair  # noqa: E402


def pg_settings(url: str) -> dict:
    parts = urlparse(url)
    return {"HOST": parts.hostname, "PORT": parts.port or 5432, "USER": parts.username or "postgres",
            "PASSWORD": parts.password or ""}


def wait_sent(a, at_least: int, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        counts = a.run("counts")
        if counts["outbox"].get("sent", 0) >= at_least or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--size", type=int, default=2048, help="bytes per package")
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (its host, port, user); SQLite files otherwise")
    parser.add_argument("--db-prefix", default="dieuhanh_gw_fault")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gateway-fault-") as tmp:
        vendor = "postgresql" if args.pg else "sqlite"
        a, b, dbs = make_pair(Path(tmp), vendor, pg_settings(args.pg) if args.pg else None, args.db_prefix)
        try:
            b.start_server(workers=2)
            a.start_server()
            a.run("enqueue_many", b.code, args.count, args.size, "probe")
            print(f"queued {args.count} packages of {args.size} bytes in A ({vendor})")
            started = time.monotonic()
            a.start_worker()
            mid = wait_sent(a, args.count // 4)
            a.stop_worker(kill=True)
            print(f"killed A's worker (SIGKILL) at {mid['outbox']}")
            a.start_worker()
            mid = wait_sent(a, args.count // 2)
            b.stop_server(kill=True)
            print(f"killed B's server (SIGKILL) at {a.run('counts')['outbox']}")
            time.sleep(3)
            b.start_server(workers=2)
            print("restarted B's server")
            final = wait_sent(a, args.count)
            elapsed = time.monotonic() - started
            a.stop_worker()
            got = b.run("counts")
            print(json.dumps({"A_outbox": final["outbox"], "B_inbox_rows": got["inbox"],
                              "B_inbox_distinct": got["inbox_distinct"], "seconds": round(elapsed, 1)}))
            sent = final["outbox"].get("sent", 0)
            ok = sent == args.count and got["inbox"] == got["inbox_distinct"] == args.count
            print(f"sent {sent}/{args.count}; arrived {got['inbox_distinct']} distinct in {got['inbox']} rows: "
                  f"lost {args.count - got['inbox_distinct']}, doubled {got['inbox'] - got['inbox_distinct']} "
                  f"-> {'OK' if ok else 'FAILED'}")
            sys.exit(0 if ok else 1)
        finally:
            a.stop()
            b.stop()
            dbs.drop_all()


if __name__ == "__main__":
    main()
