"""The monthly run: which months an ingest takes, what it did, in the office's words.

The Prefect flow (flows/monthly_ingest.py) calls these; they know nothing of Prefect."""

from __future__ import annotations

from pathlib import Path

from township.config import Settings
from township.delivery import DeliveryResult
from township.discovery import discover
from township.ingest import IngestResult, ingest, new_files
from township.ledger import ledger_markdown
from township.model import STATUS_ZH
from township.store import Warehouse, WarehouseBusy, WarehouseMissing, queries, warehouse_exists

PREVIOUS = "previous"  # the month before the run's scheduled start (and any missed before it)


def worth_retrying(exc: BaseException) -> bool:
    """Whether waiting can fix what failed: a busy warehouse, a shared folder that blinked; not
    a missing villages.csv or a wrong path, nor anything else."""
    if isinstance(exc, FileNotFoundError | NotADirectoryError | PermissionError):
        return False
    return isinstance(exc, WarehouseBusy | OSError)


def ingest_months(settings: Settings, month: str | None, catch_up: bool = False) -> IngestResult:
    """One month's files (or every new file); with `catch_up`, also every earlier month with
    files not yet ingested, one transaction each: a retry skips the months committed."""
    if month is None or not catch_up:
        return ingest(settings, month)
    return merge([ingest(settings, m) for m in months_to_ingest(settings, month)])


def months_to_ingest(settings: Settings, up_to: str) -> list[str]:
    """`up_to` and every earlier month holding files not yet ingested, oldest first.

    A month missed (a failed run, a late resubmission) is picked up by the next scheduled run."""
    found = [(p, m) for p, m in discover(settings.raw_dir).files if m < up_to]
    if found and warehouse_exists(settings):
        try:
            with Warehouse.open(
                settings, read_only=True, wait_seconds=settings.lock_wait_seconds
            ) as wh:
                found, _ = new_files(found, wh, settings.raw_dir, settings.zone)
        except WarehouseMissing:
            pass  # a lake not created yet (its first ingest): everything found is new
    return sorted({m for _, m in found} | {up_to})


def merge(results: list[IngestResult]) -> IngestResult:
    total = IngestResult()
    for r in results:
        total.files_found += r.files_found
        total.submissions += r.submissions
        total.outcomes += r.outcomes
        total.indicator_rows = r.indicator_rows
    # every month's ingest lists the paths outside the month folders: once is enough
    by_path = {o.file_path: o for o in total.outcomes}
    total.outcomes = list(by_path.values())
    return total


def run_table(settings: Settings, result: IngestResult, months: list[str]) -> dict:
    """Per village: files by status and findings by severity; findings by rule. This run only.
    Given the IngestResult itself: Prefect would walk a list of its 10,000 ids (0.1 s)."""
    ids = {s["submission_id"] for s in result.submissions}
    villages: dict[str, dict] = {}
    rules: dict[tuple[str, str], int] = {}
    with Warehouse.open(settings, read_only=True, wait_seconds=settings.lock_wait_seconds) as wh:
        for month in months:
            submissions, findings, _ = queries.month_submissions(wh, month)
            label = {}
            for s in submissions.itertuples():
                if s.submission_id not in ids:
                    continue
                code = s.village_code if isinstance(s.village_code, str) else None
                name = s.village_name if isinstance(s.village_name, str) else ""
                label[s.submission_id] = f"{code} {name}".strip() if code else s.file_name
                row = villages.setdefault(label[s.submission_id], {"error": 0, "warning": 0})
                row[s.status] = row.get(s.status, 0) + 1
            for f in findings.itertuples():
                if f.submission_id in label:
                    villages[label[f.submission_id]][f.severity] += 1
                    rules[(f.rule_id, f.severity)] = rules.get((f.rule_id, f.severity), 0) + 1
    return {"villages": villages, "rules": rules}


def run_markdown(
    title: str,
    result: IngestResult,
    reports: list[Path],
    table: dict,
    delivery: DeliveryResult,
    summary: str,
) -> str:
    statuses = list(STATUS_ZH)
    severities = {"error": "错误", "warning": "警告"}
    head = [*(STATUS_ZH[s] for s in statuses), *(f"{v}（处）" for v in severities.values())]
    lines = [
        f"## {title}",
        "",
        f"新文件 {len(result.submissions)} 个，未变化跳过 {result.files_skipped} 个；"
        f"校验报告 {len(reports)} 份。",
        "",
        "| 村 | " + " | ".join(head) + " |",
        "|---|" + "---:|" * len(head),
    ]
    totals: dict[str, int] = {}
    for village, counts in sorted(table["villages"].items()):
        cells = [counts.get(k, 0) for k in (*statuses, *severities)]
        for k, n in zip((*statuses, *severities), cells, strict=True):
            totals[k] = totals.get(k, 0) + n
        label = village.replace("|", "\\|")  # a file name may hold anything
        lines.append(f"| {label} | " + " | ".join(map(str, cells)) + " |")
    if table["villages"]:
        cells = [totals.get(k, 0) for k in (*statuses, *severities)]
        lines.append("| **合计** | " + " | ".join(f"**{n}**" for n in cells) + " |")
    lines += ["", "### 问题统计（按规则）", ""]
    if table["rules"]:
        lines += ["| 规则编号 | 严重程度 | 处数 |", "|---|---|---:|"]
        by_count = sorted(
            table["rules"].items(), key=lambda item: (item[0][1] != "error", -item[1])
        )
        lines += [f"| {rule} | {severities.get(sev, sev)} | {n} |" for (rule, sev), n in by_count]
    else:
        lines.append("未发现问题。")
    lines += ["", *ledger_markdown(result.outcomes)]
    lines += ["", delivery.line(), "", "## 全镇摘要", "", summary]
    return "\n".join(lines)


def final_line(title: str, result: IngestResult, reports: list, table: dict, delivery) -> str:
    """The run's last line, for the office: what came in, what it became, what was sent."""
    by_status = {
        s: sum(v.get(s, 0) for v in table["villages"].values()) for s in STATUS_ZH
    }  # after the checks that need the warehouse (a birth reported by another village)
    statuses = "，".join(f"{STATUS_ZH[s]} {n}" for s, n in by_status.items() if n)
    return (
        f"{title}：新文件 {len(result.submissions)} 个（{statuses or '无'}），"
        f"未变化跳过 {result.files_skipped} 个；校验报告 {len(reports)} 份；{delivery.line()}"
    )
