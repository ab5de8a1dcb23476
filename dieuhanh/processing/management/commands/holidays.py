"""The yearly update of the holiday calendar (decision 0039).

    dieuhanh holidays                            what the calendar holds, year by year, and what to do
    dieuhanh holidays --year 2028                the decreed days of processing/holidays.py, or else the holidays
                                                 package's days for Vietnam, marked provisional
    dieuhanh holidays --year 2028 --file f.csv   the days off the government announced: one "YYYY-MM-DD,name" (or
                                                 "DD/MM/YYYY,name") a line; weekends need not be listed
"""

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from dieuhanh.processing import calendar
from dieuhanh.processing.models import Holiday


def _day(text: str) -> datetime.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Not a date: {text!r} (YYYY-MM-DD or DD/MM/YYYY).")


class Command(BaseCommand):
    help = "Show the holiday calendar, or load a year (decreed days from a file, or the holidays package's days)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="The year to load; its days replace the ones held.")
        parser.add_argument("--file", help="CSV of the decreed days off: date,name per line.")

    def handle(self, *args, year=None, file=None, **options):
        if file and year is None:
            raise CommandError("--file needs --year.")
        if year is not None:
            if not 2000 <= year <= 2100:
                raise CommandError("--year is a year between 2000 and 2100.")
            if file:
                with open(file, newline="", encoding="utf-8-sig") as fh:
                    days = [(_day(row[0]), (row[1] if len(row) > 1 else "").strip() or "Ngày nghỉ")
                            for row in csv.reader(fh) if row and row[0].strip() and not row[0].startswith("#")]
                if not days:
                    raise CommandError(f"{file} lists no days.")
                try:
                    count = calendar.replace_year(year=year, days=days, provisional=False)
                except ValueError as exc:
                    raise CommandError(str(exc)) from exc
                provisional = False
            else:
                count, provisional = calendar.load_year(year)
            kind = "provisional, from the holidays package" if provisional else "decreed"
            self.stdout.write(f"{year}: {count} days loaded ({kind}).")
        for row in (Holiday.objects.values("date__year").order_by("date__year")
                    .annotate(days=Count("pk"), provisional=Count("pk", filter=Q(provisional=True)))):
            kind = "provisional" if row["provisional"] else "decreed"
            self.stdout.write(f"{row['date__year']}: {row['days']} days ({kind})")
        warning = calendar.coverage_warning()
        if warning:
            self.stderr.write(warning)
