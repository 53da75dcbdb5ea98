"""The township's calendar (contract §7): report months, periods, the villages' deadline, the
statistical year, and the time zone the township's clock keeps.

The one definition of each in Python. The SQL says the same for the warehouse
(township/sql/staging/periods_of.sql; the on-time test in marts/submissions.sql); the sample
generator (township/synth) works its own truth out independently, so that the tests compare
two derivations, not one with itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
# Villages send a month's workbook by this day of the next month (contract §1).
DEADLINE_DAY = 5
# The statistical year (计生统计年度) SY2026 runs from 1 October 2025 to 30 September 2026.
STATISTICAL_YEAR_FIRST_MONTH = 10

# A report month: YYYY-MM, month 01-12 exactly (the folder names under data/raw, contract §3).
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
MONTH_HINT = "use YYYY-MM with a month 01-12, e.g. 2026-03"
PERIOD_HINT = "use 2026-03, 2026Q1, 2026, SY2026, SY2026H1 or SY2026H2"

MONTH_TYPE, QUARTER, YEAR = "month", "quarter", "year"
STATISTICAL_YEAR, STATISTICAL_HALF = "statistical_year", "statistical_half"
PATTERNS = [
    (MONTH, MONTH_TYPE),
    (re.compile(r"^([0-9]{4})Q([1-4])$"), QUARTER),
    (re.compile(r"^([0-9]{4})$"), YEAR),
    (re.compile(r"^SY([0-9]{4})$"), STATISTICAL_YEAR),
    (re.compile(r"^SY([0-9]{4})H([12])$"), STATISTICAL_HALF),
]


# -- the township's clock ---------------------------------------------------------------------
def township_zone(name: str | ZoneInfo = DEFAULT_TIMEZONE) -> ZoneInfo:
    return name if isinstance(name, ZoneInfo) else ZoneInfo(name)


def local_time(timestamp: float, zone: str | ZoneInfo = DEFAULT_TIMEZONE) -> datetime:
    """A POSIX timestamp (a file's modification time) as wall-clock time in the zone, naive.

    The office machine and a CI machine may sit in different zones; "by the 5th" and the order
    of versions must not depend on that."""
    return datetime.fromtimestamp(timestamp, township_zone(zone)).replace(tzinfo=None)


def previous_month(moment: datetime | None = None, zone: str | ZoneInfo = DEFAULT_TIMEZONE) -> str:
    """The report month before the one `moment` (default: now) falls in, on the township's
    calendar: 06:00 on 6 April in Shanghai is still 5 April in UTC."""
    tz = township_zone(zone)
    moment = (moment or datetime.now(tz=tz)).astimezone(tz)
    return month_of(moment.date().replace(day=1) - timedelta(days=1))


# -- report months ----------------------------------------------------------------------------
def parse_month(text: str) -> str:
    """The report month `text` names, exactly YYYY-MM; ValueError saying what is accepted."""
    if not isinstance(text, str) or not MONTH.fullmatch(text) or text.startswith("0000"):
        raise ValueError(f"bad month {text!r}: {MONTH_HINT}")
    return text


def month_of(day: date) -> str:
    """The report month a day falls in: 2026-03-05 → 2026-03."""
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def month_end(month: str) -> date:
    return _next_month_start(month_start(month)) - timedelta(days=1)


def deadline(month: str) -> date:
    """The last day a village's workbook for `month` is on time: the 5th of the next month."""
    return _next_month_start(month_start(month)).replace(day=DEADLINE_DAY)


def month_zh(month: str) -> str:
    """2026-03 → 2026年3月, as the reports and the summary write a month; anything else as it is."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", month or "")
    return f"{match[1]}年{int(match[2])}月" if match else str(month)


def statistical_year(day: date) -> int:
    """The statistical year a day falls in: 2025-10-01 … 2026-09-30 is SY2026."""
    return day.year + (day.month >= STATISTICAL_YEAR_FIRST_MONTH)


def statistical_year_start(day: date) -> date:
    return date(statistical_year(day) - 1, STATISTICAL_YEAR_FIRST_MONTH, 1)


def _next_month_start(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


# -- periods ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """A period of contract §7: its key (2026-03, 2026Q1, 2026, SY2026, SY2026H1), its type and
    its first and last day."""

    key: str
    type: str
    start: date
    end: date

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period a key names (any case, spaces around); ValueError saying what is accepted."""
        key = text.strip().upper()
        for pattern, kind in PATTERNS:
            match = pattern.match(key)
            if match:
                try:
                    return cls._of_parts(key, kind, [int(g) for g in match.groups()])
                except ValueError:  # year 0000 (or SY0001): no such dates
                    break
        raise ValueError(f"unknown period {text!r}: {PERIOD_HINT}")

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The period of type `kind` that `day` falls in."""
        year, month = day.year, day.month
        if kind == MONTH_TYPE:
            return cls.parse(month_of(day))
        if kind == QUARTER:
            return cls.parse(f"{year:04d}Q{(month + 2) // 3}")
        if kind == YEAR:
            return cls.parse(f"{year:04d}")
        stat_year = statistical_year(day)
        if kind == STATISTICAL_YEAR:
            return cls.parse(f"SY{stat_year:04d}")
        half = 1 if month >= STATISTICAL_YEAR_FIRST_MONTH or month <= 3 else 2
        return cls.parse(f"SY{stat_year:04d}H{half}")

    @classmethod
    def statistical_half_of(cls, month: str) -> Period:
        """The statistical half-year a report month falls in: 2026-03 → SY2026H1."""
        return cls.containing(STATISTICAL_HALF, month_start(month))

    @property
    def start_month(self) -> str:
        return month_of(self.start)

    @property
    def end_month(self) -> str:
        return month_of(self.end)

    @property
    def months(self) -> list[str]:
        """Its report months, first to last."""
        months, day = [], self.start
        while day <= self.end:
            months.append(month_of(day))
            day = _next_month_start(day)
        return months

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label_zh(self) -> str:
        """The period as the statistical tables name it: 2026年3月, 2026年第1季度, 2026统计年度
        上半年（2025年10月1日至2026年3月31日）…"""
        span = f"（{_day_zh(self.start)}至{_day_zh(self.end)}）"
        if self.type == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.type == "quarter":
            return f"{self.start.year}年第{(self.start.month + 2) // 3}季度"
        if self.type == "year":
            return f"{self.start.year}年"
        year = self.end.year if self.type == "statistical_year" else self.key[2:6]
        half = {
            "statistical_year": "",
            "statistical_half": "上半年" if self.key.endswith("H1") else "下半年",
        }
        return f"{year}统计年度{half[self.type]}{span}"

    def previous(self) -> Period:
        """The period of the same type just before: 2026-03→2026-02, SY2026H1→SY2025H2."""
        return Period.containing(self.type, self.start - timedelta(days=1))

    def year_earlier(self) -> Period:
        """The same period one year earlier: 2026-03→2025-03, SY2026H1→SY2025H1."""
        return Period.containing(self.type, self.start.replace(year=self.start.year - 1))

    @classmethod
    def _of_parts(cls, key: str, kind: str, parts: list[int]) -> Period:
        year = parts[0]
        if kind == MONTH_TYPE:
            month = f"{year:04d}-{parts[1]:02d}"
            return cls(key, kind, month_start(month), month_end(month))
        if kind == QUARTER:
            first, last = f"{year:04d}-{3 * parts[1] - 2:02d}", f"{year:04d}-{3 * parts[1]:02d}"
            return cls(key, kind, month_start(first), month_end(last))
        if kind == YEAR:
            return cls(key, kind, date(year, 1, 1), date(year, 12, 31))
        if kind == STATISTICAL_YEAR:
            return cls(key, kind, date(year - 1, 10, 1), date(year, 9, 30))
        if parts[1] == 1:
            return cls(key, kind, date(year - 1, 10, 1), date(year, 3, 31))
        return cls(key, kind, date(year, 4, 1), date(year, 9, 30))


def _day_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
