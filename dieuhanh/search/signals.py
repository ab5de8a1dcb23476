"""Index documents in the transaction that writes them: a post_save receiver runs inside the caller's
``transaction.atomic`` block, so a rolled-back write leaves no index row behind and a committed one is
searchable at once. Signals rather than calls in each service because documents are written from many
services (exchange, paper arrivals, drafting, digitization) and a forgotten call would be a silent gap.

Inside an action's ``kernel.writeorder.index_last`` block the row is written at the end of the action instead,
once, after every domain row it locks (decision 0038: index writes last)."""

from functools import partial

from django.db.models.signals import post_save
from django.dispatch import receiver

from dieuhanh.documents.models import Document, DocumentFile, IncomingEntry
from dieuhanh.kernel.writeorder import later
from dieuhanh.processing.models import Flow, FlowNote

from .services import index_document


def _index(document_id: int) -> None:
    """Write the row now, or at the end of the open ``index_last`` block."""
    if not later(("search.document", document_id), partial(index_document, document_id)):
        index_document(document_id)


@receiver(post_save, sender=Document, dispatch_uid="search_document")
def _document_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _index(instance.pk)


@receiver(post_save, sender=DocumentFile, dispatch_uid="search_document_file")
def _file_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _index(instance.document_id)


@receiver(post_save, sender=IncomingEntry, dispatch_uid="search_incoming_entry")
def _entry_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:  # a new reader: the registering unit
        _index(instance.document_id)


@receiver(post_save, sender=Flow, dispatch_uid="search_flow")
def _flow_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:  # a new reader (the handler) and the leader's direction
        _index(instance.entry.document_id)


@receiver(post_save, sender=FlowNote, dispatch_uid="search_flow_note")
def _note_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        _index(instance.flow.entry.document_id)
