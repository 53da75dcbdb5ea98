"""Months, periods and the times reports arrive.

A month is "YYYY-MM"; the statistical year SY2026 runs 2025-10-01 … 2026-09-30.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_days(month: str) -> int:
    first = date(int(month[:4]), int(month[5:7]), 1)
    return (date.fromisoformat(shift_month(month, 1) + "-01") - first).days


def day_in(month: str, rng: random.Random, first: int = 1, last: int | None = None) -> date:
    last = min(last or 31, month_days(month))
    return date(int(month[:4]), int(month[5:7]), rng.randint(first, last))


def periods_of_month(month: str) -> list[str]:
    """Every period key a month belongs to: month, quarter, year, statistical year and half."""
    year, mon = int(month[:4]), int(month[5:7])
    stat_year = year + 1 if mon >= 10 else year  # SY2026 = 2025-10-01 … 2026-09-30
    half = 1 if mon >= 10 or mon <= 3 else 2
    return [
        month,
        f"{year}Q{(mon - 1) // 3 + 1}",
        str(year),
        f"SY{stat_year}",
        f"SY{stat_year}H{half}",
    ]


def received_time(rng: random.Random, month: str, late: bool = False) -> datetime:
    """When the township got a report: the 1st–5th of the next month in office hours, or later."""
    due_month = shift_month(month, 1)
    if late:
        day = day_in(due_month, rng, 6, 12)
    else:
        day = date.fromisoformat(due_month + "-01") + timedelta(
            days=rng.choices(range(5), weights=[3, 4, 4, 3, 2])[0]
        )
    return datetime.combine(day, office_time(rng))


def office_time(rng: random.Random) -> time:
    minutes = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    return time(minutes // 60, minutes % 60, rng.randrange(60))


def resent_time(rng: random.Random, first: datetime) -> datetime:
    """A second version, a few days after the first (the village has read its report)."""
    return datetime.combine(first.date() + timedelta(days=rng.randint(2, 6)), office_time(rng))
