"""What a run tells people: the township summary, for the artifact, the outbox and the demo."""

from __future__ import annotations

from township.calendar import Period
from township.config import Settings
from township.reports.summary import NoData, load_summary, paragraph, summary_text
from township.store import Warehouse, queries


def summary_texts(settings: Settings, period: str | None) -> tuple[str | None, str, str]:
    """(period key, paragraph, full text) for a period, default the latest statistical
    half-year; the key is None, and both texts say why, when there is nothing to summarise."""
    with Warehouse.open(settings, read_only=True) as wh:
        last = queries.latest_report_month(wh)
        if last is None:
            message = "仓库中还没有任何已接收的报表。"
            return None, message, message
        key = period or Period.statistical_half_of(last).key
        try:
            p, values, catalog = load_summary(wh, key)
        except NoData:
            message = f"仓库中没有 {key} 期间的数据。"
            return None, message, message
        files = queries.file_ledger(wh, p.start_month, p.end_month)
    return p.key, paragraph(p, values, last), summary_text(p, values, catalog, last, files=files)


def summary_for(settings: Settings, period: str | None, full: bool = False) -> str:
    """The summary paragraph (or the full text) for a period; default the latest half-year."""
    _, short, whole = summary_texts(settings, period)
    return whole if full else short
