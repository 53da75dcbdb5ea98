"""The township's calendar: periods, report months, the deadline, the statistical year."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from township.calendar import (
    Period,
    deadline,
    local_time,
    month_end,
    month_zh,
    parse_month,
    statistical_year,
    statistical_year_start,
)


@pytest.mark.parametrize(
    ("key", "kind", "start", "end"),
    [
        ("2026-02", "month", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("SY2026", "statistical_year", date(2025, 10, 1), date(2026, 9, 30)),
        ("SY2026H1", "statistical_half", date(2025, 10, 1), date(2026, 3, 31)),
        ("SY2026H2", "statistical_half", date(2026, 4, 1), date(2026, 9, 30)),
    ],
)
def test_a_period_key_names_its_type_and_days(key, kind, start, end):
    period = Period.parse(key)
    assert (period.key, period.type, period.start, period.end) == (key, kind, start, end)
    assert period.contains(start) and period.contains(end)
    assert not period.contains(date.fromordinal(start.toordinal() - 1))


def test_a_period_knows_its_months():
    assert Period.parse("SY2026H1").months == [
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert Period.parse("2026-03").months == ["2026-03"]
    assert len(Period.parse("SY2026").months) == 12


@pytest.mark.parametrize(
    ("month", "half"), [("2025-10", "SY2026H1"), ("2026-03", "SY2026H1"), ("2026-04", "SY2026H2")]
)
def test_a_report_month_falls_in_one_statistical_half_year(month, half):
    assert Period.statistical_half_of(month).key == half


def test_report_months_their_last_day_deadline_and_statistical_year():
    assert parse_month("2026-03") == "2026-03"
    for bad in ("2026-3", "2026-13", "0000-01", "2026/03"):
        with pytest.raises(ValueError, match="bad month"):
            parse_month(bad)
    assert month_end("2024-02") == date(2024, 2, 29)
    assert deadline("2026-03") == date(2026, 4, 5) and deadline("2026-12") == date(2027, 1, 5)
    assert (
        statistical_year(date(2025, 10, 1)) == 2026 and statistical_year(date(2025, 9, 30)) == 2025
    )
    assert statistical_year_start(date(2026, 3, 5)) == date(2025, 10, 1)
    assert month_zh("2026-03") == "2026年3月"


def test_a_file_time_is_read_on_the_townships_clock():
    moment = datetime(2026, 4, 5, 16, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    assert local_time(moment) == datetime(2026, 4, 6, 0, 30)  # Asia/Shanghai, naive
    assert local_time(moment, "UTC") == datetime(2026, 4, 5, 16, 30)
