"""Record files under a freeze (decision 0022): records owns the files' table, ``documents.freeze`` owns the
freeze. Registered with ``documents.hooks`` in ``RecordsConfig.ready()`` because documents sits below records
and cannot import it (decision 0042).

:func:`require_files_not_frozen` is the check every write service of records calls."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from dieuhanh.documents.freeze import Frozen
from dieuhanh.documents.models import Freeze
from dieuhanh.units.models import Unit

from .models import RecordFile


def require_files_not_frozen(*files: RecordFile | int | None) -> None:
    """Refuse (raise :class:`~dieuhanh.documents.freeze.Frozen`) if any of the record ``files`` (objects or ids)
    is frozen. Reads the freeze column afresh, not the possibly stale object the caller holds."""
    ids = [f if isinstance(f, int) else f.pk for f in files if f is not None]
    if not ids:
        return
    hit = (RecordFile.objects.filter(pk__in=ids, freeze__isnull=False).select_related("freeze")
           .only("pk", "code", "freeze").order_by("pk").first())
    if hit is not None:
        raise Frozen(_("File %(code)s") % {"code": hit.code}, hit.freeze)


class RecordFileFreezing:
    """:class:`dieuhanh.documents.hooks.FreezableFiles` for record files."""

    def lock(self, unit: Unit | None, ids: list[int]) -> list[str]:
        qs = RecordFile.objects.select_for_update().filter(pk__in=ids)
        if unit is not None:
            qs = qs.filter(unit__path__startswith=unit.path)
        found = {f.pk: f for f in qs.order_by("pk")}
        for file_id in ids:
            file = found.get(file_id)
            if file is None:
                where = _(" within %(unit)s") % {"unit": unit.name} if unit is not None else ""
                raise ValidationError({"file_ids": _("File %(id)s does not exist%(where)s.") % {"id": file_id,
                                                                                             "where": where}})
            if file.freeze_id is not None:
                raise ValidationError({"file_ids": _("File %(code)s is already frozen (freeze no. %(freeze)s).")
                                       % {"code": file.code, "freeze": file.freeze_id}})
        return [found[i].code for i in ids]

    def hold(self, freeze: Freeze, ids: list[int]) -> None:
        RecordFile.objects.filter(pk__in=ids).update(freeze=freeze)

    def release(self, freeze: Freeze) -> int:
        return RecordFile.objects.filter(freeze=freeze).update(freeze=None)

    def counts(self, freeze_ids: Iterable[int]) -> dict[int, int]:
        return {row["freeze"]: row["n"] for row in RecordFile.objects.filter(freeze__in=list(freeze_ids))
                .values("freeze").annotate(n=Count("id"))}

    def listing(self, freeze: Freeze) -> QuerySet:
        qs = RecordFile.objects.filter(freeze=freeze) if freeze.active else RecordFile.objects.filter(
            pk__in=freeze.file_ids)
        return qs.select_related("unit").only("pk", "code", "year", "status", "unit__name").order_by("pk")

    def id_for_code(self, code: str) -> int | None:
        return RecordFile.objects.filter(code=code).values_list("pk", flat=True).first()


record_file_freezing = RecordFileFreezing()
