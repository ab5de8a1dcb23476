"""What processing adds to who may read a document: its handlers, in person or for a unit they belong to.

Registered with ``documents.hooks`` in ``ProcessingConfig.ready()``, since documents sits below processing and
cannot ask it directly (decision 0042). Both methods state the same rule, one for a page, one for a list."""

from django.db.models import Q, QuerySet

from dieuhanh.documents.models import Document

from .models import Flow


class HandlerReads:
    """A handler of a flow of a (not recalled) registration of the document reads it."""

    @staticmethod
    def _handled(user, units: set[int]) -> QuerySet:
        return Flow.objects.filter(entry__recalled_at__isnull=True).filter(
            Q(handler_user=user) | Q(handler_unit_id__in=units))

    def reads(self, user, document: Document, units: set[int]) -> bool:
        return self._handled(user, units).filter(entry__document=document).exists()

    def document_ids(self, user, units: set[int]) -> QuerySet:
        return self._handled(user, units).values("entry__document_id")


handler_reads = HandlerReads()
