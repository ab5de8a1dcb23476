from django.core.management.base import BaseCommand, CommandError

from dieuhanh.audit import checkpoints
from dieuhanh.audit.chain import checkpoint_count, verify


class Command(BaseCommand):
    help = ("dieuhanh audit verify: check every audit hash chain and signed checkpoint, and report the first broken "
            "link of each chain. dieuhanh audit checkpoint: sign the head of every chain that moved. "
            "dieuhanh audit keygen: print a new signing key for DIEUHANH_AUDIT_SIGNING_KEY.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "keygen"])

    def handle(self, *args, action, **options):
        if action == "keygen":
            private, public = checkpoints.generate_key()
            self.stdout.write(f"DIEUHANH_AUDIT_SIGNING_KEY={private}\n"
                              f"# public key (list it in DIEUHANH_AUDIT_TRUSTED_KEYS after a later key change): "
                              f"{public}")
            return
        if action == "checkpoint":
            made = checkpoints.make_checkpoints()
            for cp in made:
                self.stdout.write(f"chain {cp.chain}: seq {cp.seq} {cp.hash} signed {cp.at:%Y-%m-%d %H:%M:%S} UTC")
            self.stdout.write(self.style.SUCCESS(f"{len(made)} chain head(s) signed."))
            return
        problems, checked = verify(progress=lambda n: self.stdout.write(f"  {n:,} events checked…"))
        if problems:
            for p in problems:
                if p["chain"] is None:  # a problem of the anchor file itself
                    self.stdout.write(self.style.ERROR(f"anchor file: {p['problem']}"))
                    continue
                where = (f"event {p['event']}" if p.get("event") else f"checkpoint {p['checkpoint']}"
                         if p.get("checkpoint") else "no event")
                self.stdout.write(self.style.ERROR(
                    f"chain {p['chain']}: broken at seq {p['seq']} ({where}): {p['problem']}"))
            raise CommandError(f"{len(problems)} problem(s) found; {checked:,} events checked")
        self.stdout.write(self.style.SUCCESS(
            f"All chains intact: {checked:,} events and {checkpoint_count():,} signed checkpoints checked."))
