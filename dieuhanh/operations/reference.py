"""Reference data the migrations seed (document types, holidays), restorable after a flush."""

from dieuhanh.documents.doctypes import seed_types
from dieuhanh.documents.models import DocumentType
from dieuhanh.processing.holidays import all_holidays
from dieuhanh.processing.models import Holiday


def ensure_reference_data():
    """Seed document types and holidays if the tables are empty (after ``flush`` or a transactional test)."""
    if not DocumentType.objects.exists():
        seed_types(DocumentType)
    if not Holiday.objects.exists():
        Holiday.objects.bulk_create([Holiday(date=d, name=n) for d, n in all_holidays()], ignore_conflicts=True)
