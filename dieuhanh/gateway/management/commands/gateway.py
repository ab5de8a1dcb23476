"""`dieuhanh gateway run` (the worker loop, in its own process), `once`, `probe <organ>`, `public-key`, `status`."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from dieuhanh.gateway import selectors, services, signing
from dieuhanh.gateway.inbound import read_inbound


class Command(BaseCommand):
    help = "Exchange gateway: run the worker loop or one step, probe a route, print the public key or the counts."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "once", "probe", "public-key", "status"])
        parser.add_argument("destination", nargs="?", default="", help="organ code (probe)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds to sleep when nothing was due")
        parser.add_argument("--limit", type=int, default=100)
        parser.add_argument("--lease", type=int, default=services.LEASE_SECONDS,
                            help="seconds before an item claimed by a worker that died is due again")
        parser.add_argument("--backoff", type=float, default=services.BACKOFF_BASE_SECONDS,
                            help="seconds before the first retry (doubling each time)")

    def handle(self, *args, action, destination, interval, limit, lease, backoff, **options):
        if action == "public-key":
            self.stdout.write(signing.public_key_pem())
            return
        if action == "status":
            for state in ("queued", "sending", "sent", "failed"):
                self.stdout.write(f"{state}: {selectors.outbox_items(states=[state]).count()}")
            return
        if action == "probe":
            if not destination:
                raise CommandError("probe needs an organ code")
            self.stdout.write(services.probe(destination=destination).package_id)
            return
        while True:
            started = time.monotonic()
            out = services.send_due(limit=limit, lease_seconds=lease, backoff_base=backoff)
            inbound = read_inbound(limit=limit)
            if action == "once":
                self.stdout.write(json.dumps({"out": out, "in": inbound,
                                              "seconds": round(time.monotonic() - started, 3)}))
                return
            if not any(out.values()) and not any(inbound.values()):
                time.sleep(interval)
