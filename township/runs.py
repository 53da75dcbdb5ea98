"""What a run tells people: the township summary, for the artifact, the outbox and the demo."""

from __future__ import annotations

from pathlib import Path

from township.calendar import Period
from township.config import Settings
from township.reports.summary.build import NoData, Summary, build_summary
from township.reports.summary.renderers import MONTHLY, needs_detail, outbox_path, write
from township.store import Warehouse, queries


def run_summary(settings: Settings, period: str | None) -> tuple[Summary | None, str]:
    """The summary of a period (default: the latest statistical half-year), without the
    comparisons with earlier periods, and its paragraph; None, and why, when there is nothing
    to summarise."""
    with Warehouse.open(settings, read_only=True) as wh:
        last = queries.latest_report_month(wh)
        if last is None:
            return None, "仓库中还没有任何已接收的报表。"
        key = period or Period.statistical_half_of(last).key
        try:
            summary = build_summary(wh, key, compare=False, detail=needs_detail(MONTHLY))
        except NoData:
            return None, f"仓库中没有 {key} 期间的数据。"
    return summary, summary.paragraph


def write_run_summary(summary: Summary, settings: Settings) -> list[Path]:
    """The formats each monthly run writes into the outbox (summary_<PERIOD>.txt …)."""
    return [
        path
        for name in MONTHLY
        for path in write(summary, name, outbox_path(summary, name, settings.outbox), settings)
    ]
