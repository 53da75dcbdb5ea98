"""What a run tells people: the township summary and the markdown table of files per village."""

from __future__ import annotations

from pathlib import Path

from township.config import Settings
from township.ingest import IngestResult
from township.reports.summary import NoData, load_summary, paragraph, summary_text
from township.reports.village import STATUS_ZH
from township.warehouse import Warehouse

DEFAULT_PERIOD_NOTE = "（未指定期间：取最近报告月所在的统计半年）"


def default_period(last_month: str) -> str:
    year, month = int(last_month[:4]), int(last_month[5:])
    stat_year = year + (month >= 10)
    return f"SY{stat_year}H{1 if month >= 10 or month <= 3 else 2}"


def summary_for(settings: Settings, period: str | None, full: bool = False) -> str:
    """The summary paragraph (or the full text) for a period; default the latest half-year."""
    with Warehouse(settings.warehouse, read_only=True) as wh:
        last = wh.latest_report_month()
        if last is None:
            return "仓库中还没有任何已接收的报表。"
        try:
            p, values, catalog = load_summary(wh, period or default_period(last))
        except NoData:
            return f"仓库中没有 {period or default_period(last)} 期间的数据。"
    return summary_text(p, values, catalog, last) if full else paragraph(p, values, last)


def run_markdown(result: IngestResult, reports: list[Path], summary: str) -> str:
    rows: dict[str, dict[str, int]] = {}
    for s in result.submissions:
        village = s["village_code"] or s["file_name"]
        rows.setdefault(village, {}).setdefault(s["status"], 0)
        rows[village][s["status"]] += 1
    statuses = list(STATUS_ZH)
    lines = [
        f"## 本次入库：新文件 {len(result.submissions)} 个，未变化跳过 {result.files_skipped} 个",
        "",
        "| 村 | " + " | ".join(STATUS_ZH[s] for s in statuses) + " |",
        "|---|" + "---|" * len(statuses),
        *(
            f"| {v} | " + " | ".join(str(c.get(s, 0)) for s in statuses) + " |"
            for v, c in sorted(rows.items())
        ),
        "",
        f"校验报告：{len(reports)} 份",
        "",
        "## 全镇摘要",
        "",
        summary,
    ]
    return "\n".join(lines)
