"""`dieuhanh gateway run` (the worker loop, in its own process), `gateway once`, `gateway public-key`."""

import time

from django.core.management.base import BaseCommand

from dieuhanh.gateway import selectors, signing
from dieuhanh.gateway.inbound import read_inbound
from dieuhanh.gateway.services import send_due


class Command(BaseCommand):
    help = "Exchange gateway: run the worker loop, one step, or print this installation's public key."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "once", "public-key", "status"])
        parser.add_argument("--interval", type=float, default=1.0, help="seconds to sleep when nothing was due")
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, action, interval, limit, **options):
        if action == "public-key":
            self.stdout.write(signing.public_key_pem())
            return
        if action == "status":
            for state in ("queued", "sending", "sent", "failed"):
                self.stdout.write(f"{state}: {selectors.outbox_items(states=[state]).count()}")
            return
        while True:
            out, inbound = send_due(limit=limit), read_inbound(limit=limit)
            busy = any(out.values()) or any(inbound.values())
            if action == "once":
                self.stdout.write(f"out {out} in {inbound}")
                return
            if not busy:
                time.sleep(interval)
