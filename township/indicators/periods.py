"""Period keys (SPEC §7): 2026-03, 2026Q1, 2026, SY2026, SY2026H1 / SY2026H2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# A report month: YYYY-MM, month 01-12 exactly (the folder names under data/raw, SPEC §3).
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
MONTH_HINT = "use YYYY-MM with a month 01-12, e.g. 2026-03"
PERIOD_HINT = "use 2026-03, 2026Q1, 2026, SY2026, SY2026H1 or SY2026H2"
PATTERNS = [
    (MONTH, "month"),
    (re.compile(r"^([0-9]{4})Q([1-4])$"), "quarter"),
    (re.compile(r"^([0-9]{4})$"), "year"),
    (re.compile(r"^SY([0-9]{4})$"), "statistical_year"),
    (re.compile(r"^SY([0-9]{4})H([12])$"), "statistical_half"),
]


@dataclass(frozen=True)
class Period:
    key: str
    type: str
    start: date  # first day
    end: date  # last day

    @property
    def start_month(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def end_month(self) -> str:
        return f"{self.end.year:04d}-{self.end.month:02d}"


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def parse_month(text: str) -> str:
    """The report month `text` names, exactly YYYY-MM; ValueError saying what is accepted."""
    if not isinstance(text, str) or not MONTH.fullmatch(text) or text.startswith("0000"):
        raise ValueError(f"bad month {text!r}: {MONTH_HINT}")
    return text


def parse_period(text: str) -> Period:
    key = text.strip().upper()
    for pattern, kind in PATTERNS:
        match = pattern.match(key)
        if match:
            try:
                return _period(key, kind, [int(g) for g in match.groups()])
            except ValueError:  # year 0000 (or SY0001): no such dates
                break
    raise ValueError(f"unknown period {text!r}: {PERIOD_HINT}")


def _period(key: str, kind: str, parts: list[int]) -> Period:
    year = parts[0]
    if kind == "month":
        return Period(key, kind, date(year, parts[1], 1), _month_end(year, parts[1]))
    if kind == "quarter":
        first = 3 * parts[1] - 2
        return Period(key, kind, date(year, first, 1), _month_end(year, first + 2))
    if kind == "year":
        return Period(key, kind, date(year, 1, 1), date(year, 12, 31))
    if kind == "statistical_year":
        return Period(key, kind, date(year - 1, 10, 1), date(year, 9, 30))
    if parts[1] == 1:
        return Period(key, kind, date(year - 1, 10, 1), date(year, 3, 31))
    return Period(key, kind, date(year, 4, 1), date(year, 9, 30))
