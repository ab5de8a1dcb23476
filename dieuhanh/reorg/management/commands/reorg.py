import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dieuhanh.accounts.models import User
from dieuhanh.reorg import selectors, services
from dieuhanh.reorg.models import Decision

from .handover import error_text


class Command(BaseCommand):
    help = ("dieuhanh reorg preview DECISION_ID: the dry run (counts and problems) as JSON. "
            "dieuhanh reorg execute DECISION_ID: execute it, resuming after the last committed step.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["preview", "execute"])
        parser.add_argument("decision_id", type=int)
        parser.add_argument("--user", help="username recorded as the actor (default: the console)")

    def handle(self, action, decision_id, user=None, **options):
        decision = Decision.objects.filter(pk=decision_id).first()
        if decision is None:
            raise CommandError(f"Unknown decision {decision_id}.")
        actor = User.objects.filter(username=user).first() if user else None
        if user and actor is None:
            raise CommandError(f"Unknown user {user!r}.")
        if action == "preview":
            self.stdout.write(json.dumps(selectors.preview(decision), ensure_ascii=False, indent=1, default=str))
            return
        try:
            done = services.execute(actor=actor, decision=decision, console=actor is None)
        except ValidationError as exc:
            raise CommandError(error_text(exc)) from exc
        steps = done.steps.count()
        self.stdout.write(self.style.SUCCESS(f"Decision {done.pk}: {done.status}, {steps} steps done."))
