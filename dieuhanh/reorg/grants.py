"""Who reads what a handover package brought in: the members of the receiving unit (and, through
``documents.policy.reader_unit_ids``, of its successors). Without it the imported collection had no reader but the
system administrators, and no index row at all (issue 15, bug 3; decision 0040).

Registered in ``ReorgConfig.ready()`` with ``documents.hooks`` (the exact check and the lists) and with
``search.services`` (the index row's reader tokens), both below reorg."""

from collections.abc import Iterable

from django.db.models import QuerySet

from dieuhanh.documents.models import Document

from .models import ImportedObject


class HandoverReads:
    """A member of the unit a document was imported into reads it."""

    @staticmethod
    def _imported(units: Iterable[int]) -> QuerySet:
        return ImportedObject.objects.filter(kind="document", handover__unit_id__in=list(units))

    def reads(self, user, document: Document, units: set[int]) -> bool:
        return self._imported(units).filter(target_id=document.pk).exists()

    def document_ids(self, user, units: set[int]) -> QuerySet:
        return self._imported(units).values("target_id")


def receiving_units(document: Document) -> list[int]:
    """The units a document was imported into: readers of its index row. An imported document has no issuing unit
    of this installation (decision 0023), so a document that has one costs no query."""
    if document.issuing_unit_id is not None:
        return []
    return list(ImportedObject.objects.filter(kind="document", target_id=document.pk)
                .values_list("handover__unit_id", flat=True))


handover_reads = HandoverReads()
