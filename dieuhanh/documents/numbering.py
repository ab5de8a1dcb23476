"""Numbering series: which series a document draws from, gapless numbers under concurrency, symbols."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import DocumentSystem, NumberSeries, SeriesCounter, SeriesRule, Term


def format_symbol(*, system, number, abbreviation, issuer_short, drafting_short="", is_letter=False):
    """The number and symbol as written on the document.

    >>> format_symbol(system="state", number=12, abbreviation="QĐ", issuer_short="UBND")
    '12/QĐ-UBND'
    >>> format_symbol(system="state", number=123, abbreviation="", issuer_short="UBND", drafting_short="VP",
    ...               is_letter=True)
    '123/UBND-VP'
    >>> format_symbol(system="party", number=5, abbreviation="CV", issuer_short="TU")
    '05-CV/TU'
    """
    num = f"{number:02d}"
    if system == DocumentSystem.PARTY:
        return f"{num}-{abbreviation}/{issuer_short}" if abbreviation else f"{num}/{issuer_short}"
    parts = [issuer_short] if (is_letter or not abbreviation) else [f"{abbreviation}-{issuer_short}"]
    if drafting_short:
        parts.append(drafting_short)
    return f"{num}/" + "-".join(parts)


def series_for(unit, document_type, *, secret):
    """The series an issue of ``document_type`` by ``unit`` draws from; a type-specific series wins."""
    candidates = list(
        NumberSeries.objects.filter(unit=unit, system=document_type.system, secret=secret, active=True)
        .filter(Q(document_type=document_type) | Q(document_type__isnull=True))
    )
    for series in candidates:
        if series.document_type_id == document_type.pk:
            return series
    # State legal normative types never share the general administrative series.
    if not (document_type.system == DocumentSystem.STATE and document_type.legal_normative):
        for series in candidates:
            return series
    message = (_("%(unit)s has no active secret numbering series for %(type)s.") if secret else
               _("%(unit)s has no active numbering series for %(type)s."))
    raise ValidationError({"series": message % {"unit": unit.name, "type": document_type.name}})


def check_series_fits(series, document):
    """Refuse a series that does not belong to the document's unit, system, secrecy or type."""
    doc_type = document.document_type
    problems = []
    if series.unit_id != document.issuing_unit_id:
        problems.append(_("belongs to another unit"))
    if series.system != doc_type.system:
        problems.append(_("is a %(system)s series") % {"system": series.get_system_display()})
    if series.secret != document.is_secret:
        problems.append(_("is a secret series") if series.secret else _("is not a secret series"))
    if series.document_type_id not in (None, doc_type.pk):
        problems.append(_("is reserved for %(type)s") % {"type": series.document_type.name})
    if series.document_type_id is None and doc_type.system == DocumentSystem.STATE and doc_type.legal_normative:
        problems.append(_("cannot number %(type)s, which has its own series") % {"type": doc_type.name})
    if not series.active:
        problems.append(_("is closed"))
    if problems:
        raise ValidationError({"series_id": _("The series '%(name)s' %(problems)s.") % {
            "name": series.name, "problems": "; ".join(problems)}})


def period_for(series, document_type, on_date):
    """The counter key: the year (State) or the Party-committee term covering ``on_date`` and the type."""
    if series.rule == SeriesRule.YEARLY:
        return str(on_date.year)
    term = (
        Term.objects.filter(unit=series.unit_id, starts_on__lte=on_date)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on_date))
        .order_by("-starts_on")
        .first()
    )
    if term is None:
        raise ValidationError({"issued_on": _("No Party-committee term of %(unit)s covers %(date)s.") % {
            "unit": series.unit.name, "date": on_date}})
    # A general Party series numbers each type separately within the term.
    type_part = "" if series.document_type_id else f":t{document_type.pk}"
    return f"term{term.pk}{type_part}"


def take_number(series, period):
    """Take the next number. The counter row stays locked until the caller's transaction ends, so numbers
    are unique and, since a rolled-back transaction gives its number back, gapless.

    One ``UPDATE … RETURNING`` both locks the row and increments it (PostgreSQL and SQLite ≥ 3.35 alike); the
    first number of a period creates its counter row first.
    """
    table = SeriesCounter._meta.db_table
    sql = f"UPDATE {table} SET last_number = last_number + 1 WHERE series_id = %s AND period = %s RETURNING last_number"
    with connection.cursor() as cursor:
        cursor.execute(sql, [series.pk, period])
        row = cursor.fetchone()
        if row is None:
            SeriesCounter.objects.bulk_create([SeriesCounter(series=series, period=period)], ignore_conflicts=True)
            cursor.execute(sql, [series.pk, period])
            row = cursor.fetchone()
    return row[0]


def last_number(series, period):
    counter = SeriesCounter.objects.filter(series=series, period=period).first()
    return counter.last_number if counter else 0
