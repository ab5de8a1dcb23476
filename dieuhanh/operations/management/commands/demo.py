from django.core.management import call_command
from django.core.management.base import BaseCommand

from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo, seed_demo_documents, seed_demo_pki


class Command(BaseCommand):
    help = "Create the demo organization (idempotent), print its logins and serve on http://127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Only create the data; do not start a server.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, no_serve=False, addrport="127.0.0.1:8000", **options):
        call_command("migrate", interactive=False, verbosity=0)
        logins = seed_demo()
        seed_demo_documents()
        issued = seed_demo_pki()
        self.stdout.write(self.style.SUCCESS(f"Demo organization ready. Password for every account: {DEMO_PASSWORD}"))
        self.stdout.write(f"Demo PKI: a test CA, a local time-stamp authority, {issued} new certificates; leaders sign "
                          f"with the passphrase {DEMO_PASSWORD}.")
        width = max(len(u) for u, *_ in logins)
        for username, full_name, role, unit in logins:
            self.stdout.write(f"  {username:<{width}}  {role:<22} {full_name:<24} {unit}")
        if not no_serve:
            from django.conf import settings

            # The demo accounts have no authenticators; a real installation keeps enforcement on.
            settings.DIEUHANH_2FA_ENFORCED = False
            # No separate worker in the demo: background jobs (signature checks, conversions, OCR) run right
            # after each request commits, and signatures are time-stamped by the demo's local authority.
            from huey.contrib.djhuey import HUEY

            HUEY.immediate = True
            if not settings.DIEUHANH_TSA_URL:
                settings.DIEUHANH_TSA_URL = "local"
            self.stdout.write("Two-factor authentication is not enforced on this demo server "
                              "(set it up under /accounts/2fa/setup/ to try it).")
            self.stdout.write(f"Open http://{addrport}/ and sign in, e.g. as vanthu.hanoi")
            call_command("runserver", addrport, use_reloader=False)
