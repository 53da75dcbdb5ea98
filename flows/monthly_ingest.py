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

from township import monthly  # noqa: E402
from township.alerts import RunFailure, notify_office  # noqa: E402
from township.calendar import previous_month  # noqa: E402
from township.config import Settings  # noqa: E402
from township.delivery import DeliveryResult, deliver_reports  # noqa: E402
from township.ingest import IngestResult  # noqa: E402
from township.monthly import PREVIOUS  # noqa: E402
from township.reports.outbox import write_month_reports  # noqa: E402
from township.runs import run_summary, write_run_summary  # noqa: E402

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
    """Retry only what waiting can fix (township.monthly.worth_retrying)."""
    try:
        state.result()
    except Exception as exc:
        return monthly.worth_retrying(exc)
    return False


@task(
    retries=3,
    retry_delay_seconds=[10, 60, 300],
    retry_condition_fn=retry_on_io,
    cache_policy=NO_CACHE,
)
def ingest_files(settings: Settings, month: str | None, catch_up: bool = False) -> IngestResult:
    return monthly.ingest_months(settings, month, catch_up)


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
    """Given the IngestResult itself: Prefect would walk a list of its 10,000 ids."""
    return monthly.run_table(settings, result, months)


def run_name() -> str:
    from prefect.runtime import flow_run

    month = flow_run.parameters.get("month")
    if month == PREVIOUS:  # named before the body runs: the settings are read for the zone
        month = resolve_month(month, Settings().zone)
    return f"ingest-{month or 'all'}"


def tell_the_office(flow, flow_run, state) -> None:
    """State hook (Failed, Crashed): e-mail the office the run, the reason and what committed."""
    from prefect.settings import PREFECT_UI_URL

    params = flow_run.parameters or {}
    paths = {k: params.get(k) for k in ("raw_dir", "warehouse", "villages", "outbox")}
    settings = Settings().with_paths(**paths)
    ui = PREFECT_UI_URL.value()
    notify_office(
        settings,
        RunFailure(
            run_name=flow_run.name,
            state=state.name,
            reason=state.message or state.type.value,
            started_at=flow_run.start_time,
            run_id=str(flow_run.id),
            ui_url=f"{ui}/runs/flow-run/{flow_run.id}" if ui else None,
        ),
    )


@flow(
    name="monthly-ingest",
    flow_run_name=run_name,
    log_prints=True,
    on_failure=[tell_the_office],
    on_crashed=[tell_the_office],
)
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
        markdown=monthly.run_markdown(title, result, reports, table, delivery, summary),
        description=f"ingest {target or 'all'}",
    )
    print(monthly.final_line(title, result, reports, table, delivery))
    return {
        "result": result,
        "reports": [str(p) for p in reports],
        "summary": summary,
        "delivery": delivery,
    }
