"""Throughput of the gateway between two installations on this machine (issue 17, decision 0049): packages per
second with a 1 MB attachment, over signed HTTP (A's worker posts to B's gunicorn) and over AMQP (A publishes to
RabbitMQ with confirms, B takes and acks after its inbox commit). Each figure is the time of the worker's steps
themselves (`dieuhanh gateway once` reports it), without process start-up.

    .venv/bin/python bench/gateway_bench.py [--count 50] [--size 1048576] [--pg postgres://... --db-prefix h_xgw]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.gateway_fault import pg_settings  # noqa: E402
from dieuhanh.gateway.tests.twoinstallations import make_pair  # noqa: E402

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"


def drain(one, expect_key: str, total: int, limit: int) -> tuple[float, int]:
    seconds = done = 0
    for _ in range(total * 2 + 10):
        report = one.gateway_once(limit)
        seconds += report["seconds"]
        side, key = expect_key.split(".")
        done += report[side][key]
        if done >= total:
            break
    return seconds, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--size", type=int, default=1024 * 1024)
    parser.add_argument("--pg", default="")
    parser.add_argument("--db-prefix", default="dieuhanh_gw_bench")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as tmp:
        vendor = "postgresql" if args.pg else "sqlite"
        a, b, dbs = make_pair(Path(tmp), vendor, pg_settings(args.pg) if args.pg else None, args.db_prefix)
        try:
            b.start_server(workers=2)
            a.run("enqueue_many", b.code, args.count, args.size, "probe")
            seconds, sent = drain(a, "out.sent", args.count, 10)
            print(f"HTTP ({vendor}): {sent} packages of {args.size} bytes in {seconds:.2f} s = "
                  f"{sent / seconds:.1f} packages/s, {sent * args.size / seconds / 1e6:.1f} MB/s")
            queue = f"{BROKER}?queue=dieuhanh-bench-{uuid.uuid4().hex[:8]}"
            a.env_extra["DIEUHANH_GATEWAY_ROUTES"] = json.dumps([{"prefix": b.code, "url": queue}])
            b.env_extra["DIEUHANH_GATEWAY_INBOUND"] = json.dumps([queue])
            a.run("enqueue_many", b.code, args.count, args.size, "probe", args.count)
            out_seconds, sent = drain(a, "out.sent", args.count, 10)
            in_seconds, received = drain(b, "in.received", args.count, 10)
            print(f"AMQP ({vendor}): published {sent} in {out_seconds:.2f} s = {sent / out_seconds:.1f} packages/s; "
                  f"received {received} in {in_seconds:.2f} s = {received / in_seconds:.1f} packages/s; end to end "
                  f"{received / (out_seconds + in_seconds):.1f} packages/s")
            print(json.dumps({"B": b.run("counts")}))
            subprocess.run([sys.executable, "-c", "import pika; c = pika.BlockingConnection(pika.URLParameters("
                            f"{BROKER!r})); ch = c.channel(); ch.queue_delete(queue={queue.split('=')[1]!r}); "
                            "c.close()"], check=False)
        finally:
            a.stop()
            b.stop()
            dbs.drop_all()


if __name__ == "__main__":
    main()
