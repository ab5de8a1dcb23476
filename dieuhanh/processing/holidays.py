"""Vietnam's public holidays (Labour Code 2019, art. 112) with the days off announced for Tết and compensations.

Lunar dates and the exact days off are fixed each year by the government: this table is data to extend,
not a rule. Weekends are skipped separately. A year the table does not hold is derived from the ``holidays``
package (lunar dates, compensatory days when a holiday falls on a weekend) and loaded as provisional, to be
replaced by the decreed days once they are announced: ``dieuhanh holidays`` (decision 0039).
"""

import datetime

import holidays as holidays_package

FIXED = [((1, 1), "Tết Dương lịch"), ((4, 30), "Ngày Giải phóng miền Nam"), ((5, 1), "Ngày Quốc tế Lao động"),
         ((9, 2), "Quốc khánh")]

# Days off announced per year for Tết Nguyên đán, Giỗ Tổ Hùng Vương and the second Quốc khánh day.
BY_YEAR = {
    2025: [("2025-01-25", "2025-02-02", "Tết Nguyên đán"), ("2025-04-07", "2025-04-07", "Giỗ Tổ Hùng Vương"),
           ("2025-09-01", "2025-09-01", "Quốc khánh (ngày nghỉ thứ hai)")],
    2026: [("2026-02-14", "2026-02-22", "Tết Nguyên đán"), ("2026-04-27", "2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù)"),
           ("2026-09-01", "2026-09-01", "Quốc khánh (ngày nghỉ thứ hai)")],
    2027: [("2027-02-05", "2027-02-10", "Tết Nguyên đán"), ("2027-04-16", "2027-04-16", "Giỗ Tổ Hùng Vương"),
           ("2027-09-03", "2027-09-03", "Quốc khánh (ngày nghỉ thứ hai)")],
}


def all_holidays():
    days = {}
    for year, ranges in BY_YEAR.items():
        for (month, day), name in FIXED:
            days[datetime.date(year, month, day)] = name
        for start, end, name in ranges:
            day, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
            while day <= last:
                days.setdefault(day, name)
                day += datetime.timedelta(days=1)
    return sorted(days.items())


def decreed_years() -> list[int]:
    return sorted(BY_YEAR)


def decreed(year: int) -> list[tuple[datetime.date, str]]:
    """The days off of ``year`` this table holds (empty for a year it does not hold)."""
    return [(day, name) for day, name in all_holidays() if day.year == year]


def from_package(year: int) -> list[tuple[datetime.date, str]]:
    """Vietnam's days off in ``year`` as the ``holidays`` package computes them, with Vietnamese names: the lunar
    dates of Tết and Giỗ Tổ Hùng Vương and the compensatory days, but not the government's yearly swaps."""
    return sorted(holidays_package.country_holidays("VN", years=year, language="vi").items())
