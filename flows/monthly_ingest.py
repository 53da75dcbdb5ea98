"""The monthly flow: ingest → village reports → e-mail → township summary, with a run artifact.

In that order: ingest reads, validates and loads the new files and materializes the indicators
(one DuckDB transaction per report month: all of it or nothing); the villages' reports are
written into the outbox from the warehouse; reports of villages with an e-mail address are
sent (township/delivery.py: once per report, failures recorded and retried next run, never
fatal); the township summary is written beside them; a markdown artifact says what happened.

Retries are for what waiting can fix only: a busy warehouse (WarehouseBusy), a shared folder or
disk that blinked (OSError). A file that cannot be read is rejected on its own (its report says
why), so one bad file never fails the run.

"Cached by file hash": the warehouse is the cache. A file whose (path, size, mtime) is already
recorded is skipped without being opened; a changed or new file is hashed, and content already
loaded for that month (same submission id = month + sha256) changes nothing. Prefect's own task
cache is deliberately off (NO_CACHE): a cached result would skip loading into a new or restored
warehouse, and it would persist what was read (names, ID numbers) under PREFECT_HOME.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import StringConstraints

from township.prefect_settings import configure_prefect

configure_prefect()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from township.calendar import previous_month  # noqa: E402
from township.config import Settings  # noqa: E402
from township.delivery import DeliveryResult, deliver_reports  # noqa: E402
from township.discovery import discover  # noqa: E402
from township.ingest import IngestResult, ingest, new_files  # noqa: E402
from township.ledger import ledger_markdown  # noqa: E402
from township.reports.outbox import write_month_reports  # noqa: E402
from township.reports.village import STATUS_ZH  # noqa: E402
from township.runs import run_summary, write_run_summary  # noqa: E402
from township.store import (  # noqa: E402
    Warehouse,
    WarehouseBusy,
    WarehouseMissing,
    queries,
    warehouse_exists,
)

PREVIOUS = "previous"
Month = Annotated[str, StringConstraints(pattern=r"^(\d{4}-(0[1-9]|1[0-2])|previous)$")]
ARTIFACT_KEY = "monthly-ingest"


def resolve_month(month: str | None, zone: ZoneInfo) -> str | None:
    """`previous` → the month before the run's scheduled start (a late run keeps its month), on
    the township's calendar (`zone`)."""
    if month != PREVIOUS:
        return month
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time if flow_run.id else None
    return previous_month(scheduled, zone)


def retry_on_io(task, task_run, state) -> bool:
    """Retry only what waiting can fix: a busy warehouse, a shared folder that blinked."""
    try:
        state.result()
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return False  # a missing villages.csv or a wrong path: waiting will not bring it
    except (WarehouseBusy, OSError):
        return True
    except Exception:
        return False
    return False


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


@task(
    retries=3,
    retry_delay_seconds=[10, 60, 300],
    retry_condition_fn=retry_on_io,
    cache_policy=NO_CACHE,
)
def ingest_files(settings: Settings, month: str | None, catch_up: bool = False) -> IngestResult:
    if month is None or not catch_up:
        return ingest(settings, month)
    # One transaction per month: a retry after a failure skips the months already committed.
    return merge([ingest(settings, m) for m in months_to_ingest(settings, month)])


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=retry_on_io, cache_policy=NO_CACHE)
def write_reports(settings: Settings, months: list[str]) -> list[Path]:
    return [p for m in months for p in write_month_reports(settings, m)]


@task(cache_policy=NO_CACHE)
def deliver(settings: Settings, months: list[str]) -> DeliveryResult:
    """E-mail the reports; whatever goes wrong is recorded and reported, never raised."""
    logger = get_run_logger()
    try:
        result = deliver_reports(settings, months)
    except Exception as exc:  # the reports are in the outbox; e-mail is a convenience
        logger.warning("e-mail delivery skipped: %s: %s", type(exc).__name__, exc)
        return DeliveryResult(error=f"{type(exc).__name__}: {exc}")
    for f in result.failures:
        logger.warning("could not e-mail %s to %s: %s", f["report"], ", ".join(f["to"]), f["error"])
    return result


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=retry_on_io, cache_policy=NO_CACHE)
def township_summary(settings: Settings, period: str | None) -> str:
    """The summary paragraph for the artifact; the monthly formats (the text) into the outbox."""
    summary, paragraph = run_summary(settings, period)
    if summary is not None:
        write_run_summary(summary, settings)
    return paragraph


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=retry_on_io, cache_policy=NO_CACHE)
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


def run_name() -> str:
    from prefect.runtime import flow_run

    month = flow_run.parameters.get("month")
    if month == PREVIOUS:  # named before the body runs: the settings are read for the zone
        month = resolve_month(month, Settings().zone)
    return f"ingest-{month or 'all'}"


@flow(name="monthly-ingest", flow_run_name=run_name, log_prints=True)
def monthly_ingest(
    month: Month | None = None,
    raw_dir: Path | None = None,
    warehouse: Path | None = None,
    villages: Path | None = None,
    outbox: Path | None = None,
    summary_period: str | None = None,
    village_reports: bool = True,
    runner: Literal["local", "dask"] | None = None,
    dask_address: str | None = None,
) -> dict:
    """Ingest a report month, report back to the villages, summarise.

    Args:
        month: report month YYYY-MM; "previous" (the scheduled default): the month before the
            run's scheduled time, plus any earlier month with files not yet ingested; empty:
            every new file.
        raw_dir: folder of <YYYY-MM>/ subfolders (default TOWNSHIP_RAW_DIR or data/raw)
        warehouse: the DuckDB file (default TOWNSHIP_WAREHOUSE or data/warehouse/township.duckdb)
        villages: villages.csv (default TOWNSHIP_VILLAGES or data/reference/villages.csv)
        outbox: reports folder (default TOWNSHIP_OUTBOX or data/outbox)
        summary_period: period of the township summary (default: the month, else the latest
            statistical half-year)
        village_reports: write the villages' reports and deliver them (off for a re-load or a
            benchmark of the ingest alone)
        runner: where files are read and validated: local (worker processes here) or dask
            (default TOWNSHIP_RUNNER or local)
        dask_address: the Dask scheduler for the dask runner, e.g. tcp://10.0.0.5:8786
            (default TOWNSHIP_DASK_ADDRESS; none: a local cluster for the run)
    """
    settings = (
        Settings()
        .with_paths(raw_dir=raw_dir, warehouse=warehouse, villages=villages, outbox=outbox)
        .with_options(runner=runner, dask_address=dask_address)
    )
    target = resolve_month(month, settings.zone)
    result = ingest_files(settings, target, catch_up=month == PREVIOUS)
    months = sorted({s["report_month"] for s in result.submissions})
    reports = write_reports(settings, months) if village_reports else []
    delivery = deliver(settings, months if village_reports else [])
    summary = township_summary(settings, summary_period or target)
    table = run_table(settings, result, months)
    title = f"入库 {target or '全部新文件'}"
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=run_markdown(title, result, reports, table, delivery, summary),
        description=f"ingest {target or 'all'}",
    )
    by_status = {
        s: sum(v.get(s, 0) for v in table["villages"].values()) for s in STATUS_ZH
    }  # after the checks that need the warehouse (a birth reported by another village)
    statuses = "，".join(f"{STATUS_ZH[s]} {n}" for s, n in by_status.items() if n)
    print(
        f"{title}：新文件 {len(result.submissions)} 个（{statuses or '无'}），"
        f"未变化跳过 {result.files_skipped} 个；校验报告 {len(reports)} 份；{delivery.line()}"
    )
    return {
        "result": result,
        "reports": [str(p) for p in reports],
        "summary": summary,
        "delivery": delivery,
    }
