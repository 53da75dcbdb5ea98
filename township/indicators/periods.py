"""Period keys (SPEC §7): 2026-03, 2026Q1, 2026, SY2026, SY2026H1 / SY2026H2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PATTERNS = [
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "month"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^SY(\d{4})$"), "statistical_year"),
    (re.compile(r"^SY(\d{4})H([12])$"), "statistical_half"),
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


def parse_period(text: str) -> Period:
    key = text.strip().upper()
    for pattern, kind in PATTERNS:
        match = pattern.match(key)
        if match:
            return _period(key, kind, [int(g) for g in match.groups()])
    raise ValueError(
        f"unknown period {text!r}: use 2026-03, 2026Q1, 2026, SY2026, SY2026H1 or SY2026H2"
    )


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
