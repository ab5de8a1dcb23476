"""Index documents in the transaction that writes them: a post_save receiver runs inside the caller's
``transaction.atomic`` block, so a rolled-back write leaves no index row behind and a committed one is
searchable at once. Signals rather than calls in each service because documents are written from many
services (exchange, paper arrivals, drafting, digitization) and a forgotten call would be a silent gap."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from dieuhanh.documents.models import Document, DocumentFile, IncomingEntry
from dieuhanh.processing.models import Flow, FlowNote

from .services import index_document


@receiver(post_save, sender=Document, dispatch_uid="search_document")
def _document_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_document(instance.pk)


@receiver(post_save, sender=DocumentFile, dispatch_uid="search_document_file")
def _file_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_document(instance.document_id)


@receiver(post_save, sender=IncomingEntry, dispatch_uid="search_incoming_entry")
def _entry_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:  # a new reader: the registering unit
        index_document(instance.document_id)


@receiver(post_save, sender=Flow, dispatch_uid="search_flow")
def _flow_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:  # a new reader (the handler) and the leader's direction
        index_document(instance.entry.document_id)


@receiver(post_save, sender=FlowNote, dispatch_uid="search_flow_note")
def _note_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        index_document(instance.flow.entry.document_id)
