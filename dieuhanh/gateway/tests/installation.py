"""One installation's side of the two-installation test and the gateway benches, run in its own process with
that installation's environment (DATABASE_URL, DIEUHANH_VAR_DIR, DIEUHANH_INSTALLATION_ID, routes, peers):
``python -m dieuhanh.gateway.tests.installation <action> [args]``; prints one JSON line."""

import datetime
import io
import json
import os
import sys


def setup(code: str, name: str, peer_code: str, peer_name: str) -> dict:
    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.documents import services as doc_services
    from dieuhanh.exchange.models import Organ
    from dieuhanh.gateway import signing
    from dieuhanh.operations.reference import ensure_reference_data
    from dieuhanh.units import services as unit_services
    from dieuhanh.units.models import Unit, UnitKind

    ensure_reference_data()
    admin = User.objects.filter(username="root").first() or User.objects.create_superuser("root", password="x")
    unit = Unit.objects.filter(code=code).first() or unit_services.create_unit(
        actor=admin, parent=None, code=code, name=name, short_name="UB", kind=UnitKind.CENTRAL,
        effective_from=datetime.date(2025, 7, 1))
    clerk = User.objects.filter(username="clerk").first()
    if clerk is None:
        clerk = User.objects.create_user("clerk", password="x", full_name="Văn thư")
        Membership.objects.create(user=clerk, unit=unit, role=Role.CLERK)
        year = datetime.date.today().year
        doc_services.open_standard_registers(actor=admin, unit=unit, year=year)
        doc_services.create_series(actor=admin, unit=unit, name="Văn bản hành chính", system="state", rule="yearly")
    Organ.objects.get_or_create(code=peer_code, defaults={"name": peer_name})
    return {"unit": unit.pk, "public_key": signing.public_key_pem()}


def issue(peer_code: str, subject: str) -> dict:
    from dieuhanh.accounts.models import User
    from dieuhanh.documents import services as doc_services
    from dieuhanh.documents.models import DocumentType
    from dieuhanh.documents.testing import make_pdf
    from dieuhanh.gateway.models import OutboxItem

    clerk = User.objects.get(username="clerk")
    unit = clerk.memberships.get().unit
    blob = doc_services.store_file(actor=clerk, fileobj=io.BytesIO(make_pdf(subject)), content_type="application/pdf")
    doc = doc_services.create_outgoing(
        actor=clerk, unit=unit, document_type_id=DocumentType.objects.get(system="state", name="Công văn").pk,
        subject=subject, files=[{"sha256": blob.sha256, "name": "cv.pdf"}], signer_name="Nguyễn Văn An",
        signer_position="Chánh Văn phòng", recipients=[{"external_code": peer_code, "name": "Bên kia"}])
    doc = doc_services.issue_document(actor=clerk, document=doc)
    return {"document": doc.pk, "outbox": list(OutboxItem.objects.values_list("package_id", flat=True))}


def recall(document_id: int) -> dict:
    from dieuhanh.accounts.models import User
    from dieuhanh.documents import services as doc_services
    from dieuhanh.documents.models import Document

    doc_services.request_recall(actor=User.objects.get(username="clerk"), document=Document.objects.get(pk=document_id),
                                reason="Sai sót")
    return {}


def awaiting() -> dict:
    """The deliveries of this installation's unit that came from outside, with their state."""
    from dieuhanh.documents.models import Delivery

    rows = Delivery.objects.filter(recipient_unit__isnull=False).order_by("pk")
    return {"deliveries": [{"id": d.pk, "subject": d.document.subject, "status": d.status,
                            "withdrawn": d.withdrawn_at is not None, "sender": d.external_code or ""}
                           for d in rows.select_related("document")]}


def accept(delivery_id: int) -> dict:
    from dieuhanh.accounts.models import User
    from dieuhanh.documents import services as doc_services
    from dieuhanh.documents.models import Delivery

    clerk = User.objects.get(username="clerk")
    doc_services.accept_delivery(actor=clerk, delivery=Delivery.objects.get(pk=delivery_id))
    return {"status": Delivery.objects.get(pk=delivery_id).status}


def answer_recall(delivery_id: int) -> dict:
    from dieuhanh.accounts.models import User
    from dieuhanh.documents import services as doc_services
    from dieuhanh.documents.models import Delivery

    doc_services.answer_recall(actor=User.objects.get(username="clerk"), delivery=Delivery.objects.get(pk=delivery_id),
                               agree=True)
    return {"status": Delivery.objects.get(pk=delivery_id).status}


def outgoing(document_id: int) -> dict:
    """Our copies sent outside: each delivery's status as we see it."""
    from dieuhanh.documents.models import Delivery

    rows = Delivery.objects.filter(document_id=document_id).exclude(external_code="").order_by("pk")
    return {"deliveries": [{"organ": d.external_code, "status": d.status, "withdrawn": d.withdrawn_at is not None}
                           for d in rows]}


def enqueue_many(destination: str, count: int, size: int, kind: str, start: int = 0) -> dict:
    """The benches' batch: ``count`` packages of ``size`` bytes, each queued in its own transaction."""
    from django.db import transaction

    from dieuhanh.gateway.services import enqueue

    body = os.urandom(size // 2).hex().encode()[:size]
    for n in range(start, start + count):
        with transaction.atomic():
            enqueue(destination=destination, package_id=f"bench-{n:06d}", payload=body, kind=kind)
    return {"queued": count}


def counts() -> dict:
    from django.db.models import Count

    from dieuhanh.gateway.models import InboxItem, OutboxItem

    states = dict(OutboxItem.objects.values_list("state").annotate(n=Count("pk")))
    inbox = InboxItem.objects.count()
    distinct = InboxItem.objects.values("source", "package_id").distinct().count()
    return {"outbox": states, "inbox": inbox, "inbox_distinct": distinct}


def once(limit: int = 1000) -> dict:
    """One step of this installation's gateway worker (send what is due, read the inbound folders and queues)."""
    import time

    from dieuhanh.gateway.inbound import read_inbound
    from dieuhanh.gateway.services import send_due

    started = time.monotonic()
    out, inbound = send_due(limit=limit), read_inbound(limit=limit)
    return {"out": out, "in": inbound, "seconds": round(time.monotonic() - started, 3)}


def serve() -> None:
    """Answer one action per line of stdin (``action arg...``), one JSON line each: Django starts once."""
    from django.db import connections

    for line in sys.stdin:
        action, *args = line.rstrip("\n").split("\t")
        try:
            answer = ACTIONS[action](*[int(a) if a.isdigit() else a for a in args])
        except Exception as exc:  # told to the caller, which fails the test with it
            import traceback

            answer = {"error": f"{exc.__class__.__name__}: {exc}", "trace": traceback.format_exc()}
        connections.close_all()
        print(json.dumps(answer, ensure_ascii=False), flush=True)


ACTIONS = {"setup": setup, "once": once, "issue": issue, "recall": recall, "awaiting": awaiting, "accept": accept,
           "answer_recall": answer_recall, "outgoing": outgoing, "enqueue_many": enqueue_many, "counts": counts}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()
    action, *args = sys.argv[1:]
    if action == "serve":
        serve()
        return
    typed = [int(a) if a.isdigit() else a for a in args]
    print(json.dumps(ACTIONS[action](*typed), ensure_ascii=False))


if __name__ == "__main__":
    main()
